"""Gemini models come and go: the defaults are current ones, /api/health checks the configured models
against the key's `models.list` (in the background, cached) and names what to set when one is gone,
and a 404 from Gemini on a call says the same instead of a vague upstream error."""
from assistant.config import DEFAULT_IMAGE_MODEL, DEFAULT_TEXT_MODEL
from tests.conftest import wait_for
from tests.test_errors import assert_envelope


def test_the_defaults_are_offered_and_health_stays_green(client, fake_gemini):
    assert DEFAULT_TEXT_MODEL in fake_gemini.models and DEFAULT_IMAGE_MODEL in fake_gemini.models
    engines = client.application.extensions["engines"]
    client.get("/api/health")  # starts the background fetch; health does not wait for it
    wait_for(lambda: engines.catalog.models() is not None)
    caps = client.get("/api/health").get_json()["capabilities"]
    assert caps["chat"]["available"] and caps["image_generation"]["available"]


def test_a_retired_model_is_explained_in_health_and_on_use(make_app, fake_gemini):
    del fake_gemini.models[DEFAULT_TEXT_MODEL]
    app = make_app(gemini_image_model="gemini-2.5-flash-image")  # shut down, like the old default
    client = app.test_client()

    def chat_capability():
        return client.get("/api/health").get_json()["capabilities"]["chat"]

    chat = wait_for(lambda: next((c for c in [chat_capability()] if not c["available"]), None))
    assert f"GEMINI_TEXT_MODEL={DEFAULT_TEXT_MODEL}" in chat["reason"]
    assert "gemini-3.6-flash" in chat["reason"] and "gemini-embedding-001" not in chat["reason"]  # what it can use instead
    caps = client.get("/api/health").get_json()["capabilities"]
    assert not caps["vision"]["available"]
    assert "GEMINI_IMAGE_MODEL=gemini-2.5-flash-image" in caps["image_generation"]["reason"]
    assert caps["speech"]["available"]  # the TTS model is still offered
    response = client.post("/api/chat", json={"message": "hello"})
    assert_envelope(response, 503, "capability_unavailable")
    assert "GEMINI_TEXT_MODEL" in response.get_json()["error"]["message"]


def test_a_404_from_gemini_names_the_setting(make_app, fake_gemini):
    app = make_app(gemini_text_model="gemini-2.5-flash")  # before the model list is known: the call itself fails
    response = app.test_client().post("/api/chat", json={"message": "hello"})
    assert_envelope(response, 502, "upstream_error")
    message = response.get_json()["error"]["message"]
    assert "GEMINI_TEXT_MODEL=gemini-2.5-flash" in message and "/api/health" in message


def test_a_retired_speech_model_is_explained_in_health(make_app, fake_gemini):
    app = make_app(gemini_tts_model="gemini-2.5-flash-preview-tts")
    client = app.test_client()
    speech = wait_for(lambda: next((c for c in [client.get("/api/health").get_json()["capabilities"]["speech"]]
                                    if not c["available"]), None))
    assert "GEMINI_TTS_MODEL=gemini-2.5-flash-preview-tts" in speech["reason"]
