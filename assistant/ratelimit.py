"""Rate limits (Flask-Limiter) keyed by user when signed in, else by client IP, and the sign-in
throttle, both counted in storage that every worker and instance shares, so a configured limit is
the enforced one whatever their number.

Storage (RATELIMIT_STORAGE_URI): `database://` (the default) keeps the counters in the app's own
database, one atomic upsert per hit; `redis://…` for heavy traffic; `memory://` is exact only for
one process. The limiter runs after `auth.identify` (to know the user) and before `auth.require`,
so requests refused with 401 are counted too: guessing tokens is throttled per IP.
"""
from __future__ import annotations

import logging
import math
import time

from flask import Flask, current_app, request
from flask_limiter import Limiter
from limits import parse_many
from limits.storage import Storage
from sqlalchemy import bindparam, case, delete, select, text
from sqlalchemy.engine import Engine

from . import errors
from .auth import client_key
from .db import upsert
from .models import RateLimitWindow

log = logging.getLogger(__name__)

COUNTERS = RateLimitWindow.__table__


class DatabaseStorage(Storage):
    """Fixed-window counters in a table: `incr` is one INSERT … ON CONFLICT DO UPDATE … RETURNING, atomic
    on SQLite and PostgreSQL alike, so concurrent workers never overshoot a limit. Every method is one statement:
    the app hands it its autocommit engine (no BEGIN/COMMIT round trips around each)."""

    STORAGE_SCHEME = ["database"]
    PRUNE_EVERY = 2000  # hits between deletions of expired windows

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, engine: Engine | None = None, **options):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        if engine is None:
            raise ValueError("database:// rate-limit storage needs the app's engine")
        self.engine = engine
        self._hits = 0
        # built once: every request runs it, and building it cost more CPU than running it
        c, stmt = COUNTERS.c, upsert(engine, COUNTERS)
        expired, new = c.expires_at <= bindparam("now"), stmt.excluded
        self._incr = stmt.values(key=bindparam("key"), count=bindparam("amount"), expires_at=bindparam("expires")).on_conflict_do_update(
            index_elements=[c.key],
            set_={"count": case((expired, new.count), else_=c.count + new.count),
                  "expires_at": case((expired, new.expires_at), else_=c.expires_at)},
        ).returning(c.count)

    @property
    def base_exceptions(self):
        from sqlalchemy.exc import SQLAlchemyError

        return SQLAlchemyError

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()
        with self.engine.begin() as conn:
            count = conn.execute(self._incr, {"key": key, "amount": amount, "now": now, "expires": now + expiry}).scalar_one()
        self._hits += 1
        if self._hits % self.PRUNE_EVERY == 0:
            self._prune(now)
        return int(count)

    def get(self, key: str) -> int:
        with self.engine.connect() as conn:
            row = conn.execute(select(COUNTERS.c.count).where(COUNTERS.c.key == key, COUNTERS.c.expires_at > time.time())).first()
        return int(row[0]) if row else 0

    def get_expiry(self, key: str) -> float:
        with self.engine.connect() as conn:
            row = conn.execute(select(COUNTERS.c.expires_at).where(COUNTERS.c.key == key)).first()
        return float(row[0]) if row and row[0] > time.time() else time.time()

    def check(self) -> bool:
        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            return True
        except Exception:  # noqa: BLE001 - a health probe answers, never raises
            return False

    def reset(self) -> int | None:
        with self.engine.begin() as conn:
            return conn.execute(delete(COUNTERS)).rowcount

    def clear(self, key: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(COUNTERS).where(COUNTERS.c.key == key))

    def _prune(self, now: float) -> None:
        try:
            with self.engine.begin() as conn:
                conn.execute(delete(COUNTERS).where(COUNTERS.c.expires_at <= now))
        except Exception:  # noqa: BLE001 - pruning is housekeeping; the next round retries
            log.warning("could not prune expired rate-limit windows", exc_info=True)


def init_rate_limits(app: Flask) -> Limiter:
    settings = app.config["SETTINGS"]
    limiter = Limiter(
        # one budget per client across all routes, not one per route
        key_func=client_key, app=app, application_limits=[settings.rate_limit], storage_uri=settings.ratelimit_storage_uri,
        storage_options={"engine": app.extensions["database"].autocommit} if settings.ratelimit_storage_uri.startswith("database") else {},
        # no X-RateLimit-*/Retry-After on every response: Retry-After goes on 429s only (errors.py)
        headers_enabled=False, application_limits_exempt_when=lambda: request.path == "/api/health" or request.method == "OPTIONS",
        # a broken Redis must not take the API down: count in memory until it is back
        in_memory_fallback_enabled=True, swallow_errors=True,
    )
    app.extensions["rate_limiter"] = limiter
    app.extensions["login_limits"] = (parse_many(settings.login_rate_limit_account), parse_many(settings.login_rate_limit_ip))
    return limiter


class LoginThrottle:
    """Failed sign-ins per account and per client IP. Every attempt is counted *before* the password is
    checked (an atomic increment, so a burst of parallel guesses cannot all slip through) and given back
    when it succeeds: only failures stay counted. The windows pass: someone hammering an account slows
    it down for a while, never locks its owner out for good."""

    def __init__(self, username_key: str):
        self.keys = (f"signin/account/{username_key}", f"signin/ip/{client_key()}")

    def _pairs(self):
        per_account, per_ip = current_app.extensions["login_limits"]
        return [(limit, key) for limits_, key in zip((per_account, per_ip), self.keys) for limit in limits_]

    def attempt(self) -> None:
        """Count this attempt; 429 when it is one too many."""
        strategy = current_app.extensions["rate_limiter"].limiter
        try:
            for limit, key in self._pairs():
                if not strategy.hit(limit, key):
                    reset = strategy.get_window_stats(limit, key).reset_time
                    raise errors.RateLimited("Too many failed sign-ins. Please wait a while before trying again.",
                                             retry_after=max(1, math.ceil(reset - time.time())))
        except errors.ApiError:
            raise
        except Exception:  # noqa: BLE001 - storage down: the request limiter's fallback still applies
            log.warning("sign-in throttle storage unavailable", exc_info=True)

    def succeeded(self) -> None:
        """The password was right: give the attempt back (only failures count)."""
        strategy = current_app.extensions["rate_limiter"].limiter
        try:
            for limit, key in self._pairs():
                strategy.hit(limit, key, cost=-1)
        except Exception:  # noqa: BLE001
            log.warning("sign-in throttle storage unavailable", exc_info=True)
