"""Accounts: creating the first administrator, signing in and up, passwords, and what an admin does
to accounts. Every function is given the acting user explicitly; none reads request globals.

Legacy rows (written before accounts existed) go to the first administrator, or to the built-in
user of AUTH_MODE=none, through `usage.store.claim_legacy` and the conversations' NULL owner.
"""
from __future__ import annotations

import hmac
import logging
from datetime import timedelta

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .. import conversations, errors
from ..config import Settings
from ..db import Database
from ..models import AuthCode, User, new_id, utcnow
from ..usage import store as usage_store
from . import passwords, tokens
from .identity import Principal
from .schemas import NewInvite, PasswordChange, PasswordReset, SetupRequest, SignupRequest, UserPatch

log = logging.getLogger(__name__)

USERS, CODES = User.__table__, AuthCode.__table__
BUILTIN_KEY = "#local"  # the AUTH_MODE=none user: "#" cannot appear in a username, so nobody can take it
SETUP_GUARD = "setup-done"  # a unique auth_codes row: two simultaneous setups cannot both succeed
USER_COLUMNS = (USERS.c.id, USERS.c.username, USERS.c.role, USERS.c.created_at)


def key_of(username: str) -> str:
    return username.strip().casefold()


def select_user(user_id: str):
    return select(*USER_COLUMNS).where(USERS.c.id == user_id)


def user_out(row) -> dict:
    return {"id": row.id, "username": row.username, "role": row.role, "created_at": row.created_at}


# --- state -------------------------------------------------------------------------------------
def setup_required(db: Database) -> bool:
    """True until an administrator who can sign in exists (then for good: the last one cannot go)."""
    with db.session() as s:
        return not _admin_exists(s)


def _admin_exists(s: Session) -> bool:
    return s.execute(select(USERS.c.id).where(USERS.c.role == "admin", USERS.c.password_hash != passwords.UNUSABLE)
                     .limit(1)).first() is not None


def builtin_principal(db: Database) -> Principal:
    """AUTH_MODE=none: the one built-in user (created on first start; it owns the legacy rows)."""
    with db.session() as s:
        row = s.execute(select(*USER_COLUMNS).where(USERS.c.username_key == BUILTIN_KEY)).first()
        if row is None:
            user_id = new_id()
            s.execute(insert(USERS).values(id=user_id, username="local", username_key=BUILTIN_KEY, role="admin",
                                           password_hash=passwords.UNUSABLE, disabled=False, created_at=utcnow()))
        else:
            user_id = row.id
        _claim_legacy(s, user_id)
    return Principal(user_id, "local", "admin", None, "builtin")


def _claim_legacy(s: Session, user_id: str) -> None:
    conversations.claim_unowned(s, user_id)
    usage_store.claim_legacy(s, user_id)


# --- signing in and up ---------------------------------------------------------------------------
def setup(db: Database, settings: Settings, body: SetupRequest) -> tuple[str, dict]:
    """Create the first administrator (only while none exists); returns (session secret, user)."""
    if not setup_required(db):
        raise errors.Conflict("The administrator account exists already. Please sign in.")
    code = settings.effective_setup_code
    if code is not None and not hmac.compare_digest((body.setup_code or "").encode(), code.get_secret_value().encode()):
        raise errors.Forbidden("The setup code is missing or wrong. It is the SETUP_CODE set on the server "
                               "(on Render: the API service's Environment page).")
    password_hash = passwords.hash_password(body.password)
    now = utcnow()
    try:
        with db.session() as s:
            if _admin_exists(s):
                raise errors.Conflict("The administrator account exists already. Please sign in.")
            s.execute(insert(CODES).values(id=new_id(), kind="setup", code_hash=SETUP_GUARD, created_at=now, expires_at=now))
            builtin = s.execute(select(USERS.c.id).where(USERS.c.username_key == BUILTIN_KEY)).scalar()
            values = dict(username=body.username, username_key=key_of(body.username), password_hash=password_hash,
                          role="admin", disabled=False, last_seen_at=now)
            if builtin:  # a laptop that ran with AUTH_MODE=none: its history becomes the administrator's
                user_id = builtin
                s.execute(update(USERS).where(USERS.c.id == user_id).values(**values))
            else:
                user_id = new_id()
                s.execute(insert(USERS).values(id=user_id, created_at=now, **values))
            _claim_legacy(s, user_id)
            _, secret = tokens.issue(s, user_id, tokens.SESSION, expires_at=tokens.session_expiry(settings))
            user = s.execute(select(*USER_COLUMNS).where(USERS.c.id == user_id)).one()
    except IntegrityError:
        raise errors.Conflict("The administrator account exists already. Please sign in.") from None
    log.info("administrator account created")
    return secret, user_out(user)


