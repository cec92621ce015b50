"""Test recordings: speech synthesised by espeak-ng, re-encoded with PyAV into what browsers and
phones upload (containers, codecs, sample rates, channel counts). Also the word error rate."""
from __future__ import annotations

import io
from fractions import Fraction
import re
import shutil
import subprocess
import wave
from dataclasses import dataclass

import av
import numpy as np
import pytest

ESPEAK = shutil.which("espeak-ng")

# Sentences that espeak-ng's voice keeps intelligible even squeezed into the 8 kHz telephone band.
PASSAGE = ("Please call the doctor and ask for an appointment next Monday morning. "
           "Please send the quarterly report to the finance department before the end of the week. "
           "Remember to bring your passport when you travel abroad.")


@dataclass(frozen=True)
class Encoding:
    name: str
    container: str
    codec: str
    rate: int
    channels: int = 1


ENCODINGS = [
    Encoding("wav-8k", "wav", "pcm_s16le", 8000),
    Encoding("wav-22k", "wav", "pcm_s16le", 22050),
    Encoding("wav-48k-stereo", "wav", "pcm_s16le", 48000, 2),
    Encoding("mp3", "mp3", "libmp3lame", 44100),
    Encoding("flac", "flac", "flac", 44100, 2),
    Encoding("ogg-opus", "ogg", "libopus", 48000),
    Encoding("webm-opus", "webm", "libopus", 48000),  # Chrome's and Firefox's MediaRecorder
    Encoding("m4a-aac", "ipod", "aac", 44100),  # Safari and iPhone voice memos
]


def speak(text: str, speed: int = 150) -> tuple[np.ndarray, int]:
    """espeak-ng's voice as int16 samples and their rate (22050 Hz)."""
    if ESPEAK is None:
        pytest.skip("espeak-ng is not installed (apt-get install espeak-ng)")
    wav = subprocess.run([ESPEAK, "-v", "en-us", "-s", str(speed), "--stdout", text],
                         check=True, capture_output=True, timeout=30).stdout
    with wave.open(io.BytesIO(wav)) as w:
        return np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16), w.getframerate()


def encode(samples: np.ndarray, rate: int, enc: Encoding) -> bytes:
    """int16 mono samples at `rate` -> a file in `enc` (resampled, duplicated to stereo if asked)."""
    out = io.BytesIO()
    layout = "stereo" if enc.channels == 2 else "mono"
    with av.open(out, mode="w", format=enc.container) as container:
        stream = container.add_stream(enc.codec, rate=enc.rate, layout=layout)
        resampler = av.AudioResampler(format=stream.codec_context.format.name, layout=layout, rate=enc.rate)
        frame = av.AudioFrame.from_ndarray(samples.reshape(1, -1), format="s16", layout="mono")
        frame.sample_rate, frame.pts, frame.time_base = rate, 0, Fraction(1, rate)  # timestamps for every frame, not some
        for resampled in [*resampler.resample(frame), *resampler.resample(None)]:
            container.mux(stream.encode(resampled))
        container.mux(stream.encode(None))
    return out.getvalue()


def silence(seconds: float, rate: int = 16000) -> np.ndarray:
    return np.zeros(int(seconds * rate), dtype=np.int16)


def words(text: str) -> list[str]:
    return re.sub(r"[^a-z0-9' ]+", " ", text.lower().replace("-", " ")).split()


def word_error_rate(reference: str, hypothesis: str) -> float:
    """(substitutions + deletions + insertions) / reference words, by edit distance over words."""
    ref, hyp = words(reference), words(hypothesis)
    row = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        prev, row[0] = row[0], i
        for j, h in enumerate(hyp, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (r != h))
    return row[-1] / max(1, len(ref))
