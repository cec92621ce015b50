"""Chat latency under heavy work: 200 concurrent signed-in streamed chats (20 chunks x 50 ms upstream) through
our gunicorn.conf.py, first alone, then while the same server OCRs a 20-page scanned PDF, transcribes a 60 s
recording (offline Whisper) and exports a PDF of about 100 pages (the counts are printed). Prints chat TTFB minus
the upstream's (p50/p95) with and without the heavy work, and how long each heavy request took (they must finish).

    python -m bench.mixed_load [--streams 200] [--workers 2]

While the heavy work runs, a burst of 200 starts every --period s (default 5: 40 chats a second, sustained),
an open loop as real arrivals are: back-to-back bursts (--period 0) make the chat load grow until it takes every
cycle, and the heavy work (at OFFLOAD_NICE) then gets only what the scheduler leaves a niced thread.

The chats go through the OpenAI-compatible path (bench/_fake_openai.py as the upstream): with a Gemini key the
recording would go to Gemini, and the point is the offline engines running on the same cores.
Target (issue 16): chat TTFB-upstream p95 <= 500 ms while the heavy work runs.
"""
from __future__ import annotations

import argparse
import asyncio
import math
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import aiohttp
import httpx
import pymupdf

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench._accounts import add_users, admin_token, bearer, server_env  # noqa: E402
from bench._servers import ROOT, start_api, start_fake_openai, stop, tree_rss_mb  # noqa: E402
from bench.chat_concurrency import SERVERS, load, sign_in  # noqa: E402


def scanned_pdf(pages: int) -> bytes:
    from tests.documents import corpus

    return corpus.scanned_pdf([corpus.scan_of(" ".join(corpus.PARAGRAPHS * 3))] * pages)


def recording(seconds: float) -> bytes:
    from tests.voice import clips

    samples, rate = clips.speak(clips.PASSAGE)
    copies = max(1, math.ceil(seconds / (len(samples) / rate)))
    samples, rate = clips.speak(" ".join([clips.PASSAGE] * copies))
    return clips.encode(samples, rate, next(e for e in clips.ENCODINGS if e.name == "webm-opus"))


def long_markdown(sections: int) -> str:
    from tests.documents import corpus

    body = "\n\n".join(corpus.PARAGRAPHS * 4)
    section = f"{body}\n\n- one point\n- another point with **bold** text"
    return "\n\n".join(f"## Section {i + 1}\n\n{section}" for i in range(sections))


TIMEOUT_S = 300  # how long a heavy request may take before it counts as not finished


class Heavy:
    """The three heavy requests, each in its own thread, timed."""

    def __init__(self, url: str, token: str, scan: bytes, audio: bytes, markdown: str):
        self.url, self.headers = url, bearer(token)
        self.jobs = {
            "OCR": lambda c: c.post("/api/upload", files={"file": ("scan.pdf", scan, "application/pdf")},
                                    data={"analyze": "false"}),
            "transcription": lambda c: c.post("/api/voice/transcribe", files={"audio": ("speech.webm", audio, "audio/webm")}),
            "export": lambda c: c.post("/api/export/pdf", json={"title": "Mixed load", "content": markdown}),
        }
        self.results: dict[str, tuple[int, float, str]] = {}
        self.threads = [threading.Thread(target=self._run, args=(name,)) for name in self.jobs]

    def _run(self, name: str) -> None:
        started = time.perf_counter()
        try:
            with httpx.Client(base_url=self.url, headers=self.headers, timeout=TIMEOUT_S) as client:
                response = self.jobs[name](client)
        except httpx.HTTPError as exc:  # e.g. no answer within TIMEOUT_S: not finished, and said so
            self.results[name] = (0, time.perf_counter() - started, f"{type(exc).__name__} (no answer in {TIMEOUT_S} s)")
            return
        elapsed = time.perf_counter() - started
        detail = ""
        if response.status_code == 200 and name == "OCR":
            detail = f"{len(response.json()['document']['pages'])} pages"
        elif response.status_code == 200 and name == "transcription":
            detail = f"{response.json()['duration_seconds']:.0f} s of audio, {len(response.json()['text'].split())} words"
        elif response.status_code == 200 and name == "export":
            detail = f"{pymupdf.open(stream=response.content, filetype='pdf').page_count} pages"
        else:
            detail = response.text[:200]
        self.results[name] = (response.status_code, elapsed, detail)

    def start(self) -> None:
        for t in self.threads:
            t.start()

    def finished(self) -> bool:
        """Every heavy request answered 200."""
        return len(self.results) == len(self.jobs) and all(r[0] == 200 for r in self.results.values())

    def running(self) -> bool:
        return any(t.is_alive() for t in self.threads)

    def join(self) -> None:
        for t in self.threads:
            t.join()


def percentiles(results: list) -> tuple[float, float]:
    ttfb = sorted(r[0] for r in results) or [float("nan")]
    p = lambda q: ttfb[min(len(ttfb) - 1, int(q * len(ttfb)))] * 1000  # noqa: E731
    return p(0.5), p(0.95)