def login(db: Database, settings: Settings, username: str, password: str, throttle) -> tuple[str, dict]:
    throttle.attempt()
    with db.session() as s:
        row = s.execute(select(*USER_COLUMNS, USERS.c.password_hash, USERS.c.disabled)
                        .where(USERS.c.username_key == key_of(username))).first()
    if not passwords.verify(row.password_hash if row else None, password):
        raise errors.InvalidCredentials("The username or password is not right.")
    throttle.succeeded()
    if row.disabled:
        raise errors.InvalidCredentials("This account is disabled. Ask an administrator to enable it.")
    with db.session() as s:
        if passwords.needs_rehash(row.password_hash):  # parameters raised since it was set
            s.execute(update(USERS).where(USERS.c.id == row.id).values(password_hash=passwords.hash_password(password)))
        s.execute(update(USERS).where(USERS.c.id == row.id).values(last_seen_at=utcnow()))
        _, secret = tokens.issue(s, row.id, tokens.SESSION, expires_at=tokens.session_expiry(settings))
    return secret, user_out(row)


def signup(db: Database, settings: Settings, body: SignupRequest) -> tuple[str, dict]:
    if settings.signup == "closed":
        raise errors.SignupClosed("This server does not accept new accounts. Ask its administrator.")
    if setup_required(db):
        raise errors.SignupClosed("This server has no administrator yet: create that account first.")
    if settings.signup == "invite" and not body.invite:
        raise errors.InvalidInvite("New accounts need an invite link from an administrator.")
    password_hash = passwords.hash_password(body.password)
    now = utcnow()
    try:
        with db.session() as s:
            role = "user"
            if body.invite:  # used up in the same transaction: a failed sign-up leaves it unused
                role = _consume(s, "invite", body.invite)["role"] or "user"
            user_id = new_id()
            s.execute(insert(USERS).values(id=user_id, username=body.username, username_key=key_of(body.username),
                                           password_hash=password_hash, role=role, disabled=False, created_at=now,
                                           last_seen_at=now))
            _, secret = tokens.issue(s, user_id, tokens.SESSION, expires_at=tokens.session_expiry(settings))
            user = s.execute(select(*USER_COLUMNS).where(USERS.c.id == user_id)).one()
    except IntegrityError:
        raise errors.Conflict("This username is taken. Please choose another.") from None
    return secret, user_out(user)


def _consume(s: Session, kind: str, code: str) -> dict:
    """Use up a single-use code atomically; InvalidInvite (or NotFound-like 403) when unknown, used or expired."""
    now = utcnow()
    row = s.execute(update(CODES).where(CODES.c.code_hash == tokens.digest(code), CODES.c.kind == kind,
                                        CODES.c.used_at.is_(None), CODES.c.expires_at > now)
                    .values(used_at=now).returning(CODES.c.role, CODES.c.user_id)).first()
    if row is None:
        if kind == "invite":
            raise errors.InvalidInvite("This invite link is not valid: it may have expired or been used already.")
        raise errors.InvalidRequest("This reset link is not valid: it may have expired or been used already.")
    return dict(row._mapping)


def change_password(db: Database, user: Principal, body: PasswordChange, throttle) -> None:
    throttle.attempt()
    with db.session() as s:
        stored = s.execute(select(USERS.c.password_hash).where(USERS.c.id == user.user_id)).scalar()
    if not passwords.verify(stored, body.current_password):
        raise errors.InvalidCredentials("The current password is not right.")
    throttle.succeeded()
    new_hash = passwords.hash_password(body.new_password)
    with db.session() as s:
        s.execute(update(USERS).where(USERS.c.id == user.user_id).values(password_hash=new_hash))
        tokens.end(s, user.user_id, keep=user.token_id)  # every other session ends


