"""What a call can fail with: no key (the card's ValueError, before anything is sent), a wrong key (401), the admin
API off (403), no gateway at the URL, no answer in time, and answers that are not the gateway's."""

from __future__ import annotations

import socket
import unittest

from ai_gateway import AI_Gateway, AIGatewayError, ApiKeyRequiredError, HttpRequest, HttpResponse, urllib_transport

from .support.busy_server import STALL, Answer, BusyServer
from .support.cases import GatewayTestCase
from .support.gateway import GatewayProcess, without_env_key


class KeyErrorsTest(GatewayTestCase):
    def test_no_key_raises_the_cards_value_error_before_anything_is_sent(self) -> None:
        sent: list[HttpRequest] = []

        def counting(request: HttpRequest) -> HttpResponse:
            sent.append(request)
            return urllib_transport(request)

        with without_env_key():
            gateway = AI_Gateway(url=self.gw.url, transport=counting)
            with self.assertRaisesRegex(ValueError, r"^API key required: pass api_key=\.\.\., set AI_GATEWAY_API_KEY") as raised:
                gateway.routes()
        error = raised.exception
        assert isinstance(error, ApiKeyRequiredError)  # a ValueError, and an AIGatewayError like every other failure
        self.assertIsInstance(error, AIGatewayError)
        self.assertEqual((error.status, error.type), (0, "api_key_required"))
        self.assertEqual(sent, [])

    def test_a_wrong_key_is_a_401_that_does_not_echo_the_key(self) -> None:
        wrong = AI_Gateway(api_key="not-the-admin-key", url=self.gw.url)
        error = self.assertRefused(401, "unauthorized", wrong.routes)
        self.assertIn("Wrong admin API key", error.message)
        self.assertNotIn("not-the-admin-key", error.message + repr(error) + repr(wrong))

    def test_without_a_key_on_the_gateway_the_admin_api_is_off_and_says_how_to_turn_it_on(self) -> None:
        off = GatewayProcess(env={"AI_GATEWAY_API_KEY": None})
        self.addCleanup(off.stop)
        error = self.assertRefused(403, "admin_disabled", AI_Gateway(api_key="any-key", url=off.url).routes)
        self.assertIn("start the gateway with AI_GATEWAY_API_KEY=", error.message)


class UnreachableTest(unittest.TestCase):
    def closed_port_url(self) -> str:
        """A loopback port nothing listens on: bound to find it free, then closed."""
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            return f"http://127.0.0.1:{probe.getsockname()[1]}"

    def test_no_gateway_at_the_url_is_status_0_unreachable_after_retrying_reads(self) -> None:
        attempts: list[str] = []

        def counting(request: HttpRequest) -> HttpResponse:
            attempts.append(request.method)
            return urllib_transport(request)

        url = self.closed_port_url()
        gateway = AI_Gateway(api_key="k", url=url, retries=2, base_delay=0.01, transport=counting)
        with self.assertRaises(AIGatewayError) as refused:
            gateway.routes()
        error = refused.exception
        self.assertEqual((error.status, error.type), (0, "unreachable"))
        self.assertIn(f"Cannot reach the gateway at {url}: Connection refused", error.message)
        self.assertEqual(attempts, ["GET", "GET", "GET"])  # a read is safe to repeat
        attempts.clear()
        with self.assertRaises(AIGatewayError):
            gateway.create_route("/predict", "http://ai-service:8080")
        self.assertEqual(attempts, ["POST"])  # a change is not: it may have been made

    def test_no_answer_within_the_timeout_is_unreachable_and_not_retried(self) -> None:
        server = BusyServer([STALL])
        self.addCleanup(server.close)
        with self.assertRaises(AIGatewayError) as refused:
            AI_Gateway(api_key="k", url=server.url, timeout=0.2).metrics()
        self.assertEqual((refused.exception.status, refused.exception.type), (0, "unreachable"))
        self.assertIn("no answer within 0.2 s", refused.exception.message)
        self.assertEqual(len(server.requests), 1)

    def test_an_answer_that_is_not_the_gateways_error_shape_keeps_its_status_and_start(self) -> None:
        server = BusyServer([Answer(502, {"Content-Type": "text/html"}, "<html>Bad gateway from a proxy</html>")])
        self.addCleanup(server.close)
        with self.assertRaises(AIGatewayError) as refused:
            AI_Gateway(api_key="k", url=server.url).routes()
        self.assertEqual((refused.exception.status, refused.exception.type), (502, "http_error"))
        self.assertIn("<html>Bad gateway from a proxy</html>", refused.exception.message)

    def test_a_redirect_is_not_followed_so_the_key_goes_nowhere_else(self) -> None:
        elsewhere = BusyServer([Answer(200, {"Content-Type": "application/json"}, '{"routes": []}')])
        self.addCleanup(elsewhere.close)
        redirecting = BusyServer([Answer(307, {"Location": f"{elsewhere.url}/api/v1/routes"})])
        self.addCleanup(redirecting.close)
        with self.assertRaises(AIGatewayError) as refused:
            AI_Gateway(api_key="k", url=redirecting.url).routes()
        self.assertEqual(refused.exception.status, 307)
        self.assertEqual(elsewhere.requests, [])
