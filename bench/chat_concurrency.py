"""N concurrent streamed chats through gunicorn against a fake Gemini (bench/_fake_gemini.py; 20 chunks, 50 ms apart: 1.0 s is
the floor for every stream), on SQLite and PostgreSQL: our gunicorn.conf.py (gevent) next to the baselines
in the same run, gthread 2 x 100 (our config before issue 16) and plain `gunicorn app:app` (sync).
Each client is a signed-in browser: it signs in with POST /api/auth/login (as one of --users accounts, made
with invites) before the load, then sends its own session token with every chat. The sessions are made
once per database (by our server) and used by every server measured on it.

    python -m bench.chat_concurrency                               # 200 and 1,000 streams, SQLite and PostgreSQL
    python -m bench.chat_concurrency --streams 200 --db sqlite     # a quick look

Prints, per server and size: streams completed, wall time, time to first byte minus the upstream's (p50/p95),
peak RSS of the whole server (master + workers), server CPU per stream (steadier than wall time on a shared
machine) and the load average; then one summary block with the issue's targets.

The client is aiohttp because it shares the two cores with the server it measures: httpx's async
client spent about 1.3 CPU-seconds on 200 streams, aiohttp about 0.3.
"""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from assistant.config import DEFAULT_TEXT_MODEL  # noqa: E402
from bench._accounts import PASSWORD, add_users, admin_token, bearer, server_env  # noqa: E402
from bench._servers import ROOT, start_api, start_fake_gemini, stop, tree_cpu_seconds, tree_rss_mb  # noqa: E402

PY = sys.executable
SERVERS = {  # name: (label, command, run from the repository? (else a folder without gunicorn.conf.py))
    "gevent": ("gunicorn -c gunicorn.conf.py (gevent)",
               [PY, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--access-logfile", "/dev/null", "app:app"], True),
    "gthread": ("gthread 2 x 100 (before #16)",
                [PY, "-m", "gunicorn", "--pythonpath", str(ROOT), "-k", "gthread", "--threads", "100", "--timeout", "300",
                 "app:app"], False),
    "sync": ("gunicorn app:app (sync, plain)", [PY, "-m", "gunicorn", "--pythonpath", str(ROOT), "app:app"], False),
}


SETTLE_S = 3.0  # after the streams, until the titles asked after them are written
UPSTREAM = {"pid": 0}  # the fake upstream's process: its CPU is shown beside the server's (it shares the cores)
BUSY = {"count": 0}  # sign-ins answered 503 engine_busy (Argon2 runs a few at a time) and retried


async def one_login(session: aiohttp.ClientSession, url: str, username: str) -> str | None:
    """Sign in; on 503 engine_busy try again after its Retry-After, as the web app does."""
    for _ in range(20):
        try:
            async with session.post(f"{url}/api/auth/login", json={"username": username, "password": PASSWORD}) as response:
                if response.status == 503:
                    BUSY["count"] += 1
                    await asyncio.sleep(float(response.headers.get("Retry-After", "2")))
                    continue
                return (await response.json())["token"] if response.status == 200 else None
        except (TimeoutError, aiohttp.ClientError):
            return None
    return None


async def sign_in(url: str, usernames: list[str], clients: int) -> tuple[list[str], float]:
    """One session per client, all signing in at once (client i as user i mod len(usernames))."""
    connector = aiohttp.TCPConnector(limit=0, force_close=True)
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=300)) as session:
        start = time.perf_counter()
        tokens = await asyncio.gather(*(one_login(session, url, usernames[i % len(usernames)]) for i in range(clients)))
        wall = time.perf_counter() - start
    if None in tokens:
        raise RuntimeError(f"{tokens.count(None)} of {clients} sign-ins failed")
    return tokens, wall


