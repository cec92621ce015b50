"""Cold start and idle memory: process start to the first healthy /api/health under gunicorn (our config),
then the first signed-in request (GET /api/conversations with the administrator's session, created with
POST /api/auth/setup before the timed starts), and the idle RSS of each worker with the heavy engines unloaded.

    python bench/startup.py [--runs 3] [--workers 2]

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
from bench._accounts import DEFAULT_STORAGE, admin_token, bearer, server_env  # noqa: E402
from bench._servers import ROOT, free_port, stop  # noqa: E402


def one_start(workers: int, tmp: str, token: str | None) -> tuple[float, float, list[float], str]:
    """(cold start s, first signed-in request s, RSS per worker MB, token); with token None, sets up the admin."""
    port = free_port()
    env = {"PORT": str(port), "WEB_CONCURRENCY": str(workers), "DATABASE_URL": f"sqlite:///{tmp}/startup.db",
           "PATH": "/usr/bin:/bin", "LOG_LEVEL": "WARNING", **server_env(DEFAULT_STORAGE)}
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
        token = token or admin_token(f"http://127.0.0.1:{port}")
        first = time.perf_counter()
        response = httpx.get(f"http://127.0.0.1:{port}/api/conversations", headers=bearer(token), timeout=10)
        first = time.perf_counter() - first
        assert response.status_code == 200, response.text
        time.sleep(1.0)  # let every worker finish booting
        rss = [c.memory_info().rss / 2**20 for c in psutil.Process(proc.pid).children()]
        return cold, first, rss, token
    finally:
        stop(proc)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2, help="WEB_CONCURRENCY (default 2, gunicorn.conf.py's)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        token = one_start(1, tmp, None)[3]  # warm the OS file cache, create the schema and the administrator
        results = [one_start(args.workers, tmp, token) for _ in range(args.runs)]
    colds = [r[0] for r in results]
    firsts = [r[1] * 1000 for r in results]
    rss = [max(r[2]) for r in results]
    print(f"SQLite, rate-limit storage {DEFAULT_STORAGE}, {args.workers} gevent worker(s)")
    print(f"cold start (gunicorn start -> first healthy /api/health), median of {args.runs}: {statistics.median(colds):.2f} s "
          f"(min {min(colds):.2f}, max {max(colds):.2f})")
    print(f"first signed-in request after it (GET /api/conversations): median {statistics.median(firsts):.0f} ms "
          f"(min {min(firsts):.0f}, max {max(firsts):.0f})")
    print(f"idle RSS per worker, engines unloaded: {statistics.median(rss):.0f} MB")


if __name__ == "__main__":
    main()
