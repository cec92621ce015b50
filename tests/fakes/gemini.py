"""A fake Gemini API over real HTTP, for tests and benches: the real `google-genai` SDK talks to it
through GEMINI_BASE_URL, exactly as it would talk to a gateway in front of Google.

Speaks `POST /{version}/models/{model}:generateContent` and `:streamGenerateContent?alt=sse`
(each `data:` a full GenerateContentResponse) with Google's error bodies. Tests script what comes
next with `fake.push(Reply(...))`; with nothing scripted it echoes the last user message, or, asked for
AUDIO (a `-tts` model), speaks it as a tone of SECONDS_PER_WORD a word: raw PCM in `inlineData` parts,
`audio/L16;codec=pcm;rate=24000`, as Google's TTS models answer (streamed: one part per half second).
Every request is recorded in `fake.requests`.

Attachments: file parts arrive as `inlineData` or `fileData` in the recorded bodies; the Files API's
resumable upload (`POST /upload/v1beta/files`, then the upload URL) and `GET …/files/{id}` keep the bytes
in `fake.files`. Embeddings (`:embedContent`, `:batchEmbedContents`) answer a hashed bag of words, so
texts sharing words are near each other (a scripted `Reply(error=…)` makes them fail like the rest).

    python -m tests.fakes.gemini --port 8123 --chunks 20 --interval 0.05
"""
from __future__ import annotations

import argparse
import base64
import hashlib
import json
import math
import re
import socket
import sys
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

TTS_RATE = 24_000
TTS_MIME = f"audio/L16;codec=pcm;rate={TTS_RATE}"
SECONDS_PER_WORD = 0.4  # 150 words a minute
AUDIO_PIECE_SECONDS = 0.5


def tone(seconds: float, rate: int = TTS_RATE, hz: float = 220.0) -> bytes:
    """16-bit little-endian mono PCM of a sine at half scale: the fake's speech."""
    import numpy as np

    return (16000 * np.sin(2 * np.pi * hz * np.arange(int(seconds * rate)) / rate)).astype("<i2").tobytes()


def spoken_seconds(text: str) -> float:
    return max(1, len(text.split())) * SECONDS_PER_WORD


STATUS_NAMES = {400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED", 404: "NOT_FOUND",
                429: "RESOURCE_EXHAUSTED", 500: "INTERNAL", 503: "UNAVAILABLE", 504: "DEADLINE_EXCEEDED"}


@dataclass
class Reply:
    """What the fake does for one request."""

    chunks: list[str] | None = None  # text pieces; None: echo the last user message word by word
    error: int | None = None  # HTTP status of a Google error body instead of a reply
    error_message: str = "Scripted failure."
    first_byte_delay: float = 0.0  # seconds before the response starts
    interval: float = 0.0  # seconds between streamed chunks
    stall_after: int | None = None  # stream this many chunks, then go silent for `stall_seconds`
    stall_seconds: float = 30.0
    reset: bool = False  # drop the connection without a response
    reset_after: int | None = None  # stream this many chunks, then drop the connection
    malformed: bool = False  # a 200 whose body is not JSON
    block_reason: str | None = None  # promptFeedback.blockReason (e.g. "SAFETY")
    finish_reason: str = "STOP"
    images: list[bytes] = field(default_factory=list)  # inlineData parts (image generation)
    audio: bytes | None = None  # PCM answered as inlineData parts (text to speech); None: a tone for AUDIO requests
    audio_mime: str = TTS_MIME
    usage: tuple[int, int] | None = None  # (prompt, candidates) token counts; default: word counts


# What `models.list` offers this fake key (the app's defaults among them); a model outside it answers 404
# NOT_FOUND, as Google does for a retired or misspelled model.
MODELS = {
    "gemini-3.8-flash": ["generateContent", "countTokens"],
    "gemini-3.6-flash": ["generateContent", "countTokens"],
    "gemini-3.5-flash-lite": ["generateContent", "countTokens"],
    "gemini-nano-banana-2.1": ["generateContent"],
    "gemini-embedding-001": ["embedContent", "batchEmbedContents"],
    "gemini-3.8-flash-tts": ["generateContent"],
    "gemini-3.8-flash-lite-tts": ["generateContent"],
}


