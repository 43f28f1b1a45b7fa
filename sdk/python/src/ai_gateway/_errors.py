"""What an SDK call can fail with: the gateway's answer (status, error type, message, diagnostics) or no answer."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Optional

from .types import Diagnostic


class AIGatewayError(Exception):
    """A refusal of the gateway (`status` is its HTTP status) or no answer at all (`status` 0, `type` "unreachable").

    `type` is the error body's type ("unauthorized", "already_exists", "invalid_config", ...); `diagnostics` are what
    `ai-gateway-cli validate` prints, positioned in `file` (the gateway's config) or, for apply_config, in the text sent.
    """

    def __init__(
        self,
        message: str,
        status: int,
        type: str,
        diagnostics: Sequence[Diagnostic] = (),
        file: Optional[str] = None,
        request_id: Optional[str] = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.type = type
        self.diagnostics: list[Diagnostic] = list(diagnostics)
        self.file = file
        self.request_id = request_id

    def __repr__(self) -> str:
        return f"{type(self).__name__}(status={self.status}, type={self.type!r}, message={self.message!r})"


class ApiKeyRequiredError(AIGatewayError, ValueError):
    """The card's `raise ValueError('API key required')`: no key was given, in AI_GATEWAY_API_KEY or a saved context."""

    def __init__(self) -> None:
        super().__init__(
            "API key required: pass api_key=..., set AI_GATEWAY_API_KEY, or save one with"
            " `ai-gateway-cli init --cluster NAME --key KEY`.",
            0,
            "api_key_required",
        )
