"""Response shape of GET /api/dashboard (documented in /api/openapi.json)."""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class Counts(BaseModel):
    requests: int
    errors: int = Field(description="Requests that ended with an error code (HTTP errors, and streams that ended in an `error` event).")
    input_tokens: int
    output_tokens: int


class Totals(Counts):
    bytes_in: int
    error_rate: float
    estimated_cost_usd: float = Field(description="From the USAGE_PRICES table; unpriced models are not included.")


class FeatureUsage(Counts):
    feature: str = Field(description="First path segment after /api: chat, upload, image, voice, export, conversations, …")
    bytes_in: int
    avg_latency_ms: float | None
    p50_latency_ms: int | None = Field(description="Median latency; exact below 100 ms, at most 5% high above.")
    p95_latency_ms: int | None


class SeriesPoint(Counts):
    start: str = Field(description="Start of the hour (24h) or UTC day (7d, 30d); empty buckets are included.")
    avg_latency_ms: float | None


class ErrorCount(BaseModel):
    code: str
    count: int


class ModelUsage(BaseModel):
    engine: str
    model: str
    requests: int
    input_tokens: int
    output_tokens: int
    estimated_cost_usd: float | None = Field(description="None when the model has no price in USAGE_PRICES; 0 for local engines.")


class Activity(BaseModel):
    at: str
    feature: str
    method: str
    status: int
    error_code: str | None
    engine: str | None
    model: str | None
    latency_ms: int
    input_tokens: int | None
    output_tokens: int | None


class QuotaLine(BaseModel):
    used: int
    limit: int | None = Field(description="None: no limit configured.")
    remaining: int | None


class Quota(BaseModel):
    requests: QuotaLine
    tokens: QuotaLine
    resets_at: str = Field(description="Next 00:00 UTC.")


class DatabaseStatus(BaseModel):
    status: Literal["ok", "unavailable"]
    dialect: str
    ping_ms: float | None


class ServerStatus(BaseModel):
    pid: int
    cpu_percent: float
    memory_rss_bytes: int
    memory_percent: float
    threads: int
    uptime_seconds: float
    database: DatabaseStatus


class UserUsage(BaseModel):
    user_id: str | None = Field(description="Null for requests nobody was signed in for.")
    username: str
    requests: int
    errors: int
    input_tokens: int
    output_tokens: int


class Scope(BaseModel):
    user_id: str | None = Field(description="Whose usage this is; null: everyone's (administrators).")
    username: str | None


class DashboardOut(BaseModel):
    range: Literal["24h", "7d", "30d"]
    bucket: Literal["hour", "day"]
    from_: str = Field(alias="from")
    to: str
    totals: Totals
    features: list[FeatureUsage]
    series: list[SeriesPoint]
    errors: list[ErrorCount]
    models: list[ModelUsage]
    unpriced_models: list[str]
    recent: list[Activity] = Field(description="The last 20 requests, newest first.")
    quota: Quota = Field(description="The caller's own use today.")
    scope: Scope
    users: list[UserUsage] = Field(description="Everyone's view only: usage per user, most requests first.")
    server: ServerStatus
