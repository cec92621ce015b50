"""Helpers for benches: start the fake Gemini and the API as real processes, measure their memory.
Signing in to them: bench/_accounts.py."""
from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psutil

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args} exited with {proc.returncode}")
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer in {timeout} s")


def _start_fake(module: str, chunks: int, interval: float, ready: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", module, "--port", str(port), "--chunks", str(chunks),
                             "--interval", str(interval)], cwd=ROOT, stdout=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    wait_http(url + ready, proc)
    return proc, url


def start_fake_gemini(chunks: int, interval: float) -> tuple[subprocess.Popen, str]:
    """A Gemini upstream for the streaming benches (bench/_fake_gemini.py: asyncio, chat endpoints only)."""
    return _start_fake("bench._fake_gemini", chunks, interval, "/v1beta/models")


def start_fake_openai(chunks: int, interval: float) -> tuple[subprocess.Popen, str]:
    """An OpenAI-compatible upstream (bench/_fake_openai.py) streaming `chunks` pieces `interval` s apart; its /v1 URL."""
    proc, url = _start_fake("bench._fake_openai", chunks, interval, "/v1/models")
    return proc, f"{url}/v1"


def clean_environ() -> dict:
    """This shell's environment without any of the app's settings: a bench's server gets only the ones it names."""
    from assistant.config import Settings

    ours = {name.upper() for name in Settings.model_fields}
    return {k: v for k, v in os.environ.items() if k.upper() not in ours}


def start_api(args: list[str], env: dict, cwd: Path = ROOT) -> tuple[subprocess.Popen, str]:
    port = free_port()
    clean = clean_environ()
    proc = subprocess.Popen(args, cwd=cwd, env=clean | env | {"PORT": str(port)}, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    wait_http(f"{url}/api/health", proc)
    return proc, url


def _tree_sum(pid: int, read) -> float:
    proc = psutil.Process(pid)
    total = 0.0
    for p in [proc] + proc.children(recursive=True):
        try:
            total += read(p)
        except psutil.NoSuchProcess:
            pass
    return total


def tree_rss_mb(pid: int) -> float:
    return _tree_sum(pid, lambda p: p.memory_info().rss) / 2**20


def tree_cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and its children (gunicorn's workers)."""
    return _tree_sum(pid, lambda p: sum(p.cpu_times()[:2]))


def stop(proc: subprocess.Popen) -> None:
    """Stop a process and everything it started: a gunicorn worker stuck in C code outlives its master (one hung
    by a since-fixed bug kept a core busy through the benches after it), so what is left after the master is killed."""
    try:
        descendants = psutil.Process(proc.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        descendants = []
    proc.terminate()
    try:
        proc.wait(30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    _, alive = psutil.wait_procs(descendants, timeout=5)
    for leftover in alive:
        with contextlib.suppress(psutil.NoSuchProcess):
            leftover.kill()
