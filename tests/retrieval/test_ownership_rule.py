"""The retrieval tables are queried in one module only (assistant/retrieval/store.py), and every function
there takes the owner first: nobody adds a second door (the behaviour is in test_retrieval.py)."""
import inspect

from tests.ownership_rule import offenders

TABLES = {"RetrievalChunk", "RetrievalDocument"}
ALLOWED = ("assistant/retrieval/store.py", "assistant/models.py")


def test_only_the_retrieval_store_touches_its_tables():
    assert offenders(TABLES, ALLOWED) == []


def test_every_store_function_takes_the_owner_first():
    from assistant.retrieval import store

    checked = [name for name, function in inspect.getmembers(store, inspect.isfunction)
               if function.__module__ == store.__name__ and not name.startswith("_")]
    for name in checked:
        assert list(inspect.signature(getattr(store, name)).parameters)[:2] == ["db", "owner"], name
    assert len(checked) >= 4
