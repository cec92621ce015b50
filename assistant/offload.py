"""The one way CPU-bound engine work runs: llama.cpp, Whisper, Tesseract, PDF rendering, ReportLab,
embeddings, speech and password hashing go through `call` (one result) or `stream` (an iterator, such
as tokens), never inline on a request's thread or greenlet, so that other requests keep being served.

The pool is bounded (OFFLOAD_THREADS, default the number of cores) with a bounded queue (OFFLOAD_QUEUE):
work past both is refused at once with 503 engine_busy instead of piling up.

Under gunicorn's gevent worker every request is a greenlet on one OS thread, and a monkey-patched
`ThreadPoolExecutor` would run its "threads" as greenlets on that same thread: a C extension holding it
stalls every stream. So there the pool is gevent's own `ThreadPool` (real OS threads; the greenlet waits
cooperatively for the result). Anywhere else (gthread, `python app.py`, tests) it is a plain thread pool.
Pool threads run at a lower CPU priority (nice 10): when the cores are full, the threads that serve
requests win, and heavy work takes the cycles left over (a few ms of chat latency instead of hundreds).

Threads help only while the engine lets go of Python's interpreter lock (llama.cpp, CTranslate2, onnxruntime,
Argon2 and Pillow do). PyMuPDF's rendering and ReportLab's layout keep it for hundreds of ms at a time (measured:
a 300 dpi page held it 390 ms), which stalls every thread of the process, pool or not. `call_process` runs
such work in a forked copy of the process (nothing to pickle on the way in, only the result on the way back),
within the same bound and queue: started and awaited from a pool thread, or under gevent by gevent's fork from
the loop's own thread, awaited cooperatively (see `call_process` for why never from a pool thread there).

Locks that engines take to serialise a model are taken by the caller, not inside the pool: a pool thread
waiting for a lock would hold a slot doing nothing.
"""
from __future__ import annotations

import os
import pickle
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from typing import TypeVar

from . import errors

T = TypeVar("T")

NICE = int(os.environ.get("OFFLOAD_NICE", "10"))  # added to the pool threads' nice value (Linux: per thread); 0: off
RETRY_AFTER_S = 2

# Process knobs like gunicorn's (README, "gunicorn"): read here, so the pool needs no app to exist.
_threads = int(os.environ.get("OFFLOAD_THREADS", "0")) or max(2, os.cpu_count() or 2)
_queue = int(os.environ.get("OFFLOAD_QUEUE", "64"))
_DEFAULTS = (_threads, _queue)
_pool: _Pool | None = None
_pool_lock = threading.Lock()
_workers: set[int] = set()  # native ids of pool threads: work they start runs inline (no deadlock, no hop)


def configure(threads: int | None = None, queue: int | None = None) -> None:
    """Set the pool's size and how many calls may wait for it (None: OFFLOAD_THREADS / OFFLOAD_QUEUE)."""
    global _threads, _queue, _pool
    _threads, _queue = threads or _DEFAULTS[0], _DEFAULTS[1] if queue is None else queue
    with _pool_lock:
        old, _pool = _pool, None
    if old is not None:
        old.shutdown()
        _workers.clear()


def gevent_patched() -> bool:
    """True in a process whose threading gevent has monkey-patched (gunicorn's gevent worker)."""
    if "gevent.monkey" not in sys.modules:
        return False
    return sys.modules["gevent.monkey"].is_module_patched("threading")


def _native_id() -> int:
    return threading.get_native_id()  # gevent patches get_ident (greenlets), never the kernel's thread id


def _in_pool(fn: Callable, args: tuple, kwargs: dict):
    """What a pool thread runs: mark the thread as ours, lower its priority, then the work."""
    me = _native_id()
    if me not in _workers:
        _workers.add(me)
        _lower_priority()
    return fn(*args, **kwargs)


def _lower_priority() -> None:
    """The calling thread (Linux: priority is per thread) at the pool's lower priority."""
    if NICE and hasattr(os, "setpriority"):
        try:
            os.setpriority(os.PRIO_PROCESS, 0, min(19, os.getpriority(os.PRIO_PROCESS, 0) + NICE))  # 0: this thread
        except OSError:
            pass


