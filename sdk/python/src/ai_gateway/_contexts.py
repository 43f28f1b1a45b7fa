"""Named gateway contexts, the file `ai-gateway-cli init --cluster aimlops --key ...` writes and the TypeScript SDK
reads (sdk/src/contexts.ts): $XDG_CONFIG_HOME/ai-gateway/config.json, default ~/.config/ai-gateway/config.json.
Read here the same way, with the same precedence, so the CLI and both SDKs reach the same gateway with the same key."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional, TypedDict

DEFAULT_GATEWAY_URL = "http://127.0.0.1:8080"
ENV_URL = "AI_GATEWAY_URL"
ENV_KEY = "AI_GATEWAY_API_KEY"


class ClusterContext(TypedDict, total=False):
    gateway: str
    key: str
    config: str  # the config file `ai-gateway-cli apply` pushes (`init --config`)


class _UserConfig(TypedDict):
    contexts: dict[str, ClusterContext]


class UserConfig(_UserConfig, total=False):
    currentContext: str


@dataclass(frozen=True)
class Connection:
    url: str
    api_key: Optional[str] = None
    context: Optional[str] = None
    config: Optional[str] = None

    def __repr__(self) -> str:  # the key stays out of logs and tracebacks
        return f"Connection(url={self.url!r}, context={self.context!r}, api_key={'<set>' if self.api_key else None})"


def user_config_path(env: Optional[Mapping[str, str]] = None) -> Path:
    env = os.environ if env is None else env
    xdg = env.get("XDG_CONFIG_HOME")
    base = Path(xdg) if xdg and os.path.isabs(xdg) else Path(env.get("HOME") or Path.home()) / ".config"
    return base / "ai-gateway" / "config.json"


def read_user_config(file: Optional[Path] = None) -> UserConfig:
    """The saved contexts; none when the file does not exist."""
    file = user_config_path() if file is None else file
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {"contexts": {}}
    try:
        data: Any = json.loads(text)
    except ValueError:
        raise ValueError(f"{file} is not valid JSON: fix or delete it, then run `ai-gateway-cli init` again.") from None
    if not isinstance(data, dict):
        raise ValueError(f"{file} is not a JSON object: fix or delete it, then run `ai-gateway-cli init` again.")
    contexts = data.get("contexts")
    config: UserConfig = {"contexts": contexts if isinstance(contexts, dict) else {}}
    if isinstance(data.get("currentContext"), str) and data["currentContext"]:
        config["currentContext"] = data["currentContext"]
    return config


def resolve_connection(
    user_config: UserConfig,
    *,
    cluster: Optional[str] = None,
    url: Optional[str] = None,
    api_key: Optional[str] = None,
    env: Optional[Mapping[str, str]] = None,
) -> Connection:
    """Arguments win over the environment, which wins over the context (`cluster`, else the current one), which wins
    over the default URL."""
    env = os.environ if env is None else env
    contexts = user_config["contexts"]
    name = cluster or user_config.get("currentContext")
    if cluster and cluster not in contexts:
        known = f" (known: {', '.join(contexts)})" if contexts else ""
        raise ValueError(
            f'No context named "{cluster}"{known}: create it with `ai-gateway-cli init --cluster {cluster} --key KEY`.'
        )
    context: ClusterContext = contexts.get(name, {}) if name else {}
    key = api_key or env.get(ENV_KEY) or context.get("key")
    return Connection(
        url=(url or env.get(ENV_URL) or context.get("gateway") or DEFAULT_GATEWAY_URL).rstrip("/"),
        api_key=key or None,
        context=name if name and name in contexts else None,
        config=context.get("config"),
    )