class FakeGemini:
    def __init__(self, host: str = "127.0.0.1", port: int = 0, default: Reply | None = None):
        self.models = dict(MODELS)
        self.default = default or Reply()
        self.image_default: Reply | None = None  # unscripted requests asking for IMAGE output get this
        self.requests: list[dict] = []
        self.connections = 0  # TCP connections accepted (a client that reuses its connections opens few)
        self.files: dict[str, dict] = {}  # Files API: name -> {"mimeType", "data", …}
        self._uploads: dict[str, dict] = {}
        self._script: deque[Reply] = deque()
        self._lock = threading.Lock()
        fake = self

        class Handler(_Handler):
            owner = fake

        self.server = _Server((host, port), Handler)
        self.port = self.server.server_address[1]
        self.url = f"http://{host}:{self.port}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> FakeGemini:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def push(self, *replies: Reply) -> None:
        with self._lock:
            self._script.extend(replies)

    def clear(self) -> None:
        with self._lock:
            self._script.clear()
            self.requests.clear()
            self.connections = 0
            self.models = dict(MODELS)
            self.files.clear()
            self._uploads.clear()

    def next_reply(self, record: dict) -> Reply:
        with self._lock:
            self.requests.append(record)
            if self._script:
                return self._script.popleft()
            modalities = (record["body"].get("generationConfig") or {}).get("responseModalities") or []
            return self.image_default if self.image_default and "IMAGE" in modalities else self.default


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # a client closing a kept-alive connection while it idles is routine, not worth a traceback
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)

    # The listen backlog is fixed when the socket binds, so it must be set on the class: the default
    # of 5 drops SYNs under a burst of streams and the client waits a 1 s TCP retransmit.
    request_queue_size = 1024


def _last_user_text(body: dict) -> str:
    for content in reversed(body.get("contents") or []):
        if content.get("role", "user") == "user":
            return " ".join(p.get("text", "") for p in content.get("parts", []) if "text" in p)
    return ""


EMBEDDING_DIMS = 768


def embed_text(request: dict) -> list[float]:
    """A hashed bag of words, unit length: the fake's embedding of one EmbedContentRequest."""
    text = " ".join(p.get("text", "") for p in (request.get("content") or {}).get("parts", []))
    dims = int(request.get("outputDimensionality") or EMBEDDING_DIMS)
    vector = [0.0] * dims
    for word in re.findall(r"\w+", text.lower()):
        vector[int(hashlib.md5(word.encode()).hexdigest(), 16) % dims] += 1.0
    norm = math.sqrt(sum(v * v for v in vector)) or 1.0
    return [v / norm for v in vector]


def _file_json(found: dict) -> dict:
    return {"name": found["name"], "displayName": found.get("displayName"), "mimeType": found["mimeType"],
            "sizeBytes": str(len(found["data"])), "uri": found["uri"], "state": "ACTIVE",
            "expirationTime": "2099-01-01T00:00:00Z", "createTime": "2026-12-02T00:00:00Z"}


def _response(parts: list[dict], reply: Reply, usage: tuple[int, int] | None, final: bool) -> dict:
    out: dict = {"candidates": [{"content": {"role": "model", "parts": parts}, "index": 0}], "modelVersion": "fake-gemini"}
    if final:
        out["candidates"][0]["finishReason"] = reply.finish_reason
    if usage:
        out["usageMetadata"] = {"promptTokenCount": usage[0], "candidatesTokenCount": usage[1], "totalTokenCount": sum(usage)}
    return out


