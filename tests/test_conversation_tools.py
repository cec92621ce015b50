"""Conversation tools as a person uses them: regenerate and edit make versions and the model receives
exactly the path shown; rename; search with highlights and cursor paging (SQLite and PostgreSQL);
share links; export as PDF, Markdown and JSON; a better title after the first exchange."""
from datetime import timedelta

import pytest
from sqlalchemy import update

from assistant.models import Share, utcnow
from tests.accounts import make_user
from tests.conftest import wait_for
from tests.fakes.gemini import Reply
from tests.pdf_helpers import pdf_text
from tests.test_errors import assert_envelope


def sent_path(fake_gemini) -> list[str]:
    """The texts of the turns the model received in its last request."""
    return [p["text"] for c in fake_gemini.requests[-1]["body"]["contents"] for p in c["parts"]]


def chat(client, **body):
    response = client.post("/api/chat", json=body)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_regenerate_edit_flip_and_continue_send_exactly_the_path_shown(client, fake_gemini):
    fake_gemini.push(Reply(chunks=["A1"]), Reply(chunks=["A2"]))
    first = chat(client, message="Q1")
    cid = first["conversation_id"]
    chat(client, message="Q2", conversation_id=cid)
    fake_gemini.push(Reply(chunks=["A2 again"]), Reply(chunks=["A2 third"]))
    chat(client, conversation_id=cid, regenerate=True)
    chat(client, conversation_id=cid, regenerate=True)
    assert sent_path(fake_gemini) == ["Q1", "A1", "Q2"]  # no new question, the same path
    shown = client.get(f"/api/conversations/{cid}").get_json()["messages"]
    assert [m["content"] for m in shown] == ["Q1", "A1", "Q2", "A2 third"]
    assert len(shown[3]["versions"]) == 3 and shown[3]["versions"][-1] == shown[3]["id"]

    # edit the first question: a new version, the conversation goes on from it
    fake_gemini.push(Reply(chunks=["B1"]))
    edited = chat(client, conversation_id=cid, edit_of=shown[0]["id"], message="Q1 edited")
    assert sent_path(fake_gemini) == ["Q1 edited"]
    now = client.get(f"/api/conversations/{cid}").get_json()["messages"]
    assert [m["content"] for m in now] == ["Q1 edited", "B1"]
    assert now[0]["versions"] == [shown[0]["id"], edited["user_message_id"]]

    # flip back to the first version of the question: the whole old path, with its latest reply
    flipped = client.get(f"/api/conversations/{cid}?at={shown[0]['id']}").get_json()["messages"]
    assert [m["content"] for m in flipped] == ["Q1", "A1", "Q2", "A2 third"]
    # ... and to the first version of the reply there
    oldest = client.get(f"/api/conversations/{cid}?at={shown[3]['versions'][0]}").get_json()["messages"]
    assert oldest[-1]["content"] == "A2"
    # continue from what is shown: the model receives exactly that path
    fake_gemini.push(Reply(chunks=["A3"]))
    chat(client, conversation_id=cid, message="Q3", parent_id=oldest[-1]["id"])
    assert sent_path(fake_gemini) == ["Q1", "A1", "Q2", "A2", "Q3"]
    final = client.get(f"/api/conversations/{cid}").get_json()["messages"]
    assert [m["content"] for m in final] == ["Q1", "A1", "Q2", "A2", "Q3", "A3"]
    assert [m["parent_id"] for m in final[1:]] == [m["id"] for m in final[:-1]]


def test_bad_version_requests_are_clear(client, fake_gemini):
    cid = chat(client, message="hello")["conversation_id"]
    assert_envelope(client.post("/api/chat", json={"regenerate": True}), 400, "invalid_request")
    assert_envelope(client.post("/api/chat", json={"conversation_id": cid, "edit_of": "0" * 32, "message": "x"}), 404, "not_found")
    assert_envelope(client.post("/api/chat", json={"conversation_id": cid, "parent_id": "0" * 32, "message": "x"}), 404, "not_found")
    assert_envelope(client.post("/api/chat", json={"conversation_id": cid, "regenerate": True, "edit_of": "a" * 32}),
                    400, "invalid_request")
    assert_envelope(client.post("/api/chat", json={"conversation_id": cid}), 400, "invalid_request")
    reply = client.get(f"/api/conversations/{cid}").get_json()["messages"][1]
    assert_envelope(client.post("/api/chat", json={"conversation_id": cid, "edit_of": reply["id"], "message": "x"}),
                    404, "not_found")  # only questions are edited
    assert_envelope(client.get(f"/api/conversations/{cid}?at={'0' * 32}"), 404, "not_found")


