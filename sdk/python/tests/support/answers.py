"""What the gateway answered the SDK, written as JSON lines to $AI_GATEWAY_CONTRACT_LOG when it is set: the mocha test
that runs this suite (test/contract/pythonSdk.test.ts) checks every answer against schemas/admin-api.openapi.json.

The SDK's default transport is wrapped for the whole test process, so clients made inside the card's snippets (which
take no transport) are recorded too. Only answers of gateways the tests started count, not the busy test server's."""

from __future__ import annotations

import json
import os
import threading

import ai_gateway._transport as transport_module
from ai_gateway import HttpRequest, HttpResponse

_gateways: set[str] = set()
_lock = threading.Lock()


def register_gateway(url: str) -> None:
    _gateways.add(url.rstrip("/"))


def record_gateway_answers() -> None:
    log = os.environ.get("AI_GATEWAY_CONTRACT_LOG", "")
    if log == "":
        return
    send = transport_module.urllib_transport

    def recording_transport(request: HttpRequest) -> HttpResponse:
        response = send(request)
        if any(request.url.startswith(f"{gateway}/") for gateway in _gateways):
            line = {
                "method": request.method,
                "url": request.url,
                "status": response.status,
                "contentType": response.header("content-type"),
                "body": response.body.decode("utf-8", errors="replace"),
            }
            with _lock, open(log, "a", encoding="utf-8") as file:
                file.write(json.dumps(line) + "\n")
        return response

    transport_module.urllib_transport = recording_transport
