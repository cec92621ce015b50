"""gunicorn settings fit for streamed replies (issue 16: chosen by bench/chat_concurrency.py and bench/mixed_load.py).

gevent workers: each request is a greenlet, so an open stream costs a few kB instead of a thread, and nothing
hands the interpreter lock around among a hundred threads. The conditions that make it safe:
- gevent patches the standard library in each worker before the app is imported (gunicorn does it in the
  worker's init_process, after `post_fork`); no app module is imported here or in the master (no preload).
- CPU-bound engines (llama.cpp, Whisper, Tesseract's page rendering, ReportLab, Piper, Argon2) run through
  assistant/offload.py, which uses gevent's real OS-thread pool under this worker.
- C libraries that talk to the network without Python sockets would block the loop: psycopg 3 (>= 3.1.14)
  waits through gevent on its own once `select` is patched, SQLite is a local file with short statements,
  and every HTTP client (google-genai, openai) uses Python sockets. Nothing else needs patching; a library
  that does gets it here, in `post_worker_init` (which runs after the patch and the app import).
`python app.py` (Werkzeug, threads) runs the same code unpatched for development.
"""
import os

bind = f"0.0.0.0:{os.environ.get('PORT', '5000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))  # about one per core; each idles at ~75 MB (bench/startup.py)
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
