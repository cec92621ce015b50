"""Voice to Text through Gemini: the recording goes inline to GEMINI_TEXT_MODEL, which answers a JSON
transcript with timed segments (its timestamps are approximate; they are clamped to the recording).

The audio sent is the decoded 16 kHz mono signal as FLAC, whatever was uploaded: WebM and MP4 are
not formats Gemini lists, FLAC is; it is lossless, about 1.2 MB a minute (so the default 600 s stay under
the 20 MB an inline request may carry), and carries none of the upload's metadata to a third party.
"""
from __future__ import annotations

from google.genai import types
from pydantic import BaseModel, Field, ValidationError

from .. import errors
from ..ai.gemini import block_reason, translate_error, usage_of
from .decode import DecodedAudio, to_flac
from .transcript import Transcript, Transcriber, make_transcript

PROMPT = (
    "Transcribe this recording word for word, in the language spoken. Split it into segments of a sentence or so, "
    "each with its start and end time in seconds from the beginning of the recording. Give the spoken language "
    "as an ISO 639-1 code. If nobody speaks, return no segments. Do not summarise, translate or add anything."
)


class _GeminiSegment(BaseModel):
    start: float = Field(description="seconds from the start of the recording")
    end: float = Field(description="seconds from the start of the recording")
    text: str


class _GeminiTranscript(BaseModel):
    language: str = Field(description="ISO 639-1 code of the spoken language, e.g. en")
    segments: list[_GeminiSegment]


class GeminiTranscriber(Transcriber):
    engine = "gemini"

    def __init__(self, client, model: str):
        self.client = client
        self.model = model

    def transcribe(self, audio: DecodedAudio) -> Transcript:
        contents = [types.Content(role="user", parts=[
            types.Part.from_bytes(data=to_flac(audio), mime_type="audio/flac"), types.Part(text=PROMPT)])]
        config = types.GenerateContentConfig(
            temperature=0, response_mime_type="application/json", response_schema=_GeminiTranscript)
        try:
            response = self.client.models.generate_content(model=self.model, contents=contents, config=config)
        except Exception as exc:  # noqa: BLE001 - every failure becomes a documented error
            raise translate_error(exc, ("GEMINI_TEXT_MODEL", self.model)) from exc
        blocked = block_reason(response)
        if blocked:
            raise errors.ContentBlocked(f"The model's safety filter refused this recording ({blocked}).")
        language, pieces = _parse(response.text if response.candidates else None, audio.duration)
        return make_transcript(pieces, duration=audio.duration, language=language, engine=self.engine, model=self.model,
                               usage=usage_of(response))


def _parse(answer: str | None, duration: float) -> tuple[str | None, list[tuple[float, float, str]]]:
    """The model's JSON, or its plain text as one segment spanning the recording when it ignored the schema."""
    answer = (answer or "").strip()
    if not answer:
        return None, []
    try:
        parsed = _GeminiTranscript.model_validate_json(answer)
    except ValidationError:
        if answer.startswith("{"):  # JSON cut short or malformed: never show it to the user as their words
            raise errors.UpstreamError("The AI service returned a transcript that could not be read. Please try again.") from None
        return None, [(0.0, duration, answer)]
    return parsed.language.strip().lower() or None, [(s.start, s.end, s.text) for s in parsed.segments]
