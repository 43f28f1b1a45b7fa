"""A test case with its own gateway process (one per class) and an SDK client for it."""

from __future__ import annotations

import unittest
from collections.abc import Mapping
from typing import Callable, ClassVar, Optional

from ai_gateway import AI_Gateway, AIGatewayError

from .gateway import ADMIN_KEY, CONFIG, GatewayProcess


class GatewayTestCase(unittest.TestCase):
    config: ClassVar[str] = CONFIG
    env: ClassVar[Mapping[str, Optional[str]]] = {}
    gw: ClassVar[GatewayProcess]
    gateway: ClassVar[AI_Gateway]

    @classmethod
    def setUpClass(cls) -> None:
        cls.gw = GatewayProcess(cls.config, cls.env)
        cls.addClassCleanup(cls.gw.stop)
        cls.gateway = AI_Gateway(api_key=ADMIN_KEY, url=cls.gw.url)

    def assertRefused(self, status: int, type: str, call: Callable[[], object]) -> AIGatewayError:
        """`call` raises AIGatewayError with this HTTP status and error type; the error, for more checks."""
        with self.assertRaises(AIGatewayError) as refused:
            call()
        self.assertEqual((refused.exception.status, refused.exception.type), (status, type), refused.exception.message)
        return refused.exception
