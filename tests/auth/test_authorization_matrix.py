"""The authorization matrix, built from /api/openapi.json so that a new route cannot escape it:
every operation is called with no credentials, a revoked API token, an expired session and a
disabled user's session (401 unless documented public), by a non-admin when admin-only (403), and
by user B with user A's ids (404, and A's data untouched). A route that is in none of the tables
below fails the test until someone decides how it is checked."""
import io
from datetime import timedelta

import pytest
from sqlalchemy import update

from assistant.models import AuthToken, utcnow
from tests.accounts import bearer, make_user

# Path parameters: which of user A's resources each one names.
PATH_IDS = {"conversation_id": "conversation", "token_id": "api_token", "user_id": "user", "share_id": "share",
            "attachment_id": "attachment"}
# Operations that carry someone's id in their JSON body: the body user B sends with A's id.
BODY_IDS = {
    ("post", "/api/chat"): lambda a: {"message": "hello", "conversation_id": a["conversation"]},
    ("post", "/api/export/pdf"): lambda a: {"conversation_id": a["conversation"]},
}
# Bodies for operations that name A's resource in the path and need a valid body to reach the lookup.
PATH_BODIES = {("patch", "/api/conversations/{conversation_id}"): {"title": "renamed by bob"}}
# Operations that list the caller's own data: A's ids must not appear in what B gets.
LISTS = {("get", "/api/conversations"), ("get", "/api/auth/tokens"), ("get", "/api/dashboard"), ("get", "/api/shares")}
# Operations that read or change no one else's data (the caller's own account, or a stateless feature).
OWN_ONLY = {
    ("get", "/api/health"), ("get", "/api/openapi.json"), ("post", "/api/auth/setup"), ("post", "/api/auth/login"),
    ("post", "/api/auth/signup"), ("post", "/api/auth/reset"), ("post", "/api/auth/logout"),
    ("post", "/api/auth/logout-all"), ("get", "/api/auth/me"), ("post", "/api/auth/password"),
    ("post", "/api/auth/tokens"), ("post", "/api/upload"), ("post", "/api/image/generate"),
    ("post", "/api/voice/transcribe"), ("get", "/api/admin/users"), ("post", "/api/admin/invites"), ("get", "/api/models"),
    ("post", "/api/speech"), ("post", "/api/attachments"),
}
PUBLIC = {("get", "/api/health"), ("get", "/api/openapi.json"), ("post", "/api/auth/setup"), ("post", "/api/auth/login"),
          ("post", "/api/auth/signup"), ("post", "/api/auth/reset"),
          ("get", "/api/shared/{share_id}")}  # a share link: public by its secret id, by design


@pytest.fixture
def world(make_app, db_url):
    app = make_app(database_url=db_url)
    admin = app.test_client()  # signed in as the administrator
    a_id, a_token = make_user(app, "alice")
    b_id, b_token = make_user(app, "bob")
    c_id, c_token = make_user(app, "carol")
    a = app.test_client(token=a_token)
    chat = a.post("/api/chat", json={"message": "alice's private question"})
    assert chat.status_code == 200
    api = a.post("/api/auth/tokens", json={"name": "alice's script"}).get_json()
    revoked = a.post("/api/auth/tokens", json={"name": "revoked"}).get_json()
    assert a.delete(f"/api/auth/tokens/{revoked['id']}").status_code == 204
    d_id, expired = make_user(app, "dave")
    with app.extensions["database"].session() as s:
        s.execute(update(AuthToken).where(AuthToken.user_id == d_id).values(expires_at=utcnow() - timedelta(seconds=1)))
    assert admin.patch(f"/api/admin/users/{c_id}", json={"disabled": True}).status_code == 200
    conversation = chat.get_json()["conversation_id"]
    shared = a.post(f"/api/conversations/{conversation}/share", json={}).get_json()["id"]
    attached = a.post("/api/attachments", data={"file": (io.BytesIO(b"alice's notes"), "notes.txt")})
    assert attached.status_code == 201
    ids = {"conversation": conversation, "api_token": api["id"], "user": a_id, "share": shared,
           "attachment": attached.get_json()["attachment"]["id"]}
    return dict(app=app, a=a, b=app.test_client(token=b_token), anonymous=app.test_client(token=None), ids=ids,
                bad_tokens={"revoked API token": revoked["token"], "expired session": expired, "disabled user": c_token})


