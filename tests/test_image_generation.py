"""Text to Image: POST /api/image/generate through the real SDK against the fake Gemini over HTTP."""
import base64
import io
import time

import pytest
from PIL import Image

from tests.fakes.gemini import Reply
from tests.test_errors import assert_envelope


def png(width=64, height=36, colour=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, "PNG")
    return out.getvalue()


def test_prompt_and_aspect_ratio_reach_the_model_and_the_png_comes_back(client, fake_gemini):
    picture = png()
    fake_gemini.push(Reply(chunks=[], images=[picture]))

    response = client.post("/api/image/generate", json={"prompt": "a red fox in the snow", "aspect_ratio": "16:9"})

    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["engine"] == "gemini" and body["model"] == "gemini-nano-banana-2.1"
    assert [i["mime_type"] for i in body["images"]] == ["image/png"]
    assert base64.b64decode(body["images"][0]["data"]) == picture
    (request,) = fake_gemini.requests
    assert request["path"].endswith("models/gemini-nano-banana-2.1:generateContent")
    assert request["body"]["contents"][0]["parts"][0]["text"] == "a red fox in the snow"
    config = request["body"]["generationConfig"]
    assert config["responseModalities"] == ["IMAGE"]
    assert config["imageConfig"]["aspectRatio"] == "16:9"


def test_aspect_ratio_defaults_to_square(client, fake_gemini):
    fake_gemini.push(Reply(chunks=[], images=[png()]))
    assert client.post("/api/image/generate", json={"prompt": "a lighthouse"}).status_code == 200
    assert fake_gemini.requests[0]["body"]["generationConfig"]["imageConfig"]["aspectRatio"] == "1:1"


@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        (Reply(block_reason="PROHIBITED_CONTENT"), "PROHIBITED_CONTENT"),
        (Reply(chunks=[], finish_reason="IMAGE_SAFETY"), "IMAGE_SAFETY"),
        (Reply(chunks=["I can't draw that person."]), "I can't draw that person."),
    ],
    ids=["prompt-blocked", "image-safety", "words-instead-of-a-picture"],
)
def test_a_refused_prompt_is_422_content_blocked_with_the_reason(client, fake_gemini, reply, reason):
    fake_gemini.push(reply)
    body = assert_envelope(client.post("/api/image/generate", json={"prompt": "something refused"}), 422, "content_blocked")
    assert reason in body["error"]["message"]


@pytest.mark.parametrize(
    ("status", "expected_status", "code"),
    [(429, 429, "rate_limited"), (500, 502, "upstream_error"), (503, 502, "upstream_error")],
)
def test_upstream_errors_after_the_retries(client, fake_gemini, status, expected_status, code):
    fake_gemini.push(*[Reply(error=status)] * 3)  # the SDK retries 5xx/429 three times in all
    response = client.post("/api/image/generate", json={"prompt": "a cat"})
    assert_envelope(response, expected_status, code)
    if code == "rate_limited":
        assert int(response.headers["Retry-After"]) > 0


def test_a_model_that_does_not_answer_in_time_is_504(make_app, fake_gemini):
    client = make_app(gemini_timeout_seconds=0.5).test_client()
    fake_gemini.push(*[Reply(first_byte_delay=2, images=[png()])] * 3)
    started = time.monotonic()
    assert_envelope(client.post("/api/image/generate", json={"prompt": "a slow cat"}), 504, "upstream_timeout")
    assert time.monotonic() - started < 6


def test_a_broken_connection_is_502(client, fake_gemini):
    fake_gemini.push(*[Reply(reset=True)] * 3)
    assert_envelope(client.post("/api/image/generate", json={"prompt": "a cat"}), 502, "upstream_error")


@pytest.mark.parametrize(
    "overrides",
    [dict(gemini_api_key=None, ai_provider="local"),
     dict(gemini_api_key=None, ai_provider="auto", openai_base_url="http://127.0.0.1:9/v1")],
    ids=["offline", "openai-compatible"],
)
def test_without_gemini_it_is_503_saying_what_to_configure(make_app, fake_gemini, overrides):
    client = make_app(**overrides).test_client()
    body = assert_envelope(client.post("/api/image/generate", json={"prompt": "a cat"}), 503, "capability_unavailable")
    assert "GEMINI_API_KEY" in body["error"]["message"]
    assert fake_gemini.requests == []
    capability = client.get("/api/health").get_json()["capabilities"]["image_generation"]
    assert capability["available"] is False and "GEMINI_API_KEY" in capability["reason"]


def test_health_reports_image_generation_with_a_key(client):
    assert client.get("/api/health").get_json()["capabilities"]["image_generation"] == {"available": True, "engine": "gemini"}


@pytest.mark.parametrize(
    ("payload", "field"),
    [({}, "prompt"), ({"prompt": "   "}, "prompt"), ({"prompt": "x" * 4001}, "prompt"),
     ({"prompt": "a cat", "aspect_ratio": "7:3"}, "aspect_ratio"), ({"prompt": "a cat", "size": 3}, "size")],
)
def test_bad_requests_are_400_naming_the_field(client, fake_gemini, payload, field):
    body = assert_envelope(client.post("/api/image/generate", json=payload), 400, "invalid_request")
    assert body["error"]["message"].startswith(field)
    assert fake_gemini.requests == []
