"""What accounts cost: per request, and per sign-in.

(a) Added latency per authenticated request. GET /api/conversations on an empty account, signed in
    (`Authorization: Bearer <session token>`), against the same route on an app with AUTH_MODE=none,
    both apps in this process behind the Flask test client. Requests alternate between the two (a, b,
    b, a, …) so that load from other processes hits both alike. Reported: p50/p95 of wall time and of
    this thread's CPU time (time.thread_time, which other processes do not inflate), and their
    difference, on SQLite and on a throwaway PostgreSQL. Both apps use the same rate-limit storage
    (--storage, default `database://`), so the difference is what identifying the caller costs.
    Target: <= 1 ms added at p50.
(b) Sign-in: POST /api/auth/login (right and wrong password), and the bare Argon2id hash and
    verification of assistant.auth.passwords.HASHER, wall and CPU p50/p95, with its parameters.
    Target: 50-150 ms of CPU per sign-in on the 2-core VM.

--breakdown adds, per database, the CPU each request hook and the view spend (mean µs per request).

    .venv/bin/python -m bench.auth [--runs 3] [--requests 3000] [--logins 30] [--storage database://]
                                   [--skip-postgres] [--breakdown]
"""
from __future__ import annotations

import argparse
import contextlib
import functools
import logging
import os
import statistics
import tempfile
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from flask import Flask

from assistant import create_app
from assistant.auth.passwords import HASHER
from assistant.config import Settings
from bench._accounts import ADMIN, DEFAULT_STORAGE, limits, signed_in_client
from tests.pgserver import pg_bindir, throwaway_postgres

ROUTE = "/api/conversations"
WARMUP = 200  # requests per side before measuring
TARGET_ADDED_MS = 1.0
TARGET_SIGN_IN_MS = (50, 150)


@dataclass
class Samples:
    wall: list[float] = field(default_factory=list)  # ms
    cpu: list[float] = field(default_factory=list)  # ms

    def add(self, wall_s: float, cpu_s: float) -> None:
        self.wall.append(wall_s * 1000)
        self.cpu.append(cpu_s * 1000)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


# --- apps ---------------------------------------------------------------------------------------
def make_app(url: str, mode: str, storage: str) -> Flask:
    return create_app(Settings(database_url=url, auth_mode=mode, ai_provider="local", gemini_api_key=None,
                               log_level="WARNING", **limits(storage)))


def close(app: Flask) -> None:
    app.extensions["usage"].close()
    app.extensions["engines"].close()
    app.extensions["database"].dispose()


@contextlib.contextmanager
def sqlite_urls() -> Iterator[Callable[[], str]]:
    with tempfile.TemporaryDirectory() as tmp:
        yield lambda: f"sqlite:///{tmp}/{uuid.uuid4().hex}.db"


@contextlib.contextmanager
def postgres_urls() -> Iterator[Callable[[], str]]:
    """A throwaway server; each call makes a fresh database on it."""
    import psycopg

    with throwaway_postgres("bench_auth") as server:
        base = server.rsplit("/", 1)[0]

        def new() -> str:
            name = f"bench_{uuid.uuid4().hex[:12]}"
            with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{name}"')
            return f"{base}/{name}"

        yield new


class HookTimer:
    """CPU time spent in each before/after-request hook and in the view, summed over requests."""

    def __init__(self, app: Flask, endpoint: str):
        self.cpu: dict[str, float] = defaultdict(float)
        for funcs in (app.before_request_funcs[None], app.after_request_funcs[None]):
            funcs[:] = [self._wrap(f) for f in funcs]
        app.view_functions[endpoint] = self._wrap(app.view_functions[endpoint], "view")

    def _wrap(self, func, name: str | None = None):
        inner = getattr(func, "func", func)  # a functools.partial names its function
        name = name or f"{inner.__module__.removeprefix('assistant.')}.{inner.__name__.lstrip('_')}"

        @functools.wraps(func)  # keeps the view's `access` attribute
        def timed(*args, **kwargs):
            started = time.thread_time()
            try:
                return func(*args, **kwargs)
            finally:
                self.cpu[name] += time.thread_time() - started

        return timed

    def reset(self) -> None:
        self.cpu.clear()