async def one_stream(session: aiohttp.ClientSession, url: str, token: str, i: int) -> tuple[float, float] | None:
    start = time.perf_counter()
    first = None
    try:
        async with session.post(f"{url}/api/chat", json={"message": f"hello {i}"},
                                headers={"Accept": "text/event-stream"} | bearer(token)) as response:
            if response.status != 200:
                return None
            done = False
            async for line in response.content:  # one SSE line at a time
                if first is None and line.startswith(b"event: delta"):
                    first = time.perf_counter() - start
                if line.startswith(b"event: error"):
                    return None
                done = done or line.startswith(b"event: done")
            return ((first or 0.0), time.perf_counter() - start) if done else None
    except (TimeoutError, aiohttp.ClientError):
        return None


async def load(url: str, tokens: list[str], budget: float) -> tuple[list, float]:
    # A new connection per stream, as separate browsers would open.
    connector = aiohttp.TCPConnector(limit=0, force_close=True)
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=budget)) as session:
        start = time.perf_counter()
        tasks = [asyncio.create_task(one_stream(session, url, token, i)) for i, token in enumerate(tokens)]
        done, pending = await asyncio.wait(tasks, timeout=budget)
        for task in pending:
            task.cancel()
        wall = time.perf_counter() - start
    return [t.result() for t in done if not t.cancelled() and t.result()], wall


async def _first_chunk(session: aiohttp.ClientSession, fake_url: str) -> float:
    start = time.perf_counter()
    async with session.post(f"{fake_url}/v1beta/models/{DEFAULT_TEXT_MODEL}:streamGenerateContent?alt=sse",
                            json={"contents": [{"role": "user", "parts": [{"text": "x"}]}]}) as r:
        assert r.status == 200, r.status
        await r.content.readline()
        first = time.perf_counter() - start
        await r.read()
    return first


async def upstream_ttfb(fake_url: str) -> float:
    """Time to the first chunk straight from the fake, to subtract from ours."""
    async with aiohttp.ClientSession() as session:
        return statistics.median([await _first_chunk(session, fake_url) for _ in range(5)])


async def upstream_alone(fake_url: str, n: int) -> float:
    """p95 time to the first chunk of n streams at once straight from the fake: its own share of a burst."""
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0, force_close=True)) as session:
        firsts = sorted(await asyncio.gather(*(_first_chunk(session, fake_url) for _ in range(n))))
    return firsts[int(0.95 * n)]


class PeakRss:
    """Samples the server's total RSS every 0.1 s while in the `with` block."""

    def __init__(self, pid: int):
        self.pid, self.peak, self._stop = pid, tree_rss_mb(pid), threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.wait(0.1):
            with contextlib.suppress(psutil.Error):
                self.peak = max(self.peak, tree_rss_mb(self.pid))

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


@dataclass
class Result:
    server: str
    db: str
    streams: int
    ok: int
    wall: float
    p50: float
    p95: float
    rss: float
    cpu_ms: float  # until the server is idle again (titles included)
    cpu_during_ms: float  # while the streams ran
    others_ms: tuple[float, float]  # CPU per stream of the fake upstream and of this load generator, same window
    killed: int
    load: float

    def line(self) -> str:
        return (f"{SERVERS[self.server][0]:<40} {self.db:<10} {self.ok:>4}/{self.streams:<4} ok  wall {self.wall:6.2f} s  "
                f"TTFB-upstream p50 {self.p50:7.1f} ms  p95 {self.p95:7.1f} ms  peak RSS {self.rss:5.0f} MB  "
                f"CPU {self.cpu_ms:5.1f} ms/stream ({self.cpu_during_ms:4.1f} during the streams; upstream {self.others_ms[0]:.1f}, "
                f"client {self.others_ms[1]:.1f})  workers killed {self.killed}  load {self.load:.1f}")


def workers_of(pid: int) -> set[int]:
    return {c.pid for c in psutil.Process(pid).children()}


