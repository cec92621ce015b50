"""Messages form a tree: regenerating a reply or editing a question adds a sibling (a new version)
under the same parent, and the conversation goes on from there. These pure functions find the path
being viewed and each message's versions; they know no database."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Protocol


class Node(Protocol):
    id: str
    parent_id: str | None
    seq: int


def index(rows: Iterable[Node]) -> tuple[dict[str, Node], dict[str | None, list[Node]]]:
    """(by id, children by parent id in creation order)."""
    by_id: dict[str, Node] = {}
    children: dict[str | None, list[Node]] = defaultdict(list)
    for row in sorted(rows, key=lambda r: r.seq):
        by_id[row.id] = row
        children[row.parent_id].append(row)
    return by_id, children


def latest_leaf(start: str | None, children: Mapping[str | None, list[Node]]) -> str | None:
    """Going down from `start` (None: the root), always into the newest child: the path through it."""
    node = start
    while children.get(node):
        node = children[node][-1].id
    return node


def path(leaf: str | None, by_id: Mapping[str, Node]) -> list[Node]:
    """Root to `leaf`."""
    out: list[Node] = []
    seen: set[str] = set()
    while leaf is not None and leaf in by_id and leaf not in seen:  # `seen`: a corrupt cycle cannot hang us
        seen.add(leaf)
        out.append(by_id[leaf])
        leaf = by_id[leaf].parent_id
    return out[::-1]


def versions(node: Node, children: Mapping[str | None, list[Node]]) -> list[str]:
    """The ids of this message's versions (itself included), oldest first."""
    return [n.id for n in children.get(node.parent_id, [])]
