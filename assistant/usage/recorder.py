"""The usage recorder: requests hand finished events to an in-process queue; one background thread
writes them in batches.

Why this design: a request pays only for a `put_nowait` on a bounded queue (microseconds), never for
a database round trip, and the batches keep the writes cheap under load (one transaction per batch).
The queue is bounded so a dead database cannot eat the memory: past `MAX_QUEUE` pending events new
ones are dropped and counted (`dropped`, exported on /metrics). Nothing is lost on a normal stop:
`close()` is registered with atexit (gunicorn workers and `python app.py` both exit through it) and
drains the queue before the process ends. The thread starts on first use in each process, so a
gunicorn master that imported the app before forking hands no dead thread or half-filled queue on.
"""
from __future__ import annotations

import atexit
import logging
import os
import queue
import threading
import time
from collections.abc import Callable

from ..db import Database
from . import store
from .store import DAY, Event

log = logging.getLogger(__name__)

MAX_QUEUE = 50_000
BATCH = 1000
LINGER_S = 0.2  # after a first event, wait this long for more to share its transaction
PRUNE_EVERY_S = 3600
_STOP = object()


class Recorder:
    def __init__(self, db: Database, retention_days: int, clock: Callable[[], float] = time.time):
        self.db = db
        self.retention_days = retention_days
        self.clock = clock  # epoch seconds; tests set it to travel in time
        self.observers: list[Callable[[list[Event]], None]] = []  # called from the writer (metrics)
        self.dropped = 0
        self.written = 0
        self._pending: dict[tuple[int, str], list[int]] = {}  # (day, client) -> [requests, tokens] not yet written
        self._lock = threading.Lock()
        self._pid: int | None = None
        self._queue: queue.Queue = queue.Queue(MAX_QUEUE)
        self._thread: threading.Thread | None = None
        self._next_prune = 0.0
        atexit.register(self.close)

    # --- request side -------------------------------------------------------------------------
    def record(self, event: Event) -> None:
        self._ensure_writer()
        try:
            self._queue.put_nowait(event)
        except queue.Full:
            self.dropped += 1
            if self.dropped % 1000 == 1:
                log.warning("usage queue full (database slow or down): %d events dropped so far", self.dropped)
            return
        if event.counts_for_quota:
            with self._lock:
                p = self._pending.setdefault((event.day(), event.client_key), [0, 0])
                p[0] += 1
                p[1] += event.tokens

    def used_today(self, client_key: str) -> tuple[int, int, int]:
        """(requests, tokens, day start) for a client today: what is stored plus what is still queued here."""
        now = int(self.clock())
        day = now - now % DAY
        requests, tokens = store.client_day(self.db, day, client_key)
        with self._lock:
            p = self._pending.get((day, client_key))
            if p:
                requests, tokens = requests + p[0], tokens + p[1]
        return requests, tokens, day

    @property
    def queued(self) -> int:
        return self._queue.qsize()

    def flush(self, timeout: float = 5.0) -> bool:
        """Wait until everything recorded before this call is written (the dashboard reads its own writes)."""
        if self._thread is None or self._pid != os.getpid():
            return True  # nothing recorded in this process yet
        marker = threading.Event()
        try:
            self._queue.put(marker, timeout=timeout)
        except queue.Full:
            return False
        return marker.wait(timeout)

    def close(self, timeout: float = 10.0) -> None:
        """Write what is queued and stop the writer; idempotent."""
        if self._thread is None or self._pid != os.getpid() or not self._thread.is_alive():
            return
        try:
            self._queue.put(_STOP, timeout=timeout)
        except queue.Full:
            pass
        self._thread.join(timeout)

    # --- writer side --------------------------------------------------------------------------
    def _ensure_writer(self) -> None:
        if self._pid == os.getpid() and self._thread is not None:
            return
        with self._lock:
            if self._pid != os.getpid():  # first use, or a forked child: a queue and a thread of our own
                self._queue = queue.Queue(MAX_QUEUE)
                self._pending = {}
                self._pid = os.getpid()
                self._thread = threading.Thread(target=self._run, name="usage-writer", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        while True:
            try:
                item = self._queue.get(timeout=1.0)
            except queue.Empty:
                self._maybe_prune()
                continue
            batch: list[Event] = []
            markers: list[threading.Event] = []
            stop = False
            deadline = time.monotonic() + LINGER_S
            while True:
                if item is _STOP:
                    stop = True
                elif isinstance(item, threading.Event):
                    markers.append(item)
                else:
                    batch.append(item)
                if len(batch) >= BATCH or (markers or stop) and self._queue.empty():
                    break
                try:
                    wait = deadline - time.monotonic()
                    item = self._queue.get(timeout=wait) if wait > 0 and not (markers or stop) else self._queue.get_nowait()
                except queue.Empty:
                    break
            self._write(batch)
            self._maybe_prune()
            for marker in markers:
                marker.set()
            if stop and self._queue.empty():
                return

    def _write(self, batch: list[Event]) -> None:
        if not batch:
            return
        for observe in self.observers:
            try:
                observe(batch)
            except Exception:  # noqa: BLE001 - metrics must never stop the writer
                log.exception("usage observer failed")
        for attempt in range(3):
            try:
                store.write_batch(self.db, batch)
                self.written += len(batch)
                break
            except Exception:  # noqa: BLE001 - the database may be away for a while; retry, then drop
                log.exception("could not write %d usage events (attempt %d)", len(batch), attempt + 1)
                time.sleep(0.5 * (attempt + 1))
        else:
            self.dropped += len(batch)
        with self._lock:  # written (or given up on): no longer pending
            for e in batch:
                if e.counts_for_quota:
                    key = (e.day(), e.client_key)
                    p = self._pending.get(key)
                    if p:
                        p[0] -= 1
                        p[1] -= e.tokens
                        if p[0] <= 0:
                            del self._pending[key]

    def _maybe_prune(self) -> None:
        now = self.clock()
        if now < self._next_prune:
            return
        self._next_prune = now + PRUNE_EVERY_S
        try:
            removed = store.prune(self.db, int(now), self.retention_days)
            if removed:
                log.info("pruned %d usage events older than %d days", removed, self.retention_days)
        except Exception:  # noqa: BLE001
            log.exception("usage pruning failed")