class _Pool:
    """Real OS threads, a slot count (threads + queue) and a way to wait for one result."""

    def __init__(self, threads: int, queue: int):
        self.pid = os.getpid()  # a pool's threads do not survive fork: a forked child makes its own
        self.gevent = gevent_patched()
        self.free = threads + queue
        self._count = threading.Lock()  # under gevent a greenlet lock: held only for the count, never across a wait
        if self.gevent:
            from gevent.threadpool import ThreadPool

            self._pool = ThreadPool(threads)
        else:
            from concurrent.futures import ThreadPoolExecutor

            self._pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="offload")

    @contextmanager
    def slot(self) -> Iterator[None]:
        """One of the pool's places (threads + queue) for the length of the block; 503 engine_busy when none is free."""
        with self._count:
            if self.free <= 0:
                raise errors.EngineBusy("The server is busy with other heavy work. Please try again shortly.",
                                        retry_after=RETRY_AFTER_S)
            self.free -= 1
        try:
            yield
        finally:
            with self._count:
                self.free += 1

    def run(self, fn: Callable[..., T], args: tuple, kwargs: dict, *, bounded: bool = True) -> T:
        with self.slot() if bounded else nullcontext():
            if self.gevent:  # AsyncResult.get() waits on the hub: other greenlets keep running meanwhile
                return self._pool.spawn(_in_pool, fn, args, kwargs).get()
            return self._pool.submit(_in_pool, fn, args, kwargs).result()

    def shutdown(self) -> None:
        if self.pid != os.getpid():
            return
        if self.gevent:
            self._pool.kill()
        else:
            self._pool.shutdown(wait=False)


def _get() -> _Pool:
    global _pool
    pool = _pool
    if pool is None or pool.pid != os.getpid():
        with _pool_lock:
            if _pool is None or _pool.pid != os.getpid():
                _pool = _Pool(_threads, _queue)
            pool = _pool
    return pool


def call(fn: Callable[..., T], *args, **kwargs) -> T:
    """Run fn(*args, **kwargs) in the pool and wait for its result (its exception is re-raised here)."""
    if _native_id() in _workers:  # already in a pool thread (an engine calling another): just run it
        return fn(*args, **kwargs)
    return _get().run(fn, args, kwargs)


_END = object()


def stream(make: Callable[[], Iterator[T]]) -> Iterator[T]:
    """Iterate make() in the pool, one item per hand-off (each next() runs there): the iterator's CPU work
    stays off the caller, and the caller can stop early (closing this generator closes the iterator)."""
    it = call(make)
    try:
        while True:
            item = call(next, it, _END)
            if item is _END:
                return
            yield item
    finally:
        close = getattr(it, "close", None)
        if close is not None:
            if _native_id() in _workers:
                close()
            else:  # unbounded: an iterator must always be closed, busy or not
                _get().run(close, (), {}, bounded=False)


def call_process(fn: Callable[..., T], *args, **kwargs) -> T:
    """Like `call`, but fn runs in a forked copy of this process: for engines that hold the interpreter lock.
    Its result and its exception come back pickled; anything it changes in memory stays in the copy."""
    if not hasattr(os, "fork"):  # Windows: a thread is what there is
        return call(fn, *args, **kwargs)
    if gevent_patched() and _native_id() not in _workers:
        # Under gevent the copy is made from the loop's own thread, by gevent's fork, and its result is read
        # cooperatively: a fork from a pool thread runs the interpreter's at-fork hooks there, and one of them
        # takes concurrent.futures' lock, a gevent lock under the patch; shared with the loop's thread, which also
        # forks (gevent's subprocess, for Tesseract), it was left taken, and every later fork waited for good.
        with _get().slot():
            return _forked_cooperatively(fn, args, kwargs)
    return call(_forked, fn, args, kwargs)


