"""Text to Speech: which engine reads aloud (Gemini's TTS model, or Piper offline), the text made speakable
and cut into sentences, and the audio handed out as it is made.

`speech_availability(settings, provider)` is the "speech" capability of /api/health. `speak` checks the
request, then starts the engine in a background thread and waits for the first sound only, so that a
long reply starts playing within a second and any failure before it still gets its status code.
"""
from __future__ import annotations

import logging
import queue
import re
import threading
import time
from collections.abc import Callable, Iterator

from .. import errors, offload
from ..ai.base import Availability, Usage
from ..config import Settings
from .wav import header, wav

log = logging.getLogger(__name__)

# Piper speaks a piece at a time. Its scratch memory grows with the piece (about 30 MB per second of speech)
# and the first sound waits for the whole first piece: sentences longer than this are cut at commas.
MAX_PIECE_CHARS = 100
FIRST_PIECE_CHARS = 60
# After the first sound, how long to see whether the engine is about to finish: a short text then goes out
# as a whole WAV with its length (which every player handles), a long one starts streaming.
COMPLETE_WAIT_S = 0.05

_MARKDOWN = [  # what a chat reply's markdown would otherwise make a voice say
    (re.compile(r"^[ \t]*```.*$|^[ \t]*\|?[ \t]*:?-{3,}.*$", re.MULTILINE), ""),  # code fences, table rules
    (re.compile(r"!?\[([^\]]*)\]\([^)]*\)"), r"\1"),  # links and images: their words
    (re.compile(r"^[ \t]{0,3}(?:#{1,6}|>+|[-*+]|\d+[.)])[ \t]+", re.MULTILINE), ""),  # headings, quotes, list markers
    (re.compile(r"\*\*|__|~~|`|(?<!\w)\*(?=\S)|(?<=\S)\*(?!\w)"), ""),  # emphasis and code marks
    (re.compile(r"[ \t]*\|[ \t]*"), ", "),  # table cells
]
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'”’)\]]*\s+|\s*\n\s*")
_CLAUSE_END = re.compile(r"(?<=[,;:—–])\s+")


def speech_availability(settings: Settings, provider: str) -> Availability:
    """Gemini when it is the provider; otherwise (local, or an OpenAI-compatible chat server, which has no
    speech endpoint we rely on) Piper offline."""
    if provider == "gemini":
        if not settings.gemini_api_key:
            return Availability(False, "gemini", "AI_PROVIDER=gemini but GEMINI_API_KEY is not set.")
        return Availability(True, "gemini")
    from .piper_tts import piper_availability

    return piper_availability(settings)


def speakable(text: str) -> str:
    for pattern, replacement in _MARKDOWN:
        text = pattern.sub(replacement, text)
    return "\n".join(line.strip(" ,") for line in text.splitlines() if line.strip(" ,")).strip()


def pieces(text: str, max_chars: int = MAX_PIECE_CHARS, first_chars: int = FIRST_PIECE_CHARS) -> list[str]:
    """Sentences (and lines: list items end without a full stop), long ones cut at clause marks, else
    between words; the first piece shorter, so that the first sound comes soon."""
    out: list[str] = []
    for sentence in _SENTENCE_END.split(text):
        sentence = " ".join(sentence.split())
        if sentence:
            out.extend(_cut(sentence, first_chars if not out else max_chars))
    return out


def _cut(sentence: str, limit: int) -> list[str]:
    if len(sentence) <= limit:
        return [sentence]
    out, current = [], ""
    for clause in _CLAUSE_END.split(sentence):
        for word in clause.split(" ") if len(clause) > limit else [clause]:
            if current and len(current) + 1 + len(word) > limit:
                out.append(current)
                current = word
            else:
                current = f"{current} {word}" if current else word
    return out + [current] if current else out


_END = object()


