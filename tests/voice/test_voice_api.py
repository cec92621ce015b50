"""POST /api/voice/transcribe as a client sees it: the real faster-whisper offline, the fake Gemini
over HTTP otherwise, and every way an upload can be wrong."""
from __future__ import annotations

import base64
import io
import json

import pytest

from assistant.audio.decode import decode
from tests.fakes.gemini import Reply
from tests.voice import clips
from tests.voice.clips import PASSAGE

URL = "/api/voice/transcribe"
OFFLINE = dict(gemini_api_key=None, ai_provider="local")


def post(client, data: bytes, field: str = "audio", filename: str = "recording.bin"):
    return client.post(URL, data={field: (io.BytesIO(data), filename)}, content_type="multipart/form-data")


def assert_error(resp, status: int, code: str) -> str:
    assert resp.status_code == status, resp.get_data(as_text=True)
    assert resp.is_json and set(resp.json) == {"error"}
    assert resp.json["error"]["code"] == code
    return resp.json["error"]["message"]


@pytest.fixture
def offline(make_app, tmp_path):
    app = make_app(**OFFLINE, upload_dir=tmp_path / "uploads")
    return app.test_client()


@pytest.fixture
def gemini(make_app):
    return make_app(gemini_timeout_seconds=1).test_client()


# --- offline: faster-whisper ----------------------------------------------------------------------
@pytest.mark.parametrize("name", [e.name for e in clips.ENCODINGS])
def test_offline_transcribes_every_format_with_few_word_errors(name, offline, recordings, speech):
    resp = post(offline, recordings[name], filename="no-extension")
    assert resp.status_code == 200, resp.json
    body = resp.json
    assert clips.word_error_rate(PASSAGE, body["text"]) <= 0.15, body["text"]
    assert (body["engine"], body["model"], body["language"]) == ("local", "whisper-tiny.en", "en")
    samples, rate = speech
    assert body["duration_seconds"] == pytest.approx(len(samples) / rate, abs=0.05)
    segments = body["segments"]
    assert segments and " ".join(s["text"] for s in segments) == body["text"]
    starts = [s["start"] for s in segments]
    assert starts == sorted(starts)
    assert all(0 <= s["start"] <= s["end"] <= body["duration_seconds"] for s in segments)


@pytest.mark.parametrize("enc", [clips.ENCODINGS[1], clips.ENCODINGS[6]], ids=lambda e: e.name)
def test_silence_is_an_empty_transcript_not_an_error(enc, offline):
    resp = post(offline, clips.encode(clips.silence(3), 16000, enc))
    assert resp.status_code == 200, resp.json
    assert resp.json["text"] == "" and resp.json["segments"] == []
    assert resp.json["duration_seconds"] == pytest.approx(3.0, abs=0.05)


def test_a_busy_engine_answers_503_with_retry_after(make_app, recordings):
    app = make_app(**OFFLINE, local_whisper_wait_seconds=0.2)
    loaded = app.extensions["engines"].transcriber().loaded()
    with loaded.lock:  # another request is transcribing
        resp = post(app.test_client(), recordings["ogg-opus"])
    assert_error(resp, 503, "engine_busy")
    assert int(resp.headers["Retry-After"]) >= 1
    assert post(app.test_client(), recordings["ogg-opus"]).status_code == 200  # and it recovers


def test_health_reports_the_engine(make_app):
    health = make_app(**OFFLINE).test_client().get("/api/health").json["capabilities"]["transcription"]
    assert health == {"available": True, "engine": "local"}
    health = make_app().test_client().get("/api/health").json["capabilities"]["transcription"]
    assert health == {"available": True, "engine": "gemini"}


def test_gemini_chosen_without_a_key_says_what_to_set(make_app, recordings):
    client = make_app(gemini_api_key=None, ai_provider="gemini").test_client()
    health = client.get("/api/health").json["capabilities"]["transcription"]
    assert health["available"] is False and "GEMINI_API_KEY" in health["reason"]
    assert "GEMINI_API_KEY" in assert_error(post(client, recordings["wav-22k"]), 503, "capability_unavailable")


def test_a_bad_local_whisper_model_is_reported_not_crashed_on(make_app, tmp_path, recordings):
    empty = tmp_path / "empty-model"
    empty.mkdir()
    health = make_app(**OFFLINE, local_whisper_model=str(empty)).test_client().get("/api/health").json
    assert health["capabilities"]["transcription"]["available"] is False
    assert "model.bin" in health["capabilities"]["transcription"]["reason"] and str(tmp_path) not in str(health)

    broken = tmp_path / "broken-model"
    broken.mkdir()
    (broken / "model.bin").write_bytes(b"not a model" * 100)
    client = make_app(**OFFLINE, local_whisper_model=str(broken)).test_client()
    message = assert_error(post(client, recordings["flac"]), 503, "capability_unavailable")
    assert str(tmp_path) not in message


