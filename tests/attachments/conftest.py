"""Attachment tests: each app gets its own UPLOAD_DIR, which must be empty after every test."""
from __future__ import annotations

import functools
import io
import time

import pytest


@pytest.fixture
def make_attach_app(make_app, upload_dir):
    return functools.partial(make_app, upload_dir=upload_dir)


def attach(client, data: bytes, filename: str):
    """POST /api/attachments as the browser does; returns the response."""
    return client.post("/api/attachments", data={"file": (io.BytesIO(data), filename)}, content_type="multipart/form-data")


def attached(client, data: bytes, filename: str, timeout: float = 120) -> dict:
    """Attach and wait until it has been read; returns GET /api/attachments/<id>'s attachment."""
    response = attach(client, data, filename)
    assert response.status_code == 201, response.get_json()
    return wait_read(client, response.get_json()["attachment"]["id"], timeout)


def wait_read(client, attachment_id: str, timeout: float = 120) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        body = client.get(f"/api/attachments/{attachment_id}").get_json()["attachment"]
        if body["status"] != "processing":
            return body
        assert time.monotonic() < deadline, "the attachment was still being read"
        time.sleep(0.1)
