"""The text of an attachment, page by page, with the pipelines Image to Text and Voice to Text already
have: PDFs their text layer and OCR for pages without one, images OCR (and their facts), recordings a
transcript, text files themselves. The checks a person should hear at once (a password, too many pages
or pixels) run in `preflight`, before the upload is answered."""
from __future__ import annotations

import io
from contextlib import closing
from pathlib import Path

from .. import errors
from ..config import Settings
from ..documents import images, pdf
from ..documents.workspace import workspace
from .kinds import Kind


def preflight(data: bytes, kind: Kind, settings: Settings) -> int | None:
    """Refuse what extraction would refuse anyway, cheaply (headers only). Returns the page count."""
    if kind.family == "audio":
        _check_length(data, kind, settings.max_audio_seconds)
        return None
    if kind.family != "pdf" and kind.family != "image":
        return None
    with workspace(settings.upload_dir) as folder:
        path = folder / "upload"
        path.write_bytes(data)
        if kind.family == "pdf":
            with closing(pdf.open_pdf(path, settings.max_pdf_pages)) as doc:  # password, damage, page count
                return doc.page_count
        with closing(images.open_image(path, settings.max_image_pixels)):  # pixel count from the header
            return 1


def _check_length(data: bytes, kind: Kind, max_seconds: int) -> None:
    """The recording's length from its header when it says (WAV, MP3, FLAC, M4A do; a browser's WebM often
    does not, and is then measured while it is decoded, in the background)."""
    import av

    try:
        with av.open(io.BytesIO(data), format=kind.demuxer, mode="r") as container:
            seconds = container.duration / av.time_base if container.duration else None
    except (av.FFmpegError, ValueError, EOFError):
        raise errors.UnprocessableFile("This recording could not be read; it may be damaged or incomplete.") from None
    if seconds is not None and seconds > max_seconds:
        raise errors.PayloadTooLarge(f"The recording is {seconds:.0f} seconds long; this server takes at most "
                                     f"{max_seconds} seconds (MAX_AUDIO_SECONDS).")


def extract(data: bytes, kind: Kind, engines) -> dict:
    """{"pages": [{number, text, method}], "image": facts or None, "duration_seconds"?}. Runs in the
    offload pool: CPU-bound, and the temporary files are gone whatever happens."""
    settings: Settings = engines.settings
    if kind.family == "text":
        return {"pages": [{"number": 1, "text": data.decode("utf-8").lstrip("\ufeff").strip(), "method": "text"}], "image": None}
    if kind.family == "audio":
        from ..audio.service import transcribe_recording

        transcript = transcribe_recording(engines, data)
        return {"pages": [{"number": 1, "text": transcript.text, "method": "transcript"}], "image": None,
                "duration_seconds": transcript.duration_seconds}
    from ..documents.extract import extract as extract_pages
    from ..documents.service import ocr_backend

    with workspace(settings.upload_dir) as folder:
        path: Path = folder / "upload"
        path.write_bytes(data)
        found = extract_pages(path, kind.document, folder, settings, ocr=lambda: ocr_backend(engines))
    return {"pages": [{"number": p.number, "text": p.text, "method": p.method} for p in found.pages],
            "image": found.image, "ocr_engine": found.ocr_engine}


def has_text(extraction: dict) -> bool:
    return any(p["text"].strip() for p in extraction["pages"])


def failure_message(exc: BaseException) -> str:
    if isinstance(exc, errors.ApiError):
        return exc.message
    return "This file could not be read."
