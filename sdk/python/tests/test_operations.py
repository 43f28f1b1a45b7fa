"""Metrics, traces and health through the SDK, after real requests through the gateway."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Mapping
from typing import Optional

from ai_gateway import AI_Gateway, AIGatewayError

from .support.cases import GatewayTestCase
from .support.gateway import ADMIN_KEY, without_env_key


class OperationsTest(GatewayTestCase):
    def chat(self, headers: Optional[Mapping[str, str]] = None) -> str:
        """One chat completion through the gateway (to the built-in mock); the request id the gateway gave it."""
        return str(self.ask("/v1/chat/completions", headers)["x-request-id"])

    def ask(self, path: str, headers: Optional[Mapping[str, str]] = None) -> Mapping[str, str]:
        """One chat completion on `path`; the answer's headers."""
        body = json.dumps({"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]}).encode("utf-8")
        request = urllib.request.Request(f"{self.gw.url}{path}", body, {"Content-Type": "application/json", **(headers or {})}, method="POST")
        with urllib.request.urlopen(request, timeout=30) as answer:
            answer.read()
            self.assertEqual(answer.status, 200)
            return {name.lower(): value for name, value in answer.headers.items()}

    def test_metrics_as_the_card_asks_for_them_count_the_requests_sent(self) -> None:
        for _ in range(3):
            self.chat()
        summary = self.gateway.metrics(type="latency")
        self.assertGreater(summary["windowSeconds"], 0)
        chat = next(route for route in summary["routes"] if route["route"] == "chat")
        self.assertGreaterEqual(chat["count"], 3)
        self.assertGreater(chat["p50"], 0)
        self.assertEqual(chat["targets"], [{"url": "mock://openai", "healthy": True}])
        self.assertGreater(chat["tokens"]["total"], 0)

    def test_metrics_narrowed_by_route_name_or_endpoint_path(self) -> None:
        self.gateway.create_route("/ml-predict", "http://model-service:8000")
        self.assertEqual([r["route"] for r in self.gateway.metrics(route="ml-predict")["routes"]], ["ml-predict"])
        self.assertEqual([r["route"] for r in self.gateway.metrics(endpoint="/v1/chat/completions")["routes"]], ["chat"])
        both = self.gateway.metrics(type="requests", route=["chat", "ml-predict"])
        self.assertEqual(sorted(r["route"] for r in both["routes"]), ["chat", "ml-predict"])
        with self.assertRaises(AIGatewayError) as unknown:
            self.gateway.metrics(route="nope")
        self.assertEqual((unknown.exception.status, unknown.exception.type), (404, "route_not_found"))

    def test_a_metric_type_the_gateway_does_not_know_is_a_400(self) -> None:
        with self.assertRaises(AIGatewayError) as refused:
            self.gateway.metrics(type="throughput")  # type: ignore[arg-type]  # what an untyped caller may send
        self.assertEqual((refused.exception.status, refused.exception.type), (400, "bad_request"))
        self.assertIn("latency, requests, errors, tokens", refused.exception.message)

    def test_trace_returns_the_decisions_of_a_traced_request_and_404_for_an_unknown_one(self) -> None:
        request_id = self.chat({"x-gateway-trace": "1", "x-gateway-admin-key": ADMIN_KEY})
        trace = self.gateway.trace(request_id)
        self.assertEqual((trace["requestId"], trace.get("route"), trace["status"], trace["path"]), (request_id, "chat", 200, "/v1/chat/completions"))
        self.assertEqual(trace["upstream"]["attempts"], 1)
        self.assertIn("route", [entry["stage"] for entry in trace["entries"]])
        with self.assertRaises(AIGatewayError) as missing:
            self.gateway.trace("no-such-request")
        self.assertEqual((missing.exception.status, missing.exception.type), (404, "trace_not_found"))

    def test_health_needs_no_key(self) -> None:
        with without_env_key():
            self.assertEqual(AI_Gateway(url=self.gw.url).health(), {"status": "ok"})

    def test_spend_adds_up_what_requests_cost_and_refuses_an_unknown_view(self) -> None:
        self.chat()
        report = self.gateway.spend(by="model", period="day")
        self.assertEqual((report["by"], report["periodKind"]), ("model", "day"))
        self.assertEqual([entry["key"] for entry in report["entries"]], ["openai/gpt-4o-mini"])
        self.assertGreater(report["totalUsd"], 0)
        self.assertEqual(self.gateway.spend()["by"], "consumer")
        with self.assertRaises(AIGatewayError) as refused:
            self.gateway.spend(by="team")  # type: ignore[arg-type]  # what an untyped caller may send
        self.assertEqual((refused.exception.status, refused.exception.type), (400, "bad_request"))

    def test_purge_cache_removes_a_routes_stored_answers_and_404s_an_unknown_route(self) -> None:
        path = "/cached/v1/chat/completions"
        self.gateway.create_route(path, "mock://openai", method="POST", name="cached", strip_prefix="/cached", cache={"by": "route"})
        self.gateway.update_security(path, auth_type="none")
        self.assertEqual([self.ask(path)["x-gateway-cache"], self.ask(path)["x-gateway-cache"]], ["miss", "hit"])
        self.assertEqual(self.gateway.purge_cache("cached"), {"route": "cached", "purged": 1})
        self.assertEqual(self.ask(path)["x-gateway-cache"], "miss", "the stored answer is gone")
        self.assertEqual(self.gateway.purge_cache("chat"), {"route": "chat", "purged": 0})
        with self.assertRaises(AIGatewayError) as missing:
            self.gateway.purge_cache("nope")
        self.assertEqual((missing.exception.status, missing.exception.type), (404, "route_not_found"))
