"""One JSON error envelope for every failure: `{"error": {"code", "message"}}` with the right status.

Routes and services raise `ApiError` subclasses; `register_error_handlers` turns them, Werkzeug's
HTTP errors (404, 405, 413, …) and anything unexpected into the envelope. Never HTML, never a traceback.
"""
from __future__ import annotations

import logging
import math
import time

from flask import Flask, current_app, jsonify
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)


class ApiError(Exception):
    status = 500
    code = "internal_error"
    message = "Something went wrong on our side. Please try again."

    def __init__(self, message: str | None = None, *, retry_after: int | None = None, details: object = None):
        super().__init__(message or self.message)
        self.message = message or self.message
        self.retry_after = retry_after
        self.details = details
        self.headers: dict[str, str] = {}

    def to_dict(self) -> dict:
        body: dict = {"code": self.code, "message": self.message}
        if self.details is not None:
            body["details"] = self.details
        return {"error": body}


def _error(status: int, code: str, message: str) -> type[ApiError]:
    return type(code.title().replace("_", ""), (ApiError,), {"status": status, "code": code, "message": message})


InvalidRequest = _error(400, "invalid_request", "The request is not valid.")
Unauthorized = _error(401, "unauthorized", "Please sign in.")
InvalidCredentials = _error(401, "invalid_credentials", "The username or password is not right.")
Forbidden = _error(403, "forbidden", "You are not allowed to do this.")
SignupClosed = _error(403, "signup_closed", "This server does not accept new accounts.")
InvalidInvite = _error(403, "invalid_invite", "This invite link is not valid: it may have expired or been used already.")
NotFound = _error(404, "not_found", "Nothing was found at this address.")
MethodNotAllowed = _error(405, "method_not_allowed", "This method is not allowed here.")
Conflict = _error(409, "conflict", "This conflicts with what already exists.")
PayloadTooLarge = _error(413, "payload_too_large", "The upload is larger than this server accepts.")
UnsupportedMediaType = _error(415, "unsupported_media_type", "This type of content is not supported here.")
UnprocessableFile = _error(422, "unprocessable_file", "The file could not be read.")
ContentBlocked = _error(422, "content_blocked", "The model's safety filter refused this request.")
RateLimited = _error(429, "rate_limited", "Too many requests. Please wait a moment and try again.")
QuotaExceeded = _error(429, "quota_exceeded", "The daily quota is used up.")
InternalError = _error(500, "internal_error", ApiError.message)
UpstreamError = _error(502, "upstream_error", "The AI service returned an error. Please try again.")
CapabilityUnavailable = _error(503, "capability_unavailable", "This feature is not available on this server.")
EngineBusy = _error(503, "engine_busy", "The engine is busy with another request. Please try again shortly.")
UpstreamTimeout = _error(504, "upstream_timeout", "The AI service took too long to answer.")

ALL_ERRORS: tuple[type[ApiError], ...] = (
    InvalidRequest, Unauthorized, InvalidCredentials, Forbidden, SignupClosed, InvalidInvite, NotFound, MethodNotAllowed,
    Conflict, PayloadTooLarge, UnsupportedMediaType,
    UnprocessableFile, ContentBlocked, RateLimited, QuotaExceeded, InternalError, UpstreamError,
    CapabilityUnavailable, EngineBusy, UpstreamTimeout,
)
_BY_STATUS = {cls.status: cls for cls in reversed(ALL_ERRORS)}  # first listed wins for a shared status


def error_response(err: ApiError):
    response = jsonify(err.to_dict())
    response.status_code = err.status
    if err.retry_after is not None:
        response.headers["Retry-After"] = str(max(1, int(err.retry_after)))
    response.headers.update(err.headers)
    return response


def from_http_exception(exc: HTTPException) -> ApiError:
    cls = _BY_STATUS.get(exc.code or 500)
    if cls is None:
        cls = InvalidRequest if (exc.code or 500) < 500 else InternalError
    message, retry_after = cls.message, None
    if exc.code == 429:  # from Flask-Limiter: say the limit ("600 per 1 minute") and when it resets
        message = f"Too many requests (limit: {exc.description}). Please wait a moment and try again."
        limiter = current_app.extensions.get("rate_limiter")
        current = limiter.current_limit if limiter else None
        retry_after = max(1, math.ceil(current.reset_at - time.time())) if current else 60
    if exc.code == 413:
        message = f"The upload is larger than this server accepts (MAX_UPLOAD_MB = {current_app.config['SETTINGS'].max_upload_mb} MB)."
    return cls(message, retry_after=retry_after)


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def _api_error(err: ApiError):
        return error_response(err)

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        response = error_response(from_http_exception(exc))
        if exc.code == 405 and getattr(exc, "valid_methods", None):
            response.headers["Allow"] = ", ".join(exc.valid_methods)
        return response

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        log.exception("unhandled error")
        return error_response(InternalError())
