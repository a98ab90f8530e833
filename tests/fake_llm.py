"""A tiny OpenAI-compatible chat endpoint on 127.0.0.1 for tests (no model, fixed answers)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace


@contextmanager
def fake_endpoint(status: int = 200, raw: bytes | None = None) -> Iterator[SimpleNamespace]:
    """Serve ``POST /v1/chat/completions``; yields ``url`` (…/v1) and ``requests`` (bodies, headers).

    The answer names how many sources it got, so a test can see they arrived.
    ``status`` other than 200 answers with that HTTP error; ``raw`` replaces the body.
    """
    seen: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server API
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"{}")
            seen.append({"path": self.path, "body": body, "headers": dict(self.headers)})
            if self.path != "/v1/chat/completions":
                self.send_error(404)
                return
            if status != 200:
                self.send_error(status)
                return
            user = body["messages"][-1]["content"]
            n = user.count("\n[")
            answer = {
                "id": "test",
                "object": "chat.completion",
                "model": body.get("model"),
                "choices": [
                    {
                        "index": 0,
                        "message": {
                            "role": "assistant",
                            "content": f"Laut Quelle [1]: Testantwort aus {n} Quellen.",
                        },
                        "finish_reason": "stop",
                    }
                ],
            }
            data = raw if raw is not None else json.dumps(answer).encode("utf-8")
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args) -> None:  # keep test output clean
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        host, port = server.server_address[:2]
        yield SimpleNamespace(url=f"http://{host}:{port}/v1", requests=seen)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
