"""What every transcription engine returns, and the interface they share."""
from __future__ import annotations

from typing import TYPE_CHECKING

from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field

from ..ai.base import Usage

if TYPE_CHECKING:  # numpy and PyAV load with the first recording, not at start-up
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
    usage: Usage | None = None  # tokens, for the usage record; not part of the response

    def to_dict(self) -> dict:
        body = asdict(self)
        body.pop("usage")
        return body


def make_transcript(pieces: Iterable[tuple[float, float, str]], *, duration: float, language: str | None,
                    engine: str, model: str, usage: Usage | None = None) -> Transcript:
    """Segments from an engine's (start, end, text): blank ones dropped, times kept inside the recording
    (both engines' timestamps can run past its end), the text their words joined."""
    segments = []
    for start, end, text in pieces:
        start = round(min(max(start, 0.0), duration), 2)
        end = round(min(max(end, start), duration), 2)
        if text.strip():
            segments.append(Segment(start, end, text.strip()))
    return Transcript(text=" ".join(s.text for s in segments), language=language, duration_seconds=round(duration, 3),
                      engine=engine, model=model, segments=segments, usage=usage)


class Transcriber(ABC):
    engine: str  # "gemini" | "local"
    model: str
    language: str | None = None  # what the engine always transcribes, when it is fixed (tiny.en: "en")

    @abstractmethod
    def transcribe(self, audio: DecodedAudio) -> Transcript:
        """The words in `audio` (never silent: silence is answered before an engine is asked)."""
