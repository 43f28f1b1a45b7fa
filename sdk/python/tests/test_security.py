"""Security rules through the SDK: the card's update_security(endpoint, auth_type=..., rate_limit=...), any other rule
key in Python spelling, None removing a field, and the rules listed without secrets."""

from __future__ import annotations

from ai_gateway import AIGatewayError

from .support.cases import GatewayTestCase

JWT_SECRET = "python-sdk-jwt-secret-value-of-32-bytes-or-more"
TEAM_A_KEY = "python-sdk-team-a-key-value"


class SecurityTest(GatewayTestCase):
    env = {"JWT_SECRET": JWT_SECRET, "TEAM_A_KEY": TEAM_A_KEY}

    def test_update_security_in_the_cards_shape_creates_a_closed_rule_and_says_why(self) -> None:
        self.gateway.create_route("/predict", "http://ai-service:8080", method="POST")
        created = self.gateway.update_security("/predict", auth_type="jwt", rate_limit=100)
        self.assertTrue(created["created"])
        rule = created["rule"]
        self.assertEqual((rule["endpoint"], rule["auth"]), ("/predict", "jwt"))
        self.assertEqual(rule["rateLimit"]["requests"], {"limit": 100, "windowMs": 60_000, "source": "100/min"})
        # No key to verify tokens with yet: every request is refused, and the warning says so.
        self.assertIn("security.jwtNoKey", [w["code"] for w in created["warnings"]])
        changed = self.gateway.update_security("/predict", rate_limit="10/s", jwt={"secretEnv": "JWT_SECRET"})
        self.assertFalse(changed["created"])
        self.assertEqual(changed["rule"]["rateLimit"]["requests"]["source"], "10/s")
        self.assertEqual(changed["rule"]["jwt"]["secretEnv"], "JWT_SECRET")
        self.assertNotIn("security.jwtNoKey", [w["code"] for w in changed["warnings"]])
        self.assertIn("rateLimit: 10/s", self.gw.read_file())

    def test_none_removes_a_field(self) -> None:
        self.gateway.create_route("/summarize", "http://llm-service:5000")
        self.gateway.update_security("/summarize", auth_type="none", rate_limit="50/min")
        removed = self.gateway.update_security("/summarize", rate_limit=None)
        self.assertNotIn("rateLimit", removed["rule"])
        self.assertEqual(removed["rule"]["auth"], "none")

    def test_api_keys_are_listed_by_name_and_variable_never_the_key(self) -> None:
        self.gateway.create_route("/chat", "http://llm-service:5000")
        secured = self.gateway.update_security("/chat", auth_type="api-key", rate_limit="50/min", api_keys=[{"name": "team-a", "keyEnv": "TEAM_A_KEY"}])
        self.assertEqual(secured["rule"]["apiKeys"], [{"name": "team-a", "keyEnv": "TEAM_A_KEY"}])
        rules = {rule["endpoint"]: rule for rule in self.gateway.security()}
        self.assertEqual(rules["/chat"]["auth"], "api-key")
        self.assertEqual(rules["/v1/chat/completions"]["auth"], "none")
        listing = repr(self.gateway.security()) + repr(self.gateway.routes())
        self.assertNotIn(TEAM_A_KEY, listing)
        self.assertNotIn(JWT_SECRET, listing)

    def test_a_rule_for_no_route_is_a_422_with_diagnostics(self) -> None:
        before = self.gw.read_file()
        with self.assertRaises(AIGatewayError) as refused:
            self.gateway.update_security("/nowhere", auth_type="api-key")
        error = refused.exception
        self.assertEqual((error.status, error.type), (422, "invalid_config"))
        self.assertIn("matches no route", error.message)
        self.assertEqual(error.file, str(self.gw.file))
        paths = [d["path"] for d in error.diagnostics if d["severity"] == "error"]
        self.assertTrue(any(path[0] == "security" and path[-1] == "endpoint" for path in paths), paths)
        self.assertEqual(self.gw.read_file(), before)
