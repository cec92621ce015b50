"""gunicorn settings fit for streamed replies (issue 16: chosen by bench/chat_concurrency.py and bench/mixed_load.py).

gevent workers: each request is a greenlet, so an open stream costs a few kB instead of a thread, and nothing
hands the interpreter lock around among a hundred threads. The conditions that make it safe:
- gevent patches the standard library in each worker before the app is imported (gunicorn does it in the
  worker's init_process, after `post_fork`); no app module is imported here or in the master (no preload).
- CPU-bound engines (llama.cpp, Whisper, Tesseract's page rendering, ReportLab, Piper, Argon2) run through
  assistant/offload.py, which uses gevent's real OS-thread pool under this worker.
- C libraries that talk to the network without Python sockets would block the loop: psycopg 3 (>= 3.1.14)
  waits through gevent on its own once `select` is patched, SQLite is a local file with short statements,
  and every HTTP client (urllib3 for Gemini chat, google-genai, openai) uses Python sockets. Nothing else needs
  patching; a library that does gets it here, in `post_worker_init` (which runs after the patch and the app
  import): httpcore2's check of idle connections gets the kernel's poll (a zero timeout, so it never blocks).
`python app.py` (Werkzeug, threads) runs the same code unpatched for development.
Start-up (bench/startup.py): the hooks below spare each worker about 0.35 s of CPU (gevent's plugin look-ups,
garbage collection while the app loads) without changing what is patched or loaded, or when.
"""
import gc
import os

bind = f"0.0.0.0:{os.environ.get('PORT', '5000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))  # about one per core; each idles at ~80 MB (bench/startup.py)
worker_class = "gevent"
# Simultaneous connections per worker (open streams included); past it the kernel queues new ones.
worker_connections = int(os.environ.get("GUNICORN_WORKER_CONNECTIONS", "1000"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "300"))  # a worker whose loop is stuck this long is restarted
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))  # in-flight requests finish on SIGTERM
keepalive = 5
# No access log: the app writes one JSON line per request itself (assistant/security.py), with the
# request id and the route, never a query string, a body or a key.
accesslog = None
forwarded_allow_ips = "*"


def on_starting(server):
    """In the master, before any fork: gevent's patch_all asks importlib.metadata for its plugins 25 times
    (once per patch event), and each ask reads every installed package's entry points (~130 of them):
    about 0.2 s of each worker's start. Installed packages do not change while the master runs (a new
    gevent plugin needs a restart, not a HUP), so the workers inherit one scan's answer; the same plugins
    are still called for the same events, and nothing is patched here (gevent.events patches nothing)."""
    if "gevent" not in server.cfg.worker_class_str:
        return
    from importlib import metadata

    from gevent import events

    every = metadata.entry_points()  # one scan; .select(group=...) filters it exactly as entry_points(group=...) does

    def notify_and_call_entry_points(event):
        events.notify(event)
        for plugin in every.select(group=event.ENTRY_POINT_NAME):
            plugin.load()(event)

    events.notify_and_call_entry_points = notify_and_call_entry_points


def post_fork(server, worker):
    """In the worker, before the patch and the app import: no cyclic garbage collection while ~160,000
    long-lived objects (modules, classes, tables, routes) are made; collecting them over and over costs
    about 0.14 s of each start, and only a few hundred short-lived objects of that time are garbage (a first
    start on an old schema migrates meanwhile: its garbage grows with the revisions, not the rows)."""
    gc.disable()


def post_worker_init(worker):
    """The app is loaded: what exists now lives as long as the worker, so the collector leaves it out
    (gc.freeze) and then runs as usual. Without the freeze its first pass would walk all of it."""
    kernel_poll_for_idle_connection_checks()
    gc.freeze()
    gc.enable()


def kernel_poll_for_idle_connection_checks():
    """httpcore2 (the HTTP client under google-genai and openai) checks every idle pooled connection for a close
    by the server with a zero-timeout select.poll(), each time a request enters or leaves the pool. gevent's
    poll goes through its loop: 18.6 us a check instead of 1.1 (measured on these machines), about 1 ms of worker
    CPU a chat at 200 streams (bench/chat_concurrency.py). A zero timeout never blocks, so the kernel's poll is
    right here; only that module gets it. Nothing to do where `select` is not gevent's (other worker classes)."""
    import select
    import sys
    import types

    monkey = sys.modules.get("gevent.monkey")
    if monkey is None or not monkey.is_module_patched("select"):
        return
    try:
        from httpcore2 import _utils
    except ImportError:  # a google-genai without httpcore2: nothing to adjust
        return
    _utils.select = types.SimpleNamespace(poll=monkey.get_original("select", "poll"), POLLIN=select.POLLIN,
                                          select=monkey.get_original("select", "select"))
