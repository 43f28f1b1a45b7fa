"""Routes through the SDK against a real gateway: create (the card's shape), read, replace, delete, kept in the file;
a duplicate is a 409 AIGatewayError with the diagnostics and the file they point into."""

from __future__ import annotations

from ai_gateway import AIGatewayError

from .support.cases import GatewayTestCase


class RoutesTest(GatewayTestCase):
    def test_create_route_in_the_cards_shape_is_applied_and_written_to_the_file(self) -> None:
        created = self.gateway.create_route("/predict", "http://ai-service:8080", method="POST")
        self.assertEqual(created["route"]["name"], "predict")
        self.assertEqual(created["route"]["methods"], ["POST"])
        self.assertEqual(created["route"]["targets"], [{"url": "http://ai-service:8080", "weight": 1}])
        self.assertEqual(created["changes"], {"added": ["predict"], "changed": [], "removed": []})
        self.assertIn("  - path: /predict\n    target: http://ai-service:8080\n    methods: [POST]\n", self.gw.read_file())
        self.assertIn("# chat goes to the built-in mock", self.gw.read_file())
        self.assertEqual(self.gateway.route("predict")["path"], "/predict")
        self.assertIn("predict", [route["name"] for route in self.gateway.routes()])

    def test_update_route_replaces_it_and_other_route_keys_go_through_in_the_apis_spelling(self) -> None:
        self.gateway.create_route("/embed", "http://embedder:8080", method="POST")
        updated = self.gateway.update_route("embed", "/embed", targets=["http://embedder-a:8080", "http://embedder-b:8080"], load_balancing="least-latency", timeout="10s")
        route = updated["route"]
        self.assertEqual(route["name"], "embed")
        self.assertEqual([target["url"] for target in route["targets"]], ["http://embedder-a:8080", "http://embedder-b:8080"])
        self.assertEqual((route["loadBalancing"], route["timeoutMs"]), ("least-latency", 10_000))
        self.assertNotIn("methods", route)  # the whole route was replaced: no method given, any method matches
        self.assertEqual(updated["changes"]["changed"], ["embed"])
        self.assertIn("loadBalancing: least-latency", self.gw.read_file())

    def test_delete_route_takes_the_rule_written_for_its_path_with_it(self) -> None:
        self.gateway.create_route("/old", "http://old-model:8000")
        self.gateway.update_security("/old", auth_type="none")
        deleted = self.gateway.delete_route("old")
        self.assertEqual((deleted["removed"], deleted["removedSecurity"]), ("old", ["/old"]))
        self.assertEqual(deleted["changes"]["removed"], ["old"])
        self.assertNotIn("old", [route["name"] for route in self.gateway.routes()])
        self.assertNotIn("/old", [rule["endpoint"] for rule in self.gateway.security()])
        self.assertNotIn("/old", self.gw.read_file())

    def test_a_duplicate_route_is_a_409_with_the_diagnostics_and_their_file(self) -> None:
        self.gateway.create_route("/ml-predict", "http://model-service:8000", method="POST")
        before = self.gw.read_file()
        with self.assertRaises(AIGatewayError) as refused:
            self.gateway.create_route("/ml-predict", "http://model-service:8000", method="POST")
        error = refused.exception
        self.assertEqual((error.status, error.type), (409, "already_exists"))
        self.assertIn("route.duplicate", [d["code"] for d in error.diagnostics])
        self.assertEqual(error.file, str(self.gw.file))
        self.assertTrue(error.request_id)
        self.assertEqual(self.gw.read_file(), before)

    def test_an_unknown_route_is_a_404(self) -> None:
        self.assertRefused(404, "route_not_found", lambda: self.gateway.route("nope"))
        self.assertRefused(404, "route_not_found", lambda: self.gateway.delete_route("nope"))

    def test_an_invalid_route_is_a_422_with_diagnostics_positioned_in_the_gateways_file(self) -> None:
        with self.assertRaises(AIGatewayError) as refused:
            self.gateway.create_route("/broken", "not a url", method="POST")
        error = refused.exception
        self.assertEqual((error.status, error.type), (422, "invalid_config"))
        self.assertEqual(error.file, str(self.gw.file))
        errors = [d for d in error.diagnostics if d["severity"] == "error"]
        self.assertTrue(errors, error.diagnostics)
        self.assertEqual(errors[0]["path"][:1], ["routes"])
        self.assertIn("line", error.message)
        self.assertNotIn("/broken", self.gw.read_file())
