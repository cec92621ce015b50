from flask import Blueprint

from .. import conversations, errors
from ..api import endpoint
from ..auth import current_user
from ..db import get_db
from ..schemas import ConversationList, ConversationOut

bp = Blueprint("conversations", __name__)


@bp.get("/conversations")
@endpoint(summary="Saved conversations, most recent first", tag="chat", response=ConversationList)
def list_conversations():
    return {"conversations": conversations.list_conversations(get_db(), current_user().user_id)}


@bp.get("/conversations/<conversation_id>")
@endpoint(summary="One conversation with its messages", tag="chat", response=ConversationOut, errors_=(errors.NotFound,))
def get_conversation(conversation_id: str):
    return conversations.get_conversation(get_db(), current_user().user_id, conversation_id)


@bp.delete("/conversations/<conversation_id>")
@endpoint(summary="Delete a conversation and its messages", tag="chat", status=204, errors_=(errors.NotFound,))
def delete_conversation(conversation_id: str):
    conversations.delete_conversation(get_db(), current_user().user_id, conversation_id)
    return "", 204
