"""The AST walk behind the tests/*/test_ownership_rule.py tests: which modules import owned tables from
the models module outside the modules allowed to query them."""
from __future__ import annotations

import ast
from collections.abc import Iterable
from pathlib import Path

from tests.conftest import ROOT


def tables_imported(source: str, tables: Iterable[str]) -> set[str]:
    """The names in `tables` that `source` imports from a `models` module."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.endswith("models"):
            found |= {alias.name for alias in node.names} & set(tables)
    return found


def offenders(tables: Iterable[str], allowed: Iterable[str], root: Path = ROOT) -> list[str]:
    """`path: imports [...]` for each module under root/assistant importing one of `tables`, except the
    `allowed` ones: a path ending in "/" allows that folder, any other allows that file only."""
    allowed = tuple(allowed)
    folders = tuple(a for a in allowed if a.endswith("/"))
    found = []
    for path in sorted((root / "assistant").rglob("*.py")):
        relative = path.relative_to(root).as_posix()
        if relative in allowed or relative.startswith(folders):
            continue
        if names := tables_imported(path.read_text(), tables):
            found.append(f"{relative}: imports {sorted(names)}")
    return found
