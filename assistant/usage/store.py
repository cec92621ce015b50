"""Writing usage events and their rollups, pruning, and the per-client daily totals for quotas.

One batch = one transaction: the raw rows, plus additive upserts (`ON CONFLICT DO UPDATE SET n = n +
excluded.n`) into the rollups, so several worker processes can write the same buckets safely.
"""
from __future__ import annotations

import bisect
import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import delete, literal, select, update
from sqlalchemy.orm import Session

from ..db import Database, upsert
from ..models import ANONYMOUS, LEGACY, UsageClientDay, UsageEvent, UsageLatency, UsageRollup

HOUR, DAY = 3600, 86400
HOURLY_KEEP_S = 2 * DAY  # hourly rows only serve the 24h view
# Features that are the server looking after itself, or a person managing their account: recorded,
# but never counted against a quota (DESIGN: "health, docs, dashboard, auth and account routes").
QUOTA_EXEMPT = frozenset({"health", "dashboard", "docs", "openapi.json", "auth", "admin", "unknown"})
# Features whose reads are status polls (the web app asks every second or so while a file is being read):
# a GET of them is not a request against the quota; uploading or chatting about the file is.
QUOTA_FREE_READS = frozenset({"attachments"})


def quota_exempt(feature: str, method: str) -> bool:
    return feature in QUOTA_EXEMPT or (feature in QUOTA_FREE_READS and method in ("GET", "HEAD"))

# Latency histogram bounds (ms): exact up to 100 ms, then 5% wide, up to an hour. A percentile read
# from it is the upper bound of its bucket: exact below 100 ms, at most 5% high above.
LATENCY_BOUNDS: list[int] = list(range(101))
while LATENCY_BOUNDS[-1] < 3_600_000:
    LATENCY_BOUNDS.append(math.ceil(LATENCY_BOUNDS[-1] * 1.05))


def latency_bucket(ms: int) -> int:
    i = bisect.bisect_left(LATENCY_BOUNDS, max(0, ms))
    return LATENCY_BOUNDS[min(i, len(LATENCY_BOUNDS) - 1)]


@dataclass(slots=True)
class Event:
    at_ms: int
    feature: str
    method: str
    status: int
    latency_ms: int
    client_key: str
    bytes_in: int = 0
    engine: str | None = None
    model: str | None = None
    error_code: str | None = None
    input_tokens: int | None = None
    output_tokens: int | None = None
    user_id: str = ANONYMOUS
    reserved: bool = False  # its request was already counted by `reserve_request` (a request quota applies)

    @property
    def tokens(self) -> int:
        return (self.input_tokens or 0) + (self.output_tokens or 0)

    @property
    def counts_for_quota(self) -> bool:
        return not quota_exempt(self.feature, self.method) and self.error_code != "quota_exceeded"

    def day(self) -> int:
        s = self.at_ms // 1000
        return s - s % DAY


def _upsert(session, table, rows: list[dict], keys: list[str], adds: list[str]) -> None:
    if not rows:
        return
    stmt = upsert(session.get_bind(), table)
    stmt = stmt.on_conflict_do_update(index_elements=keys, set_={c: getattr(table, c) + getattr(stmt.excluded, c) for c in adds})
    session.execute(stmt, rows)


ROLLUP_KEY = ["span", "start", "user_id", "feature", "engine", "model", "status", "error_code"]
ROLLUP_SUMS = ["requests", "input_tokens", "output_tokens", "bytes_in", "latency_ms_sum"]
LATENCY_KEY = ["span", "feature", "le_ms", "start", "user_id"]


def write_batch(db: Database, events: Iterable[Event]) -> None:
    events = list(events)
    if not events:
        return
    rollup: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    latency: Counter = Counter()
    clients: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    for e in events:
        s = e.at_ms // 1000
        le = latency_bucket(e.latency_ms)
        for span in (HOUR, DAY):
            start = s - s % span
            r = rollup[(span, start, e.user_id, e.feature, e.engine or "", e.model or "", e.status, e.error_code or "")]
            r[0] += 1
            r[1] += e.input_tokens or 0
            r[2] += e.output_tokens or 0
            r[3] += e.bytes_in
            r[4] += e.latency_ms
            latency[(span, e.feature, le, start, e.user_id)] += 1
        if e.counts_for_quota:
            c = clients[(e.day(), e.client_key)]
            c[0] += 0 if e.reserved else 1
            c[1] += e.tokens
    # Sorted keys: concurrent writers lock rows in the same order, so PostgreSQL cannot deadlock.
    rollup_rows = [dict(zip(ROLLUP_KEY, k)) | dict(zip(ROLLUP_SUMS, v)) for k, v in sorted(rollup.items())]
    latency_rows = [dict(zip(LATENCY_KEY, k), count=n) for k, n in sorted(latency.items())]
    client_rows = [dict(day=k[0], client_key=k[1], requests=v[0], tokens=v[1]) for k, v in sorted(clients.items())]
    with db.session() as session:
        session.execute(UsageEvent.__table__.insert(), [
            dict(at_ms=e.at_ms, feature=e.feature, method=e.method, engine=e.engine, model=e.model, status=e.status,
                 error_code=e.error_code, latency_ms=e.latency_ms, input_tokens=e.input_tokens,
                 output_tokens=e.output_tokens, bytes_in=e.bytes_in, client_key=e.client_key, user_id=e.user_id)
            for e in events])
        _upsert(session, UsageRollup, rollup_rows, ROLLUP_KEY, ROLLUP_SUMS)
        _upsert(session, UsageLatency, latency_rows, LATENCY_KEY, ["count"])
        _upsert(session, UsageClientDay, client_rows, ["day", "client_key"], ["requests", "tokens"])


