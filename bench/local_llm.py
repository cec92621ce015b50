"""Embedded engine speed: generation tokens/s and time to first token through the API (streamed SSE,
signed in as the administrator) versus llama-cpp-python called directly on the same model and thread
count, and their ratio.

    python bench/local_llm.py [--runs 3] [--tokens 128]

Target: API / direct >= 0.95.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench._accounts import DEFAULT_STORAGE, admin_token, bearer, server_env  # noqa: E402
from bench._servers import start_api, stop  # noqa: E402

PROMPT = "Write a short paragraph about the history of bread."


def direct(model_path: str, threads: int, tokens: int, runs: int) -> tuple[float, float]:
    from llama_cpp import Llama

    llm = Llama(model_path=model_path, n_ctx=4096, n_threads=threads, n_threads_batch=threads, verbose=False)
    rates, firsts = [], []
    for _ in range(runs):
        start = time.perf_counter()
        first, count = None, 0
        for piece in llm.create_chat_completion(messages=[{"role": "user", "content": PROMPT}], stream=True,
                                                max_tokens=tokens, temperature=0.0, repeat_penalty=1.1):
            if piece["choices"][0]["delta"].get("content"):
                count += 1
                first = first or time.perf_counter() - start
        total = time.perf_counter() - start
        rates.append((count - 1) / (total - first))
        firsts.append(first)
        llm.reset()  # no prompt cache between runs, like a fresh conversation
    return statistics.median(rates), statistics.median(firsts)


def through_api(url: str, runs: int) -> tuple[float, float]:
    rates, firsts = [], []
    with httpx.Client(base_url=url, timeout=120, headers=bearer(admin_token(url))) as client:
        for _ in range(runs + 1):  # the first run loads the model
            start = time.perf_counter()
            first, count = None, 0
            with client.stream("POST", "/api/chat", json={"message": PROMPT}, headers={"Accept": "text/event-stream"}) as r:
                assert r.status_code == 200, r.read()[:300]
                for line in r.iter_lines():
                    if line.startswith("event: delta"):
                        count += 1
                        first = first or time.perf_counter() - start
            total = time.perf_counter() - start
            rates.append((count - 1) / (total - first))
            firsts.append(first)
    return statistics.median(rates[1:]), statistics.median(firsts[1:])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--tokens", type=int, default=128)
    args = parser.parse_args()
    from assistant.ai.local import default_model_path

    model = str(default_model_path())
    threads = os.cpu_count() or 1
    with tempfile.TemporaryDirectory() as tmp:
        env = {"AI_PROVIDER": "local", "LOCAL_LLM_MAX_TOKENS": str(args.tokens), "LOCAL_LLM_THREADS": str(threads),
               "DATABASE_URL": f"sqlite:///{tmp}/bench.db", "LOG_LEVEL": "WARNING", **server_env(DEFAULT_STORAGE)}
        proc, url = start_api([sys.executable, "app.py"], env)
        try:
            api_rate, api_first = through_api(url, args.runs)
        finally:
            stop(proc)
    d_rate, d_first = direct(model, threads, args.tokens, args.runs)
    print(f"model {Path(model).name}, {threads} threads, {args.tokens} tokens max, median of {args.runs} runs; "
          f"API signed in, SQLite, rate-limit storage {DEFAULT_STORAGE}")
    print(f"direct llama-cpp-python  {d_rate:6.1f} tokens/s   first token {d_first * 1000:6.0f} ms")
    print(f"through the API (SSE)    {api_rate:6.1f} tokens/s   first token {api_first * 1000:6.0f} ms")
    print(f"ratio API/direct         {api_rate / d_rate:6.2f}")


if __name__ == "__main__":
    main()
