"""gunicorn settings fit for streamed replies.

The default sync worker serves one request at a time and kills a stream after 30 s; gthread keeps
each worker's threads serving while others stream, and the worker heartbeat stays alive meanwhile.
"""
import os

bind = f"0.0.0.0:{os.environ.get('PORT', '5000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "gthread"
# Each open stream holds a thread; idle threads cost little memory. 2 workers x 100 = 200 streams.
threads = int(os.environ.get("GUNICORN_THREADS", "100"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "300"))  # a worker silent this long is restarted
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))  # in-flight requests finish on SIGTERM
keepalive = 5
# No access log: the app writes one JSON line per request itself (assistant/security.py), with the
# request id and the route, never a query string, a body or a key.
accesslog = None
forwarded_allow_ips = "*"
