"""The real thing: gunicorn with gunicorn.conf.py, streamed chats over HTTP, a restart, a client that leaves,
and a worker that keeps answering while it reads a scan."""
import threading
import time

import httpx
import pytest
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


def test_health_answers_within_100_ms_while_the_same_worker_reads_a_scan(server_env):
    from tests.documents import corpus

    scan = corpus.scanned_pdf([corpus.scan_of(" ".join(corpus.PARAGRAPHS * 3))] * 10)
    server = Server(server_env | {"WEB_CONCURRENCY": "1"})  # one worker: the OCR and the health checks share it
    try:
        with server.client(timeout=120) as client, httpx.Client(base_url=server.url, timeout=5) as probe:
            probe.get("/api/health")  # its first answer fills caches (Tesseract's version): not what is measured
            result = {}
            upload = threading.Thread(target=lambda: result.update(response=client.post(
                "/api/upload", files={"file": ("scan.pdf", scan, "application/pdf")}, data={"analyze": "false"})))
            upload.start()
            time.sleep(0.3)
            latencies = []
            while upload.is_alive():
                started = time.perf_counter()
                assert probe.get("/api/health").status_code == 200
                latencies.append(time.perf_counter() - started)
                time.sleep(0.05)
            upload.join()
        pages = result["response"].json()["document"]["pages"]
        assert [p["method"] for p in pages] == ["ocr"] * 10 and "Quarterly report" in pages[9]["text"]
        assert len(latencies) >= 10  # the checks really ran while the pages were read
        # Rendering a page holds Python's lock ~0.4 s: were it on the worker's loop, most checks would wait that long.
        # The 5% allowed over 100 ms are the OS scheduler's on a machine shared with other jobs.
        slow = [t for t in latencies if t >= 0.1]
        assert len(slow) <= len(latencies) * 0.05 and max(latencies) < 0.5, sorted(latencies)[-5:]
    finally:
        server.stop()


def test_local_engine_streams_through_the_offload_pool_and_stop_frees_it(server_env):
    pytest.importorskip("llama_cpp")
    env = server_env | {"AI_PROVIDER": "local", "GEMINI_API_KEY": "", "WEB_CONCURRENCY": "1", "LOCAL_LLM_WAIT_SECONDS": "1"}
    server = Server(env)
    try:
        with server.client(timeout=120) as client, httpx.Client(base_url=server.url, timeout=5) as probe:
            with connect_sse(client, "POST", "/api/chat", json={"message": "Write a long story about a dragon."}) as source:
                deltas, health = 0, []
                for event in source.iter_sse():
                    deltas += event.event == "delta"
                    if deltas == 2:  # the worker is generating tokens: it still answers at once
                        started = time.perf_counter()
                        assert probe.get("/api/health").status_code == 200
                        health.append(time.perf_counter() - started)
                    if deltas == 10:
                        break  # the user presses Stop
            assert health and health[0] < 0.5
            # Stop closed llama.cpp's iterator and gave the engine back: the next chat gets it (no 503 after 1 s)
            reply = client.post("/api/chat", json={"message": "Say hello."})
            assert reply.status_code == 200 and reply.json()["message"]["content"].strip()
    finally:
        server.stop()
