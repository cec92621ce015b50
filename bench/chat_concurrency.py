"""N concurrent streamed chats through gunicorn against the fake Gemini (20 chunks, 50 ms apart):
our gunicorn.conf.py versus plain `gunicorn app:app` (sync worker) as the baseline, in the same run.

    python bench/chat_concurrency.py [--streams 200]

Prints wall time, p50/p95 time to first byte minus the upstream's, failures, and the server's total RSS.
Target on 2 cores: 200 streams in under 2 s, RSS under 512 MB.
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

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench._servers import ROOT, start_api, start_fake_gemini, stop, tree_rss_mb  # noqa: E402


async def one_stream(client: httpx.AsyncClient, i: int) -> tuple[float, float] | None:
    start = time.perf_counter()
    first = None
    try:
        async with client.stream("POST", "/api/chat", json={"message": f"hello {i}"},
                                 headers={"Accept": "text/event-stream"}) as response:
            if response.status_code != 200:
                return None
            async for line in response.aiter_lines():
                if first is None and line.startswith("event: delta"):
                    first = time.perf_counter() - start
                if line.startswith("event: error"):
                    return None
            return (first or 0.0), time.perf_counter() - start
    except httpx.HTTPError:
        return None


async def load(url: str, streams: int, budget: float) -> tuple[list, float]:
    limits = httpx.Limits(max_connections=streams, max_keepalive_connections=0)
    async with httpx.AsyncClient(base_url=url, timeout=budget, limits=limits) as client:
        start = time.perf_counter()
        tasks = [asyncio.create_task(one_stream(client, i)) for i in range(streams)]
        done, pending = await asyncio.wait(tasks, timeout=budget)
        for task in pending:
            task.cancel()
        wall = time.perf_counter() - start
    return [t.result() for t in done if not t.cancelled() and t.result()], wall


async def upstream_ttfb(fake_url: str) -> float:
    """Time to the first chunk straight from the fake, to subtract from ours."""
    samples = []
    async with httpx.AsyncClient(timeout=10) as client:
        for _ in range(5):
            start = time.perf_counter()
            async with client.stream("POST", f"{fake_url}/v1beta/models/m:streamGenerateContent?alt=sse",
                                     json={"contents": [{"role": "user", "parts": [{"text": "x"}]}]}) as r:
                async for _line in r.aiter_lines():
                    samples.append(time.perf_counter() - start)
                    break
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
        asyncio.run(load(url, 4, 30))  # warm-up: workers import the SDK and open pools
        results, wall = asyncio.run(load(url, streams, budget))
    finally:
        stop_sampling.set()
        sampler.join()
        stop(proc)
    ttfb = sorted(r[0] - upstream for r in results) or [float("nan")]
    p = lambda q: ttfb[min(len(ttfb) - 1, int(q * len(ttfb)))] * 1000  # noqa: E731
    print(f"{label:<34} {len(results):>4}/{streams} ok  wall {wall:6.2f} s  "
          f"TTFB-upstream p50 {p(0.5):7.1f} ms  p95 {p(0.95):7.1f} ms  peak RSS {peak[0]:6.0f} MB")


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
