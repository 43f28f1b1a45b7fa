"""The card's "retries with exponential backoff": 429 and 503 are retried, waiting what Retry-After says (up to the
cap) or an exponentially growing, jittered delay; other refusals are not. The same policy as the TypeScript SDK."""

from __future__ import annotations

import email.utils
import time
import unittest

from ai_gateway import AI_Gateway, AIGatewayError, RetryEvent, backoff_delay

from .support.busy_server import Answer, BusyServer

ROUTES = Answer(200, {"Content-Type": "application/json"}, '{"routes": []}')


class RetryTest(unittest.TestCase):
    def serve(self, *script: Answer) -> BusyServer:
        server = BusyServer(list(script))
        self.addCleanup(server.close)
        return server

    def test_a_429_is_retried_after_the_seconds_retry_after_gives(self) -> None:
        server = self.serve(Answer.refusal(429, "rate_limited", retry_after="1"), ROUTES)
        events: list[RetryEvent] = []
        self.assertEqual(AI_Gateway(api_key="k", url=server.url, on_retry=events.append).routes(), [])
        self.assertEqual(events, [RetryEvent(1, 429, 1.0, "/api/v1/routes")])
        first, second = server.requests
        self.assertGreaterEqual(second.at - first.at, 1.0)  # it waited, at least as long as it was told

    def test_a_503_without_retry_after_backs_off_exponentially_then_gives_up_with_the_gateways_error(self) -> None:
        server = self.serve(Answer.refusal(503, "upstream_unavailable"))
        events: list[RetryEvent] = []
        gateway = AI_Gateway(api_key="k", url=server.url, retries=3, base_delay=0.02, on_retry=events.append)
        with self.assertRaises(AIGatewayError) as refused:
            gateway.metrics(type="latency")
        self.assertEqual((refused.exception.status, refused.exception.type), (503, "upstream_unavailable"))
        self.assertEqual([(e.attempt, e.status) for e in events], [(1, 503), (2, 503), (3, 503)])
        for event, ceiling in zip(events, (0.02, 0.04, 0.08)):
            self.assertTrue(ceiling / 2 <= event.delay <= ceiling, (event.delay, ceiling))
        self.assertEqual(len(server.requests), 4)

    def test_changes_are_retried_on_429_too_since_the_gateway_refused_them_unmade(self) -> None:
        result = '{"rule": {"endpoint": "/predict", "auth": "jwt"}, "created": true, "warnings": []}'
        server = self.serve(Answer.refusal(429, "rate_limited", retry_after="0"), Answer(201, {"Content-Type": "application/json"}, result))
        created = AI_Gateway(api_key="k", url=server.url).update_security("/predict", auth_type="jwt", rate_limit=100)
        self.assertTrue(created["created"])
        self.assertEqual([(r.method, r.path) for r in server.requests], [("PUT", "/api/v1/security/%2Fpredict")] * 2)
        self.assertEqual(server.requests[0].body, server.requests[1].body)
        self.assertEqual(server.requests[0].body, b'{"authType": "jwt", "rateLimit": 100}')

    def test_other_refusals_are_not_retried(self) -> None:
        server = self.serve(Answer.refusal(500, "internal_error"), ROUTES)
        with self.assertRaises(AIGatewayError) as refused:
            AI_Gateway(api_key="k", url=server.url).routes()
        self.assertEqual(refused.exception.status, 500)
        self.assertEqual(len(server.requests), 1)

    def test_retry_after_is_capped_and_read_as_an_http_date_too(self) -> None:
        server = self.serve(Answer.refusal(429, "rate_limited", retry_after="3600"), ROUTES)
        events: list[RetryEvent] = []
        AI_Gateway(api_key="k", url=server.url, max_delay=0.05, on_retry=events.append).routes()
        self.assertEqual([e.delay for e in events], [0.05])
        past = email.utils.formatdate(time.time() - 60, usegmt=True)
        server = self.serve(Answer.refusal(503, "upstream_unavailable", retry_after=past), ROUTES)
        events.clear()
        AI_Gateway(api_key="k", url=server.url, on_retry=events.append).routes()
        self.assertEqual([e.delay for e in events], [0.0])

    def test_backoff_delay_is_the_typescript_sdks_in_seconds(self) -> None:
        # The same figures as test/admin/sdk.test.ts, with base 100 ms and cap 1 s.
        options = {"base_delay": 0.1, "max_delay": 1.0}
        self.assertEqual(backoff_delay(0, None, random=lambda: 0, **options), 0.05)
        self.assertEqual(backoff_delay(0, None, random=lambda: 1, **options), 0.1)
        self.assertEqual(backoff_delay(3, None, random=lambda: 1, **options), 0.8)
        self.assertEqual(backoff_delay(6, None, random=lambda: 1, **options), 1.0)
        self.assertEqual(backoff_delay(0, "2", random=lambda: 1, **options), 1.0)
        self.assertEqual(backoff_delay(0, "0.25", random=lambda: 1, **options), 0.25)
        self.assertEqual(backoff_delay(0, "soon", random=lambda: 1, **options), 0.1)
