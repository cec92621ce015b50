"""A large history: one user with 10,000 conversations of 20 messages (200,000 messages), then the
time of what the sidebar and the chat do, p50/p95 over --runs requests each, on SQLite and on a
throwaway PostgreSQL. Target: every p95 <= 50 ms.

    python -m bench.history [--conversations 10000] [--messages 20] [--runs 50] [--skip-postgres]

Measured in this process through the Flask test client (routing, auth, JSON included; no network).
"""
from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import insert, text

from assistant import create_app
from assistant.config import Settings
from assistant.models import Conversation, Message, new_id
from bench._accounts import limits, signed_in_client
from tests.pgserver import throwaway_postgres

RARE = "zygomorphic"  # in 3 conversations
COMMON = "usual"  # in every message
WORDS = "garden budget travel recipe python invoice meeting trip tomato lisbon contract review".split()


def fill(app, owner: str, conversations: int, messages: int, long_one: int = 500) -> tuple[float, str]:
    """Bulk-insert the history straight into the tables (search indexes updated by their triggers)."""
    rng = random.Random(14)
    start = datetime(2026, 1, 1, tzinfo=timezone.utc)
    engine = app.extensions["database"].engine
    rare_at = {conversations // 7, conversations // 2, conversations - 3}
    began = time.perf_counter()
    long_id = None
    with engine.begin() as conn:
        for first in range(0, conversations, 500):
            convs, msgs = [], []
            for c in range(first, min(first + 500, conversations)):
                cid, when = new_id(), start + timedelta(minutes=c)
                count = long_one if c == conversations // 3 else messages
                long_id = cid if count == long_one else long_id
                convs.append(dict(id=cid, user_id=owner, title=f"{rng.choice(WORDS).title()} notes {c}", system=None,
                                  created_at=when, updated_at=when, title_source="auto"))
                parent = None
                for m in range(count):
                    mid = new_id()
                    words = " ".join(rng.choice(WORDS) for _ in range(30))
                    content = f"Message {m}: the {COMMON} words {words}" + (f" {RARE}" if c in rare_at and m == 5 else "")
                    msgs.append(dict(id=mid, conversation_id=cid, parent_id=parent, seq=m, role=("user", "assistant")[m % 2],
                                     content=content, status="complete", created_at=when))
                    parent = mid
            conn.execute(insert(Conversation.__table__), convs)
            conn.execute(insert(Message.__table__), msgs)
    with engine.begin() as conn:  # what autovacuum (PostgreSQL) would do after such a load; statistics for the planner
        conn.execute(text("ANALYZE"))
    return time.perf_counter() - began, long_id


def measure(client, path: str, runs: int) -> tuple[float, float]:
    client.get(path)  # warm
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200, response.get_data(as_text=True)[:300]
    times.sort()
    return statistics.median(times), times[max(0, int(len(times) * 0.95) - 1)]


def run(label: str, url: str, args) -> None:
    app = create_app(Settings(database_url=url, ai_provider="local", log_level="WARNING", **limits("memory://")))
    client, user = signed_in_client(app)
    seconds, long_id = fill(app, user["id"], args.conversations, args.messages)
    print(f"\n{label}: {args.conversations:,} conversations x {args.messages} messages filled in {seconds:.1f} s "
          "(rate-limit storage memory://: this bench measures the history, not the limiter)")
    first = client.get("/api/conversations").get_json()
    cases = [
        ("first sidebar page (50)", "/api/conversations"),
        ("next page", f"/api/conversations?cursor={first['next_cursor']}"),
        (f"search a rare word ({RARE})", f"/api/conversations?q={RARE}"),
        (f"search a common word ({COMMON})", f"/api/conversations?q={COMMON}"),
        ("search two words", "/api/conversations?q=lisbon+tomato"),
        ("open a 500-message conversation", f"/api/conversations/{long_id}"),
    ]
    found = client.get(f"/api/conversations?q={RARE}").get_json()["conversations"]
    assert len(found) == 3, found
    print(f"{'':34} {'p50 ms':>8} {'p95 ms':>8}")
    for name, path in cases:
        p50, p95 = measure(client, path, args.runs)
        print(f"{name:34} {p50:8.1f} {p95:8.1f}{'' if p95 <= 50 else '   > 50 ms target'}")
    app.extensions["usage"].close()
    app.extensions["database"].dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=10_000)
    parser.add_argument("--messages", type=int, default=20)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--skip-postgres", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        run("SQLite", f"sqlite:///{Path(tmp) / 'history.db'}", args)
    if not args.skip_postgres:
        with throwaway_postgres("bench_history") as url:
            run("PostgreSQL", url, args)


if __name__ == "__main__":
    main()
