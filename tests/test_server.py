"""The real thing: gunicorn with gunicorn.conf.py, streamed chats over HTTP, a restart, a client that leaves."""
from httpx_sse import connect_sse

from tests.conftest import FAKE_KEY, wait_for
from tests.fakes.gemini import Reply
from tests.live_server import Server, stream_turn


def test_three_turn_stream_listed_and_kept_across_a_restart(server_env, fake_gemini):
    server = Server(server_env)
    try:
        with server.client(timeout=30) as client:
            cid, first = stream_turn(client, "Hello, I am Ada.")
            stream_turn(client, "What is my name?", cid)
            _, third = stream_turn(client, "Thanks!", cid)
            assert first == "You said: Hello, I am Ada." and third == "You said: Thanks!"
            assert len(fake_gemini.requests[-1]["body"]["contents"]) == 5
    finally:
        log = server.stop()
    assert "Hello, I am Ada" not in log  # prompts never reach the logs
    assert FAKE_KEY not in log

    server = Server(server_env)
    try:
        with server.client(timeout=30) as client:
            listed = client.get("/api/conversations").json()["conversations"]
            assert [(c["id"], c["message_count"]) for c in listed] == [(cid, 6)]
            messages = client.get(f"/api/conversations/{cid}").json()["messages"]
            assert [m["content"] for m in messages][-2:] == ["Thanks!", "You said: Thanks!"]
    finally:
        server.stop()


def test_client_gone_mid_stream_keeps_the_partial_reply(server_env, fake_gemini):
    fake_gemini.push(Reply(chunks=[f"w{i} " for i in range(40)], interval=0.1))
    server = Server(server_env)
    try:
        with server.client(timeout=30) as client:
            with connect_sse(client, "POST", "/api/chat", json={"message": "long story"}) as source:
                events = source.iter_sse()
                cid = next(events).json()["conversation_id"]
                next(events), next(events)  # two deltas, then the user closes the tab

            def saved_partial():
                messages = client.get(f"/api/conversations/{cid}").json()["messages"]
                return messages if len(messages) == 2 else None

            messages = wait_for(saved_partial, timeout=15)
            assert messages[1]["status"] == "incomplete"
            assert messages[1]["content"].startswith("w0 w1 ") and len(messages[1]["content"].split()) < 40
            # the server is still healthy and answers the next chat
            assert client.post("/api/chat", json={"message": "still there?"}).status_code == 200
    finally:
        server.stop()