def measure(name: str, db: str, proc, url: str, tokens: list[str], budget: float, upstream: float) -> Result:
    with PeakRss(proc.pid) as rss:
        # Warm-up at full load, so every worker has imported the SDK and opened its pools: the figures are for
        # a server that has been up a while, not its first requests (bench/startup.py covers those).
        asyncio.run(load(url, tokens, min(budget, 10)))
        time.sleep(SETTLE_S)  # the warm-up's titles are written before the measured streams start
        before, cpu = workers_of(proc.pid), tree_cpu_seconds(proc.pid)
        others = tree_cpu_seconds(UPSTREAM["pid"]), time.process_time()
        results, wall = asyncio.run(load(url, tokens, budget))
        others = tree_cpu_seconds(UPSTREAM["pid"]) - others[0], time.process_time() - others[1]
        during = tree_cpu_seconds(proc.pid) - cpu
        # the titles asked after the last replies finish a second or so later: their CPU is part of a chat too
        time.sleep(SETTLE_S)
        cpu = tree_cpu_seconds(proc.pid) - cpu
        killed = len(before - workers_of(proc.pid))
    ttfb = sorted(r[0] - upstream for r in results) or [float("nan")]
    p = lambda q: ttfb[min(len(ttfb) - 1, int(q * len(ttfb)))] * 1000  # noqa: E731
    result = Result(name, db, len(tokens), len(results), wall, p(0.5), p(0.95), rss.peak,
                    cpu * 1000 / max(1, len(results)), during * 1000 / max(1, len(results)),
                    tuple(o * 1000 / max(1, len(results)) for o in others), killed, os.getloadavg()[0])
    print(result.line(), flush=True)
    return result


@contextlib.contextmanager
def database(kind: str, tmp: str):
    if kind == "sqlite":
        yield f"sqlite:///{tmp}/bench.db"
    else:
        from tests.pgserver import throwaway_postgres

        with throwaway_postgres("bench") as url:
            yield url


def run_db(kind: str, args, env: dict, tmp: str, upstream: float) -> list[Result]:
    results: list[Result] = []
    with database(kind, tmp) as url:
        env = env | {"DATABASE_URL": url}
        most = max(args.streams)
        proc, api = start_api(SERVERS["gevent"][1], env, ROOT)
        try:
            usernames = add_users(api, admin_token(api), args.users)
            cpu = tree_cpu_seconds(proc.pid)
            with PeakRss(proc.pid) as rss:
                tokens, login_wall = asyncio.run(sign_in(api, usernames, most))
            login_cpu = tree_cpu_seconds(proc.pid) - cpu
            print(f"{kind}: {most} sign-ins at once ({args.users} accounts) on our server: {login_wall:5.2f} s "
                  f"({BUSY['count']} answers 503 engine_busy, retried), server CPU {login_cpu * 1000 / most:5.1f} ms each, "
                  f"peak RSS {rss.peak:4.0f} MB, load {os.getloadavg()[0]:.1f}", flush=True)
            BUSY["count"] = 0
            for n in args.streams:
                results.append(measure("gevent", kind, proc, api, tokens[:n], 60, upstream))
        finally:
            stop(proc)
        for name in args.baselines:
            n = min(args.streams)
            proc, api = start_api(SERVERS[name][1], env, ROOT if SERVERS[name][2] else Path(tmp))
            try:
                results.append(measure(name, kind, proc, api, tokens[:n], args.baseline_budget, upstream))
            finally:
                stop(proc)
    return results


