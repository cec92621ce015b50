"""`GET /metrics`: Prometheus text format, from a registry owned by the app (not the global one, so
several apps in one process, as in tests, do not collide). Request metrics are fed by the usage
writer thread, off the request path. Each gunicorn worker exports its own counters (scrape per
worker or sum them); the dashboard, read from the database, is the cluster-wide view.
"""
from __future__ import annotations

import time

from flask import Blueprint, Response, current_app
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.process_collector import ProcessCollector

from .store import Event

bp = Blueprint("metrics", __name__)


class Metrics:
    def __init__(self, recorder, database):
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter("assistant_api_requests", "API requests by feature, HTTP status and error code.",
                                ["feature", "status", "code"], registry=self.registry)
        self.latency = Histogram("assistant_api_request_duration_seconds", "API request duration (to the end of a stream).",
                                 ["feature"], registry=self.registry,
                                 buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120))
        self.tokens = Counter("assistant_model_tokens", "Model tokens by engine, model and direction.",
                              ["engine", "model", "direction"], registry=self.registry)
        ProcessCollector(registry=self.registry)  # process_cpu_seconds_total, process_resident_memory_bytes, …
        self.registry.register(_RecorderCollector(recorder, database))

    def observe(self, events: list[Event]) -> None:
        for e in events:
            self.requests.labels(e.feature, str(e.status), e.error_code or "").inc()
            self.latency.labels(e.feature).observe(e.latency_ms / 1000)
            for direction, n in (("input", e.input_tokens), ("output", e.output_tokens)):
                if n:
                    self.tokens.labels(e.engine or "", e.model or "", direction).inc(n)


class _RecorderCollector:
    def __init__(self, recorder, database):
        self.recorder, self.database, self.started = recorder, database, time.time()

    def collect(self):
        yield GaugeMetricFamily("assistant_usage_queue_depth", "Usage events waiting to be written.", value=self.recorder.queued)
        yield CounterMetricFamily("assistant_usage_events_dropped", "Usage events dropped (queue full or database down).",
                                  value=self.recorder.dropped)
        yield CounterMetricFamily("assistant_usage_events_written", "Usage events written to the database.",
                                  value=self.recorder.written)
        yield GaugeMetricFamily("assistant_database_up", "1 when the database answers.", value=int(self.database.ping()))
        yield GaugeMetricFamily("assistant_uptime_seconds", "Seconds since this app started.", value=time.time() - self.started)

    def describe(self):
        return []  # collected on each scrape only


@bp.get("/metrics")
def metrics():  # scrapers send an admin's API token
    current_app.extensions["usage"].flush(timeout=1.0)  # what this process has served so far
    body = generate_latest(current_app.extensions["usage_metrics"].registry)
    return Response(body, content_type=CONTENT_TYPE_LATEST)


metrics.access = "admin"  # type: ignore[attr-defined]  # no `endpoint`: not part of the JSON API
