"""Helpers shared by the upload tests."""
from __future__ import annotations

import functools
import io

from . import corpus


def post(app, data: bytes, filename: str = "file.png", **form):
    """POST /api/upload as a browser would (multipart), returning (status, json)."""
    fields = {"file": (io.BytesIO(data), filename), **{k: str(v).lower() if isinstance(v, bool) else v for k, v in form.items()}}
    response = app.test_client().post("/api/upload", data=fields, content_type="multipart/form-data")
    assert response.is_json, response.data[:200]
    return response.status_code, response.get_json()


@functools.lru_cache(maxsize=None)
def sample_image(font: str = "helv", size: float = 12):
    return corpus.text_image(font=font, size=size)