def reset_password(db: Database, body: PasswordReset) -> None:
    new_hash = passwords.hash_password(body.new_password)
    with db.session() as s:
        user_id = _consume(s, "reset", body.code)["user_id"]
        s.execute(update(USERS).where(USERS.c.id == user_id).values(password_hash=new_hash))
        tokens.end(s, user_id)


# --- administration ------------------------------------------------------------------------------
def _new_code(s: Session, admin: Principal, kind: str, hours: int, *, role: str | None = None,
              user_id: str | None = None) -> dict:
    secret, now = tokens.new_secret(kind), utcnow()
    expires_at = now + timedelta(hours=hours)
    s.execute(insert(CODES).values(id=new_id(), kind=kind, code_hash=tokens.digest(secret), role=role, user_id=user_id,
                                   created_by=admin.user_id, created_at=now, expires_at=expires_at))
    return {"code": secret, "expires_at": expires_at}


def create_invite(db: Database, admin: Principal, body: NewInvite) -> dict:
    with db.session() as s:
        return _new_code(s, admin, "invite", body.expires_in_hours, role=body.role)


RESET_HOURS = 24


def create_reset(db: Database, admin: Principal, user_id: str) -> dict:
    with db.session() as s:
        _get(s, user_id)
        return _new_code(s, admin, "reset", RESET_HOURS, user_id=user_id)


ADMIN_COLUMNS = (*USER_COLUMNS, USERS.c.disabled, USERS.c.last_seen_at, USERS.c.daily_request_limit,
                 USERS.c.daily_token_limit)


def _get(s: Session, user_id: str, *, lock: bool = False):
    stmt = select(*ADMIN_COLUMNS).where(USERS.c.id == user_id, USERS.c.username_key != BUILTIN_KEY)
    row = s.execute(stmt.with_for_update() if lock else stmt).first()
    if row is None:
        raise errors.NotFound("There is no such user.")
    return row


def _admin_out(row, today: dict[str, tuple[int, int]]) -> dict:
    requests, tokens_ = today.get(row.id, (0, 0))
    return {**user_out(row), "disabled": row.disabled, "last_seen_at": row.last_seen_at,
            "usage_today": {"requests": requests, "tokens": tokens_},
            "daily_request_limit": row.daily_request_limit, "daily_token_limit": row.daily_token_limit}


def list_users(db: Database, day: int) -> list[dict]:
    with db.session() as s:
        rows = s.execute(select(*ADMIN_COLUMNS).where(USERS.c.username_key != BUILTIN_KEY)
                         .order_by(USERS.c.created_at)).all()
        today = usage_store.users_day(s, day, [r.id for r in rows])
    return [_admin_out(r, today) for r in rows]


def _ensure_an_admin_remains(s: Session) -> None:
    left = s.execute(select(func.count()).select_from(USERS).where(
        USERS.c.role == "admin", USERS.c.disabled.is_(False), USERS.c.password_hash != passwords.UNUSABLE)).scalar()
    if not left:
        raise errors.Conflict("This is the last administrator: make someone else an administrator first.")


def update_user(db: Database, user_id: str, patch: UserPatch, day: int) -> dict:
    changes = patch.model_dump(exclude_unset=True)
    for field in ("disabled", "role"):
        if field in changes and changes[field] is None:
            raise errors.InvalidRequest(f"{field}: must not be null.")
    with db.session() as s:
        s.execute(select(USERS.c.id).where(USERS.c.role == "admin").with_for_update()).all()  # admins change one at a time
        _get(s, user_id, lock=True)
        if changes:
            s.execute(update(USERS).where(USERS.c.id == user_id).values(**changes))
            _ensure_an_admin_remains(s)
        if changes.get("disabled"):
            tokens.end(s, user_id, kinds=(tokens.SESSION, tokens.API))  # at once, not at their next expiry
        row = _get(s, user_id)
        today = usage_store.users_day(s, day, [user_id])
    return _admin_out(row, today)


def delete_user(db: Database, user_id: str) -> None:
    """The user and everything they own: conversations and messages (cascade), tokens, codes, usage."""
    with db.session() as s:
        s.execute(select(USERS.c.id).where(USERS.c.role == "admin").with_for_update()).all()
        _get(s, user_id, lock=True)
        usage_store.delete_user(s, user_id)
        conversations.delete_all_of(s, user_id)
        s.execute(delete(USERS).where(USERS.c.id == user_id))
        _ensure_an_admin_remains(s)
