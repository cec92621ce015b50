"""Every error is the JSON envelope with the right status: never HTML, never a traceback."""
import pytest


def assert_envelope(response, status, code):
    assert response.status_code == status
    assert response.is_json, response.data[:200]
    body = response.get_json()
    assert body["error"]["code"] == code
    assert body["error"]["message"] and "Traceback" not in body["error"]["message"]
    return body


def test_unknown_route_is_404_json(client):
    assert_envelope(client.get("/api/nothing-here"), 404, "not_found")
    assert_envelope(client.get("/favicon.ico"), 404, "not_found")


def test_wrong_method_is_405_json_with_allow(client):
    response = client.put("/api/chat", json={"message": "hi"})
    assert_envelope(response, 405, "method_not_allowed")
    assert "POST" in response.headers["Allow"]


def test_body_over_the_limit_is_413_json(make_app):
    client = make_app(max_upload_mb=1).test_client()
    response = client.post("/api/chat", data=b"x" * (2 * 1024 * 1024), content_type="application/json")
    body = assert_envelope(response, 413, "payload_too_large")
    assert "MAX_UPLOAD_MB" in body["error"]["message"]


def test_unexpected_exception_is_500_json_without_details(app, caplog):
    @app.get("/api/boom")
    def boom():
        raise RuntimeError("secret internals")

    body = assert_envelope(app.test_client().get("/api/boom"), 500, "internal_error")
    assert "secret internals" not in str(body)


@pytest.mark.parametrize(
    ("kwargs", "status", "code"),
    [
        ({"data": "not json", "content_type": "text/plain"}, 415, "unsupported_media_type"),
        ({"data": "{broken", "content_type": "application/json"}, 400, "invalid_request"),
        ({"json": ["a", "list"]}, 400, "invalid_request"),
    ],
)
def test_bodies_that_are_not_json_objects(client, kwargs, status, code):
    assert_envelope(client.post("/api/chat", **kwargs), status, code)
