import json

from flask import Blueprint, Response, current_app, request, stream_with_context

from .. import conversations, errors, usage
from ..api import endpoint
from ..auth import current_user
from ..chat import collect, converse
from ..db import get_db
from ..schemas import ChatRequest, ChatResponse

bp = Blueprint("chat", __name__)

SSE_DOC = {
    "200 (text/event-stream)": {
        "description": "With `Accept: text/event-stream`: `event: meta` {conversation_id, engine, model}, "
        "`event: delta` {text}…, then `event: done` {message_id, usage, citations} or `event: error` {error}.",
        "content": {"text/event-stream": {"schema": {"type": "string"}}},
    }
}


@bp.post("/chat")
@endpoint(
    summary="Send a message; the reply as JSON or streamed as Server-Sent Events", tag="chat",
    body=ChatRequest, response=ChatResponse, extra_responses=SSE_DOC,
    errors_=(errors.NotFound, errors.Conflict, errors.UnprocessableFile, errors.UnsupportedMediaType, errors.RateLimited, errors.UpstreamError,
             errors.CapabilityUnavailable, errors.EngineBusy, errors.UpstreamTimeout, errors.ContentBlocked),
)
def chat(body: ChatRequest):
    owner = current_user().user_id
    # the model picked now, else the one kept with the conversation, else the server's default
    engines = current_app.extensions["engines"]
    provider = engines.chat(body.model) if body.model else \
        engines.chat(conversations.model_of(get_db(), owner, body.conversation_id), strict=False)
    usage.note(engine=provider.engine, model=provider.model)
    settings = current_app.config["SETTINGS"]
    events = converse(get_db(), owner, provider, body, settings=settings, auto_titles=settings.auto_titles)
    if request.accept_mimetypes.best_match(["application/json", "text/event-stream"]) != "text/event-stream":
        result = collect(events)
        usage.note(**result["usage"])
        return result

    def sse():
        held = ""  # `meta` goes out with the next event (the first delta, already read): one write instead of two
        for event in events:
            if event.name == "done":  # the stream outlives after_request: its usage event is written on close
                usage.note(**event.data["usage"])
            elif event.name == "error":
                usage.note(error_code=event.data["error"]["code"])
            text = f"event: {event.name}\ndata: {json.dumps(event.data, ensure_ascii=False)}\n\n"
            if event.name == "meta":
                held = text
                continue
            yield held + text
            held = ""

    return Response(
        stream_with_context(sse()), mimetype="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
