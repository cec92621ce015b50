"""The usage recorder: requests hand finished events to an in-process buffer; one background thread
writes them in batches.

Why this design: a request pays only for a `deque.append` (no lock handoff, no thread wake-up: on a
busy box waking a writer per request costs milliseconds of GIL ping-pong), never for a database
round trip. The writer wakes every `INTERVAL_S`, or at once when a batch is full or someone flushes,
and writes everything pending in one transaction per `BATCH`. The buffer is bounded so a dead
database cannot eat the memory: past `MAX_PENDING` events new ones are dropped and counted (`dropped`,
exported on /metrics). Nothing is lost on a normal stop: `close()` is registered with atexit
(gunicorn workers and `python app.py` both exit through it) and drains the buffer before the process
ends. The thread starts on first use in each process, so a gunicorn master that imported the app
before forking hands no dead thread or half-filled buffer on.
"""
from __future__ import annotations

import atexit
import logging
import os
import threading
import time
from collections import deque
from collections.abc import Callable

from ..db import Database
from . import store
from .store import DAY, Event

log = logging.getLogger(__name__)

MAX_PENDING = 50_000
BATCH = 1000
INTERVAL_S = 0.5
PRUNE_EVERY_S = 3600


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
        self._events: deque[Event] = deque()
        self._markers: list[threading.Event] = []  # flush() callers waiting for the next write
        self._wake = threading.Event()
        self._stopping = False
        self._thread: threading.Thread | None = None
        self._next_prune = 0.0
        atexit.register(self.close)

    # --- request side -------------------------------------------------------------------------
    def record(self, event: Event) -> None:
        self._ensure_writer()
        if len(self._events) >= MAX_PENDING:
            self.dropped += 1
            if self.dropped % 1000 == 1:
                log.warning("usage buffer full (database slow or down): %d events dropped so far", self.dropped)
            return
        if event.counts_for_quota:
            with self._lock:
                p = self._pending.setdefault((event.day(), event.client_key), [0, 0])
                p[0] += 1
                p[1] += event.tokens
        self._events.append(event)  # deque.append is atomic: no lock needed
        if len(self._events) >= BATCH:
            self._wake.set()

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
        return len(self._events)

    def flush(self, timeout: float = 5.0) -> bool:
        """Wait until everything recorded before this call is written (the dashboard reads its own writes)."""
        if not self._writer_alive():
            return True  # nothing recorded in this process yet
        marker = threading.Event()
        with self._lock:
            self._markers.append(marker)
        self._wake.set()
        return marker.wait(timeout)

    def close(self, timeout: float = 10.0) -> None:
        """Write what is pending and stop the writer; idempotent."""
        if not self._writer_alive():
            return
        self._stopping = True
        self._wake.set()
        self._thread.join(timeout)

    # --- writer side --------------------------------------------------------------------------
    def _writer_alive(self) -> bool:
        return self._thread is not None and self._pid == os.getpid() and self._thread.is_alive()

    def _ensure_writer(self) -> None:
        if self._pid == os.getpid():
            return
        with self._lock:
            if self._pid != os.getpid():  # first use, or a forked child: a buffer and a thread of our own
                self._events = deque()
                self._pending, self._markers, self._stopping = {}, [], False
                self._thread = threading.Thread(target=self._run, name="usage-writer", daemon=True)
                self._thread.start()
                self._pid = os.getpid()

    def _run(self) -> None:
        while True:
            self._wake.wait(INTERVAL_S)
            self._wake.clear()
            stopping = self._stopping
            with self._lock:  # taken before draining: every event recorded before flush() is in the deque
                markers, self._markers = self._markers, []
            while self._events:
                batch = []
                while self._events and len(batch) < BATCH:
                    batch.append(self._events.popleft())
                self._write(batch)
            self._maybe_prune()
            for marker in markers:
                marker.set()
            if stopping:
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