def test_rename_is_kept(client):
    cid = chat(client, message="something long about gardening")["conversation_id"]
    renamed = client.patch(f"/api/conversations/{cid}", json={"title": "  Garden plans "})
    assert renamed.status_code == 200 and renamed.get_json()["title"] == "Garden plans"
    assert client.get("/api/conversations").get_json()["conversations"][0]["title"] == "Garden plans"
    assert_envelope(client.patch(f"/api/conversations/{cid}", json={"title": ""}), 400, "invalid_request")
    assert_envelope(client.patch(f"/api/conversations/{'0' * 32}", json={"title": "x"}), 404, "not_found")


@pytest.fixture
def history(make_app, db_url, fake_gemini):
    app = make_app(database_url=db_url)
    client = app.test_client()
    for i, text in enumerate(["Planning a trip to Lisbon in spring", "Sourdough starter keeps dying",
                              "Quarterly budget review", "Renaming the project repository", "Lisbon trams and tiles"]):
        fake_gemini.push(Reply(chunks=[f"Answer {i} mentions photosynthesis" if i == 2 else f"Answer {i}"]))
        chat(client, message=text)
    return app, client


def test_search_finds_titles_and_messages_with_highlights(history):
    app, client = history
    found = client.get("/api/conversations?q=lisbon").get_json()["conversations"]
    assert [c["title"] for c in found] == ["Lisbon trams and tiles", "Planning a trip to Lisbon in spring"]
    match = found[1]["match"]
    start, end = match["ranges"][0]
    assert match["field"] == "title" and match["text"][start:end] == "Lisbon"
    body = client.get("/api/conversations?q=PHOTOSYNTH").get_json()["conversations"]  # a prefix, any case
    assert [c["title"] for c in body] == ["Quarterly budget review"]
    assert body[0]["match"]["field"] == "message"
    start, end = body[0]["match"]["ranges"][0]
    assert body[0]["match"]["text"][start:end].lower() == "photosynth"
    assert client.get("/api/conversations?q=lisbon+tiles").get_json()["conversations"][0]["title"] == "Lisbon trams and tiles"
    assert client.get("/api/conversations?q=zebra").get_json()["conversations"] == []
    assert client.get('/api/conversations?q=" OR 1=1 --').status_code == 200  # query syntax is not ours to inject
    # another user's search never sees them
    _, token = make_user(app, "bob")
    assert app.test_client(token=token).get("/api/conversations?q=lisbon").get_json()["conversations"] == []


def test_cursor_paging_neither_skips_nor_repeats(history, fake_gemini):
    app, client = history
    first = client.get("/api/conversations?limit=2").get_json()
    assert len(first["conversations"]) == 2 and first["next_cursor"]
    chat(client, message="a new chat arrives while paging")  # goes to the top, not into later pages
    second = client.get(f"/api/conversations?limit=2&cursor={first['next_cursor']}").get_json()
    third = client.get(f"/api/conversations?limit=2&cursor={second['next_cursor']}").get_json()
    assert third["next_cursor"] is None
    titles = [c["title"] for page in (first, second, third) for c in page["conversations"]]
    assert len(titles) == 5 and len(set(titles)) == 5
    assert_envelope(client.get("/api/conversations?cursor=garbage!"), 400, "invalid_request")
    assert_envelope(client.get("/api/conversations?limit=0"), 400, "invalid_request")


def test_share_links(make_app, fake_gemini):
    app = make_app(allowed_origins="https://app.example")
    client = app.test_client()
    cid = chat(client, message="Share this recipe")["conversation_id"]
    made = client.post(f"/api/conversations/{cid}/share", json={"expires_in_days": 7})
    assert made.status_code == 201
    link = made.get_json()
    assert link["url"] == f"https://app.example/shared/{link['id']}" and len(link["id"]) >= 32
    anonymous = app.test_client(token=None)
    shared = anonymous.get(f"/api/shared/{link['id']}")
    assert shared.status_code == 200 and shared.headers["X-Robots-Tag"].startswith("noindex")
    body = shared.get_json()
    assert body["title"] == "Share this recipe" and [m["content"] for m in body["messages"]] == [
        "Share this recipe", "You said: Share this recipe"]
    assert "admin" not in shared.get_data(as_text=True) and cid not in shared.get_data(as_text=True)
    chat(client, message="a later message", conversation_id=cid)  # a snapshot: later messages are not shared
    assert len(anonymous.get(f"/api/shared/{link['id']}").get_json()["messages"]) == 2
    assert [s["id"] for s in client.get("/api/shares").get_json()["shares"]] == [link["id"]]
    assert client.delete(f"/api/shares/{link['id']}").status_code == 204
    assert_envelope(anonymous.get(f"/api/shared/{link['id']}"), 404, "not_found")
    # expiry
    other = client.post(f"/api/conversations/{cid}/share", json={}).get_json()
    with app.extensions["database"].session() as s:
        s.execute(update(Share).values(expires_at=utcnow() - timedelta(seconds=1)))
    assert_envelope(anonymous.get(f"/api/shared/{other['id']}"), 404, "not_found")
    # another conversation's share never shows this one
    assert_envelope(anonymous.get("/api/shared/" + "x" * 32), 404, "not_found")


