"""Request and response shapes of the account and admin routes (they feed /api/openapi.json too)."""
from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, WithJsonSchema

from .passwords import MAX_LENGTH, MIN_LENGTH

USERNAME = re.compile(r"^[A-Za-z0-9._@+-]{3,64}$")
Role = Literal["admin", "user"]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _username(value: str) -> str:
    value = value.strip()
    if not USERNAME.fullmatch(value):
        raise ValueError("use 3 to 64 letters, digits or . _ @ + - (an email address is fine)")
    return value


def _password(value: str) -> str:
    if len(value) < MIN_LENGTH:
        raise ValueError(f"use at least {MIN_LENGTH} characters")
    if len(value) > MAX_LENGTH:
        raise ValueError(f"use at most {MAX_LENGTH} characters")
    return value


# Checked in words (a pattern means nothing to a person); the same rules stay in the OpenAPI document.
Username = Annotated[str, AfterValidator(_username), WithJsonSchema(
    {"type": "string", "pattern": USERNAME.pattern, "description": "3–64 characters: letters, digits, `. _ @ + -`; case-insensitive."})]
NewPassword = Annotated[str, AfterValidator(_password), WithJsonSchema(
    {"type": "string", "minLength": MIN_LENGTH, "maxLength": MAX_LENGTH, "description": f"At least {MIN_LENGTH} characters."})]


class Credentials(_In):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=MAX_LENGTH)


class NewAccount(_In):
    username: Username
    password: NewPassword


class SetupRequest(NewAccount):
    setup_code: str | None = Field(None, max_length=200, description="Required when the server has SETUP_CODE.")


class SignupRequest(NewAccount):
    invite: str | None = Field(None, max_length=200, description="The code from an invite link (SIGNUP=invite).")


class PasswordChange(_In):
    current_password: str = Field(min_length=1, max_length=MAX_LENGTH)
    new_password: NewPassword


class PasswordReset(_In):
    code: str = Field(min_length=1, max_length=200)
    new_password: NewPassword


class NewToken(_In):
    name: str = Field(min_length=1, max_length=100, description="What the token is for, e.g. `backup script`.")
    expires_in_days: int | None = Field(None, ge=1, le=3650, description="Omit for a token that does not expire.")


class NewInvite(_In):
    role: Role = Field("user", description="The role the new account gets.")
    expires_in_hours: int = Field(72, ge=1, le=24 * 90, description="How long the link works.")


class UserPatch(_In):
    disabled: bool | None = None
    role: Role | None = None
    daily_request_limit: int | None = Field(None, ge=0, le=10_000_000, description="Null: the server's DAILY_REQUEST_LIMIT.")
    daily_token_limit: int | None = Field(None, ge=0, le=10_000_000_000, description="Null: the server's DAILY_TOKEN_LIMIT.")


# --- responses ----------------------------------------------------------------------------------
class UserOut(BaseModel):
    id: str
    username: str
    role: Role
    created_at: datetime


class SignedIn(BaseModel):
    token: str = Field(description="A session token: send it as `Authorization: Bearer <token>`.")
    user: UserOut


class Me(BaseModel):
    user: UserOut


class TokenOut(BaseModel):
    id: str
    name: str | None
    prefix: str = Field(description="The token's first characters, to recognise it.")
    created_at: datetime
    last_used_at: datetime | None = Field(description="Null until the token is first used.")
    expires_at: datetime | None


class TokenList(BaseModel):
    tokens: list[TokenOut]


class TokenCreated(BaseModel):
    id: str
    name: str
    token: str = Field(description="The secret, shown this once (starts with `aia_`).")
    expires_at: datetime | None


class CodeOut(BaseModel):
    code: str = Field(description="Single-use; shown this once.")
    expires_at: datetime


class UsageToday(BaseModel):
    requests: int
    tokens: int


class AdminUser(UserOut):
    disabled: bool
    last_seen_at: datetime | None
    usage_today: UsageToday
    daily_request_limit: int | None
    daily_token_limit: int | None


class AdminUserList(BaseModel):
    users: list[AdminUser]


class AuthStatus(BaseModel):
    mode: Literal["accounts", "none"]
    setup_required: bool = Field(description="No administrator exists yet: only POST /api/auth/setup works.")
    setup_code_required: bool
    signup: Literal["invite", "open", "closed"]
