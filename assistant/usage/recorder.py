"""The usage recorder: requests hand finished events to an in-process buffer; one background thread
writes them in batches.

Why this design: a request pays only for a `deque.append` under an uncontended lock (no thread
wake-up: on a busy box waking a writer per request costs milliseconds of GIL ping-pong), never for a
database round trip. The writer wakes every `INTERVAL_S`, or at once when a batch is full or someone
flushes, and writes everything pending in one transaction per `BATCH` events. The buffer is bounded
so a dead database cannot eat the memory: past `MAX_PENDING` events new ones are dropped and counted
(`dropped`, exported on /metrics). Nothing is lost on a normal stop: `close()` is registered with
atexit (gunicorn workers and `python app.py` both exit through it) and writes what is pending before
the process ends. The thread starts on first use and quits after `IDLE_EXIT_S` without traffic; a
forked gunicorn worker starts with fresh state (`os.register_at_fork`), never a parent's dead thread.
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
IDLE_EXIT_S = 30.0
# How stale another worker's share of a client's daily use may be. Together with INTERVAL_S it bounds
# how far several workers can overshoot a quota between them: by about 1.5 s of that client's traffic.
STORED_TTL_S = 1.0


class Recorder:
    def __init__(self, db: Database, retention_days: int, clock: Callable[[], float] = time.time):
        self.db = db
        self.retention_days = retention_days
        self.clock = clock  # epoch seconds; tests set it to travel in time
        self.observers: list[Callable[[list[Event]], None]] = []  # called from the writer (metrics)
        self.dropped = 0
        self.written = 0
        self._next_prune = 0.0
        self._reset()
        atexit.register(self.close)
        os.register_at_fork(after_in_child=self._reset)  # a forked worker starts with its own lock, buffer, thread

    def _reset(self) -> None:
        self._lock = threading.Lock()
        self._events: deque[Event] = deque()
        self._pending: dict[tuple[int, str], list[int]] = {}  # (day, client) -> [requests, tokens] not yet written
        self._stored: dict[tuple[int, str], list] = {}  # (day, client) -> [requests, tokens, read at] in the database
        self._markers: list[threading.Event] = []  # flush() callers waiting for the next write
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._closed = False

    # --- request side -------------------------------------------------------------------------
    def record(self, event: Event) -> None:
        if len(self._events) >= MAX_PENDING:
            self.dropped += 1
            if self.dropped % 1000 == 1:
                log.warning("usage buffer full (database slow or down): %d events dropped so far", self.dropped)
            return
        with self._lock:
            if event.counts_for_quota:
                p = self._pending.setdefault((event.day(), event.client_key), [0, 0])
                p[0] += 0 if event.reserved else 1  # a reserved request is in the database already
                p[1] += event.tokens
            self._events.append(event)
            if self._thread is None and not self._closed:  # started on first use, again after an idle exit
                self._thread = threading.Thread(target=self._run, name="usage-writer", daemon=True)
                self._thread.start()
        if len(self._events) >= BATCH:
            self._wake.set()

    def used_today(self, client_key: str, fresh: bool = False) -> tuple[int, int, int]:
        """(requests, tokens, day start) for a client today: what is stored plus what is still pending here.

        The stored part is read from the database at most every `STORED_TTL_S` per client (it holds
        the other worker processes' use too) and kept current with this process's own writes meanwhile,
        so a quota check is usually a dict lookup rather than a database round trip.
        """
        now = int(self.clock())
        day = now - now % DAY
        key = (day, client_key)
        with self._lock:
            stored = self._stored.get(key)
        if fresh or stored is None or time.monotonic() - stored[2] > STORED_TTL_S:
            try:
                requests, tokens = store.client_day(self.db, day, client_key)
                with self._lock:
                    stored = self._stored[key] = [requests, tokens, time.monotonic()]
            except Exception:  # noqa: BLE001 - a database outage must not fail every request: fail open
                log.warning("could not read today's usage for a quota check; using what this process knows")
                stored = stored or [0, 0, 0.0]
        with self._lock:
            p = self._pending.get(key, (0, 0))
            return stored[0] + p[0], stored[1] + p[1], day

    @property
    def queued(self) -> int:
        return len(self._events)

    def flush(self, timeout: float = 5.0) -> bool:
        """Wait until everything recorded before this call is written (the dashboard reads its own writes)."""
        marker = threading.Event()
        with self._lock:
            writer = self._thread
            if writer is not None:
                self._markers.append(marker)
        if writer is None:  # no writer running (never started, idle, or closed): write here
            self._drain()
            return True
        self._wake.set()
        return marker.wait(timeout)

    def close(self, timeout: float = 10.0) -> None:
        """Write everything pending and stop the writer (atexit calls this); idempotent."""
        with self._lock:
            self._closed = True
            writer = self._thread
        if writer is not None:
            self._wake.set()
            writer.join(timeout)
        self._drain()

    # --- writer side --------------------------------------------------------------------------
    def _run(self) -> None:
        idle_since = time.monotonic()
        while True:
            self._wake.wait(INTERVAL_S)
            self._wake.clear()
            with self._lock:  # taken before draining: every event recorded before flush() is in the deque
                markers, self._markers = self._markers, []
            if self._events or markers:
                idle_since = time.monotonic()
            self._drain()
            self._maybe_prune()
            for marker in markers:
                marker.set()
            with self._lock:  # quit when closed or idle a while (tests build many apps), unless someone waits
                if (self._closed or time.monotonic() - idle_since > IDLE_EXIT_S and not self._events) and not self._markers:
                    self._thread = None
                    return

    def _drain(self) -> None:
        while True:
            batch: list[Event] = []
            try:
                while len(batch) < BATCH:
                    batch.append(self._events.popleft())
            except IndexError:
                pass
            if not batch:
                return
            self._write(batch)

    def _write(self, batch: list[Event]) -> None:
        if not batch:
            return
        for observe in self.observers:
            try:
                observe(batch)
            except Exception:  # noqa: BLE001 - metrics must never stop the writer
                log.exception("usage observer failed")
        written = False
        for attempt in range(3):
            try:
                store.write_batch(self.db, batch)
                self.written += len(batch)
                written = True
                break
            except Exception:  # noqa: BLE001 - the database may be away for a while; retry, then drop
                log.exception("could not write %d usage events (attempt %d)", len(batch), attempt + 1)
                time.sleep(0.5 * (attempt + 1))
        else:
            self.dropped += len(batch)
        with self._lock:  # written (or given up on): no longer pending, now stored
            for e in batch:
                if e.counts_for_quota:
                    key = (e.day(), e.client_key)
                    p = self._pending.get(key)
                    counted = 0 if e.reserved else 1
                    if p:
                        p[0] -= counted
                        p[1] -= e.tokens
                        if p[0] <= 0 and p[1] <= 0:
                            del self._pending[key]
                    if key in self._stored and written:
                        self._stored[key][0] += counted
                        self._stored[key][1] += e.tokens

    def _maybe_prune(self) -> None:
        now = self.clock()
        if now < self._next_prune:
            return
        self._next_prune = now + PRUNE_EVERY_S
        today = int(now) - int(now) % DAY
        with self._lock:
            for key in [k for k in self._stored if k[0] != today]:
                del self._stored[key]
        try:
            removed = store.prune(self.db, int(now), self.retention_days)
            if removed:
                log.info("pruned %d usage events older than %d days", removed, self.retention_days)
        except Exception:  # noqa: BLE001
            log.exception("usage pruning failed")
