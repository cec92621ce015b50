from flask import Blueprint, Response, current_app, stream_with_context
from pydantic import Field, field_validator

from .. import errors, usage
from ..api import endpoint
from ..audio.speech import speak
from ..schemas import Strict

bp = Blueprint("speech", __name__)

AUDIO = {"200": {
    "description": "16-bit mono PCM WAV (24 kHz from Gemini, 22.05 kHz offline). Sent as it is made: unless the whole "
    "text was already spoken when the response began, its header gives no length (sizes 0xFFFFFFFF) and the body "
    "is chunked; an <audio> element plays it while it arrives. A failure once sound has started ends it early.",
    "content": {"audio/wav": {"schema": {"type": "string", "format": "binary"}}},
}}
HEADERS = {"Cache-Control": "no-store", "X-Accel-Buffering": "no", "Content-Disposition": 'inline; filename="speech.wav"'}


class SpeechRequest(Strict):
    text: str = Field(description="What to read aloud (markdown is read as plain words). At most MAX_SPEECH_CHARS "
                      "characters: longer is 413 `payload_too_large`.")
    voice: str | None = Field(None, max_length=64, pattern=r"^[A-Za-z][A-Za-z0-9_-]*$", description="Gemini: a prebuilt "
                              "voice (`Kore`, `Puck`, …; default GEMINI_TTS_VOICE). Offline: only the installed voice (`joe`).")

    @field_validator("text")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value:
            raise ValueError("this field is required: send the text to read aloud")
        return value


@bp.post("/speech")
@endpoint(
    summary="Read a text aloud (Text to Speech)", tag="speech", body=SpeechRequest, extra_responses=AUDIO,
    errors_=(errors.PayloadTooLarge, errors.ContentBlocked, errors.RateLimited, errors.UpstreamError,
             errors.CapabilityUnavailable, errors.EngineBusy, errors.UpstreamTimeout),
    description="Gemini's TTS model (GEMINI_TTS_MODEL) when Gemini is the provider, else Piper offline (English). "
    "Long texts are spoken sentence by sentence: the first sound comes within about a second.",
)
def speech(body: SpeechRequest):
    spoken = speak(current_app.extensions["engines"], body.text, body.voice)
    usage.note(engine=spoken.engine, model=spoken.model)
    whole = spoken.whole()
    if whole is not None:
        _note_end(spoken)
        return Response(whole, mimetype="audio/wav", headers=HEADERS)

    def audio():
        yield from spoken.stream()
        _note_end(spoken)  # the usage event is written when the stream closes

    return Response(stream_with_context(audio()), mimetype="audio/wav", headers=HEADERS)


def _note_end(spoken) -> None:
    if spoken.usage:
        usage.note(input_tokens=spoken.usage.input_tokens, output_tokens=spoken.usage.output_tokens)
    if spoken.error:
        usage.note(error_code=spoken.error.code)
