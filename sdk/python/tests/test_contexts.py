"""connect(cluster=...) reads the contexts `ai-gateway-cli init --cluster NAME` saves (the real CLI writes them here),
with the CLI's precedence: arguments, then AI_GATEWAY_URL / AI_GATEWAY_API_KEY, then the context, then the default."""

from __future__ import annotations

import json
import os
import tempfile
import unittest
from pathlib import Path

from ai_gateway import AI_Gateway, UserConfig, connect, read_user_config, resolve_connection, user_config_path

from .support.cases import GatewayTestCase
from .support.gateway import ADMIN_KEY, environment, run_cli, without_env_key


class ContextsTest(GatewayTestCase):
    def setUp(self) -> None:
        home = tempfile.TemporaryDirectory(prefix="ai-gateway-home-")
        self.addCleanup(home.cleanup)
        self.config_home = home.name
        scope = environment(XDG_CONFIG_HOME=self.config_home, AI_GATEWAY_API_KEY=None, AI_GATEWAY_URL=None)
        scope.__enter__()
        self.addCleanup(scope.__exit__, None, None, None)
        run_cli(["init", "--cluster", "aimlops", "--gateway", self.gw.url, "--key", ADMIN_KEY], {"XDG_CONFIG_HOME": self.config_home})
        run_cli(["init", "--cluster", "staging", "--gateway", "http://127.0.0.1:9"], {"XDG_CONFIG_HOME": self.config_home})

    def test_connect_to_a_context_the_cli_saved_uses_its_gateway_and_key(self) -> None:
        gateway = AI_Gateway().connect(cluster="aimlops")
        self.assertEqual((gateway.url, gateway.context), (self.gw.url, "aimlops"))
        self.assertEqual([route["name"] for route in gateway.routes()], ["chat"])
        self.assertEqual(connect(cluster="aimlops").url, self.gw.url)

    def test_without_a_cluster_the_current_context_is_used_the_one_init_saved_last(self) -> None:
        self.assertEqual(connect().url, "http://127.0.0.1:9")
        run_cli(["init", "--cluster", "aimlops"], {"XDG_CONFIG_HOME": self.config_home})
        self.assertEqual(connect().url, self.gw.url)

    def test_arguments_and_the_environment_win_over_the_context(self) -> None:
        self.assertEqual(connect(cluster="aimlops", url="http://127.0.0.1:7").url, "http://127.0.0.1:7")
        self.assertEqual(AI_Gateway(url="http://127.0.0.1:7").connect(cluster="aimlops").url, "http://127.0.0.1:7")
        with environment(AI_GATEWAY_URL="http://127.0.0.1:6/"):
            self.assertEqual(connect(cluster="aimlops").url, "http://127.0.0.1:6")
        wrong = AI_Gateway(api_key="not-the-key").connect(cluster="aimlops")
        self.assertRefused(401, "unauthorized", wrong.routes)

    def test_an_unknown_context_names_the_known_ones_and_how_to_create_it(self) -> None:
        with self.assertRaisesRegex(ValueError, r'No context named "missing" \(known: aimlops, staging\): create it with `ai-gateway-cli init --cluster missing --key KEY`'):
            AI_Gateway().connect(cluster="missing")

    def test_a_context_without_a_key_and_no_key_elsewhere_is_the_cards_value_error(self) -> None:
        with self.assertRaisesRegex(ValueError, "^API key required"):
            connect(cluster="staging").routes()


class ContextsFileTest(unittest.TestCase):
    def test_the_file_is_where_the_cli_keeps_it(self) -> None:
        self.assertEqual(user_config_path({"XDG_CONFIG_HOME": "/xdg", "HOME": "/home/me"}), Path("/xdg/ai-gateway/config.json"))
        # A relative XDG_CONFIG_HOME is ignored, as the XDG spec says.
        self.assertEqual(user_config_path({"XDG_CONFIG_HOME": "xdg", "HOME": "/home/me"}), Path("/home/me/.config/ai-gateway/config.json"))

    def test_no_file_means_no_contexts_and_a_broken_one_says_what_to_do(self) -> None:
        with tempfile.TemporaryDirectory() as folder:
            file = Path(folder) / "config.json"
            self.assertEqual(read_user_config(file), {"contexts": {}})
            file.write_text("{ not json", encoding="utf-8")
            with self.assertRaisesRegex(ValueError, "is not valid JSON: fix or delete it, then run `ai-gateway-cli init` again"):
                read_user_config(file)

    def test_resolution_order_matches_the_typescript_sdk(self) -> None:
        saved: UserConfig = {"currentContext": "a", "contexts": {"a": {"gateway": "http://a:1/", "key": "ka"}, "b": {"gateway": "http://b:1"}}}
        self.assertEqual(resolve_connection(saved, env={}).url, "http://a:1")
        self.assertEqual(resolve_connection(saved, env={}).api_key, "ka")
        self.assertEqual(resolve_connection(saved, cluster="b", env={"AI_GATEWAY_API_KEY": "kenv"}).api_key, "kenv")
        self.assertEqual(resolve_connection(saved, cluster="b", env={}).api_key, None)
        self.assertEqual(resolve_connection({"contexts": {}}, env={}).url, "http://127.0.0.1:8080")
        self.assertNotIn("ka", repr(resolve_connection(saved, env={})))

    def test_the_file_the_cli_writes_is_read_as_is(self) -> None:
        with tempfile.TemporaryDirectory() as folder, without_env_key():
            run_cli(["init", "--cluster", "aimlops", "--gateway", "http://gateway:8080", "--key", "k1"], {"XDG_CONFIG_HOME": folder})
            file = Path(folder) / "ai-gateway" / "config.json"
            self.assertEqual(read_user_config(file), json.loads(file.read_text(encoding="utf-8")))
            self.assertEqual(oct(os.stat(file).st_mode & 0o777), "0o600")