def operations(client):
    spec = client.get("/api/openapi.json").get_json()
    for path, methods in spec["paths"].items():
        for method, op in methods.items():
            yield method, path, op


def fill(path: str, ids: dict) -> str:
    for param, kind in PATH_IDS.items():
        path = path.replace("{" + param + "}", ids[kind])
    assert "{" not in path, f"{path}: a path parameter the matrix does not know; add it to PATH_IDS"
    return path


def test_every_operation_is_classified(world):
    for method, path, op in operations(world["anonymous"]):
        key = (method, path)
        covered = "{" in path or key in BODY_IDS or key in LISTS or key in OWN_ONLY
        assert covered, f"{method.upper()} {path} is not in the authorization matrix: say how it is checked"
        assert (op.get("security") == []) == (key in PUBLIC), f"{method.upper()} {path}: public or not?"


def test_no_credentials_and_dead_credentials_are_401(world):
    for method, path, op in operations(world["anonymous"]):
        if op.get("security") == []:
            continue
        url = fill(path, world["ids"])
        response = world["anonymous"].open(url, method=method.upper())
        assert response.status_code == 401, f"{method.upper()} {path} without credentials: {response.status_code}"
        assert response.get_json()["error"]["code"] == "unauthorized"
        for what, token in world["bad_tokens"].items():
            response = world["anonymous"].open(url, method=method.upper(), headers=bearer(token))
            assert response.status_code == 401, f"{method.upper()} {path} with a {what}: {response.status_code}"


def test_admin_only_operations_refuse_users(world):
    admin_only = [(m, p) for m, p, op in operations(world["a"]) if op.get("x-admin-only")]
    assert len(admin_only) >= 5
    for method, path in admin_only:
        response = world["b"].open(fill(path, world["ids"]), method=method.upper(), json={})
        assert response.status_code == 403 and response.get_json()["error"]["code"] == "forbidden", (method, path)


def test_someone_elses_ids_are_404_and_stay_untouched(world):
    b, ids = world["b"], world["ids"]
    for method, path, op in operations(b):
        if op.get("x-admin-only") or op.get("security") == []:
            continue  # admin-only: refused to B before any id is looked at; public: readable by design
        key = (method, path)
        if "{" in path:
            response = b.open(fill(path, ids), method=method.upper(), json=PATH_BODIES.get(key, {}))
        elif key in BODY_IDS:
            response = b.open(path, method=method.upper(), json=BODY_IDS[key](ids))
        else:
            continue
        assert response.status_code == 404, f"{method.upper()} {path} with alice's id: {response.status_code}"
        assert response.get_json()["error"]["code"] == "not_found"
        # exactly what a missing id answers
        missing = b.open(fill(path, {k: "0" * 32 for k in ids}) if "{" in path else path, method=method.upper(),
                         json=BODY_IDS[key]({k: "0" * 32 for k in ids}) if key in BODY_IDS else PATH_BODIES.get(key, {}))
        assert missing.status_code == 404 and missing.get_json()["error"]["message"] == response.get_json()["error"]["message"]
    a = world["a"]
    assert a.get(f"/api/conversations/{ids['conversation']}").status_code == 200  # still there, unchanged
    mine = a.get(f"/api/conversations/{ids['conversation']}").get_json()
    assert len(mine["messages"]) == 2 and mine["title"] == "alice's private question"
    assert any(t["id"] == ids["api_token"] for t in a.get("/api/auth/tokens").get_json()["tokens"])
    assert world["anonymous"].get(f"/api/shared/{ids['share']}").status_code == 200  # bob could not revoke it
    assert a.get(f"/api/attachments/{ids['attachment']}").status_code == 200  # bob could not delete it


def test_lists_show_only_the_callers_own_data(world):
    b, ids = world["b"], world["ids"]
    for method, path in LISTS:
        text = b.open(path, method=method.upper()).get_data(as_text=True)
        for value in ids.values():
            assert value not in text, f"{path} shows alice's {value} to bob"
        assert "alice" not in text
    assert b.get("/api/dashboard").get_json()["totals"]["requests"] < world["a"].get("/api/dashboard").get_json()["totals"]["requests"]
