"""The OpenAPI document comes from the same schemas that validate requests; the docs page works offline."""
from assistant.schemas import ChatRequest


def test_document_lists_the_routes_with_their_schemas(client):
    doc = client.get("/api/openapi.json").get_json()
    assert doc["openapi"].startswith("3.")
    for path in ("/api/health", "/api/chat", "/api/conversations", "/api/conversations/{conversation_id}"):
        assert path in doc["paths"], path
    chat = doc["paths"]["/api/chat"]["post"]
    assert chat["requestBody"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ChatRequest"}
    schema = doc["components"]["schemas"]["ChatRequest"]
    assert schema == ChatRequest.model_json_schema(ref_template="#/components/schemas/{model}")
    assert {"message", "conversation_id", "regenerate", "edit_of", "parent_id"} <= set(schema["properties"])
    assert schema["properties"]["edit_of"]["anyOf"][0]["pattern"] == "^[0-9a-f]{32}$"
    assert "security" not in doc["paths"]["/api/chat"]["post"] and doc["security"] == [{"bearer": []}]
    assert doc["paths"]["/api/health"]["get"]["security"] == [] and "401" not in doc["paths"]["/api/health"]["get"]["responses"]
    assert {"400", "404", "429", "502", "503", "504"} <= set(chat["responses"])
    assert "text/event-stream" in str(chat["responses"])
    delete = doc["paths"]["/api/conversations/{conversation_id}"]["delete"]
    assert "204" in delete["responses"] and "404" in delete["responses"]


def test_docs_page_is_served_with_local_assets(client):
    page = client.get("/api/docs/")
    assert page.status_code == 200 and b"swagger" in page.data.lower()
    assert b"/api/openapi.json" in page.data or b"/api/openapi.json" in client.get("/api/docs/swagger-initializer.js").data
    assert client.get("/api/docs/swagger-ui-bundle.js").status_code == 200
