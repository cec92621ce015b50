"""Dashboard query time over 1,000,000 usage events (from --users accounts) per range, on SQLite and on
a throwaway PostgreSQL (target <= 200 ms), for an administrator's view (everyone, with the per-user
breakdown) and a user's own; and the time usage recording adds to a signed-in request (target <= 1 ms median).

    python -m bench.dashboard [--events 1000000] [--users 50] [--runs 5] [--requests 3000] [--skip-postgres]
"""
from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path

from assistant import create_app
from assistant.config import Settings
from assistant.db import Database
from assistant.usage import _after, _before, check_quota, report
from assistant.usage.store import Event, prune, write_batch
from bench._accounts import DEFAULT_STORAGE, limits, signed_in_client
from tests.pgserver import throwaway_postgres

FEATURES = [("chat", 0.55), ("upload", 0.12), ("voice", 0.08), ("image", 0.05), ("export", 0.05),
            ("conversations", 0.1), ("health", 0.05)]
ERRORS = [(None, 200, 0.93), ("invalid_request", 400, 0.03), ("upstream_error", 502, 0.02),
          ("upstream_timeout", 504, 0.01), ("quota_exceeded", 429, 0.01)]
MODELS = [("gemini", "gemini-2.5-flash"), ("local", "smollm2-135m-instruct"), ("openai", "gpt-4o-mini")]


def user_ids(users: int) -> list[str]:
    return [f"{i:032x}" for i in range(1, users + 1)]


def fill(db: Database, events: int, users: int, now: int, batch: int = 20_000) -> float:
    """`events` events spread evenly over the last 30 days and over `users` accounts (one in 20 from
    nobody signed in), written through the recorder's own batch writer."""
    owners = user_ids(users)
    rng = random.Random(6)
    features, fweights = zip(*FEATURES)
    codes = [(c, s) for c, s, _ in ERRORS]
    cweights = [w for *_, w in ERRORS]
    start_ms, step_ms = (now - 30 * 86400) * 1000, 30 * 86400 * 1000 // events
    started = time.perf_counter()
    for first in range(0, events, batch):
        rows = []
        for i in range(first, min(first + batch, events)):
            feature = rng.choices(features, fweights)[0]
            code, status = rng.choices(codes, cweights)[0]
            engine, model = MODELS[i % 3] if feature in ("chat", "upload", "image") else (None, None)
            user = "" if i % 20 == 0 else owners[i % users]
            rows.append(Event(at_ms=start_ms + i * step_ms, feature=feature, method="POST", status=status, user_id=user,
                              latency_ms=int(rng.lognormvariate(5.5, 1.2)),
                              client_key=f"u:{user}" if user else f"ip:{i % 500:024x}",
                              bytes_in=rng.randrange(100, 5000), engine=engine, model=model, error_code=code,
                              input_tokens=rng.randrange(10, 500) if model else None,
                              output_tokens=rng.randrange(10, 800) if model else None))
        write_batch(db, rows)
    prune(db, now, 30)  # as the app does hourly: hourly rollups are kept two days
    return time.perf_counter() - started


def time_queries(db: Database, settings: Settings, now: int, runs: int, user_id: str | None) -> dict[str, tuple]:
    out = {}
    for range_ in report.RANGES:
        timings = []
        for _ in range(runs):
            started = time.perf_counter()
            body = report.usage(db, settings, range_, now, user_id)
            timings.append((time.perf_counter() - started) * 1000)
        out[range_] = (timings, body["totals"]["requests"])
    return out


def bench_database(label: str, url: str, args) -> None:
    settings = Settings(database_url=url, ai_provider="local")
    db = Database(settings.sqlalchemy_url(Path(".")))
    db.migrate()
    now = int(time.time())
    seconds = fill(db, args.events, args.users, now)
    print(f"{label}: filled {args.events:,} events from {args.users} users in {seconds:.1f} s "
          f"({args.events / seconds:,.0f} events/s through the batch writer)")
    for view, user_id in (("everyone (admin)", None), ("one user", user_ids(args.users)[0])):
        for range_, (timings, requests) in time_queries(db, settings, now, args.runs, user_id).items():
            verdict = "ok" if statistics.median(timings) <= 200 else "OVER TARGET"
            print(f"  {view:<16} range={range_:>3}: median {statistics.median(timings):6.1f} ms, max {max(timings):6.1f} ms "
                  f"over {args.runs} runs ({requests:,} requests in range) {verdict}")
    db.dispose()


def recording_overhead(requests: int, quota: bool) -> dict[str, float]:
    """Median time of the same request on the same app, with the usage hooks and without, alternated
    request by request (so load from other processes hits both alike). Wall time, and this thread's
    CPU time, which other processes on a busy machine do not inflate."""
    with tempfile.TemporaryDirectory() as tmp:
        quotas = {"daily_request_limit": 10**9, "daily_token_limit": 10**12} if quota else {}
        app = create_app(Settings(database_url=f"sqlite:///{tmp}/overhead.db", ai_provider="local", log_level="WARNING",
                                  auth_mode="accounts", **limits(DEFAULT_STORAGE), **quotas))
        client = signed_in_client(app)[0]
        recorder = app.extensions["usage"]
        recorder.flush()
        already = recorder.written  # the administrator's setup
        with_hooks = (app.before_request_funcs[None], app.after_request_funcs[None])
        without = ([f for f in with_hooks[0] if f not in (_before, check_quota)], [f for f in with_hooks[1] if f is not _after])
        samples: dict[bool, tuple[list[float], list[float]]] = {True: ([], []), False: ([], [])}
        for i in range(2 * (requests + 200)):
            on = bool(i % 2) ^ bool(i // 2 % 2)  # on, off, off, on, …: neither always goes first
            app.before_request_funcs[None], app.after_request_funcs[None] = with_hooks if on else without
            wall, cpu = time.perf_counter(), time.thread_time()
            response = client.get("/api/conversations/" + "0" * 32)  # a 404: the error path is the dearest
            cpu, wall = time.thread_time() - cpu, time.perf_counter() - wall
            assert response.status_code == 404
            if i >= 400:  # warm-up
                samples[on][0].append(wall * 1000)
                samples[on][1].append(cpu * 1000)
        recorder.close()
        assert recorder.written - already == requests + 200, recorder.written  # every recorded request reached the database
        app.extensions["database"].dispose()
    med = {k: (statistics.median(v[0]), statistics.median(v[1])) for k, v in samples.items()}
    return {"wall_without": med[False][0], "wall_with": med[True][0], "cpu_without": med[False][1], "cpu_with": med[True][1]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--skip-postgres", action="store_true")
    args = parser.parse_args()

    for quota in (False, True):
        m = recording_overhead(args.requests, quota)
        label = "quotas on (a read and an atomic upsert per counted request)" if quota else "quotas off"
        print(f"recording overhead, signed in (SQLite, rate-limit storage {DEFAULT_STORAGE}), {label}, "
              f"median of {args.requests} requests each way (target <= 1 ms):\n"
              f"  wall time {m['wall_without']:.3f} -> {m['wall_with']:.3f} ms ({m['wall_with'] - m['wall_without']:+.3f} ms); "
              f"CPU time {m['cpu_without']:.3f} -> {m['cpu_with']:.3f} ms ({m['cpu_with'] - m['cpu_without']:+.3f} ms)")
    with tempfile.TemporaryDirectory() as tmp:
        bench_database("SQLite", f"sqlite:///{tmp}/bench.db", args)
    if not args.skip_postgres:
        with throwaway_postgres("bench") as url:
            bench_database("PostgreSQL", url, args)


if __name__ == "__main__":
    main()