def summary(results: list[Result]) -> None:
    def get(db: str, n: int) -> Result | None:
        return next((r for r in results if r.server == "gevent" and r.db == db and r.streams == n), None)

    def check(ok: bool) -> str:
        return "met" if ok else "NOT MET"

    print("\n--- summary (gevent, our gunicorn.conf.py) ---")
    lite = get("sqlite", 200)
    if lite:
        print(f"200 streams, SQLite: wall {lite.wall:.2f} s (<= 2.0: {check(lite.wall <= 2.0)}), TTFB-upstream p95 "
              f"{lite.p95:.0f} ms (<= 300: {check(lite.p95 <= 300)}), failures {lite.streams - lite.ok} "
              f"({check(lite.ok == lite.streams)}), peak RSS {lite.rss:.0f} MB (<= 512: {check(lite.rss <= 512)}), "
              f"CPU {lite.cpu_ms:.1f} ms/stream (<= 8: {check(lite.cpu_ms <= 8)})")
    pg = get("postgresql", 200)
    if pg:
        line = (f"200 streams, PostgreSQL: wall {pg.wall:.2f} s, p95 {pg.p95:.0f} ms, failures {pg.streams - pg.ok}, "
                f"peak RSS {pg.rss:.0f} MB, CPU {pg.cpu_ms:.1f} ms/stream")
        if lite:
            within = pg.ok == pg.streams and all(
                b <= max(a * 1.25, limit) for a, b, limit in
                ((lite.wall, pg.wall, 0), (lite.p95, pg.p95, 0), (lite.cpu_ms, pg.cpu_ms, 0), (lite.rss, pg.rss, 0)))
            ratios = (f"wall x{pg.wall / lite.wall:.2f}, p95 x{pg.p95 / max(lite.p95, 1e-9):.2f}, "
                      f"CPU x{pg.cpu_ms / lite.cpu_ms:.2f}")
            line += f" ({ratios} of SQLite; within 25%: {check(within)})"
        print(line)
    for db in ("sqlite", "postgresql"):
        big = get(db, 1000)
        if big:
            print(f"1,000 streams, {db}: {big.ok}/{big.streams} complete ({check(big.ok == big.streams)}), wall "
                  f"{big.wall:.2f} s (<= 6: {check(big.wall <= 6)}), workers killed {big.killed} ({check(big.killed == 0)}), "
                  f"peak RSS {big.rss:.0f} MB, p95 {big.p95:.0f} ms")
    print(f"load average at the end: {os.getloadavg()[0]:.1f} (1 min), {os.getloadavg()[1]:.1f} (5 min)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--streams", type=lambda s: [int(x) for x in s.split(",")], default=[200, 1000],
                        help="comma-separated sizes (default 200,1000)")
    parser.add_argument("--db", type=lambda s: s.split(","), default=["sqlite", "postgresql"], help="sqlite,postgresql")
    parser.add_argument("--baselines", type=lambda s: [x for x in s.split(",") if x], default=["gthread", "sync"],
                        help="servers measured at the smallest size beside ours: gthread,sync (empty: none)")
    parser.add_argument("--users", type=int, default=20, help="accounts the clients sign in as")
    parser.add_argument("--ratelimit-storage", default="database://", help="RATELIMIT_STORAGE_URI of the servers")
    parser.add_argument("--baseline-budget", type=float, default=20.0, help="seconds a baseline run gets")
    parser.add_argument("--no-titles", action="store_true",
                        help="AUTO_TITLES=false: no second model call per new conversation (what it costs, by difference)")
    args = parser.parse_args()
    fake, fake_url = start_fake_gemini(chunks=20, interval=0.05)
    UPSTREAM["pid"] = fake.pid
    results: list[Result] = []
    try:
        upstream = asyncio.run(upstream_ttfb(fake_url))
        env = {"GEMINI_API_KEY": "bench-key", "GEMINI_BASE_URL": fake_url, "WEB_CONCURRENCY": "2", "LOG_LEVEL": "WARNING",
               **server_env(args.ratelimit_storage)} | ({"AUTO_TITLES": "false"} if args.no_titles else {})
        print(f"concurrent streamed chats, signed in, upstream 20 chunks x 50 ms (upstream TTFB {upstream * 1000:.1f} ms), "
              f"rate-limit storage {args.ratelimit_storage}, titles {'off' if args.no_titles else 'on'}, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}",
              flush=True)
        for n in args.streams:
            print(f"the upstream alone, {n} streams at once: first chunk p95 {asyncio.run(upstream_alone(fake_url, n)) * 1000:.0f} ms "
                  "(bench/_fake_gemini.py)", flush=True)
        for kind in args.db:
            with tempfile.TemporaryDirectory() as tmp:
                results += run_db(kind, args, env, tmp, upstream)
    finally:
        stop(fake)
    summary(results)


if __name__ == "__main__":
    main()
