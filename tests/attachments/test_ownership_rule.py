"""The attachments tables are queried in one module only (assistant/attachments/store.py), and every
function there takes the owner: nobody adds a second door (the behaviour is in test_api.py and the
authorization matrix)."""
import inspect

from tests.ownership_rule import offenders

TABLES = {"Attachment", "MessageAttachment"}
# retrieval's store joins its chunks to their attachment for the owner check and the filename (by owner too)
ALLOWED = ("assistant/attachments/store.py", "assistant/models.py", "assistant/retrieval/store.py")


def test_only_the_attachment_store_touches_its_tables():
    assert offenders(TABLES, ALLOWED) == []


def test_every_store_function_takes_the_owner():
    from assistant.attachments import store

    checked = 0
    for name, function in inspect.getmembers(store, inspect.isfunction):
        if function.__module__ != store.__name__ or name.startswith("_"):
            continue
        checked += 1
        assert "owner" in inspect.signature(function).parameters, f"store.{name} does not take the owner"
    assert checked >= 15
