"""Cold start and idle memory: process start to the first healthy /api/health under gunicorn (our config),
and the idle RSS of each worker with the heavy engines unloaded.

    python bench/startup.py [--runs 3]

Targets: cold start <= 1.5 s, idle RSS per worker <= 100 MB.
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench._servers import ROOT, free_port, stop  # noqa: E402


def one_start(workers: int, tmp: str) -> tuple[float, list[float]]:
    port = free_port()
    env = {"PORT": str(port), "WEB_CONCURRENCY": str(workers), "DATABASE_URL": f"sqlite:///{tmp}/startup.db",
           "PATH": "/usr/bin:/bin", "LOG_LEVEL": "WARNING"}
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--access-logfile", "/dev/null",
                             "app:app"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=0.5).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.02)
        cold = time.perf_counter() - start
        time.sleep(1.0)  # let every worker finish booting
        rss = [c.memory_info().rss / 2**20 for c in psutil.Process(proc.pid).children()]
        return cold, rss
    finally:
        stop(proc)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        one_start(1, tmp)  # warm the OS file cache and create the schema
        results = [one_start(1, tmp) for _ in range(args.runs)]
    colds = [r[0] for r in results]
    rss = [max(r[1]) for r in results]
    print(f"cold start (gunicorn start -> first healthy /api/health), median of {args.runs}: {statistics.median(colds):.2f} s "
          f"(min {min(colds):.2f}, max {max(colds):.2f})")
    print(f"idle RSS per worker, engines unloaded: {statistics.median(rss):.0f} MB")


if __name__ == "__main__":
    main()
