"""The rule that keeps data private, kept by a test rather than a guide: the conversation tables are
queried in one module only, and every function there that reads or writes a conversation takes its
owner. (The authorization matrix checks the behaviour; this checks nobody adds a second door.)"""
import inspect

from tests.ownership_rule import offenders, tables_imported

OWNED_TABLES = {"Conversation", "Message"}
ALLOWED = ("assistant/conversations/", "assistant/models.py")


def test_only_the_conversations_module_touches_conversation_tables():
    assert offenders(OWNED_TABLES, ALLOWED) == []


def test_the_rule_catches_a_second_door(tmp_path):
    """The shared walk (tests/ownership_rule.py) finds a forbidden import: the rule tests can fail."""
    files = {
        "assistant/conversations/store.py": "from ..models import Conversation, Message\n",  # allowed folder
        "assistant/models.py": "class Conversation: ...\n",
        "assistant/chat.py": "import os\nfrom .models import Message, User\n",
        "assistant/routes/x.py": "def f():\n    from assistant.models import Conversation\n",
        "assistant/other.py": "from .db import Conversation\n",  # not from the models module
    }
    for name, source in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(source)
    assert offenders(OWNED_TABLES, ALLOWED, root=tmp_path) == [
        "assistant/chat.py: imports ['Message']", "assistant/routes/x.py: imports ['Conversation']"]
    # a file entry allows that file only, not a folder of the same prefix
    assert offenders({"Message"}, ("assistant/chat.py", "assistant/conversations/"), root=tmp_path) == []
    assert offenders({"Message"}, ("assistant/chat", "assistant/conversations/"), root=tmp_path) == [
        "assistant/chat.py: imports ['Message']"]
    assert tables_imported("from x.models import Message as M", OWNED_TABLES) == {"Message"}


def test_every_storage_function_takes_the_owner():
    from assistant.conversations import history, shares, store

    checked = 0
    for module in (store, history, shares):
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if function.__module__ != module.__name__ or name.startswith("_") or name in PURE:
                continue
            checked += 1
            assert "owner" in inspect.signature(function).parameters, f"{module.__name__}.{name} does not take the owner"
    assert checked >= 12


# Functions that read no stored conversation, or (shares.read) serve the public link by its secret id.
PURE = {"make_title", "owned", "terms_of", "encode_cursor", "decode_cursor", "locate", "read"}