async def upstream_ttfb(base: str) -> float:
    samples = []
    async with aiohttp.ClientSession() as session:
        for _ in range(5):
            start = time.perf_counter()
            async with session.post(f"{base}/chat/completions", json={"model": "fake", "messages": [], "stream": True}) as r:
                await r.content.readline()
                samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--streams", type=int, default=200)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2, help="WEB_CONCURRENCY")
    parser.add_argument("--period", type=float, default=5.0,
                        help="a burst starts every PERIOD s while the heavy work runs (0: back to back)")
    parser.add_argument("--pages", type=int, default=20, help="pages of the scanned PDF")
    parser.add_argument("--seconds", type=float, default=60, help="length of the recording")
    parser.add_argument("--sections", type=int, default=140, help="sections of the exported document (140: about 100 pages)")
    args = parser.parse_args()

    scan, audio, markdown = scanned_pdf(args.pages), recording(args.seconds), long_markdown(args.sections)
    fake, base = start_fake_openai(chunks=20, interval=0.05)
    try:
        upstream = asyncio.run(upstream_ttfb(base))
        with tempfile.TemporaryDirectory() as tmp:
            env = {"AI_PROVIDER": "openai", "OPENAI_BASE_URL": base, "OPENAI_MODEL": "fake", "WEB_CONCURRENCY": str(args.workers),
                   "LOG_LEVEL": "WARNING", "DATABASE_URL": f"sqlite:///{tmp}/mixed.db", "MAX_PDF_PAGES": "500",
                   "MAX_AUDIO_SECONDS": "3600", **server_env()}
            proc, url = start_api(SERVERS["gevent"][1], env, ROOT)
            try:
                admin = admin_token(url)
                tokens, _ = asyncio.run(sign_in(url, add_users(url, admin, args.users), args.streams))
                print(f"{args.streams} streamed chats (OpenAI-compatible path, upstream TTFB {upstream * 1000:.1f} ms), "
                      f"{args.workers} gevent workers, SQLite; during the heavy work a burst every {args.period:g} s; {os.cpu_count()} cores", flush=True)
                # Warm-up: every worker's engines loaded and pools open, so what follows is steady state.
                warm = Heavy(url, admin, scanned_pdf(2), recording(5), long_markdown(2))
                warm.start()
                asyncio.run(load(url, tokens, 30))
                warm.join()
                assert all(r[0] == 200 for r in warm.results.values()), warm.results

                alone, wall = asyncio.run(load(url, tokens, 60))
                alone = [(r[0] - upstream, r[1]) for r in alone]
                p50, p95 = percentiles(alone)
                print(f"chat alone:            {len(alone)}/{args.streams} ok, wall {wall:5.2f} s, TTFB-upstream p50 "
                      f"{p50:6.1f} ms, p95 {p95:6.1f} ms, load {os.getloadavg()[0]:.1f}", flush=True)

                heavy = Heavy(url, admin, scan, audio, markdown)
                heavy.start()
                time.sleep(0.5)  # every heavy request is under way
                during, bursts, peak = [], 0, tree_rss_mb(proc.pid)
                while heavy.running():
                    began = time.monotonic()
                    results, wall = asyncio.run(load(url, tokens, 60))
                    during += [(r[0] - upstream, r[1]) for r in results]
                    bursts += 1
                    peak = max(peak, tree_rss_mb(proc.pid))
                    print(f"  burst {bursts}: {len(results)}/{args.streams} ok, wall {wall:5.2f} s", flush=True)
                    time.sleep(max(0.0, began + args.period - time.monotonic()))
                heavy.join()
                p50h, p95h = percentiles(during)
                print(f"chat during heavy:     {len(during)}/{bursts * args.streams} ok in {bursts} bursts, TTFB-upstream "
                      f"p50 {p50h:6.1f} ms, p95 {p95h:6.1f} ms, load {os.getloadavg()[0]:.1f}")
                for name, (status, elapsed, detail) in heavy.results.items():
                    print(f"  {name:<14} HTTP {status}  {elapsed:6.2f} s  {detail}")
                ok = (bursts > 0 and len(during) == bursts * args.streams and p95h <= 500
                      and heavy.finished())
                print("\n--- summary ---")
                print(f"chat TTFB-upstream p95: alone {p95:.0f} ms, during heavy work {p95h:.0f} ms (<= 500: "
                      f"{'met' if p95h <= 500 else 'NOT MET'}); heavy work finished: "
                      f"{'yes' if heavy.finished() else 'NO'}; chat failures "
                      f"{bursts * args.streams - len(during)}; peak RSS {peak:.0f} MB; target {'met' if ok else 'NOT MET'}; "
                      f"load average {os.getloadavg()[0]:.1f}")
            finally:
                stop(proc)
    finally:
        stop(fake)


if __name__ == "__main__":
    main()
