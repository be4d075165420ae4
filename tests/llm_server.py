"""A scripted OpenAI-compatible chat server on 127.0.0.1 for tests (no network beyond loopback).

Each request to POST /v1/chat/completions takes the next step of the script:
  Reply(text)          a normal completion (streamed as SSE when the request asks to stream)
  Status(code)         an error status with a JSON error body (429 and 5xx are retried)
  Stall(seconds)       wait that long before replying, so the client times out
  Malformed()          HTTP 200 with a body that is not JSON (or broken SSE when streaming)
  Reply(text, cut=True) stream part of the reply, then an SSE error event (a mid-stream failure)
  EchoAuth(code)       an error status whose body echoes the request's Authorization header
  Drip(piece, every, count)  stream `piece` every `every` seconds, `count` times (a slow server)
  Truncated(text)      stream part of the reply, then close: no finish_reason and no [DONE]
When the script runs out the server answers 500, so an unexpected extra call fails loudly.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    """A completion whose content is `text`."""

    text: str
    cut: bool = False


@dataclass
class Status:
    """An HTTP error status."""

    code: int


@dataclass
class Stall:
    """Sleep before answering (longer than the client's timeout)."""

    seconds: float


@dataclass
class Malformed:
    """A 200 response whose body is not valid JSON."""


@dataclass
class EchoAuth:
    """An error status whose message quotes the Authorization header it received."""

    code: int = 401


@dataclass
class Drip:
    """A stream that sends one small piece every few seconds and never finishes in time."""

    piece: str = " "
    every: float = 1.0
    count: int = 100


@dataclass
class Truncated:
    """A stream cut short: some pieces, then the connection closes without [DONE]."""

    text: str


Step = Reply | Status | Stall | Malformed | EchoAuth | Drip | Truncated


@dataclass
class ScriptedServer:
    """The running server: its base URL, the remaining script and what it received."""

    base_url: str
    script: deque[Step]
    requests: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, *steps: Step) -> None:
        """Append steps to the script."""
        with self.lock:
            self.script.extend(steps)


def _chunk(content: str | None, finish: str | None = None) -> bytes:
    delta: dict[str, Any] = {} if content is None else {"role": "assistant", "content": content}
    body = {"id": "chatcmpl-test", "object": "chat.completion.chunk", "created": 0,
            "model": "fake-model",
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
    return f"data: {json.dumps(body)}\n\n".encode()


def _make_handler(state: ScriptedServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            return  # keep test output quiet

        def _send(self, code: int, body: bytes, ctype: str = "application/json",
                  extra: dict[str, str] | None = None) -> None:
            self.send_response(code)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            for key, value in (extra or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self) -> None:  # noqa: N802 - http.server's naming
            length = int(self.headers.get("Content-Length", "0"))
            request = json.loads(self.rfile.read(length) or b"{}")
            with state.lock:
                state.requests.append(request)
                state.headers.append({k.lower(): v for k, v in self.headers.items()})
                step = state.script.popleft() if state.script else Status(500)
            if not self.path.endswith("/chat/completions"):
                self._send(404, b'{"error": {"message": "not found"}}')
                return
            if isinstance(step, Stall):
                time.sleep(step.seconds)
                step = Reply("too late")
            if isinstance(step, EchoAuth):
                auth = self.headers.get("Authorization", "")
                body = json.dumps({"error": {
                    "message": f"Incorrect credentials. Authorization: {auth}; received {auth}",
                    "type": "invalid_request_error", "code": "invalid_api_key"}}).encode()
                self._send(step.code, body)
                return
            if isinstance(step, Drip | Truncated):
                self._slow_stream(step)
                return
            if isinstance(step, Status):
                body = json.dumps({"error": {"message": f"scripted {step.code}",
                                             "type": "server_error", "code": None}}).encode()
                self._send(step.code, body, extra={"retry-after-ms": "1"})
                return
            streaming = bool(request.get("stream"))
            if isinstance(step, Malformed):
                if streaming:
                    self._send(200, b"data: {not json\n\n", "text/event-stream")
                else:
                    self._send(200, b"<html>definitely not json", "application/json")
                return
            if streaming:
                self._stream(step)
            else:
                body = json.dumps({
                    "id": "chatcmpl-test", "object": "chat.completion", "created": 0,
                    "model": "fake-model",
                    "choices": [{"index": 0, "finish_reason": "stop",
                                 "message": {"role": "assistant", "content": step.text}}],
                    "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
                }).encode()
                self._send(200, body)

        def _slow_stream(self, step: Drip | Truncated) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Connection", "close")
            self.end_headers()
            self.close_connection = True
            try:
                if isinstance(step, Truncated):
                    words = step.text.split(" ")
                    for i, word in enumerate(words[: max(1, len(words) // 2)]):
                        self.wfile.write(_chunk(word if i == 0 else " " + word))
                    self.wfile.flush()
                    return
                for _ in range(step.count):
                    self.wfile.write(_chunk(step.piece))
                    self.wfile.flush()
                    time.sleep(step.every)
            except OSError:
                return  # the client gave up: that is the point of the test

        def _stream(self, step: Reply) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Connection", "close")
            self.end_headers()
            words = step.text.split(" ")
            pieces = [w if i == 0 else " " + w for i, w in enumerate(words)]
            if step.cut:
                for piece in pieces[: max(1, len(pieces) // 2)]:
                    self.wfile.write(_chunk(piece))
                self.wfile.write(b'data: {"error": {"message": "scripted mid-stream failure"}}\n\n')
                self.wfile.flush()
                self.close_connection = True
                return
            for piece in pieces:
                self.wfile.write(_chunk(piece))
            self.wfile.write(_chunk(None, "stop"))
            self.wfile.write(b"data: [DONE]\n\n")
            self.wfile.flush()
            self.close_connection = True

    return Handler


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def handle_error(self, request: Any, client_address: Any) -> None:
        return  # a client that timed out and hung up is part of the script, not an error


@contextmanager
def scripted_server(*steps: Step) -> Iterator[ScriptedServer]:
    """Run the server in a thread for the duration of the block."""
    state = ScriptedServer(base_url="", script=deque(steps))
    server = _QuietServer(("127.0.0.1", 0), _make_handler(state))
    host, port = server.server_address[:2]
    state.base_url = f"http://{host}:{port}/v1"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