class Speech:
    """Audio made in a background thread and handed out as it comes: an engine is held while it
    synthesises, never while a slow listener downloads, and a listener who leaves stops it."""

    def __init__(self, engine: str, model: str, voice: str, produce: Iterator, done: Callable[[], None] = lambda: None):
        self.engine, self.model, self.voice = engine, model, voice
        self.usage: Usage | None = None  # tokens, when the engine counts them (known at the end)
        self.error: errors.ApiError | None = None  # a failure after the sound had started
        self.sample_rate = 0
        self._produce, self._done = produce, done
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._stop = threading.Event()
        self._ready: list[bytes] = []
        self._complete = False
        threading.Thread(target=self._run, name="speech", daemon=True).start()

    def _run(self) -> None:
        try:
            for item in self._produce:  # (sample rate, PCM) pieces, and the engine's Usage at the end
                if self._stop.is_set():
                    break
                if isinstance(item, Usage):
                    self.usage = item
                else:
                    self._queue.put(item)
        except errors.ApiError as exc:
            self._queue.put(exc)
        except Exception:  # noqa: BLE001 - logged here; the listener gets a clear error or the sound made so far
            log.exception("speech synthesis failed")
            self._queue.put(errors.InternalError())
        finally:
            close = getattr(self._produce, "close", None)
            if close:
                close()
            self._done()
            self._queue.put(_END)

    def start(self) -> None:
        """Wait for the first sound; an error before it is raised here. If the engine has already finished,
        the whole WAV goes out at once, with its length."""
        try:
            self._first()
        except BaseException:
            self._stop.set()
            raise

    def _first(self) -> None:
        deadline = None
        while True:
            if not self._ready:
                item = self._queue.get()
                deadline = time.monotonic() + COMPLETE_WAIT_S
            else:
                item = self._next_ready(deadline)
            if item is None:
                return
            if item is _END:
                if not self._ready:
                    raise errors.InvalidRequest("text: the voice found nothing in it to say.")
                self._complete = True
                return
            if isinstance(item, errors.ApiError):
                raise item
            self._take(item)

    def _next_ready(self, deadline: float):
        try:
            return self._queue.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            return None

    def _take(self, item: tuple[int, bytes]) -> None:
        rate, pcm = item
        if self.sample_rate and rate != self.sample_rate:
            raise errors.UpstreamError("The speech engine changed its sample rate mid-stream.")
        self.sample_rate = rate
        self._ready.append(pcm)

    def whole(self) -> bytes | None:
        """The complete WAV when all of it was made before the response started, else None."""
        return wav(self.sample_rate, b"".join(self._ready)) if self._complete else None

    def stream(self) -> Iterator[bytes]:
        """A WAV of unknown length, sent as it is made. A failure now can only end it early (self.error)."""
        try:
            yield header(self.sample_rate) + b"".join(self._ready)
            self._ready = []
            while (item := self._queue.get()) is not _END:
                if isinstance(item, errors.ApiError):
                    raise item
                self._take(item)
                yield self._ready.pop()
        except errors.ApiError as exc:
            log.warning("speech cut short: %s", exc.code)
            self.error = exc
        finally:
            self._stop.set()


def speak(engines, text: str, voice: str | None) -> Speech:
    """Start reading `text` aloud with the engine the settings choose; returns once the first sound is made."""
    settings: Settings = engines.settings
    availability = speech_availability(settings, engines.provider)
    if not availability.available:
        raise errors.CapabilityUnavailable(f"Reading aloud is not available: {availability.reason}")
    if len(text) > settings.max_speech_chars:
        raise errors.PayloadTooLarge(f"The text is {len(text)} characters long; this server reads at most "
                                     f"{settings.max_speech_chars} aloud at once (MAX_SPEECH_CHARS).")
    words = speakable(text)
    if not any(ch.isalnum() for ch in words):
        raise errors.InvalidRequest("text: there is nothing in it to read aloud (only markup or punctuation).")
    if availability.engine == "gemini":
        from .gemini_tts import stream_speech

        model, name = settings.gemini_tts_model, voice or settings.gemini_tts_voice
        speech = Speech("gemini", model, name, stream_speech(engines.gemini_client(), model, words, name))
    else:
        from .piper_tts import PiperSpeaker

        speaker = PiperSpeaker(settings)
        speaker.check_voice(voice)
        loaded = speaker.acquire()  # 503 engine_busy after LOCAL_TTS_WAIT_SECONDS; released when synthesis ends
        # each sentence is synthesised in the offload pool; this request's thread (or greenlet) only hands it on
        audio = offload.stream(lambda: ((loaded.sample_rate, pcm) for pcm in speaker.synthesize(loaded, pieces(words))))
        speech = Speech("local", speaker.model, speaker.voice, audio, done=loaded.lock.release)
    speech.start()
    return speech
