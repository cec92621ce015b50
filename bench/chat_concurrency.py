"""N concurrent streamed chats through gunicorn against the fake Gemini (20 chunks, 50 ms apart):
our gunicorn.conf.py versus plain `gunicorn app:app` (sync worker) as the baseline, in the same run.

    python bench/chat_concurrency.py [--streams 200]

Prints wall time, p50/p95 time to first byte minus the upstream's, failures, the server's total RSS, and
its CPU time per stream (steadier than wall time on a shared machine).
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
from bench._servers import ROOT, start_api, start_fake_gemini, stop, tree_cpu_seconds, tree_rss_mb  # noqa: E402


async def one_stream(session: aiohttp.ClientSession, url: str, i: int) -> tuple[float, float] | None:
    start = time.perf_counter()
    first = None
    try:
        async with session.post(f"{url}/api/chat", json={"message": f"hello {i}"},
                                headers={"Accept": "text/event-stream"}) as response:
            if response.status != 200:
                return None
            async for line in response.content:  # one SSE line at a time
                if first is None and line.startswith(b"event: delta"):
                    first = time.perf_counter() - start
                if line.startswith(b"event: error"):
                    return None
            return (first or 0.0), time.perf_counter() - start
    except (aiohttp.ClientError, asyncio.TimeoutError):
        return None


async def load(url: str, streams: int, budget: float) -> tuple[list, float]:
    # A new connection per stream, as separate browsers would open.
    connector = aiohttp.TCPConnector(limit=0, force_close=True)
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=budget)) as session:
        start = time.perf_counter()
        tasks = [asyncio.create_task(one_stream(session, url, i)) for i in range(streams)]
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


def measure(label: str, args: list[str], env: dict, cwd: Path, streams: int, budget: float, upstream: float) -> None:
    proc, url = start_api(args, env, cwd)
    peak = [tree_rss_mb(proc.pid)]
    stop_sampling = threading.Event()

    def sample():
        while not stop_sampling.wait(0.1):
            peak[0] = max(peak[0], tree_rss_mb(proc.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        # Warm-up at full load, so every worker has imported the SDK and started its threads: the figures
        # are for a server that has been up a while, not its first requests (bench/startup.py covers those).
        asyncio.run(load(url, streams, min(budget, 10)))
        cpu = tree_cpu_seconds(proc.pid)
        results, wall = asyncio.run(load(url, streams, budget))
        cpu = tree_cpu_seconds(proc.pid) - cpu
    finally:
        stop_sampling.set()
        sampler.join()
        stop(proc)
    ttfb = sorted(r[0] - upstream for r in results) or [float("nan")]
    p = lambda q: ttfb[min(len(ttfb) - 1, int(q * len(ttfb)))] * 1000  # noqa: E731
    print(f"{label:<34} {len(results):>4}/{streams} ok  wall {wall:6.2f} s  "
          f"TTFB-upstream p50 {p(0.5):7.1f} ms  p95 {p(0.95):7.1f} ms  peak RSS {peak[0]:6.0f} MB  "
          f"server CPU {cpu * 1000 / max(1, len(results)):5.1f} ms/stream")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--streams", type=int, default=200)
    parser.add_argument("--baseline-budget", type=float, default=30.0, help="seconds the baseline gets")
    args = parser.parse_args()
    fake, fake_url = start_fake_gemini(chunks=20, interval=0.05)
    try:
        upstream = asyncio.run(upstream_ttfb(fake_url))
        with tempfile.TemporaryDirectory() as tmp:
            env = {"GEMINI_API_KEY": "bench-key", "GEMINI_BASE_URL": fake_url, "DATABASE_URL": f"sqlite:///{tmp}/bench.db",
                   "WEB_CONCURRENCY": "2", "LOG_LEVEL": "WARNING", "RATE_LIMIT": "100000/minute"}
            print(f"{args.streams} concurrent streamed chats, upstream 20 chunks x 50 ms (upstream TTFB {upstream * 1000:.1f} ms)")
            measure("gunicorn -c gunicorn.conf.py", [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py",
                    "--access-logfile", "/dev/null", "app:app"], env, ROOT, args.streams, 60, upstream)
            # Baseline: no config file (run from elsewhere so ./gunicorn.conf.py is not picked up); gunicorn binds $PORT.
            measure("gunicorn app:app (sync, baseline)", [sys.executable, "-m", "gunicorn", "--pythonpath", str(ROOT), "app:app"], env, Path(tmp), args.streams, args.baseline_budget, upstream)
    finally:
        stop(fake)


if __name__ == "__main__":
    main()
