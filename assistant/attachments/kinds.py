"""What an attachment is, from its bytes: an image or PDF (documents.sniff), a recording (audio.decode's
sniffing), or plain text / markdown (valid UTF-8 without control bytes). Never from its name or declared
type; the name only tells markdown from plain text, which are the same bytes."""
from __future__ import annotations

from dataclasses import dataclass

from .. import errors
from ..documents import sniff as documents

ACCEPTED = "images (PNG, JPEG, WebP, GIF, TIFF, BMP), PDF, audio (webm, ogg, m4a, aac, wav, mp3, flac) or plain text/markdown"
# Container names from audio.decode.sniff and the types we show for them
AUDIO_TYPES = {"webm": "audio/webm", "ogg": "audio/ogg", "mp4": "audio/mp4", "wav": "audio/wav", "mp3": "audio/mpeg",
               "flac": "audio/flac", "aac": "audio/aac"}
CONTROL = set(range(0, 32)) - {9, 10, 12, 13}


@dataclass(frozen=True)
class Kind:
    mime_type: str
    family: str  # "image" | "pdf" | "audio" | "text"
    document: documents.Kind | None = None  # for images and PDFs: what documents.extract reads
    demuxer: str | None = None  # for recordings: FFmpeg's container name (never left to its probing)


def detect(data: bytes, filename: str) -> Kind:
    if not data:
        raise errors.UnprocessableFile("The uploaded file is empty (0 bytes).")
    head = data[:1024]
    try:
        found = documents.sniff(head)
        return Kind(found.mime_type, "pdf" if found.is_pdf else "image", found)
    except errors.UnsupportedMediaType as refused:
        if "HEIC" in refused.message:
            raise
    from ..audio.decode import sniff as audio_sniff  # PyAV loads with the first recording, not at start-up

    container = audio_sniff(data[:64 * 1024])  # an ID3 tag in front can be large
    if container is not None:
        return Kind(AUDIO_TYPES[container.name], "audio", demuxer=container.demuxer)
    if _is_text(data):
        markdown = filename.lower().endswith((".md", ".markdown"))
        return Kind("text/markdown" if markdown else "text/plain", "text")
    raise errors.UnsupportedMediaType(
        f"This file cannot be attached (checked by its content, not its name). Accepted: {ACCEPTED}.")


def _is_text(data: bytes) -> bool:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    sample = text[:65536].encode()
    return not any(b in CONTROL for b in sample)
