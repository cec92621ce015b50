"""Conversations and their messages: the only package that queries those tables (a test keeps it so),
and every function takes the owner first and filters by it. Another user's conversation is
indistinguishable from one that does not exist.

store.py: saving turns (with versions), reading, renaming, deleting; tree.py: the message tree;
history.py: the paged, searchable list; shares.py: read-only snapshots behind a link."""
from .history import list_conversations
from .store import (TurnStarted, claim_unowned, delete_all_of, delete_conversation, get_conversation, make_title,
                    model_of, rename, save_reply, set_auto_title, start_turn)

__all__ = ["TurnStarted", "claim_unowned", "delete_all_of", "delete_conversation", "get_conversation",
           "list_conversations", "make_title", "model_of", "rename", "save_reply", "set_auto_title", "start_turn"]
