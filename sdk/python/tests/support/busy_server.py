"""A small local HTTP server answering from a script (429 with Retry-After, 503, ...) or not at all, for what the real
gateway will not do on demand. It answers in the gateway's error shape and notes when each request arrived."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Optional


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: str = ""

    @staticmethod
    def refusal(status: int, type: str, retry_after: Optional[str] = None) -> Answer:
        headers = {"Content-Type": "application/json", **({"Retry-After": retry_after} if retry_after is not None else {})}
        return Answer(status, headers, json.dumps({"error": {"type": type, "message": f"{status} from the busy server"}}))


# Takes the request and never answers it (until the server closes).
STALL = Answer(0)


@dataclass(frozen=True)
class SeenRequest:
    method: str
    path: str
    body: bytes
    at: float  # time.monotonic() on arrival


class BusyServer:
    def __init__(self, script: list[Answer]) -> None:
        self.script = list(script)
        self.requests: list[SeenRequest] = []
        self._closing = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                server.requests.append(SeenRequest(self.command, self.path, body, time.monotonic()))
                answer = server.script.pop(0) if len(server.script) > 1 else server.script[0]
                if answer is STALL:
                    server._closing.wait()
                    return
                data = answer.body.encode("utf-8")
                self.send_response(answer.status)
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = _answer

            def log_message(self, format: str, *args: object) -> None:
                pass  # quiet

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        # A short poll so close() returns soon after shutdown() asks (the default is half a second).
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._closing.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()
