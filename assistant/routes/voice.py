from flask import Blueprint, current_app, request

from .. import errors, usage
from ..api import endpoint
from ..audio import ACCEPTED
from ..audio.service import transcribe_recording
from ..schemas import TranscriptionResponse

bp = Blueprint("voice", __name__)

FIELD = "audio"
REQUEST_BODY = {
    "required": True,
    "content": {"multipart/form-data": {
        "schema": {"type": "object", "required": [FIELD], "properties": {FIELD: {
            "type": "string", "format": "binary",
            "description": f"The recording: {ACCEPTED} (recognised by content, not by name). "
                           "At most MAX_UPLOAD_MB and MAX_AUDIO_SECONDS long.",
        }}},
    }},
}


@bp.post("/voice/transcribe")
@endpoint(
    summary="Transcribe a recording (Voice to Text)", tag="voice", response=TranscriptionResponse,
    request_body=REQUEST_BODY,
    errors_=(errors.InvalidRequest, errors.PayloadTooLarge, errors.UnsupportedMediaType, errors.UnprocessableFile,
             errors.ContentBlocked, errors.RateLimited, errors.UpstreamError, errors.CapabilityUnavailable,
             errors.EngineBusy, errors.UpstreamTimeout),
    description="Gemini when it is the provider, else faster-whisper (Whisper tiny.en, English) offline. "
    "A silent recording gives 200 with empty `text`. Too long (MAX_AUDIO_SECONDS) or too big (MAX_UPLOAD_MB): 413.",
)
def transcribe():
    transcript = transcribe_recording(current_app.extensions["engines"], _recording())
    tokens = transcript.usage
    usage.note(engine=transcript.engine, model=transcript.model,
               input_tokens=tokens and tokens.input_tokens, output_tokens=tokens and tokens.output_tokens)
    return transcript.to_dict()


def _recording() -> bytes:
    if request.mimetype != "multipart/form-data":
        raise errors.UnsupportedMediaType(f"Send the recording as multipart/form-data, in a field named `{FIELD}`.")
    upload = request.files.get(FIELD)  # a body over MAX_CONTENT_LENGTH stops here with 413
    if upload is None:
        sent = ", ".join(f"`{name}`" for name in [*request.files, *request.form])
        raise errors.InvalidRequest(f"Attach the recording as the multipart field `{FIELD}`"
                                    + (f"; this request has {sent}." if sent else "."))
    max_mb = current_app.config["SETTINGS"].max_upload_mb
    data = upload.read(max_mb * 1024 * 1024 + 1)
    if len(data) > max_mb * 1024 * 1024:
        raise errors.PayloadTooLarge(f"The recording is larger than this server accepts (MAX_UPLOAD_MB = {max_mb} MB).")
    if not data:
        raise errors.UnprocessableFile("The uploaded recording is empty (0 bytes).")
    return data
