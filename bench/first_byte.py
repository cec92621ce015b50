"""Where a chat's time before its first byte goes: the work a gevent worker repeats for each of the ~100 streams a
burst of 200 hands it before any of them can be answered (bench/chat_concurrency.py measures the burst).

The app runs in this process (no HTTP server, no contention), signed in, rate limits counted in the database,
titles off, against bench/_fake_gemini.py or bench/_fake_openai.py (3 chunks, no delay). For each chat it times the WSGI call until
the first body chunk (the held `meta` and the first `delta`), wall and this thread's CPU; then one profiled pass
splits that CPU among the steps the issue names (signed-in lookup, rate limit, the user's message committed,
the upstream request until its first chunk).

    .venv/bin/python -m bench.first_byte [--chats 300] [--db sqlite|postgresql] [--engine gemini|openai]

Read it against the burst: under processor sharing a worker's p95 first byte is at least about
(streams per worker) x (CPU before the first byte), before the load generator, the upstream and the relaying
of the streams already answered take their share of the cores.
"""
from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import tempfile
import time
from pathlib import Path

from werkzeug.test import EnvironBuilder

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench._accounts import limits, signed_in_client  # noqa: E402
from bench._servers import start_fake_gemini, start_fake_openai, stop  # noqa: E402
from bench.chat_concurrency import database  # noqa: E402

STEPS = {  # (file suffix, function) whose cumulative time is a step
    "signed-in lookup": ("assistant/auth/identity.py", "identify"),
    "rate limit": ("flask_limiter/_extension.py", "_check_request_limit"),
    "user's message committed": ("assistant/conversations/store.py", "start_turn"),
    "upstream request to its first chunk": ("assistant/ai/{engine}.py", "stream_chat"),
}
ENGINES = {  # --engine: (the fake upstream, the settings that point the app at it, the provider's module)
    "gemini": (start_fake_gemini, lambda url: {"GEMINI_API_KEY": "bench-key", "GEMINI_BASE_URL": url}, "gemini"),
    "openai": (start_fake_openai, lambda url: {"AI_PROVIDER": "openai", "OPENAI_BASE_URL": url, "OPENAI_MODEL": "fake"},
               "openai_compat"),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chats", type=int, default=300)
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--engine", choices=list(ENGINES), default="gemini")
    args = parser.parse_args()
    start, point_at, module = ENGINES[args.engine]
    fake, fake_url = start(chunks=3, interval=0.0)
    try:
        with tempfile.TemporaryDirectory() as tmp, database(args.db, tmp) as url:
            os.environ.update({**point_at(fake_url), "DATABASE_URL": url,
                               "AUTO_TITLES": "false", "LOG_LEVEL": "WARNING",
                               **{k.upper(): v for k, v in limits().items()}})
            from assistant import create_app

            app = create_app()
            client, _ = signed_in_client(app)
            auth = client.environ_base["HTTP_AUTHORIZATION"]

            def first_byte(i: int, profile: cProfile.Profile | None = None) -> tuple[float, float]:
                environ = EnvironBuilder(path="/api/chat", method="POST", json={"message": f"hello {i}"},
                                         headers={"Accept": "text/event-stream", "Authorization": auth}).get_environ()
                wall, cpu = time.perf_counter(), time.thread_time()
                if profile:
                    profile.enable()
                body = app(environ, lambda *a: None)
                next(iter(body))
                if profile:
                    profile.disable()
                wall, cpu = time.perf_counter() - wall, time.thread_time() - cpu
                for _ in body:  # the rest of the reply, saved as usual, outside the measure
                    pass
                body.close()
                return wall * 1000, cpu * 1000

            for i in range(50):  # warm-up: SDK imported, pools open, statements compiled
                first_byte(i)
            samples = [first_byte(i) for i in range(args.chats)]
            walls, cpus = [s[0] for s in samples], [s[1] for s in samples]
            profile = cProfile.Profile()
            profiled = sum(first_byte(i, profile)[1] for i in range(args.chats))
            stats = pstats.Stats(profile).stats
            app.extensions["usage"].close()  # its last events written while the database is still there
            app.extensions["database"].dispose()
    finally:
        stop(fake)
    cpu = statistics.mean(cpus)
    print(f"{args.engine}, {args.db}, {args.chats} chats one at a time, until the first byte: wall p50 {statistics.median(walls):.2f} ms, "
          f"CPU mean {cpu:.2f} ms (this thread; the fake upstream runs in its own process)")
    for step, (suffix, name) in STEPS.items():
        suffix = suffix.format(engine=module)
        spent = sum(v[3] for (file, _, fn), v in stats.items() if fn == name and file.endswith(suffix)) * 1000
        print(f"  {step:<38} {spent / profiled * 100:5.1f}%  ~{spent / profiled * cpu:.2f} ms")
    print(f"a worker given 100 streams at once: >= {100 * cpu:.0f} ms of CPU before the last of them can answer")


if __name__ == "__main__":
    main()
