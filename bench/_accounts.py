"""Signing benches in the way people are: on a fresh database the administrator comes from
POST /api/auth/setup, other users from an invite and POST /api/auth/signup, and each client signs in
with POST /api/auth/login; every request then carries `Authorization: Bearer <token>`.

Benches name their rate-limit storage themselves (RATELIMIT_STORAGE_URI) and print it: the default,
`database://`, costs one database write per request.
"""
from __future__ import annotations

import httpx
from flask import Flask
from flask.testing import FlaskClient

PASSWORD = "bench password 1"
ADMIN = {"username": "admin", "password": PASSWORD}
DEFAULT_STORAGE = "database://"
LOOSE = "1000000/minute"  # no bench measures the limiter refusing anything


def limits(storage: str = DEFAULT_STORAGE) -> dict:
    """Settings (as keyword arguments) so that a bench's own traffic is never refused."""
    return {"ratelimit_storage_uri": storage, "rate_limit": LOOSE,
            "login_rate_limit_account": LOOSE, "login_rate_limit_ip": LOOSE}


def server_env(storage: str = DEFAULT_STORAGE) -> dict:
    """The same as environment variables, for a server process."""
    return {name.upper(): value for name, value in limits(storage).items()}


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


# --- a server over HTTP -------------------------------------------------------------------------
def admin_token(url: str) -> str:
    """Create the administrator (fresh database) or sign in as it (one already there); its session token."""
    auth = httpx.get(f"{url}/api/health", timeout=10).json()["auth"]
    route, status = ("setup", 201) if auth["setup_required"] else ("login", 200)
    response = httpx.post(f"{url}/api/auth/{route}", json=ADMIN, timeout=60)
    if response.status_code != status:
        raise RuntimeError(f"POST /api/auth/{route}: {response.status_code} {response.text[:300]}")
    return response.json()["token"]


def add_users(url: str, token: str, count: int, prefix: str = "bench-user") -> list[str]:
    """`count` users signed up with invites from the administrator; their usernames (password PASSWORD)."""
    names = []
    with httpx.Client(base_url=url, headers=bearer(token), timeout=60) as client:
        for i in range(count):
            invite = client.post("/api/admin/invites", json={})
            invite.raise_for_status()
            name = f"{prefix}-{i}"
            response = client.post("/api/auth/signup", json={"username": name, "password": PASSWORD,
                                                             "invite": invite.json()["code"]})
            if response.status_code != 201:
                raise RuntimeError(f"POST /api/auth/signup: {response.status_code} {response.text[:300]}")
            names.append(name)
    return names


# --- an app in this process ---------------------------------------------------------------------
def signed_in_client(app: Flask) -> tuple[FlaskClient, dict]:
    """A test client signed in as the administrator it creates with POST /api/auth/setup; (client, user)."""
    client = app.test_client()
    response = client.post("/api/auth/setup", json=ADMIN)
    if response.status_code != 201:
        raise RuntimeError(f"POST /api/auth/setup: {response.status_code} {response.get_data(as_text=True)[:300]}")
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {response.json['token']}"
    return client, response.json["user"]
