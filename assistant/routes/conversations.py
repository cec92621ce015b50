from flask import Blueprint, Response, current_app, request

from .. import conversations, errors
from ..api import endpoint
from ..auth import current_user
from ..conversations import history, shares
from ..db import get_db
from ..export.filename import content_disposition
from ..schemas import (ConversationList, ConversationOut, RenamedConversation, RenameRequest, SharedConversation,
                       ShareList, ShareOut, ShareRequest)

bp = Blueprint("conversations", __name__)
AT = {"at": {"type": "string", "pattern": "^[0-9a-f]{32}$",
             "description": "Show the path through this message (a version the person flipped to)."}}


def _owner() -> str:
    return current_user().user_id


def _int_arg(name: str, default: int, low: int, high: int) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise errors.InvalidRequest(f"{name} must be a whole number from {low} to {high}.")
    return int(raw)


@bp.get("/conversations")
@endpoint(summary="Your conversations, most recent first, a page at a time; `q` searches titles and messages",
          tag="chat", response=ConversationList, errors_=(errors.InvalidRequest,),
          query={"q": {"type": "string", "maxLength": 200, "description": "Words to find (every word, as a prefix)."},
                 "cursor": {"type": "string", "description": "`next_cursor` of the previous page."},
                 "limit": {"type": "integer", "minimum": 1, "maximum": history.MAX_PAGE, "default": history.PAGE}})
def list_conversations():
    q = request.args.get("q", "")
    if len(q) > 200:
        raise errors.InvalidRequest("q: at most 200 characters.")
    items, next_cursor = conversations.list_conversations(
        get_db(), _owner(), q=q, cursor=request.args.get("cursor") or None,
        limit=_int_arg("limit", history.PAGE, 1, history.MAX_PAGE))
    return {"conversations": items, "next_cursor": next_cursor}


@bp.get("/conversations/<conversation_id>")
@endpoint(summary="One conversation: the path being viewed, each message with its versions", tag="chat",
          response=ConversationOut, errors_=(errors.NotFound,), query=AT)
def get_conversation(conversation_id: str):
    return conversations.get_conversation(get_db(), _owner(), conversation_id, request.args.get("at") or None)


@bp.patch("/conversations/<conversation_id>")
@endpoint(summary="Rename a conversation", tag="chat", body=RenameRequest, response=RenamedConversation,
          errors_=(errors.NotFound,))
def rename(conversation_id: str, body: RenameRequest):
    return conversations.rename(get_db(), _owner(), conversation_id, body.title)


@bp.delete("/conversations/<conversation_id>")
@endpoint(summary="Delete a conversation and its messages", tag="chat", status=204, errors_=(errors.NotFound,))
def delete_conversation(conversation_id: str):
    conversations.delete_conversation(get_db(), _owner(), conversation_id)
    return "", 204


EXPORTS = {"200": {"description": "The conversation as a file (attachment).", "content": {
    "application/pdf": {"schema": {"type": "string", "format": "binary"}},
    "text/markdown": {"schema": {"type": "string"}},
    "application/json": {"schema": {"$ref": "#/components/schemas/ConversationOut"}}}}}


@bp.get("/conversations/<conversation_id>/export")
@endpoint(summary="Download a conversation (the path being viewed) as PDF, Markdown or JSON", tag="export",
          extra_responses=EXPORTS, errors_=(errors.InvalidRequest, errors.NotFound, errors.PayloadTooLarge),
          query={"format": {"type": "string", "enum": ["pdf", "md", "json"], "default": "pdf"}, **AT})
def export(conversation_id: str):
    from ..export.service import export_conversation, to_markdown  # ReportLab loads with the first export

    kind = request.args.get("format", "pdf")
    if kind not in ("pdf", "md", "json"):
        raise errors.InvalidRequest("format must be pdf, md or json.")
    conversation = conversations.get_conversation(get_db(), _owner(), conversation_id, request.args.get("at") or None)
    title = conversation["title"] or "Conversation"
    if kind == "pdf":
        from ..attachments.store import images_of

        title, body = export_conversation(conversation, pictures=images_of(get_db(), _owner(), conversation))
        mimetype = "application/pdf"
    elif kind == "md":
        body, mimetype = to_markdown(conversation), "text/markdown; charset=utf-8"
    else:
        body, mimetype = current_app.json.dumps(conversation), "application/json"
    return Response(body, mimetype=mimetype, headers={
        "Content-Disposition": content_disposition(title, kind), "Cache-Control": "no-store"})


# --- share links ----------------------------------------------------------------------------------------
def _base_url() -> str:
    """Where the web app lives: the allowed origin the request came from, else the first allowed one."""
    origins = current_app.config["SETTINGS"].origins
    origin = request.headers.get("Origin", "").rstrip("/")
    if origin in origins:
        return origin
    return origins[0] if origins else ""


@bp.post("/conversations/<conversation_id>/share")
@endpoint(summary="A read-only link to this conversation as it is now", tag="share", body=ShareRequest,
          response=ShareOut, status=201, errors_=(errors.NotFound, errors.Forbidden),
          description="Anyone with the link can read the snapshot, without an account, until it expires or is "
          "revoked. 403 when the server has ALLOW_SHARING=false.")
def share(conversation_id: str, body: ShareRequest):
    if not current_app.config["SETTINGS"].allow_sharing:
        raise errors.Forbidden("Sharing is turned off on this server (ALLOW_SHARING=false).")
    return shares.create(get_db(), _owner(), conversation_id, at=body.at, expires_in_days=body.expires_in_days,
                         base_url=_base_url()), 201


@bp.get("/shares")
@endpoint(summary="Your share links", tag="share", response=ShareList)
def list_shares():
    return {"shares": shares.list_mine(get_db(), _owner(), _base_url())}


@bp.delete("/shares/<share_id>")
@endpoint(summary="Revoke a share link (it stops working at once)", tag="share", status=204, errors_=(errors.NotFound,))
def revoke_share(share_id: str):
    shares.revoke(get_db(), _owner(), share_id)
    return "", 204


@bp.get("/shared/<share_id>")
@endpoint(summary="A shared conversation (public, read-only)", tag="share", response=SharedConversation,
          access="public", errors_=(errors.NotFound,))
def shared(share_id: str):
    if not current_app.config["SETTINGS"].allow_sharing:
        raise errors.NotFound(shares.GONE)
    body = current_app.json.response(shares.read(get_db(), share_id))
    body.headers["X-Robots-Tag"] = "noindex, nofollow"  # shared pages stay out of search engines
    body.headers["Cache-Control"] = "no-store"
    return body