# --- Gemini, through the fake over HTTP ------------------------------------------------------------
def test_gemini_gets_the_audio_inline_and_its_segments_come_back(gemini, fake_gemini, recordings):
    answer = {"language": "en", "segments": [
        {"start": 0.0, "end": 4.5, "text": "Please call the doctor."},
        {"start": 4.5, "end": 99.0, "text": " Remember your passport. "},  # past the end: clamped
    ]}
    fake_gemini.push(Reply(chunks=[json.dumps(answer)]))
    resp = post(gemini, recordings["webm-opus"])
    assert resp.status_code == 200, resp.json
    body = resp.json
    duration = body["duration_seconds"]
    assert body["text"] == "Please call the doctor. Remember your passport."
    assert (body["engine"], body["model"], body["language"]) == ("gemini", "gemini-3.8-flash", "en")
    assert body["segments"] == [{"start": 0.0, "end": 4.5, "text": "Please call the doctor."},
                                {"start": 4.5, "end": round(duration, 2), "text": "Remember your passport."}]

    (request,) = fake_gemini.requests
    assert request["path"].endswith("/models/gemini-3.8-flash:generateContent")
    parts = request["body"]["contents"][0]["parts"]
    inline = next(p["inlineData"] for p in parts if "inlineData" in p)
    assert inline.get("mimeType", inline.get("mime_type")) == "audio/flac"  # the SDK writes it snake_case
    sent = decode(base64.urlsafe_b64decode(inline["data"]), 60)  # the recording itself (the SDK sends URL-safe base64)
    assert sent.duration == pytest.approx(duration, abs=0.01)
    assert any("Transcribe" in p.get("text", "") for p in parts)
    assert request["body"]["generationConfig"]["responseMimeType"] == "application/json"


def test_gemini_plain_text_answer_becomes_one_segment(gemini, fake_gemini, recordings):
    fake_gemini.push(Reply(chunks=["Please call the doctor."]))
    body = post(gemini, recordings["mp3"]).json
    assert body["text"] == "Please call the doctor." and body["language"] is None
    assert body["segments"] == [{"start": 0.0, "end": round(body["duration_seconds"], 2), "text": "Please call the doctor."}]


def test_gemini_is_not_asked_about_silence(gemini, fake_gemini):
    resp = post(gemini, clips.encode(clips.silence(2), 16000, clips.ENCODINGS[5]))
    assert resp.status_code == 200 and resp.json["text"] == "" and resp.json["engine"] == "gemini"
    assert fake_gemini.requests == []


@pytest.mark.parametrize("reply, status, code", [
    (Reply(error=429), 429, "rate_limited"),
    (Reply(error=403), 502, "upstream_error"),
    (Reply(block_reason="SAFETY"), 422, "content_blocked"),
    (Reply(malformed=True), 502, "upstream_error"),
    (Reply(chunks=['{"language": "en", "segments": [{"start": 0, "end"'], finish_reason="MAX_TOKENS"), 502, "upstream_error"),
    (Reply(first_byte_delay=2.5), 504, "upstream_timeout"),
], ids=["429", "403", "blocked", "malformed", "cut-json", "timeout"])
def test_gemini_failures_are_clear_errors(reply, status, code, gemini, fake_gemini, recordings):
    fake_gemini.push(*[reply] * 3)  # the SDK retries 429s itself
    resp = post(gemini, recordings["flac"])
    message = assert_error(resp, status, code)
    assert "test-key" not in message and fake_gemini.url not in message
    if status == 429:
        assert int(resp.headers["Retry-After"]) >= 1


# --- bad input -------------------------------------------------------------------------------------
def test_bad_uploads_get_clear_errors_and_leave_no_files(make_app, tmp_path, recordings):
    uploads = tmp_path / "uploads"
    client = make_app(**OFFLINE, upload_dir=uploads, max_upload_mb=1, max_audio_seconds=5).test_client()
    m4a = recordings["m4a-aac"]
    cases = [
        (post(client, b""), 422, "unprocessable_file"),
        (post(client, b"Meeting notes: call the doctor on Monday.\n" * 20, filename="notes.mp3"), 415, "unsupported_media_type"),
        (post(client, m4a[: len(m4a) // 2], filename="cut.m4a"), 422, "unprocessable_file"),
        (post(client, recordings["wav-22k"][:44]), 422, "unprocessable_file"),
        (post(client, recordings["ogg-opus"]), 413, "payload_too_large"),  # 13.5 s > MAX_AUDIO_SECONDS=5
        (post(client, recordings["ogg-opus"], field="file"), 400, "invalid_request"),
        (post(client, b"\0" * (2 * 1024 * 1024)), 413, "payload_too_large"),  # > MAX_UPLOAD_MB=1
        (client.post(URL, json={"audio": "aGVsbG8="}), 415, "unsupported_media_type"),
        (client.post(URL, data={"audio": "not a file"}, content_type="multipart/form-data"), 400, "invalid_request"),
        (client.get(URL), 405, "method_not_allowed"),
    ]
    messages = [assert_error(resp, status, code) for resp, status, code in cases]
    assert "MAX_AUDIO_SECONDS" in messages[4] and "`audio`" in messages[5] and "`file`" in messages[5]
    assert "MAX_UPLOAD_MB" in messages[6]
    assert not uploads.exists() or not any(uploads.iterdir())


def test_the_route_is_documented(client):
    op = client.get("/api/openapi.json").json["paths"]["/api/voice/transcribe"]["post"]
    assert "audio" in op["requestBody"]["content"]["multipart/form-data"]["schema"]["properties"]
    assert {"200", "400", "413", "415", "422", "503"} <= set(op["responses"])
