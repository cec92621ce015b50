"""What an administrator does to accounts: list, invite, change, disable, delete, reset a password."""
from flask import Blueprint, current_app

from .. import errors
from ..api import endpoint
from ..auth import accounts, current_user
from ..auth.schemas import AdminUser, AdminUserList, CodeOut, NewInvite, UserPatch
from ..db import get_db
from ..usage.store import DAY

bp = Blueprint("admin", __name__)
TAG = "admin"


def _today() -> int:
    now = int(current_app.extensions["usage"].clock())
    return now - now % DAY


@bp.get("/admin/users")
@endpoint(summary="Every account, with what it used today", tag=TAG, response=AdminUserList, access="admin")
def list_users():
    current_app.extensions["usage"].flush(timeout=1.0)  # today's counts include this process's latest
    return {"users": accounts.list_users(get_db(), _today())}


@bp.post("/admin/invites")
@endpoint(summary="Create a single-use invite code (the web app makes it a link)", tag=TAG, body=NewInvite,
          response=CodeOut, status=201, access="admin")
def create_invite(body: NewInvite):
    return accounts.create_invite(get_db(), current_user(), body), 201


@bp.patch("/admin/users/<user_id>")
@endpoint(summary="Disable or enable an account, change its role or its own daily limits", tag=TAG, body=UserPatch,
          response=AdminUser, access="admin", errors_=(errors.NotFound, errors.Conflict),
          description="The last administrator cannot be demoted or disabled (409). Disabling ends the account's "
          "sessions and API tokens at once.")
def update_user(user_id: str, body: UserPatch):
    return accounts.update_user(get_db(), user_id, body, _today())


@bp.delete("/admin/users/<user_id>")
@endpoint(summary="Delete an account with all its data", tag=TAG, status=204, access="admin",
          errors_=(errors.NotFound, errors.Conflict))
def delete_user(user_id: str):
    accounts.delete_user(get_db(), user_id)
    return "", 204


@bp.post("/admin/users/<user_id>/password-reset")
@endpoint(summary="A one-time password reset code for an account (never a password)", tag=TAG, response=CodeOut,
          status=201, access="admin", errors_=(errors.NotFound,))
def password_reset(user_id: str):
    return accounts.create_reset(get_db(), current_user(), user_id), 201
