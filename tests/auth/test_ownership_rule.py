"""The rule that keeps data private, kept by a test rather than a guide: the conversation tables are
queried in one module only, and every function there that reads or writes a conversation takes its
owner. (The authorization matrix checks the behaviour; this checks nobody adds a second door.)"""
import ast
import inspect

from tests.conftest import ROOT

OWNED_TABLES = {"Conversation", "Message"}
ALLOWED = ("assistant/conversations/", "assistant/models.py")


def test_only_the_conversations_module_touches_conversation_tables():
    offenders = []
    for path in sorted((ROOT / "assistant").rglob("*.py")):
        relative = str(path.relative_to(ROOT))
        if relative.startswith(ALLOWED):
            continue
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.endswith("models"):
                names = {alias.name for alias in node.names} & OWNED_TABLES
                if names:
                    offenders.append(f"{relative}: imports {sorted(names)}")
    assert offenders == []


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