def test_sharing_can_be_turned_off(make_app, fake_gemini):
    app = make_app()
    client = app.test_client()
    cid = chat(client, message="hi")["conversation_id"]
    link = client.post(f"/api/conversations/{cid}/share", json={}).get_json()
    off = make_app(allow_sharing=False, database_url=app.config["SETTINGS"].database_url)
    assert_envelope(off.test_client().post(f"/api/conversations/{cid}/share", json={}), 403, "forbidden")
    assert_envelope(off.test_client(token=None).get(f"/api/shared/{link['id']}"), 404, "not_found")


def test_export_the_path_being_viewed(client, fake_gemini):
    fake_gemini.push(Reply(chunks=["First answer"]), Reply(chunks=["Second answer"]))
    cid = chat(client, message="Café question")["conversation_id"]
    chat(client, conversation_id=cid, regenerate=True)
    versions = client.get(f"/api/conversations/{cid}").get_json()["messages"][1]["versions"]
    md = client.get(f"/api/conversations/{cid}/export?format=md")
    assert md.status_code == 200 and md.mimetype == "text/markdown"
    assert "Second answer" in md.get_data(as_text=True) and "First answer" not in md.get_data(as_text=True)
    assert 'filename="Cafe question.md"' in md.headers["Content-Disposition"]
    old = client.get(f"/api/conversations/{cid}/export?format=json&at={versions[0]}").get_json()
    assert [m["content"] for m in old["messages"]] == ["Café question", "First answer"]
    pdf = client.get(f"/api/conversations/{cid}/export?format=pdf")
    assert pdf.mimetype == "application/pdf" and "Second answer" in pdf_text(pdf.data)
    assert_envelope(client.get(f"/api/conversations/{cid}/export?format=docx"), 400, "invalid_request")


def test_a_better_title_after_the_first_exchange(make_app, fake_gemini):
    app = make_app(auto_titles=True)
    client = app.test_client()
    fake_gemini.push(Reply(chunks=["Keep it warm and bright."]), Reply(chunks=['Title: "Windowsill basil', ' in winter."\n']))
    cid = chat(client, message="How do I keep basil alive on a windowsill in winter?")["conversation_id"]
    wait_for(lambda: client.get(f"/api/conversations/{cid}").get_json()["title"] == "Windowsill basil in winter")
    asked = sent_path(fake_gemini)[0]
    assert fake_gemini.requests[-1]["path"].endswith(":generateContent")  # one response, not a stream of chunks
    assert asked.startswith("Write a title") and "basil alive" in asked and "Keep it warm" in asked
    # a title the person chose is never replaced
    fake_gemini.push(Reply(chunks=["Red ones."]), Reply(chunks=["Tomato talk"], interval=0.5))  # after the rename
    cid2 = chat(client, message="Another question about tomatoes")["conversation_id"]
    client.patch(f"/api/conversations/{cid2}", json={"title": "Mine"})
    wait_for(lambda: len(fake_gemini.requests) >= 4)
    assert client.get(f"/api/conversations/{cid2}").get_json()["title"] == "Mine"
    # the model failing leaves the first words
    fake_gemini.push(Reply(chunks=["ok"]), Reply(error=500))
    cid3 = chat(client, message="Third question here")["conversation_id"]
    wait_for(lambda: len(fake_gemini.requests) >= 6)
    assert client.get(f"/api/conversations/{cid3}").get_json()["title"] == "Third question here"


def test_offline_keeps_the_first_words_title(make_app):
    app = make_app(gemini_api_key=None, ai_provider="local", auto_titles=True)
    if not app.extensions["engines"].chat_availability().available:
        pytest.skip("the embedded chat engine is not installed")
    client = app.test_client()
    cid = chat(client, message="Name three colours")["conversation_id"]
    assert client.get(f"/api/conversations/{cid}").get_json()["title"] == "Name three colours"


