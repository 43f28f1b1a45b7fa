"""The whole config through the SDK: read as YAML or data, applied as text, a file or data (with If-Match), refused
with diagnostics pointing into what was sent; and the log level, the card's `config(log_level='debug')`."""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path

from ai_gateway import AIGatewayError

from .support.cases import GatewayTestCase


class ConfigTest(GatewayTestCase):
    def test_config_is_the_files_yaml_and_config_document_its_data_and_hash(self) -> None:
        text = self.gw.read_file()
        self.assertEqual(self.gateway.config(), text)
        document = self.gateway.config_document()
        self.assertEqual(document["hash"], hashlib.sha256(text.encode("utf-8")).hexdigest())
        self.assertEqual(document.get("file"), str(self.gw.file))
        self.assertEqual(document["config"]["routes"][0]["name"], "chat")

    def test_apply_config_takes_yaml_text_a_file_or_data(self) -> None:
        text = self.gateway.config()
        applied = self.gateway.apply_config(text.replace("timeout: 30s", "timeout: 40s"))
        self.assertEqual(applied["changes"], {"added": [], "changed": ["chat"], "removed": []})
        self.assertIn("timeout: 40s", self.gw.read_file())
        self.assertEqual(applied["hash"], self.gateway.config_document()["hash"])

        with tempfile.TemporaryDirectory() as folder:
            file = Path(folder) / "gateway.yaml"
            route = "  - path: /from-file\n    target: http://file-service:8000\n"
            file.write_text(self.gateway.config().replace("\nsecurity:", f"{route}\nsecurity:"), encoding="utf-8")
            from_file = self.gateway.apply_config(file)
        self.assertEqual(from_file["changes"]["added"], ["from-file"])

        data = self.gateway.config_document()["config"]
        data["routes"] = [route for route in data["routes"] if route.get("path") != "/from-file"]
        from_data = self.gateway.apply_config(data)
        self.assertEqual(from_data["changes"]["removed"], ["from-file"])
        self.assertIn("# chat goes to the built-in mock", self.gw.read_file())  # data is merged: comments stay

    def test_if_match_refuses_a_change_based_on_a_config_that_changed_since_with_412(self) -> None:
        seen = self.gateway.config_document()["hash"]
        current = self.gateway.apply_config(self.gateway.config().replace("logLevel: info", "logLevel: warn"), if_match=seen)
        self.assertNotEqual(current["hash"], seen)
        before = self.gw.read_file()
        with self.assertRaises(AIGatewayError) as refused:
            self.gateway.apply_config(before.replace("logLevel: warn", "logLevel: error"), if_match=seen)
        self.assertEqual((refused.exception.status, refused.exception.type), (412, "precondition_failed"))
        self.assertEqual(self.gw.read_file(), before)
        self.gateway.apply_config(before.replace("logLevel: warn", "logLevel: info"), if_match=current["hash"])

    def test_an_invalid_config_is_a_422_with_diagnostics_positioned_in_the_text_sent(self) -> None:
        before = self.gw.read_file()
        sent = before.replace("target: mock://openai", "target: mock://openai\n    loadBalancing: fastest")
        with self.assertRaises(AIGatewayError) as refused:
            self.gateway.apply_config(sent)
        error = refused.exception
        self.assertEqual((error.status, error.type), (422, "invalid_config"))
        self.assertIsNone(error.file)  # the positions are in the body that was sent, not in the gateway's file
        wrong = [d for d in error.diagnostics if d["severity"] == "error"]
        self.assertTrue(wrong, error.diagnostics)
        line = sent.splitlines()[wrong[0]["range"]["start"]["line"]]
        self.assertIn("loadBalancing: fastest", line)
        self.assertEqual(self.gw.read_file(), before)

    def test_config_log_level_as_the_card_sets_it_kept_in_the_file_or_not(self) -> None:
        self.assertEqual(self.gateway.config(log_level="debug"), {"level": "debug", "persisted": True})
        self.assertIn("logLevel: debug", self.gw.read_file())
        self.assertEqual(self.gateway.set_log_level("warn", persist=False), {"level": "warn", "persisted": False})
        self.assertIn("logLevel: debug", self.gw.read_file())
        self.assertEqual(self.gateway.config(log_level="info"), {"level": "info", "persisted": True})