# --- (a) latency per request ----------------------------------------------------------------------
def alternate(clients: dict, requests: int) -> dict[str, Samples]:
    """GET ROUTE through each client in turn (a b b a …, so neither always goes first), after a warm-up."""
    names = list(clients)
    samples = {name: Samples() for name in names}
    for i in range(2 * (requests + WARMUP)):
        if i == 2 * WARMUP:
            for client in clients.values():
                timer = client.application.extensions.get("bench_timer")
                if timer:
                    timer.reset()
        name = names[(i % 2) ^ (i // 2 % 2)]
        wall, cpu = time.perf_counter(), time.thread_time()
        response = clients[name].get(ROUTE)
        cpu, wall = time.thread_time() - cpu, time.perf_counter() - wall
        if response.status_code != 200:
            raise RuntimeError(f"{name}: GET {ROUTE} -> {response.status_code} {response.get_data(as_text=True)[:200]}")
        if i >= 2 * WARMUP:
            samples[name].add(wall, cpu)
    return samples


def latency_run(new_url: Callable[[], str], storage: str, requests: int, breakdown: bool) -> tuple[dict, dict]:
    """One run on fresh databases: ({side: Samples}, {side: {hook: µs per request}})."""
    apps = {"none": make_app(new_url(), "none", storage), "signed in": make_app(new_url(), "accounts", storage)}
    try:
        clients = {"none": apps["none"].test_client(), "signed in": signed_in_client(apps["signed in"])[0]}
        if breakdown:
            for app in apps.values():
                endpoint = app.url_map.bind("localhost").match(ROUTE, "GET")[0]
                app.extensions["bench_timer"] = HookTimer(app, endpoint)
        samples = alternate(clients, requests)
        hooks = {side: {hook: cpu * 1e6 / requests for hook, cpu in app.extensions["bench_timer"].cpu.items()}
                 for side, app in apps.items()} if breakdown else {}
    finally:
        for app in apps.values():
            close(app)
    return samples, hooks


def added(samples: dict[str, Samples], kind: str, q: float) -> float:
    return pct(getattr(samples["signed in"], kind), q) - pct(getattr(samples["none"], kind), q)


def print_latency_header(requests: int, storage: str) -> None:
    print(f"(a) added latency per authenticated request: GET {ROUTE} (empty account), {requests} requests per side "
          f"per run, alternated; rate-limit storage {storage} on both sides")
    print(f"    {'database':<11}{'run':>4} | {'wall ms p50/p95: none':>22} {'signed in':>13} {'added':>15} | "
          f"{'CPU ms p50/p95: none':>21} {'signed in':>13} {'added':>15}")


def print_latency_row(database: str, run: int | str, samples: dict[str, Samples]) -> None:
    def cols(kind: str) -> str:
        none, signed = samples["none"], samples["signed in"]
        return (f"{pct(getattr(none, kind), .5):>10.3f}/{pct(getattr(none, kind), .95):<6.3f} "
                f"{pct(getattr(signed, kind), .5):>6.3f}/{pct(getattr(signed, kind), .95):<6.3f} "
                f"{added(samples, kind, .5):>+7.3f}/{added(samples, kind, .95):<+7.3f}")

    print(f"    {database:<11}{run:>4} | {cols('wall'):>52} | {cols('cpu'):>51}")


def print_verdict(database: str, runs: list[dict[str, Samples]]) -> None:
    wall = [added(s, "wall", .5) for s in runs]
    cpu = [added(s, "cpu", .5) for s in runs]
    verdict = "ok" if statistics.median(wall) <= TARGET_ADDED_MS else "OVER TARGET"
    print(f"    {database}: added p50 over {len(runs)} run(s): wall median {statistics.median(wall):+.3f} ms "
          f"(min {min(wall):+.3f}), CPU median {statistics.median(cpu):+.3f} ms (min {min(cpu):+.3f}) "
          f"[target <= {TARGET_ADDED_MS:g} ms] {verdict}")


def print_breakdown(database: str, hooks: dict[str, dict[str, float]]) -> None:
    names = sorted(set(hooks["none"]) | set(hooks["signed in"]), key=lambda h: -hooks["signed in"].get(h, 0))
    print(f"    {database}: CPU per request by hook (µs, mean of the first run)   none  signed in  added")
    for name in names:
        a, b = hooks["none"].get(name, 0.0), hooks["signed in"].get(name, 0.0)
        print(f"      {name:<46} {a:7.0f} {b:9.0f} {b - a:+6.0f}")
    a, b = sum(hooks["none"].values()), sum(hooks["signed in"].values())
    print(f"      {'(all hooks and the view)':<46} {a:7.0f} {b:9.0f} {b - a:+6.0f}")


def latency(databases: list[tuple[str, Callable]], args) -> None:
    print_latency_header(args.requests, args.storage)
    for database, urls in databases:
        with urls() as new_url:
            runs, hooks = [], {}
            for run in range(1, args.runs + 1):
                samples, run_hooks = latency_run(new_url, args.storage, args.requests, args.breakdown)
                hooks = hooks or run_hooks
                runs.append(samples)
                print_latency_row(database, run, samples)
        print_verdict(database, runs)
        if hooks:
            print_breakdown(database, hooks)


# --- (b) sign-in --------------------------------------------------------------------------------------
def timed(func: Callable[[], object], times: int) -> Samples:
    samples = Samples()
    func()  # warm-up
    for _ in range(times):
        wall, cpu = time.perf_counter(), time.thread_time()
        func()
        samples.add(time.perf_counter() - wall, time.thread_time() - cpu)
    return samples


def sign_in_costs(logins: int, storage: str) -> dict[str, Samples]:
    with sqlite_urls() as new_url:
        app = make_app(new_url(), "accounts", storage)
        try:
            client = app.test_client()
            signed_in_client(app)  # creates the administrator

            def login(password: str, status: int) -> Callable[[], None]:
                def post() -> None:
                    response = client.post("/api/auth/login", json={"username": ADMIN["username"], "password": password})
                    assert response.status_code == status, response.get_data(as_text=True)[:200]
                return post

            stored = HASHER.hash(ADMIN["password"])
            return {"POST /api/auth/login": timed(login(ADMIN["password"], 200), logins),
                    "POST /api/auth/login, wrong password": timed(login("not the password", 401), logins),
                    "HASHER.hash (new password)": timed(lambda: HASHER.hash(ADMIN["password"]), logins),
                    "HASHER.verify": timed(lambda: HASHER.verify(stored, ADMIN["password"]), logins)}
        finally:
            close(app)


def print_sign_in(results: dict[str, Samples], logins: int) -> None:
    low, high = TARGET_SIGN_IN_MS
    print(f"(b) sign-in, {logins} of each, SQLite; Argon2{HASHER.type.name.lower()} time_cost={HASHER.time_cost} "
          f"memory_cost={HASHER.memory_cost} KiB ({HASHER.memory_cost // 1024} MiB) parallelism={HASHER.parallelism} "
          f"hash_len={HASHER.hash_len} salt_len={HASHER.salt_len}")
    print(f"    {'':<38} {'wall ms p50':>11} {'p95':>7} | {'CPU ms p50':>10} {'p95':>7}")
    for name, s in results.items():
        print(f"    {name:<38} {pct(s.wall, .5):>11.1f} {pct(s.wall, .95):>7.1f} | "
              f"{pct(s.cpu, .5):>10.1f} {pct(s.cpu, .95):>7.1f}")
    cpu = pct(results["POST /api/auth/login"].cpu, .5)
    print(f"    sign-in CPU p50 {cpu:.0f} ms [target {low}-{high} ms] {'ok' if low <= cpu <= high else 'OUTSIDE TARGET'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="latency runs per database, each on fresh apps")
    parser.add_argument("--requests", type=int, default=3000, help="measured requests per side per run")
    parser.add_argument("--logins", type=int, default=30, help="sign-ins (and hashes) measured")
    parser.add_argument("--storage", default=DEFAULT_STORAGE, help="RATELIMIT_STORAGE_URI of both apps")
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--breakdown", action="store_true", help="CPU per request hook")
    args = parser.parse_args()
    for name in Settings.model_fields:  # only what this bench sets: nothing from the shell
        os.environ.pop(name.upper(), None)
    logging.getLogger("assistant.auth").setLevel(logging.ERROR)  # AUTH_MODE=none's warning, once per app

    print(f"load average {os.getloadavg()[0]:.1f} on {len(os.sched_getaffinity(0))} core(s)")
    databases = [("SQLite", sqlite_urls)]
    if not args.skip_postgres:
        if pg_bindir() is None:
            print("PostgreSQL is not installed: SQLite only")
        else:
            databases.append(("PostgreSQL", postgres_urls))
    latency(databases, args)
    print_sign_in(sign_in_costs(args.logins, args.storage), args.logins)


if __name__ == "__main__":
    main()