def test_common_words_page_through_every_match(make_app, db_url):
    """Over COMMON matches, search reads the newest conversations instead of the index (history._probe):
    the same answers, page after page."""
    from sqlalchemy import insert

    from assistant.conversations.history import COMMON
    from assistant.models import Conversation, Message, new_id
    from tests.accounts import admin

    app = make_app(database_url=db_url)
    client = app.test_client()
    owner = admin(app)[0]
    start = utcnow() - timedelta(days=1)
    convs, msgs = [], []
    for c in range(COMMON // 20 + 30):
        cid = new_id()
        convs.append(dict(id=cid, user_id=owner, title=f"Notes {c}", created_at=start, updated_at=start + timedelta(seconds=c)))
        msgs += [dict(id=new_id(), conversation_id=cid, seq=m, role="user", content=f"an ordinary line {m}", status="complete",
                      created_at=start) for m in range(20)]
    engine = app.extensions["database"].engine
    with engine.begin() as conn:
        conn.execute(insert(Conversation.__table__), convs)
        conn.execute(insert(Message.__table__), msgs)
    if engine.dialect.name == "postgresql":  # with statistics, PostgreSQL knows the word is common without the index
        from sqlalchemy.orm import Session

        from assistant.conversations import history

        with engine.begin() as conn:  # committed: a rolled-back ANALYZE leaves no statistics
            conn.exec_driver_sql("ANALYZE messages")
        with Session(engine) as s:
            assert history._common_by_statistics(s, ["ordin"]) and not history._common_by_statistics(s, ["zebra"])
    seen, cursor = [], None
    while True:
        page = client.get("/api/conversations?q=ordin" + (f"&cursor={cursor}" if cursor else "")).get_json()
        for item in page["conversations"]:
            a, b = item["match"]["ranges"][0]
            assert item["match"]["text"][a:b] == "ordin"
        seen += [c["title"] for c in page["conversations"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(convs) == len(set(seen)) and seen[0] == f"Notes {len(convs) - 1}"
    assert [c["title"] for c in client.get("/api/conversations?q=ordinary+7").get_json()["conversations"]][:1] == [
        f"Notes {len(convs) - 1}"]


def test_highlights_point_into_the_text_shown_and_titles_match_word_starts(client, fake_gemini):
    client.post("/api/chat", json={"message": "İstanbul trip"})
    client.post("/api/chat", json={"message": "Moon facts"})
    found = client.get("/api/conversations?q=trip").get_json()["conversations"]
    (a, b), text = found[0]["match"]["ranges"][0], found[0]["match"]["text"]
    assert text[a:b] == "trip"
    assert client.get("/api/conversations?q=oon").get_json()["conversations"] == []  # not the start of a word


def test_a_share_link_uses_the_web_app_it_came_from(make_app, fake_gemini):
    client = make_app(allowed_origins="https://one.example,https://two.example").test_client()
    cid = chat(client, message="hi")["conversation_id"]
    link = client.post(f"/api/conversations/{cid}/share", json={}, headers={"Origin": "https://two.example"}).get_json()
    assert link["url"].startswith("https://two.example/shared/")
    link = client.post(f"/api/conversations/{cid}/share", json={}, headers={"Origin": "https://evil.example"}).get_json()
    assert link["url"].startswith("https://one.example/shared/")


def test_postgres_search_uses_the_full_text_index_when_planned_generically(make_app, postgres_url):
    """psycopg prepares a statement run five times and PostgreSQL may then plan it generically: the search
    must still match the GIN index's expression (it read all 200,000 messages of bench/history.py before)."""
    import re

    import psycopg
    from sqlalchemy.orm import Session

    from assistant.conversations import history as search

    app = make_app(database_url=postgres_url)
    engine = app.extensions["database"].engine
    with Session(engine) as s:
        compiled = search._matching_messages(s, ["lisbon", "tiles"]).limit(search.COMMON).compile(engine)
    names = list(compiled.params)
    sql = re.sub(r"%\((\w+)\)s", lambda m: f"${names.index(m.group(1)) + 1}", str(compiled))
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute("SET plan_cache_mode = force_generic_plan")
        conn.execute(f"PREPARE search_q AS {sql}")
        args = ", ".join(f"'{compiled.params[n]}'" for n in names)
        conn.execute("SET enable_seqscan = on")
        plan = "\n".join(r[0] for r in conn.execute(f"EXPLAIN EXECUTE search_q({args})"))
    assert "ix_messages_content_fts" in plan, plan
