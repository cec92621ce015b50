"""Recognise an upload by its bytes and decode it with PyAV (FFmpeg) to 16 kHz mono float32.

The demuxer is chosen from the sniffed content, never left to FFmpeg's probing: probing would also
accept playlists and concat scripts, which make FFmpeg open other files or URLs. The duration limit
is checked on the decoded samples as they come, so a ten-hour file costs a few frames, not ten hours.
"""
from __future__ import annotations

import io
from dataclasses import dataclass

import av
import numpy as np

from .. import errors
from . import ACCEPTED

SAMPLE_RATE = 16_000
SILENCE_PEAK = 10 ** (-60 / 20)  # below -60 dBFS everywhere: nothing a person could have said


@dataclass(frozen=True)
class AudioFormat:
    name: str  # what we tell the user
    demuxer: str  # FFmpeg's name for the container


WEBM = AudioFormat("webm", "matroska")
OGG = AudioFormat("ogg", "ogg")
MP4 = AudioFormat("mp4", "mov")
WAV = AudioFormat("wav", "wav")
MP3 = AudioFormat("mp3", "mp3")
FLAC = AudioFormat("flac", "flac")
AAC = AudioFormat("aac", "aac")  # raw ADTS, as some Android recorders write it


def sniff(data: bytes) -> AudioFormat | None:
    """The container, from its magic bytes; None when it is none we accept."""
    if data[:3] == b"ID3" and len(data) >= 10:  # an ID3v2 tag in front of mp3/aac/flac: look past it
        size = (data[6] & 0x7F) << 21 | (data[7] & 0x7F) << 14 | (data[8] & 0x7F) << 7 | (data[9] & 0x7F)
        return sniff(data[10 + size:]) or (MP3 if len(data) <= 10 + size else None)
    if data[:4] == b"\x1a\x45\xdf\xa3":
        return WEBM
    if data[:4] == b"OggS":
        return OGG
    if data[4:8] == b"ftyp":
        return MP4
    if data[:4] in (b"RIFF", b"RF64") and data[8:12] == b"WAVE":
        return WAV
    if data[:4] == b"fLaC":
        return FLAC
    if len(data) >= 2 and data[0] == 0xFF:
        if data[1] & 0xF6 == 0xF0:  # ADTS: sync word, layer 00
            return AAC
        if data[1] & 0xE0 == 0xE0 and data[1] & 0x06:  # MPEG audio frame sync, layer I-III
            return MP3
    return None


@dataclass(frozen=True)
class DecodedAudio:
    samples: np.ndarray  # float32, mono, SAMPLE_RATE
    format: AudioFormat

    @property
    def duration(self) -> float:
        return len(self.samples) / SAMPLE_RATE

    @property
    def is_silent(self) -> bool:
        return not len(self.samples) or float(np.max(np.abs(self.samples))) < SILENCE_PEAK


def decode(data: bytes, max_seconds: float) -> DecodedAudio:
    fmt = sniff(data)
    if fmt is None:
        raise errors.UnsupportedMediaType(f"This file is not a recording this server can read. Send {ACCEPTED} audio.")
    limit = int(max_seconds * SAMPLE_RATE)
    pieces: list[np.ndarray] = []
    total = 0
    try:
        with av.open(io.BytesIO(data), format=fmt.demuxer, mode="r") as container:
            if not container.streams.audio:
                raise errors.UnprocessableFile(f"This {fmt.name} file has no audio track.")
            stream = container.streams.audio[0]
            for frame in _resampled(container, stream):
                piece = frame.to_ndarray().reshape(-1)
                total += len(piece)
                if total > limit:
                    raise errors.PayloadTooLarge(
                        f"The recording is longer than {max_seconds:g} seconds, "
                        "the most this server transcribes (MAX_AUDIO_SECONDS).")
                pieces.append(piece)
    except (av.FFmpegError, ValueError, EOFError) as exc:  # broken headers, truncated files, bad packets
        raise errors.UnprocessableFile(f"This {fmt.name} file could not be decoded; it may be damaged or incomplete.") from exc
    if not total:
        raise errors.UnprocessableFile(f"This {fmt.name} file contains no audio that could be decoded.")
    return DecodedAudio(np.concatenate(pieces).astype(np.float32, copy=False), fmt)


def _resampled(container, stream):
    resampler = av.AudioResampler(format="flt", layout="mono", rate=SAMPLE_RATE)
    for frame in container.decode(stream):
        yield from resampler.resample(frame)
    yield from resampler.resample(None)  # it keeps a few samples back until told the input has ended


def to_flac(audio: DecodedAudio) -> bytes:
    """The decoded signal as 16-bit FLAC: lossless, a format Gemini accepts, and free of the upload's metadata."""
    out = io.BytesIO()
    with av.open(out, mode="w", format="flac") as container:
        stream = container.add_stream("flac", rate=SAMPLE_RATE, layout="mono")
        pcm = (np.clip(audio.samples, -1.0, 1.0) * 32767).astype(np.int16)
        for start in range(0, len(pcm), SAMPLE_RATE):  # one-second frames
            frame = av.AudioFrame.from_ndarray(pcm[start:start + SAMPLE_RATE].reshape(1, -1), format="s16", layout="mono")
            frame.sample_rate = SAMPLE_RATE
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    return out.getvalue()
