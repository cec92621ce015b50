"""WAV framing for speech: 16-bit mono PCM behind a RIFF header, written before the length is known when
the audio is streamed; and the PCM read back out of what a TTS engine returns (raw or already a WAV).

A streamed WAV declares its sizes as 0xFFFFFFFF, as FFmpeg does when it writes a WAV to a pipe: readers
take the data to run to the end of the stream. Chromium (FFmpeg's demuxer) plays such a file in an
<audio> element while it is still arriving.
"""
from __future__ import annotations

import struct

SAMPLE_WIDTH = 2  # bytes: signed 16-bit little-endian
UNKNOWN_SIZE = 0xFFFFFFFF
HEADER_BYTES = 44


def header(sample_rate: int, data_bytes: int | None = None) -> bytes:
    """The 44-byte header of a mono 16-bit PCM WAV; `data_bytes=None` when the length is not known yet."""
    data = UNKNOWN_SIZE if data_bytes is None else data_bytes
    riff = UNKNOWN_SIZE if data_bytes is None else 36 + data_bytes
    return struct.pack("<4sI4s4sIHHIIHH4sI", b"RIFF", riff, b"WAVE", b"fmt ", 16, 1, 1, sample_rate,
                       sample_rate * SAMPLE_WIDTH, SAMPLE_WIDTH, 8 * SAMPLE_WIDTH, b"data", data)


def wav(sample_rate: int, pcm: bytes) -> bytes:
    return header(sample_rate, len(pcm)) + pcm


class NotPcm(ValueError):
    """Audio that is not 16-bit mono PCM (or a WAV of it)."""


def split_wav(data: bytes) -> tuple[int, bytes]:
    """(sample rate, PCM) of a 16-bit mono WAV; the data runs to the end whatever its header says."""
    pos, rate = 12, None
    while pos + 8 <= len(data):
        tag, size = data[pos:pos + 4], struct.unpack_from("<I", data, pos + 4)[0]
        if tag == b"fmt ":
            fmt, channels, rate = struct.unpack_from("<HHI", data, pos + 8)
            bits = struct.unpack_from("<H", data, pos + 22)[0]
            if (fmt, channels, bits) not in ((1, 1, 16), (0xFFFE, 1, 16)):
                raise NotPcm(f"WAV format {fmt}, {channels} channel(s), {bits} bits")
        elif tag == b"data":
            if rate is None:
                raise NotPcm("WAV data before its format")
            return rate, data[pos + 8:]
        pos += 8 + size + (size & 1)
    raise NotPcm("no data chunk in the WAV")


def pcm_of(mime_type: str | None, data: bytes, default_rate: int) -> tuple[int, bytes]:
    """(sample rate, PCM) of one piece of engine audio: a WAV (recognised by its bytes), or raw PCM such as
    Gemini's `audio/L16;codec=pcm;rate=24000`. Gemini's L16 is little-endian, unlike RFC 2586's L16
    (Google's own examples play it with `ffmpeg -f s16le`). A streamed WAV's later pieces are raw PCM at
    the rate its first piece gave: pass that as `default_rate`."""
    if data[:4] == b"RIFF" and data[8:12] == b"WAVE":
        return split_wav(data)
    kind, *params = [p.strip().lower() for p in (mime_type or "").split(";")]
    if kind not in ("audio/l16", "audio/pcm", "audio/wav", "audio/x-wav", "audio/wave", ""):
        raise NotPcm(f"audio of type {kind}")
    rate = default_rate
    for param in params:
        name, _, value = param.partition("=")
        if name == "rate" and value.isdigit():
            rate = int(value)
    return rate, data