class _Handler(BaseHTTPRequestHandler):
    owner: FakeGemini
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):  # quiet
        pass

    def setup(self):
        with self.owner._lock:  # noqa: SLF001 - the fake's own lock
            self.owner.connections += 1
        super().setup()

    def do_GET(self):  # noqa: N802 - models.list, files.get
        url = urlparse(self.path)
        if "/files/" in url.path:
            name = "files/" + url.path.rsplit("/files/", 1)[1]
            found = self.owner.files.get(name)
            if found is None:
                return self._json(404, {"error": {"code": 404, "message": "File not found.", "status": "NOT_FOUND"}})
            return self._json(200, _file_json(found))
        if not url.path.endswith("/models"):
            return self._json(404, {"error": {"code": 404, "message": "Not found.", "status": "NOT_FOUND"}})
        models = [{"name": f"models/{m}", "displayName": m.replace("-", " ").title(), "supportedGenerationMethods": methods}
                  for m, methods in self.owner.models.items()]
        return self._json(200, {"models": models})

    def do_POST(self):  # noqa: N802
        url = urlparse(self.path)
        if url.path.startswith("/upload/") and url.path.endswith("/files"):
            return self._upload(url)
        if url.path.endswith((":embedContent", ":batchEmbedContents")):
            return self._embed(url)
        model = url.path.rsplit("/models/", 1)[-1].split(":", 1)[0] if "/models/" in url.path else None
        if model is not None and model not in self.owner.models:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            return self._json(404, {"error": {"code": 404, "message": f"models/{model} is not found for API version v1beta, "
                                              "or is not supported for generateContent.", "status": "NOT_FOUND"}})
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            body = {}
        record = {"path": url.path, "query": parse_qs(url.query), "headers": dict(self.headers), "body": body}
        reply = self.owner.next_reply(record)
        if reply.first_byte_delay:
            time.sleep(reply.first_byte_delay)
        if reply.reset:
            return self._reset()
        if reply.error:
            return self._json(reply.error, {"error": {"code": reply.error, "message": reply.error_message,
                                                      "status": STATUS_NAMES.get(reply.error, "UNKNOWN")}})
        if reply.malformed:
            return self._raw(200, b"{not json", "application/json")
        modalities = (body.get("generationConfig") or {}).get("responseModalities") or []
        audio = reply.audio
        if audio is None and reply.chunks is None and "AUDIO" in modalities:
            audio = tone(spoken_seconds(_last_user_text(body)))
        chunks = reply.chunks if reply.chunks is not None else [] if audio is not None else self._echo(body)
        prompt_words = sum(len(p.get("text", "").split()) for c in body.get("contents", []) for p in c.get("parts", []))
        audio_tokens = round(len(audio or b"") / 2 / TTS_RATE * 25)  # Gemini counts about 25 tokens a second of audio
        usage = reply.usage or (prompt_words, sum(len(c.split()) for c in chunks) + audio_tokens)
        if reply.block_reason:
            return self._json(200, {"promptFeedback": {"blockReason": reply.block_reason}, "usageMetadata": {"promptTokenCount": usage[0]}})
        image_parts = [{"inlineData": {"mimeType": "image/png", "data": base64.b64encode(i).decode()}} for i in reply.images]
        step = int(AUDIO_PIECE_SECONDS * TTS_RATE) * 2
        audio_parts = [] if audio is None else [
            {"inlineData": {"mimeType": reply.audio_mime, "data": base64.b64encode(audio[i:i + step]).decode()}}
            for i in range(0, max(len(audio), 1), step)]
        if url.path.endswith(":streamGenerateContent"):
            return self._stream(chunks, image_parts, reply, usage, audio_parts)
        if audio is not None:
            image_parts.append({"inlineData": {"mimeType": reply.audio_mime, "data": base64.b64encode(audio).decode()}})
        parts = ([{"text": "".join(chunks)}] if chunks else []) + image_parts
        time.sleep(reply.interval * len(chunks))
        return self._json(200, _response(parts, reply, usage, final=True))

    def _upload(self, url):
        """The SDK's resumable upload: `start` answers an upload URL; `upload, finalize` sends the bytes."""
        data = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        command = self.headers.get("X-Goog-Upload-Command", "")
        fake = self.owner
        if "start" in command:
            meta = (json.loads(data or b"{}").get("file") or {})
            upload_id = hashlib.sha1(data + str(time.time()).encode()).hexdigest()[:12]
            fake._uploads[upload_id] = {"mimeType": meta.get("mimeType") or self.headers.get("X-Goog-Upload-Header-Content-Type"),
                                        "displayName": meta.get("displayName"), "data": b""}
            with fake._lock:
                fake.requests.append({"path": url.path, "query": parse_qs(url.query), "headers": dict(self.headers),
                                      "body": {"file": meta}})
            self.send_response(200)
            self.send_header("x-goog-upload-url", f"{fake.url}{url.path}?upload_id={upload_id}")
            self.send_header("x-goog-upload-status", "active")
            self.send_header("Content-Type", "application/json; charset=UTF-8")
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"{}")
            return None
        upload = fake._uploads.get((parse_qs(url.query).get("upload_id") or [""])[0])
        if upload is None:
            return self._json(404, {"error": {"code": 404, "message": "No such upload.", "status": "NOT_FOUND"}})
        upload["data"] += data
        if "finalize" not in command:
            self.send_response(200)
            self.send_header("x-goog-upload-status", "active")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        name = f"files/{hashlib.sha1(upload['data']).hexdigest()[:12]}{len(fake.files)}"
        fake.files[name] = {**upload, "name": name, "uri": f"{fake.url}/v1beta/{name}"}
        body = json.dumps({"file": _file_json(fake.files[name])}).encode()
        self.send_response(200)
        self.send_header("x-goog-upload-status", "final")
        self.send_header("Content-Type", "application/json; charset=UTF-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        return None

    def _embed(self, url):
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        body = json.loads(raw or b"{}")
        reply = self.owner.next_reply({"path": url.path, "query": parse_qs(url.query), "headers": dict(self.headers), "body": body})
        if reply.first_byte_delay:
            time.sleep(reply.first_byte_delay)
        if reply.error:
            return self._json(reply.error, {"error": {"code": reply.error, "message": reply.error_message,
                                                      "status": STATUS_NAMES.get(reply.error, "UNKNOWN")}})
        if url.path.endswith(":embedContent"):
            return self._json(200, {"embedding": {"values": embed_text(body)}})
        return self._json(200, {"embeddings": [{"values": embed_text(r)} for r in body.get("requests", [])]})

    @staticmethod
    def _echo(body: dict) -> list[str]:
        text = _last_user_text(body)
        if text.startswith("Write a title of at most") and "Question: " in text:  # the app naming a conversation
            return [" ".join(text.split("Question: ", 1)[1].split()[:4]).rstrip(".?!")]
        words = f"You said: {text}".split(" ")
        return [w + (" " if i < len(words) - 1 else "") for i, w in enumerate(words)]

    def _stream(self, chunks, image_parts, reply: Reply, usage, audio_parts=()):
        # Chunked and kept alive, as Google serves it: the client's pool reuses the connection afterwards.
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        events = [[{"text": c}] for c in chunks] + ([image_parts] if image_parts else []) + [[p] for p in audio_parts]
        try:
            for i, parts in enumerate(events):
                if reply.reset_after is not None and i == reply.reset_after:
                    time.sleep(0.3)  # let the client read what was sent: a reset discards unread data
                    return self._reset()
                if reply.stall_after is not None and i == reply.stall_after:
                    time.sleep(reply.stall_seconds)
                    break  # then the body ends cleanly, without the model's final chunk
                if i and reply.interval:
                    time.sleep(reply.interval)
                last = i == len(events) - 1
                payload = _response(parts, reply, usage if last else None, final=last)
                data = b"data: " + json.dumps(payload).encode() + b"\r\n\r\n"
                self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))  # one write: one packet per event
            self.wfile.write(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def _json(self, status: int, obj: dict):
        self._raw(status, json.dumps(obj).encode(), "application/json; charset=UTF-8")

    def _raw(self, status: int, data: bytes, ctype: str):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        try:
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (a timeout test): nothing to tell it
            pass

    def _reset(self):
        # SO_LINGER 0 makes close() send RST: the client sees "connection reset by peer"
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        self.close_connection = True
        self.connection.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8123)
    parser.add_argument("--chunks", type=int, default=20, help="words per streamed reply")
    parser.add_argument("--interval", type=float, default=0.05, help="seconds between chunks")
    parser.add_argument("--echo", action="store_true", help="echo the last user message instead of wordN chunks")
    parser.add_argument("--image", help="PNG file answered to requests asking for IMAGE output (Text to Image)")
    args = parser.parse_args()
    chunks = None if args.echo else [f"word{i} " for i in range(args.chunks)]
    default = Reply(chunks=chunks, interval=args.interval)
    fake = FakeGemini(port=args.port, default=default)
    if args.image:
        with open(args.image, "rb") as f:
            fake.image_default = Reply(chunks=[], images=[f.read()])
    fake.start()
    print(f"fake Gemini on {fake.url}", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        fake.stop()


if __name__ == "__main__":
    main()
