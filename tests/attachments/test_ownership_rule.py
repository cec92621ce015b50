"""The attachments tables are queried in one module only (assistant/attachments/store.py), and every
function there takes the owner: nobody adds a second door (the behaviour is in test_api.py and the
authorization matrix)."""
import ast
import inspect

from tests.conftest import ROOT

TABLES = {"Attachment", "MessageAttachment"}
# retrieval's store joins its chunks to their attachment for the owner check and the filename (by owner too)
ALLOWED = ("assistant/attachments/store.py", "assistant/models.py", "assistant/retrieval/store.py")


def test_only_the_attachment_store_touches_its_tables():
    offenders = []
    for path in sorted((ROOT / "assistant").rglob("*.py")):
        relative = str(path.relative_to(ROOT))
        if relative in ALLOWED:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.endswith("models"):
                names = {alias.name for alias in node.names} & TABLES
                if names:
                    offenders.append(f"{relative}: imports {sorted(names)}")
    assert offenders == []


def test_every_store_function_takes_the_owner():
    from assistant.attachments import store

    checked = 0
    for name, function in inspect.getmembers(store, inspect.isfunction):
        if function.__module__ != store.__name__ or name.startswith("_"):
            continue
        checked += 1
        assert "owner" in inspect.signature(function).parameters, f"store.{name} does not take the owner"
    assert checked >= 15