def client_day(db: Database, day: int, client_key: str) -> tuple[int, int]:
    """(requests, tokens) this client has used on `day`, as stored (all processes' flushed events)."""
    with db.session() as session:
        row = session.execute(select(UsageClientDay.requests, UsageClientDay.tokens)
                              .where(UsageClientDay.day == day, UsageClientDay.client_key == client_key)).first()
    return (int(row[0]), int(row[1])) if row else (0, 0)


def reserve_request(db: Database, day: int, client_key: str, limit: int) -> bool:
    """Count one request against today's quota if it is still under `limit`: one atomic conditional
    upsert, so however many workers or instances share the database, exactly `limit` pass."""
    t = UsageClientDay.__table__
    stmt = upsert(db.engine, t).values(day=day, client_key=client_key, requests=1, tokens=0)
    stmt = stmt.on_conflict_do_update(index_elements=[t.c.day, t.c.client_key], set_={"requests": t.c.requests + 1},
                                      where=t.c.requests < limit).returning(t.c.requests)
    with db.session() as session:
        return session.execute(stmt).first() is not None


def users_day(session: Session, day: int, user_ids: list[str]) -> dict[str, tuple[int, int]]:
    """(requests, tokens) counted today for each of these users (as stored)."""
    if not user_ids:
        return {}
    keys = {f"u:{u}": u for u in user_ids}
    rows = session.execute(select(UsageClientDay.client_key, UsageClientDay.requests, UsageClientDay.tokens)
                           .where(UsageClientDay.day == day, UsageClientDay.client_key.in_(keys))).all()
    return {keys[k]: (int(r), int(t)) for k, r, t in rows}


def claim_legacy(session: Session, user_id: str) -> None:
    """Hand usage recorded before accounts existed to `user_id` (the first administrator)."""
    session.execute(update(UsageEvent).where(UsageEvent.user_id == LEGACY).values(user_id=user_id))
    for table, key, sums in ((UsageRollup.__table__, ROLLUP_KEY, ROLLUP_SUMS), (UsageLatency.__table__, LATENCY_KEY, ["count"])):
        cols = key + sums
        owner = literal(user_id, table.c.user_id.type).label("user_id")
        moved = select(*[owner if c == "user_id" else table.c[c] for c in cols]).where(table.c.user_id == LEGACY)
        stmt = upsert(session.get_bind(), table).from_select(cols, moved)
        stmt = stmt.on_conflict_do_update(index_elements=key, set_={c: table.c[c] + stmt.excluded[c] for c in sums})
        session.execute(stmt)
        session.execute(delete(table).where(table.c.user_id == LEGACY))


def delete_user(session: Session, user_id: str) -> None:
    """A deleted user's usage goes with them (their share of the totals too)."""
    for table in (UsageEvent, UsageRollup, UsageLatency):
        session.execute(delete(table).where(table.user_id == user_id))
    session.execute(delete(UsageClientDay).where(UsageClientDay.client_key == f"u:{user_id}"))


def prune(db: Database, now_s: int, retention_days: int) -> int:
    """Delete what is older than the retention (hourly rollups after two days). Index range deletes."""
    cutoff = now_s - retention_days * DAY
    hourly_cutoff = now_s - HOURLY_KEEP_S
    with db.session() as session:
        removed = session.execute(delete(UsageEvent).where(UsageEvent.at_ms < cutoff * 1000)).rowcount
        for table in (UsageRollup, UsageLatency):
            session.execute(delete(table).where(table.span == DAY, table.start < cutoff - cutoff % DAY))
            session.execute(delete(table).where(table.span == HOUR, table.start < hourly_cutoff))
        session.execute(delete(UsageClientDay).where(UsageClientDay.day < now_s - 2 * DAY))
    return removed or 0
