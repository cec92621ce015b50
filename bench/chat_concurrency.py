"""N concurrent streamed chats through gunicorn against the fake Gemini (20 chunks, 50 ms apart):
our gunicorn.conf.py versus plain `gunicorn app:app` (sync worker) as the baseline, in the same run.
Each client is a signed-in browser: it signs in with POST /api/auth/login (as one of --users accounts,
made with invites) before the load, then sends its own session token with every chat.

    python bench/chat_concurrency.py [--streams 200] [--users 20] [--ratelimit-storage database://]

Prints the sign-in time of all clients, then wall time, p50/p95 time to first byte minus the upstream's,
failures, the server's total RSS, and its CPU time per stream (steadier than wall time on a shared machine).
Target on 2 cores: 200 streams in under 2 s, RSS under 512 MB.

The client is aiohttp because it shares the two cores with the server it measures: httpx's async
client spent about 1.3 CPU-seconds on 200 streams, aiohttp about 0.3.
"""
from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench._accounts import PASSWORD, add_users, admin_token, bearer, server_env  # noqa: E402
from bench._servers import ROOT, start_api, start_fake_gemini, stop, tree_cpu_seconds, tree_rss_mb  # noqa: E402


async def one_login(session: aiohttp.ClientSession, url: str, username: str) -> str | None:
    try:
        async with session.post(f"{url}/api/auth/login", json={"username": username, "password": PASSWORD}) as response:
            return (await response.json())["token"] if response.status == 200 else None
    except (TimeoutError, aiohttp.ClientError):
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
            async for line in response.content:  # one SSE line at a time
                if first is None and line.startswith(b"event: delta"):
                    first = time.perf_counter() - start
                if line.startswith(b"event: error"):
                    return None
            return (first or 0.0), time.perf_counter() - start
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


async def upstream_ttfb(fake_url: str) -> float:
    """Time to the first chunk straight from the fake, to subtract from ours."""
    samples = []
    async with aiohttp.ClientSession() as session:
        for _ in range(5):
            start = time.perf_counter()
            async with session.post(f"{fake_url}/v1beta/models/m:streamGenerateContent?alt=sse",
                                    json={"contents": [{"role": "user", "parts": [{"text": "x"}]}]}) as r:
                await r.content.readline()
                samples.append(time.perf_counter() - start)
    return statistics.median(samples)


class PeakRss:
    """Samples the server's total RSS every 0.1 s while in the `with` block."""

    def __init__(self, pid: int):
        self.pid, self.peak, self._stop = pid, tree_rss_mb(pid), threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.wait(0.1):
            self.peak = max(self.peak, tree_rss_mb(self.pid))

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def measure(label: str, args: list[str], env: dict, cwd: Path, streams: int, users: int, budget: float, upstream: float) -> None:
    proc, url = start_api(args, env, cwd)
    try:
        usernames = add_users(url, admin_token(url), users)
        cpu = tree_cpu_seconds(proc.pid)
        with PeakRss(proc.pid) as rss:
            tokens, login_wall = asyncio.run(sign_in(url, usernames, streams))
        login_cpu = tree_cpu_seconds(proc.pid) - cpu
        print(f"{label:<34} {streams} sign-ins at once ({users} accounts): {login_wall:5.2f} s, server CPU "
              f"{login_cpu * 1000 / streams:5.1f} ms each, peak RSS {rss.peak:6.0f} MB")
        with PeakRss(proc.pid) as rss:
            # Warm-up at full load, so every worker has imported the SDK and started its threads: the figures
            # are for a server that has been up a while, not its first requests (bench/startup.py covers those).
            asyncio.run(load(url, tokens, min(budget, 10)))
            cpu = tree_cpu_seconds(proc.pid)
            results, wall = asyncio.run(load(url, tokens, budget))
            cpu = tree_cpu_seconds(proc.pid) - cpu
    finally:
        stop(proc)
    ttfb = sorted(r[0] - upstream for r in results) or [float("nan")]
    p = lambda q: ttfb[min(len(ttfb) - 1, int(q * len(ttfb)))] * 1000  # noqa: E731
    print(f"{label:<34} {len(results):>4}/{streams} ok  wall {wall:6.2f} s  "
          f"TTFB-upstream p50 {p(0.5):7.1f} ms  p95 {p(0.95):7.1f} ms  peak RSS {rss.peak:6.0f} MB  "
          f"server CPU {cpu * 1000 / max(1, len(results)):5.1f} ms/stream")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--streams", type=int, default=200)
    parser.add_argument("--users", type=int, default=20, help="accounts the clients sign in as")
    parser.add_argument("--ratelimit-storage", default="database://", help="RATELIMIT_STORAGE_URI of the servers")
    parser.add_argument("--baseline-budget", type=float, default=30.0, help="seconds the baseline gets")
    args = parser.parse_args()
    fake, fake_url = start_fake_gemini(chunks=20, interval=0.05)
    try:
        upstream = asyncio.run(upstream_ttfb(fake_url))
        with tempfile.TemporaryDirectory() as tmp:
            env = {"GEMINI_API_KEY": "bench-key", "GEMINI_BASE_URL": fake_url, "WEB_CONCURRENCY": "2", "LOG_LEVEL": "WARNING",
                   **server_env(args.ratelimit_storage)}
            print(f"{args.streams} concurrent streamed chats, signed in, upstream 20 chunks x 50 ms (upstream TTFB "
                  f"{upstream * 1000:.1f} ms); SQLite, rate-limit storage {args.ratelimit_storage}")
            common = dict(streams=args.streams, users=args.users, upstream=upstream)
            measure("gunicorn -c gunicorn.conf.py", [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py",
                    "--access-logfile", "/dev/null", "app:app"], env | {"DATABASE_URL": f"sqlite:///{tmp}/ours.db"},
                    ROOT, budget=60, **common)
            # Baseline: no config file (run from elsewhere so ./gunicorn.conf.py is not picked up); gunicorn binds $PORT.
            measure("gunicorn app:app (sync, baseline)", [sys.executable, "-m", "gunicorn", "--pythonpath", str(ROOT), "app:app"],
                    env | {"DATABASE_URL": f"sqlite:///{tmp}/baseline.db"}, Path(tmp), budget=args.baseline_budget, **common)
    finally:
        stop(fake)


if __name__ == "__main__":
    main()
