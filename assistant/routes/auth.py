"""Signing in and out, the first administrator, sign-up, passwords and personal API tokens."""
from flask import Blueprint, current_app

from .. import errors
from ..api import endpoint
from ..auth import current_user, tokens
from ..auth import accounts
from ..auth.schemas import (Credentials, Me, NewToken, PasswordChange, PasswordReset, SetupRequest, SignedIn,
                            SignupRequest, TokenCreated, TokenList)
from ..db import get_db
from ..ratelimit import LoginThrottle

bp = Blueprint("auth", __name__)
TAG = "accounts"


def _settings():
    return current_app.config["SETTINGS"]


def _signed_in(secret: str, user: dict, status: int = 200):
    return {"token": secret, "user": user}, status


@bp.post("/auth/setup")
@endpoint(summary="Create the first administrator (only while none exists)", tag=TAG, body=SetupRequest,
          response=SignedIn, status=201, access="public", errors_=(errors.Forbidden, errors.Conflict),
          description="When the server has SETUP_CODE, `setup_code` must match it (403 `forbidden` otherwise).")
def setup(body: SetupRequest):
    if _settings().auth_mode == "none":
        raise errors.Conflict("This server runs without accounts (AUTH_MODE=none).")
    return _signed_in(*accounts.setup(get_db(), _settings(), body), 201)


@bp.post("/auth/login")
@endpoint(summary="Sign in: a session token", tag=TAG, body=Credentials, response=SignedIn, access="public",
          errors_=(errors.InvalidCredentials, errors.RateLimited),
          description="Failed attempts are throttled per account and per client IP (429 with Retry-After).")
def login(body: Credentials):
    throttle = LoginThrottle(accounts.key_of(body.username))
    return _signed_in(*accounts.login(get_db(), _settings(), body.username, body.password, throttle))


@bp.post("/auth/signup")
@endpoint(summary="Create an account (SIGNUP=open, or with an invite)", tag=TAG, body=SignupRequest,
          response=SignedIn, status=201, access="public",
          errors_=(errors.SignupClosed, errors.InvalidInvite, errors.Conflict))
def signup(body: SignupRequest):
    return _signed_in(*accounts.signup(get_db(), _settings(), body), 201)


@bp.post("/auth/reset")
@endpoint(summary="Set a new password with a reset code from an administrator", tag=TAG, body=PasswordReset,
          status=204, access="public")
def reset(body: PasswordReset):
    accounts.reset_password(get_db(), body)
    return "", 204


@bp.post("/auth/logout")
@endpoint(summary="Sign out: end this session", tag=TAG, status=204,
          description="Called with a personal API token it does nothing: tokens are revoked with DELETE /api/auth/tokens/{id}.")
def logout():
    user = current_user()
    if user.kind == tokens.SESSION:
        with get_db().session() as s:
            tokens.end_one(s, user.token_id)
    return "", 204


@bp.post("/auth/logout-all")
@endpoint(summary="Sign out everywhere: end every session of this account", tag=TAG, status=204)
def logout_all():
    with get_db().session() as s:
        tokens.end(s, current_user().user_id)
    return "", 204


@bp.get("/auth/me")
@endpoint(summary="The signed-in user", tag=TAG, response=Me)
def me():
    user = current_user()
    with get_db().session() as s:
        row = s.execute(accounts.select_user(user.user_id)).one()
    return {"user": accounts.user_out(row)}


@bp.post("/auth/password")
@endpoint(summary="Change the password (every other session ends)", tag=TAG, body=PasswordChange, status=204,
          errors_=(errors.InvalidCredentials, errors.RateLimited))
def change_password(body: PasswordChange):
    user = current_user()
    accounts.change_password(get_db(), user, body, LoginThrottle(f"id:{user.user_id}"))
    return "", 204


@bp.get("/auth/tokens")
@endpoint(summary="Personal API tokens (without their secrets)", tag=TAG, response=TokenList)
def list_tokens():
    with get_db().session() as s:
        return {"tokens": tokens.list_api_tokens(s, current_user().user_id)}


@bp.post("/auth/tokens")
@endpoint(summary="Create a personal API token (its secret is shown once)", tag=TAG, body=NewToken,
          response=TokenCreated, status=201)
def create_token(body: NewToken):
    expires_at = tokens.days_from_now(body.expires_in_days)
    with get_db().session() as s:
        token_id, secret = tokens.issue(s, current_user().user_id, tokens.API, expires_at=expires_at, name=body.name)
    return {"id": token_id, "name": body.name, "token": secret, "expires_at": expires_at}, 201


@bp.delete("/auth/tokens/<token_id>")
@endpoint(summary="Revoke a personal API token", tag=TAG, status=204, errors_=(errors.NotFound,))
def revoke_token(token_id: str):
    with get_db().session() as s:
        tokens.revoke_api_token(s, current_user().user_id, token_id)
    return "", 204
