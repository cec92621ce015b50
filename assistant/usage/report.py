"""The dashboard's numbers, aggregated in SQL from the rollups (a few thousand rows for any range,
whatever the traffic; see models.UsageRollup). Ranges are whole buckets ending with the current one:
`24h` is the last 24 hours including this one, `7d`/`30d` the last 7/30 UTC days including today.
"""
from __future__ import annotations

import os
import time
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from sqlalchemy import case, func, select

from ..config import Settings
from ..db import Database
from ..models import ANONYMOUS, LEGACY, User, UsageEvent, UsageLatency, UsageRollup
from .store import DAY, HOUR

if TYPE_CHECKING:
    import psutil

RANGES = {"24h": (HOUR, 24), "7d": (DAY, 7), "30d": (DAY, 30)}
_UNNAMED = {ANONYMOUS: "(not signed in)", LEGACY: "(before accounts)"}
RECENT = 20


def iso(epoch_s: float) -> str:
    return datetime.fromtimestamp(epoch_s, timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def window(range_: str, now_s: int) -> tuple[int, int, int]:
    """(bucket span, first bucket start, number of buckets) for a range ending with the current bucket."""
    span, n = RANGES[range_]
    last = now_s - now_s % span
    return span, last - (n - 1) * span, n


def usage(db: Database, settings: Settings, range_: str, now_s: int, user_id: str | None) -> dict:
    """Usage of one user (`user_id`), or of everyone (None) with a per-user breakdown."""
    span, since, n = window(range_, now_s)
    R, L = UsageRollup, UsageLatency
    in_range = (R.span == span, R.start >= since) + ((R.user_id == user_id,) if user_id is not None else ())
    failed = func.sum(case((R.error_code != "", R.requests), else_=0))
    sums = (func.sum(R.requests), failed, func.sum(R.input_tokens), func.sum(R.output_tokens),
            func.sum(R.bytes_in), func.sum(R.latency_ms_sum))
    # Nearest-rank percentiles from the latency histogram: the first bucket whose running count
    # reaches p% of the feature's total. Window functions exist on SQLite >= 3.25 and PostgreSQL.
    hist = (select(L.feature, L.le_ms, func.sum(L.count).label("n"))
            .where(L.span == span, L.start >= since, *((L.user_id == user_id,) if user_id is not None else ()))
            .group_by(L.feature, L.le_ms).subquery())
    cum = select(hist.c.feature, hist.c.le_ms,
                 func.sum(hist.c.n).over(partition_by=hist.c.feature, order_by=hist.c.le_ms).label("cum"),
                 func.sum(hist.c.n).over(partition_by=hist.c.feature).label("total")).subquery()
    pct = lambda p: func.min(case((cum.c.cum * 100 >= cum.c.total * p, cum.c.le_ms)))  # noqa: E731
    with db.session() as s:
        by_feature = s.execute(select(R.feature, *sums).where(*in_range).group_by(R.feature).order_by(R.feature)).all()
        by_bucket = {row[0]: row for row in s.execute(select(R.start, *sums).where(*in_range).group_by(R.start))}
        by_code = s.execute(select(R.error_code, func.sum(R.requests)).where(*in_range, R.error_code != "")
                            .group_by(R.error_code).order_by(func.sum(R.requests).desc(), R.error_code)).all()
        by_model = s.execute(select(R.engine, R.model, func.sum(R.requests), func.sum(R.input_tokens), func.sum(R.output_tokens))
                             .where(*in_range, R.model != "").group_by(R.engine, R.model).order_by(R.engine, R.model)).all()
        percentiles = {row[0]: (row[1], row[2]) for row in s.execute(
            select(cum.c.feature, pct(50), pct(95)).group_by(cum.c.feature))}
        recent_q = select(UsageEvent).where(UsageEvent.at_ms >= since * 1000)
        if user_id is not None:
            recent_q = recent_q.where(UsageEvent.user_id == user_id)
        recent = s.execute(recent_q.order_by(UsageEvent.at_ms.desc(), UsageEvent.id.desc()).limit(RECENT)).scalars().all()
        by_user = [] if user_id is not None else s.execute(
            select(R.user_id, func.coalesce(User.username, ""), *sums).outerjoin(User, User.id == R.user_id)
            .where(*in_range).group_by(R.user_id, User.username).order_by(func.sum(R.requests).desc())).all()

    def counts(row) -> dict:
        requests, failed_, tin, tout, bytes_in, lat = (int(v or 0) for v in row[1:7])
        return {"requests": requests, "errors": failed_, "input_tokens": tin, "output_tokens": tout, "bytes_in": bytes_in,
                "avg_latency_ms": round(lat / requests, 1) if requests else None}

    features = []
    for row in by_feature:
        p50, p95 = percentiles.get(row[0], (None, None))
        features.append({"feature": row[0], **counts(row), "p50_latency_ms": p50, "p95_latency_ms": p95})
    totals = {k: sum(f[k] for f in features) for k in ("requests", "errors", "input_tokens", "output_tokens", "bytes_in")}
    totals["error_rate"] = round(totals["errors"] / totals["requests"], 4) if totals["requests"] else 0.0
    series = []
    for i in range(n):  # every bucket, empty ones included
        start = since + i * span
        row = by_bucket.get(start)
        point = counts(row) if row else counts((start, 0, 0, 0, 0, 0, 0))
        series.append({"start": iso(start), **{k: point[k] for k in ("requests", "errors", "input_tokens", "output_tokens", "avg_latency_ms")}})
    models, cost_total, unpriced = [], 0.0, []
    for engine, model, requests, tin, tout in by_model:
        tin, tout = int(tin or 0), int(tout or 0)
        price = settings.usage_prices.get(model)
        cost = 0.0 if engine == "local" else (tin * price.input + tout * price.output) / 1e6 if price else None
        if cost is None:
            unpriced.append(model)
        else:
            cost_total += cost
        models.append({"engine": engine, "model": model, "requests": int(requests), "input_tokens": tin,
                       "output_tokens": tout, "estimated_cost_usd": None if cost is None else round(cost, 6)})
    totals["estimated_cost_usd"] = round(cost_total, 6)
    users = [{"user_id": None if row[0] in _UNNAMED else row[0], "username": row[1] or _UNNAMED.get(row[0], "(deleted)"),
              **{k: v for k, v in counts(row[1:]).items() if k in ("requests", "errors", "input_tokens", "output_tokens")}}
             for row in by_user]
    return {
        "range": range_, "bucket": "hour" if span == HOUR else "day", "from": iso(since), "to": iso(now_s),
        "users": users,
        "totals": totals, "features": features, "series": series,
        "errors": [{"code": code, "count": int(count)} for code, count in by_code],
        "models": models, "unpriced_models": unpriced,
        "recent": [{"at": iso(e.at_ms / 1000), "feature": e.feature, "method": e.method, "status": e.status,
                    "error_code": e.error_code, "engine": e.engine, "model": e.model, "latency_ms": e.latency_ms,
                    "input_tokens": e.input_tokens, "output_tokens": e.output_tokens} for e in recent],
    }


_processes: dict[int, psutil.Process] = {}


def _process() -> psutil.Process:
    """This process (per pid: a forked gunicorn worker gets its own)."""
    import psutil  # here: /metrics needs it, a worker's start does not
    pid = os.getpid()
    if pid not in _processes:
        _processes[pid] = psutil.Process(pid)
        _processes[pid].cpu_percent(None)  # primes the counter: each later call measures since the previous one
    return _processes[pid]


def server(db: Database) -> dict:
    started = time.monotonic()
    up = db.ping()
    process = _process()
    with process.oneshot():
        memory = process.memory_info()
        return {
            "pid": process.pid,
            "cpu_percent": process.cpu_percent(None),  # since the previous call, 100 = one core busy
            "memory_rss_bytes": memory.rss,
            "memory_percent": round(process.memory_percent(), 2),
            "threads": process.num_threads(),
            "uptime_seconds": round(time.time() - process.create_time(), 1),
            "database": {"status": "ok" if up else "unavailable", "dialect": db.engine.dialect.name,
                         "ping_ms": round((time.monotonic() - started) * 1000, 1) if up else None},
        }
