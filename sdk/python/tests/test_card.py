"""The skill card's Python, as written, against a real gateway: its `AI_Gateway(...).connect(cluster='aimlops')` line,
its `ValueError('API key required')`, and the README's Python section, every block of it (the README says it runs)."""

from __future__ import annotations

import contextlib
import io
import re
import shlex
import tempfile
from typing import Any

from ai_gateway import AI_Gateway

from .support.cases import GatewayTestCase
from .support.gateway import ADMIN_KEY, REPO_ROOT, environment, run_cli

# From the card's "Integration Notes" (the card leaves out the imports the line needs).
CARD_CONNECT = """import os
from ai_gateway import AI_Gateway
gateway = AI_Gateway(api_key=os.environ['AI_GATEWAY_API_KEY']).connect(cluster='aimlops')
"""

# From the card's "Error Handling", around an SDK call that needs the key.
CARD_KEY_CHECK = """import os
from ai_gateway import AI_Gateway
try:
    AI_Gateway().connect(cluster='aimlops').routes()
except ValueError as err:
    caught = str(err)
"""


def readme_python_section() -> str:
    text = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(r"^### Python\n(.*?)^#{1,3} ", text, re.MULTILINE | re.DOTALL)
    assert match is not None, "README.md has no ### Python section"
    return match.group(1)


def code_blocks(markdown: str, language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```", markdown, re.MULTILINE | re.DOTALL)


class CardTest(GatewayTestCase):
    env = {"JWT_SECRET": "card-jwt-secret-of-32-bytes-or-more-0123", "TEAM_A_KEY": "card-team-a-key"}

    def setUp(self) -> None:
        home = tempfile.TemporaryDirectory(prefix="ai-gateway-card-")
        self.addCleanup(home.cleanup)
        self.config_home = home.name
        scope = environment(XDG_CONFIG_HOME=self.config_home, AI_GATEWAY_API_KEY=ADMIN_KEY, AI_GATEWAY_URL=None)
        scope.__enter__()
        self.addCleanup(scope.__exit__, None, None, None)

    def init_context(self, *args: str) -> None:
        run_cli(["init", *args], {"XDG_CONFIG_HOME": self.config_home, "AI_GATEWAY_API_KEY": ADMIN_KEY})

    def run_python(self, code: str) -> tuple[dict[str, Any], str]:
        namespace: dict[str, Any] = {"__name__": "__card__"}
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            exec(compile(code, "<card>", "exec"), namespace)
        return namespace, printed.getvalue()

    def test_the_cards_connect_line_reaches_the_context_the_cli_saved(self) -> None:
        self.init_context("--cluster", "aimlops", "--gateway", self.gw.url, "--key", ADMIN_KEY)
        namespace, _ = self.run_python(CARD_CONNECT)
        gateway = namespace["gateway"]
        self.assertIsInstance(gateway, AI_Gateway)
        self.assertEqual(gateway.url, self.gw.url)
        self.assertEqual([route["name"] for route in gateway.routes()], ["chat"])

    def test_the_cards_value_error_is_what_the_sdk_raises_without_a_key(self) -> None:
        self.init_context("--cluster", "aimlops", "--gateway", self.gw.url)  # a context without a key
        with environment(AI_GATEWAY_API_KEY=None):
            namespace, _ = self.run_python(CARD_KEY_CHECK)
        self.assertTrue(namespace["caught"].startswith("API key required"), namespace["caught"])

    def test_the_readmes_python_section_runs_as_shown(self) -> None:
        section = readme_python_section()
        (install,) = [line for line in code_blocks(section, "sh") if "pip install" in line]
        self.assertEqual(install.strip(), "pip install ./sdk/python")  # the command the package tests install with
        (init,) = [line for block in code_blocks(section, "sh") for line in block.splitlines() if line.startswith("ai-gateway-cli init")]
        args = [self.gw.url if arg == "http://gateway:8080" else ADMIN_KEY if arg == "$AI_GATEWAY_API_KEY" else arg for arg in shlex.split(init)]
        self.init_context(*args[2:])

        example, error_handling = code_blocks(section, "python")
        _, printed = self.run_python(example)
        self.assertIn("auth: jwt names no key yet", printed)
        for name in ("chat", "predict", "chat-2"):  # "/chat" is named after its path; "chat" was taken
            self.assertRegex(printed, rf"(?m)^{name} \d+ requests, p95 [\d.]+ ms$")
        self.assertIn("['chat', 'predict', 'chat-2']", printed)
        self.assertIn("logLevel: debug", self.gw.read_file())
        rules = {rule["endpoint"]: rule for rule in self.gateway.security()}
        self.assertEqual(rules["/predict"].get("jwt", {}).get("secretEnv"), "JWT_SECRET")
        self.assertEqual(rules["/chat"]["auth"], "api-key")

        self.run_python(error_handling)  # re-raises anything but the 401 it expects from the old key
        self.assertIn("ml-predict", [route["name"] for route in self.gateway.routes()])
