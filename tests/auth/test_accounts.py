"""Accounts as a person meets them: the first administrator, invites, sign-in, sessions, API tokens,
passwords, and what an administrator can and cannot do. Through the HTTP routes only."""
import logging
import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from assistant.auth.passwords import DUMMY_HASH, HASHER
from assistant.models import AuthToken, Conversation, User, utcnow
from tests.accounts import PASSWORD, bearer, make_user
from tests.test_errors import assert_envelope

ADMIN = {"username": "Ada", "password": "a long admin password"}


@pytest.fixture
def fresh(make_app):
    """An app nobody has set up yet, and an anonymous client for it."""
    def build(**settings):
        app = make_app(**settings)
        return app, app.test_client(token=None)
    return build


def setup_admin(client, **extra):
    response = client.post("/api/auth/setup", json=ADMIN | extra)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["token"]


def test_first_run_only_health_docs_and_setup_answer(fresh):
    app, client = fresh()
    auth = client.get("/api/health").get_json()["auth"]
    assert auth == {"mode": "accounts", "setup_required": True, "setup_code_required": False, "signup": "invite"}
    assert client.get("/api/openapi.json").status_code == 200
    assert client.get("/api/docs/").status_code == 200
    assert_envelope(client.get("/api/conversations"), 401, "unauthorized")
    assert_envelope(client.post("/api/auth/login", json=ADMIN), 401, "invalid_credentials")
    assert_envelope(client.post("/api/auth/signup", json={"username": "eve", "password": "x" * 12}), 403, "signup_closed")
    token = setup_admin(client)
    assert client.get("/api/health").get_json()["auth"]["setup_required"] is False
    me = client.get("/api/auth/me", headers=bearer(token)).get_json()["user"]
    assert me["username"] == "Ada" and me["role"] == "admin"
    assert_envelope(client.post("/api/auth/setup", json={"username": "mallory", "password": "x" * 12}), 409, "conflict")


def test_setup_code_is_required_when_set(fresh):
    app, client = fresh(setup_code="let-me-in-please")
    assert client.get("/api/health").get_json()["auth"]["setup_code_required"] is True
    assert_envelope(client.post("/api/auth/setup", json=ADMIN), 403, "forbidden")
    assert_envelope(client.post("/api/auth/setup", json=ADMIN | {"setup_code": "guess"}), 403, "forbidden")
    setup_admin(client, setup_code="let-me-in-please")


def test_retired_access_token_is_only_the_setup_code(fresh):
    app, client = fresh(app_access_token="old-shared-token")
    assert client.get("/api/health").get_json()["auth"]["setup_code_required"] is True
    assert_envelope(client.get("/api/conversations", headers=bearer("old-shared-token")), 401, "unauthorized")
    assert_envelope(client.post("/api/auth/setup", json=ADMIN), 403, "forbidden")
    token = setup_admin(client, setup_code="old-shared-token")
    assert client.get("/api/conversations", headers=bearer(token)).status_code == 200
    assert_envelope(client.get("/api/conversations", headers=bearer("old-shared-token")), 401, "unauthorized")


