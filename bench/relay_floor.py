"""The floor under bench/chat_concurrency.py's figures: the same burst of streams (20 chunks x 50 ms from the fake
Gemini, the same client, the same gunicorn.conf.py and 2 gevent workers) against a Flask app that relays the
stream and does nothing else (bench/_floor_app.py: no sign-in, rate limit, database, usage or title), so what is
left is what the stack itself costs:

- `sse`   Flask + gunicorn's gevent worker writing 20 events of its own (no upstream);
- `chat`  the app's own client for the stream (assistant.ai.gemini.GeminiChat: urllib3, gemini_rest.py);
- `sdk`   the same stream through google-genai's `generate_content_stream`: the SDK's share, by difference.

    .venv/bin/python -m bench.relay_floor [--streams 200] [--runs 3] [--modes sse,chat,sdk]

Prints chat_concurrency's line for each run (wall, TTFB minus the upstream's p50/p95, peak RSS, server CPU per
stream). Read against issue 16's targets: what the full app adds on top of `chat` is its own work (the signed-in
lookup, the limiter, two commits, usage, titles); a target below the `chat` floor cannot be met by the app.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import chat_concurrency as cc  # noqa: E402
from bench._servers import ROOT, start_api, start_fake_gemini, stop  # noqa: E402

MODES = ("sse", "chat", "sdk")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--streams", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--modes", type=lambda s: s.split(","), default=list(MODES))
    args = parser.parse_args()
    fake, fake_url = start_fake_gemini(chunks=20, interval=0.05)
    cc.UPSTREAM["pid"] = fake.pid
    try:
        upstream = asyncio.run(cc.upstream_ttfb(fake_url))
        print(f"{args.streams} streams, upstream 20 chunks x 50 ms (TTFB {upstream * 1000:.1f} ms), {os.cpu_count()} cores, "
              f"load average {os.getloadavg()[0]:.1f}; each line: one run of bench/_floor_app.py", flush=True)
        for mode in args.modes:
            command = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--access-logfile", "/dev/null",
                       "--pythonpath", str(ROOT / "bench"), "_floor_app:app"]
            proc, url = start_api(command, {"GEMINI_BASE_URL": fake_url, "FLOOR_MODE": mode, "WEB_CONCURRENCY": "2"}, ROOT)
            try:
                for _ in range(args.runs):
                    cc.measure("gevent", mode, proc, url, ["none"] * args.streams, 60, upstream)
            finally:
                stop(proc)
    finally:
        stop(fake)


if __name__ == "__main__":
    main()