def _original(name: str):
    """os.fork / os.waitpid / os.close as the kernel has them. gevent's fork and waitpid watch children from its loop's
    thread only; its close (gevent >= 25.8.1) closes a pipe or socket later, from the calling thread's loop, and
    a pool thread that has a loop (any gevent-aware wait there makes one) does not run it while it blocks reading
    the pipe: the copy's write end stayed open, so the read never ended (an OCR upload hung for good under load)."""
    if gevent_patched():
        return sys.modules["gevent.monkey"].get_original("os", name)
    return getattr(os, name)


def _close_sockets() -> None:
    """In the copy: let go of the worker's sockets (clients, the listening one, database connections), so that a
    connection the worker closes really closes while the copy is still working. Files stay open: the work may
    be reading one (a PDF MuPDF opened)."""
    import stat

    try:
        fds = [int(fd) for fd in os.listdir("/proc/self/fd")]
    except OSError:  # no /proc (macOS): nothing known to close
        return
    null = os.open(os.devnull, os.O_RDWR)
    for fd in fds:
        try:
            if stat.S_ISSOCK(os.fstat(fd).st_mode):
                os.dup2(null, fd)  # not close: the number stays taken, so nothing else can reuse it under a socket object
        except OSError:
            pass
    _original("close")(null)


def _in_copy(fn: Callable, args: tuple, kwargs: dict, read_end: int, write_end: int):
    """The copy: run, send the outcome, leave without running anything of the parent's."""
    try:
        _original("close")(read_end)
        _close_sockets()
        _workers.add(_native_id())  # offload calls inside run inline here
        try:
            payload = pickle.dumps((True, fn(*args, **kwargs)), pickle.HIGHEST_PROTOCOL)
        except BaseException as exc:  # noqa: BLE001 - handed to the parent, which raises it
            try:
                payload = pickle.dumps((False, exc), pickle.HIGHEST_PROTOCOL)
            except Exception:  # noqa: BLE001 - an exception that does not pickle
                payload = pickle.dumps((False, errors.InternalError()), pickle.HIGHEST_PROTOCOL)
        with open(write_end, "wb") as out:
            out.write(payload)
    finally:
        os._exit(0)


def _forked(fn: Callable, args: tuple, kwargs: dict):
    """From a pool thread (no gevent, or work already in the pool under it): fork, then wait for the copy's outcome."""
    read_end, write_end = os.pipe()
    pid = _original("fork")()
    if pid == 0:
        _in_copy(fn, args, kwargs, read_end, write_end)
    _original("close")(write_end)  # now: the read below ends when the copy's end closes
    with open(read_end, "rb") as result:
        data = result.read()  # until the copy exits (or dies)
    return _outcome(pid, data)


def _forked_cooperatively(fn: Callable, args: tuple, kwargs: dict):
    """Under gevent, on the caller's greenlet: gevent's fork (the copy gets a fresh loop), and the result read
    through the loop, so other greenlets run while the copy works."""
    from gevent import os as gevent_os

    read_end, write_end = os.pipe()
    pid = gevent_os.fork_gevent()
    if pid == 0:
        _lower_priority()  # as the pool's threads (a copy forked from one inherits theirs)
        _in_copy(fn, args, kwargs, read_end, write_end)
    _original("close")(write_end)
    try:
        gevent_os.make_nonblocking(read_end)
        chunks = []
        while chunk := gevent_os.nb_read(read_end, 1 << 20):  # until the copy exits (or dies)
            chunks.append(chunk)
    finally:
        _original("close")(read_end)
    return _outcome(pid, b"".join(chunks))


def _outcome(pid: int, data: bytes):
    """Reap the copy (its end of the pipe is closed: it is exiting) and return its result or raise its error."""
    try:
        _original("waitpid")(pid, 0)
    except ChildProcessError:  # already reaped by gevent's SIGCHLD watcher
        pass
    if not data:
        raise errors.InternalError("The engine stopped unexpectedly (out of memory?). Please try again.")
    ok, value = pickle.loads(data)
    if ok:
        return value
    raise value