def test_two_simultaneous_setups_make_one_administrator(fresh):
    app, client = fresh()
    codes = []

    def attempt(name):
        codes.append(app.test_client(token=None).post("/api/auth/setup", json={"username": name, "password": "x" * 12}).status_code)

    threads = [threading.Thread(target=attempt, args=(f"admin{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(codes) == [201, 409, 409, 409]
    with app.extensions["database"].session() as s:
        assert len(s.execute(select(User.id)).all()) == 1


def test_invites_are_single_use_and_expire(fresh):
    app, client = fresh()
    admin = bearer(setup_admin(client))
    invite = client.post("/api/admin/invites", headers=admin, json={"expires_in_hours": 1}).get_json()
    assert invite["code"].startswith("inv_")
    assert_envelope(client.post("/api/auth/signup", json={"username": "bob", "password": "bob's password"}), 403, "invalid_invite")
    assert_envelope(client.post("/api/auth/signup", json={"username": "bob", "password": "bob's password", "invite": "inv_nope"}),
                    403, "invalid_invite")
    # a sign-up that fails (name taken) leaves the invite unused
    assert_envelope(client.post("/api/auth/signup", json={"username": "ADA", "password": "bob's password", "invite": invite["code"]}),
                    409, "conflict")
    bob = client.post("/api/auth/signup", json={"username": "bob", "password": "bob's password", "invite": invite["code"]})
    assert bob.status_code == 201 and bob.get_json()["user"]["role"] == "user"
    assert_envelope(client.post("/api/auth/signup", json={"username": "bob2", "password": "bob's password", "invite": invite["code"]}),
                    403, "invalid_invite")
    old = client.post("/api/admin/invites", headers=admin, json={"role": "admin"}).get_json()
    with app.extensions["database"].session() as s:
        from assistant.models import AuthCode
        s.execute(update(AuthCode).values(expires_at=utcnow() - timedelta(seconds=1)))
    assert_envelope(client.post("/api/auth/signup", json={"username": "carol", "password": "carol's password", "invite": old["code"]}),
                    403, "invalid_invite")


def test_signup_modes(fresh):
    app, client = fresh(signup="open")
    setup_admin(client)
    assert client.get("/api/health").get_json()["auth"]["signup"] == "open"
    assert client.post("/api/auth/signup", json={"username": "Eve@example.com", "password": "eve's password"}).status_code == 201
    assert_envelope(client.post("/api/auth/signup", json={"username": "eve@EXAMPLE.com", "password": "eve's password"}), 409, "conflict")
    assert_envelope(client.post("/api/auth/signup", json={"username": "x", "password": "eve's password"}), 400, "invalid_request")
    assert_envelope(client.post("/api/auth/signup", json={"username": "frank", "password": "short"}), 400, "invalid_request")
    app2, closed = fresh(signup="closed", database_url=app.config["SETTINGS"].database_url)
    assert_envelope(closed.post("/api/auth/signup", json={"username": "gina", "password": "gina's password"}), 403, "signup_closed")


def test_login_logout_and_sessions(fresh):
    app, client = fresh()
    setup_admin(client)
    first = client.post("/api/auth/login", json={"username": "ada", "password": ADMIN["password"]})  # any case
    assert first.status_code == 200 and first.get_json()["token"].startswith("ais_")
    second = client.post("/api/auth/login", json=ADMIN).get_json()["token"]
    one, two = bearer(first.get_json()["token"]), bearer(second)
    assert client.post("/api/auth/logout", headers=one).status_code == 204
    assert_envelope(client.get("/api/auth/me", headers=one), 401, "unauthorized")
    assert client.get("/api/auth/me", headers=two).status_code == 200
    third = bearer(client.post("/api/auth/login", json=ADMIN).get_json()["token"])
    assert client.post("/api/auth/logout-all", headers=two).status_code == 204
    for headers in (two, third):
        assert_envelope(client.get("/api/auth/me", headers=headers), 401, "unauthorized")


def test_sessions_end_when_idle_or_old(fresh):
    app, client = fresh(session_idle_hours=1)
    idle = bearer(setup_admin(client))
    old = bearer(client.post("/api/auth/login", json=ADMIN).get_json()["token"])
    fresh_one = bearer(client.post("/api/auth/login", json=ADMIN).get_json()["token"])
    with app.extensions["database"].session() as s:
        tokens = s.execute(select(AuthToken.id).order_by(AuthToken.created_at)).scalars().all()
        s.execute(update(AuthToken).where(AuthToken.id == tokens[0]).values(last_used_at=utcnow() - timedelta(hours=2)))
        s.execute(update(AuthToken).where(AuthToken.id == tokens[1]).values(expires_at=utcnow() - timedelta(seconds=1)))
    for headers in (idle, old):
        response = client.get("/api/auth/me", headers=headers)
        assert_envelope(response, 401, "unauthorized")
        assert "ended" in response.get_json()["error"]["message"]
    assert client.get("/api/auth/me", headers=fresh_one).status_code == 200


def test_password_change_ends_other_sessions(fresh):
    app, client = fresh()
    here = bearer(setup_admin(client))
    elsewhere = bearer(client.post("/api/auth/login", json=ADMIN).get_json()["token"])
    assert_envelope(client.post("/api/auth/password", headers=here,
                                json={"current_password": "wrong one!", "new_password": "a brand new password"}),
                    401, "invalid_credentials")
    assert client.post("/api/auth/password", headers=here,
                       json={"current_password": ADMIN["password"], "new_password": "a brand new password"}).status_code == 204
    assert client.get("/api/auth/me", headers=here).status_code == 200
    assert_envelope(client.get("/api/auth/me", headers=elsewhere), 401, "unauthorized")
    assert_envelope(client.post("/api/auth/login", json=ADMIN), 401, "invalid_credentials")
    assert client.post("/api/auth/login", json=ADMIN | {"password": "a brand new password"}).status_code == 200


def test_api_tokens(fresh):
    app, client = fresh()
    admin = bearer(setup_admin(client))
    created = client.post("/api/auth/tokens", headers=admin, json={"name": "backup", "expires_in_days": 30})
    assert created.status_code == 201
    body = created.get_json()
    assert body["token"].startswith("aia_") and body["expires_at"]
    listed = client.get("/api/auth/tokens", headers=admin).get_json()["tokens"]
    assert [t["name"] for t in listed] == ["backup"] and listed[0]["prefix"] == body["token"][:8]
    assert body["token"] not in str(listed)  # the secret is shown once
    assert client.get("/api/conversations", headers=bearer(body["token"])).status_code == 200
    assert client.post("/api/auth/logout-all", headers=admin).status_code == 204  # sessions end, tokens stay
    assert client.get("/api/conversations", headers=bearer(body["token"])).status_code == 200
    tokens_ = bearer(body["token"])
    assert client.delete(f"/api/auth/tokens/{body['id']}", headers=tokens_).status_code == 204
    assert_envelope(client.get("/api/conversations", headers=tokens_), 401, "unauthorized")


def test_password_reset_by_a_one_time_code(fresh):
    app, client = fresh()
    admin = bearer(setup_admin(client))
    bob_id, bob = make_user(app, "bob")
    reset = client.post(f"/api/admin/users/{bob_id}/password-reset", headers=admin)
    assert reset.status_code == 201
    code = reset.get_json()["code"]
    assert "password" not in reset.get_json()
    assert client.post("/api/auth/reset", json={"code": code, "new_password": "bob's new password"}).status_code == 204
    assert_envelope(client.get("/api/auth/me", headers=bearer(bob)), 401, "unauthorized")  # sessions ended
    assert_envelope(client.post("/api/auth/reset", json={"code": code, "new_password": "again a password"}), 400, "invalid_request")
    assert client.post("/api/auth/login", json={"username": "bob", "password": "bob's new password"}).status_code == 200


def test_admin_disables_enables_changes_role_and_limits(fresh):
    app, client = fresh()
    admin = bearer(setup_admin(client))
    bob_id, bob = make_user(app, "bob")
    bob_api = client.post("/api/auth/tokens", headers=bearer(bob), json={"name": "script"}).get_json()["token"]
    users = client.get("/api/admin/users", headers=admin).get_json()["users"]
    assert [u["username"] for u in users] == ["Ada", "bob"]
    assert users[1]["usage_today"]["requests"] >= 0 and users[1]["disabled"] is False
    changed = client.patch(f"/api/admin/users/{bob_id}", headers=admin, json={"disabled": True, "daily_request_limit": 5})
    assert changed.status_code == 200 and changed.get_json()["disabled"] is True and changed.get_json()["daily_request_limit"] == 5
    for token in (bob, bob_api):  # at once, sessions and API tokens alike
        assert_envelope(client.get("/api/conversations", headers=bearer(token)), 401, "unauthorized")
    response = client.post("/api/auth/login", json={"username": "bob", "password": PASSWORD})
    assert_envelope(response, 401, "invalid_credentials")
    assert "disabled" in response.get_json()["error"]["message"]
    client.patch(f"/api/admin/users/{bob_id}", headers=admin, json={"disabled": False, "role": "admin"})
    bob = client.post("/api/auth/login", json={"username": "bob", "password": PASSWORD}).get_json()
    assert bob["user"]["role"] == "admin"
    assert_envelope(client.patch(f"/api/admin/users/{'0' * 32}", headers=admin, json={"disabled": True}), 404, "not_found")
    assert_envelope(client.patch(f"/api/admin/users/{bob_id}", headers=admin, json={"role": None}), 400, "invalid_request")


def test_the_last_administrator_cannot_be_removed(fresh):
    app, client = fresh()
    admin = bearer(setup_admin(client))
    me = client.get("/api/auth/me", headers=admin).get_json()["user"]["id"]
    for patch in ({"role": "user"}, {"disabled": True}):
        response = client.patch(f"/api/admin/users/{me}", headers=admin, json=patch)
        assert_envelope(response, 409, "conflict")
        assert "last administrator" in response.get_json()["error"]["message"]
    assert_envelope(client.delete(f"/api/admin/users/{me}", headers=admin), 409, "conflict")
    assert client.get("/api/auth/me", headers=admin).get_json()["user"]["role"] == "admin"


def test_deleting_a_user_deletes_their_data(fresh):
    app, client = fresh()
    admin = bearer(setup_admin(client))
    bob_id, bob = make_user(app, "bob")
    assert client.post("/api/chat", headers=bearer(bob), json={"message": "bob's secret"}).status_code == 200
    app.extensions["usage"].flush()
    assert client.delete(f"/api/admin/users/{bob_id}", headers=admin).status_code == 204
    assert_envelope(client.get("/api/conversations", headers=bearer(bob)), 401, "unauthorized")
    with app.extensions["database"].session() as s:
        assert s.execute(select(Conversation.id).where(Conversation.user_id == bob_id)).first() is None
    dashboard = client.get("/api/dashboard", headers=admin).get_json()
    assert bob_id not in str(dashboard)
    assert_envelope(client.delete(f"/api/admin/users/{bob_id}", headers=admin), 404, "not_found")


def test_admin_dashboard_has_everyone_users_see_themselves(fresh):
    app, client = fresh()
    admin = bearer(setup_admin(client))
    bob_id, bob = make_user(app, "bob")
    for _ in range(3):
        client.post("/api/chat", headers=bearer(bob), json={"message": "hi"})
    client.post("/api/chat", headers=admin, json={"message": "hello"})
    mine = client.get("/api/dashboard", headers=bearer(bob)).get_json()
    assert mine["scope"] == {"user_id": bob_id, "username": "bob"} and mine["users"] == []
    assert {f["feature"]: f["requests"] for f in mine["features"]}["chat"] == 3
    everyone = client.get("/api/dashboard", headers=admin).get_json()
    assert everyone["scope"]["user_id"] is None
    per_user = {u["username"]: u["requests"] for u in everyone["users"]}
    assert per_user["bob"] >= 3 and per_user["Ada"] >= 1
    one = client.get(f"/api/dashboard?user={bob_id}", headers=admin).get_json()
    assert one["scope"]["username"] == "bob" and one["totals"]["requests"] == mine["totals"]["requests"] + 1
    assert client.get(f"/api/dashboard?user={'0' * 32}", headers=bearer(bob)).status_code == 200  # ignored for users


def test_unknown_user_costs_the_same_as_a_wrong_password(fresh):
    app, client = fresh()
    setup_admin(client)
    assert not HASHER.check_needs_rehash(DUMMY_HASH)  # the dummy hash uses today's parameters

    def cpu(username):  # CPU time of this thread, which runs the request: steady on a busy machine
        started = time.thread_time()
        client.post("/api/auth/login", json={"username": username, "password": "not the password"})
        return time.thread_time() - started

    wrong = min(cpu("ada") for _ in range(4))
    unknown = min(cpu(f"nobody{i}") for i in range(4))
    assert 0.6 < unknown / wrong < 1.6, (wrong, unknown)


def test_passwords_and_tokens_never_reach_logs_or_responses(fresh, caplog):
    app, client = fresh(log_level="DEBUG")
    with caplog.at_level(logging.DEBUG):
        token = setup_admin(client)
        client.post("/api/auth/login", json={"username": "Ada", "password": "a wrong password here"})
        api = client.post("/api/auth/tokens", headers=bearer(token), json={"name": "n"}).get_json()["token"]
        client.get("/api/auth/me", headers=bearer(api))
    for secret in (ADMIN["password"], "a wrong password here", token, api):
        assert secret not in caplog.text
    with app.extensions["database"].session() as s:
        stored = s.execute(select(User.password_hash)).scalar()
        assert stored.startswith("$argon2id$") and ADMIN["password"] not in stored
        assert token not in str(s.execute(select(AuthToken.token_hash, AuthToken.prefix)).all())
    users = client.get("/api/admin/users", headers=bearer(token)).get_data(as_text=True)
    assert "argon2" not in users and "password_hash" not in users


def test_auth_mode_none_is_one_builtin_user(make_app, caplog):
    with caplog.at_level(logging.WARNING):
        app = make_app(auth_mode="none")
    assert "AUTH_MODE=none" in caplog.text
    client = app.test_client(token=None)
    assert client.get("/api/health").get_json()["auth"]["mode"] == "none"
    chat = client.post("/api/chat", json={"message": "no sign-in needed"})
    assert chat.status_code == 200
    assert len(client.get("/api/conversations").get_json()["conversations"]) == 1
    assert client.get("/api/auth/me").get_json()["user"]["username"] == "local"
    assert_envelope(client.post("/api/auth/setup", json=ADMIN), 409, "conflict")
    assert_envelope(client.post("/api/auth/login", json={"username": "local", "password": "anything at all"}),
                    401, "invalid_credentials")
