"""A small OpenAI-compatible server over real HTTP for the attachment tests: `POST /v1/chat/completions`
streams a fixed reply and records every request body; with `vision=False` it answers a request holding
`image_url` parts with 400, as Ollama does for a model without vision."""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakeOpenAI:
    def __init__(self, reply: str = "It is a receipt.", vision: bool = True):
        self.reply, self.vision, self.requests = reply, vision, []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):  # noqa: N802 - /v1/models
                self._send(200, "application/json", json.dumps({"object": "list", "data": [{"id": "vision", "object": "model"}]}))

            def do_POST(self):  # noqa: N802
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
                fake.requests.append(body)
                images = any(isinstance(m["content"], list) and any(p.get("type") == "image_url" for p in m["content"])
                             for m in body.get("messages", []))
                if images and not fake.vision:
                    return self._send(400, "application/json", json.dumps(
                        {"error": {"message": "model does not support images", "type": "invalid_request_error"}}))
                base = {"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 0, "model": body.get("model")}
                events = [{**base, "choices": [{"index": 0, "delta": {"content": w + " "}, "finish_reason": None}]}
                          for w in fake.reply.split()]
                events.append({**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
                data = "".join(f"data: {json.dumps(e)}\n\n" for e in events) + "data: [DONE]\n\n"
                self._send(200, "text/event-stream", data)

            def _send(self, status: int, ctype: str, text: str):
                raw = text.encode()
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
