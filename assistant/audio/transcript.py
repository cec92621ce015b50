"""What every transcription engine returns, and the interface they share."""
from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import asdict, dataclass, field

from .decode import DecodedAudio


@dataclass(frozen=True)
class Segment:
    start: float  # seconds from the beginning of the recording
    end: float
    text: str


@dataclass(frozen=True)
class Transcript:
    text: str
    language: str | None
    duration_seconds: float
    engine: str
    model: str
    segments: list[Segment] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


class Transcriber(ABC):
    engine: str  # "gemini" | "local"
    model: str
    language: str | None = None  # what the engine always transcribes, when it is fixed (tiny.en: "en")

    @abstractmethod
    def transcribe(self, audio: DecodedAudio) -> Transcript:
        """The words in `audio` (never silent: silence is answered before an engine is asked)."""
