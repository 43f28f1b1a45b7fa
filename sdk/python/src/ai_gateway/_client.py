"""The admin API client, in the skill card's shape: `AI_Gateway(api_key=...).connect(cluster='aimlops')`,
`create_route`, `update_security`, `metrics`, `routes`, `config(log_level=...)`; plus what the TypeScript SDK offers.
Every call sends `Authorization: Bearer <key>`, turns error bodies into AIGatewayError, and retries 429/503."""

from __future__ import annotations

import enum
import http.client
import json
import os
import socket
import time
import urllib.parse
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Optional, Union, cast, overload

from . import _transport
from ._contexts import DEFAULT_GATEWAY_URL, ENV_KEY, ENV_URL, read_user_config, resolve_connection
from ._errors import AIGatewayError, ApiKeyRequiredError
from ._retry import RETRY_STATUSES, RetryEvent, backoff_delay
from ._transport import HttpRequest, HttpResponse, Transport
from .types import (
    ApplyResult,
    AuthType,
    CachePurged,
    ConfigDocument,
    Health,
    LogLevel,
    LogLevelResult,
    MetricsSummary,
    MetricType,
    Route,
    RouteDeleted,
    RouteList,
    RouteResult,
    SecurityList,
    SecurityResult,
    SecurityRuleView,
    SpendBy,
    SpendReport,
    TraceRecord,
)

BASE_PATH = "/api/v1"
RateLimitInput = Union[int, str, Mapping[str, Any]]


class _Unset(enum.Enum):
    UNSET = "unset"


# "Not given", so that None can mean JSON null: update_security(endpoint, rate_limit=None) removes the limit.
UNSET = _Unset.UNSET


@dataclass(frozen=True)
class _Options:
    timeout: float
    retries: int
    base_delay: float
    max_delay: float
    on_retry: Optional[Callable[[RetryEvent], None]]
    transport: Optional[Transport]


class AI_Gateway:
    """A client of one gateway's admin API (the class name is the skill card's; AIGateway is the same class).

    `api_key` defaults to $AI_GATEWAY_API_KEY and `url` to $AI_GATEWAY_URL, then http://127.0.0.1:8080. A call that
    needs the key raises ApiKeyRequiredError (a ValueError: "API key required ...") before anything is sent.
    `timeout` is in seconds (to connect, and for each read); 429 and 503 answers are retried `retries` times with
    exponential backoff from `base_delay` up to `max_delay` seconds, honouring Retry-After; `on_retry` is told first.
    """

    def __init__(
        self,
        api_key: Optional[str] = None,
        url: Optional[str] = None,
        *,
        timeout: float = 30.0,
        retries: int = 4,
        base_delay: float = 0.2,
        max_delay: float = 5.0,
        on_retry: Optional[Callable[[RetryEvent], None]] = None,
        transport: Optional[Transport] = None,
    ) -> None:
        self._given_url = url
        self.url = (url or os.environ.get(ENV_URL) or DEFAULT_GATEWAY_URL).rstrip("/")
        self._api_key = api_key or os.environ.get(ENV_KEY) or None
        self.context: Optional[str] = None  # the saved context connect() used, if any
        self._options = _Options(timeout, retries, base_delay, max_delay, on_retry, transport)
        self._transport: Transport = transport or _transport.urllib_transport

    def __repr__(self) -> str:  # the key stays out of logs and tracebacks
        return f"AI_Gateway(url={self.url!r}{f', context={self.context!r}' if self.context else ''})"

    def connect(self, cluster: Optional[str] = None) -> AI_Gateway:
        """A client for a context saved by `ai-gateway-cli init --cluster NAME` (default: the current one). The key
        and URL given to this client, then the environment's, win over the context's, as for the CLI."""
        return connect(cluster, api_key=self._api_key, url=self._given_url, **vars(self._options))

    # ---- routes ------------------------------------------------------------------------------------------------

    def routes(self) -> list[Route]:
        """Every route as it runs, with the security rules protecting it."""
        return cast(RouteList, self._json("GET", "/routes"))["routes"]

    def route(self, name: str) -> Route:
        return cast(Route, self._json("GET", f"/routes/{_segment(name)}"))

    def create_route(self, path: str, target: Optional[str] = None, method: Optional[str] = None, **fields: Any) -> RouteResult:
        """`POST /api/v1/routes`: the card's `create_route('/predict', 'http://ai-service:8080', method='POST')`.
        Any other route key of the YAML may follow (`timeout='30s'`, `targets=[...]`, `load_balancing=...`)."""
        body = _route_body(path, target, method, fields)
        return cast(RouteResult, self._json("POST", "/routes", body))

    def update_route(self, name: str, path: str, target: Optional[str] = None, method: Optional[str] = None, **fields: Any) -> RouteResult:
        """Replaces route `name` with the one given (it keeps its name unless `name=` renames it)."""
        body = _route_body(path, target, method, fields)
        return cast(RouteResult, self._json("PUT", f"/routes/{_segment(name)}", body))

    def delete_route(self, name: str) -> RouteDeleted:
        """Removes the route, and the security rules written for exactly its path."""
        return cast(RouteDeleted, self._json("DELETE", f"/routes/{_segment(name)}"))

    # ---- security ----------------------------------------------------------------------------------------------

    def security(self) -> list[SecurityRuleView]:
        """The security rules, without secrets or key digests."""
        return cast(SecurityList, self._json("GET", "/security"))["security"]

    def update_security(
        self,
        endpoint: str,
        auth_type: Union[AuthType, None, _Unset] = UNSET,
        rate_limit: Union[RateLimitInput, None, _Unset] = UNSET,
        **fields: Any,
    ) -> SecurityResult:
        """`PUT /api/v1/security/{endpoint}`: sets the fields given (the card's `auth_type='jwt', rate_limit=100`;
        any other rule key, e.g. `jwt={'secretEnv': 'JWT_SECRET'}`, `api_keys=[...]`). None removes a field."""
        body = {_camel(key): value for key, value in fields.items()}
        if auth_type is not UNSET:
            body["authType"] = auth_type
        if rate_limit is not UNSET:
            body["rateLimit"] = rate_limit
        return cast(SecurityResult, self._json("PUT", f"/security/{_segment(endpoint)}", body))

    # ---- operations --------------------------------------------------------------------------------------------

    def metrics(
        self,
        type: Optional[MetricType] = None,
        route: Union[str, Sequence[str], None] = None,
        endpoint: Union[str, Sequence[str], None] = None,
    ) -> MetricsSummary:
        """Per route over the recent window; `route` (names) and `endpoint` (paths, e.g. '/chat') narrow it."""
        given = (("type", type), ("route", route), ("endpoint", endpoint))
        query = [(name, value) for name, values in given for value in _values(values)]
        suffix = f"?{urllib.parse.urlencode(query)}" if query else ""
        return cast(MetricsSummary, self._json("GET", f"/metrics{suffix}"))

    def spend(self, by: Optional[SpendBy] = None, period: Optional[str] = None) -> SpendReport:
        """What was spent in a day or month, by consumer (default), route or model; `period`: "month" (default), "day",
        a UTC day "2026-07-14" or a month "2026-07". With Redis, every replica's spending."""
        query = [(name, value) for name, value in (("by", by), ("period", period)) if value is not None]
        suffix = f"?{urllib.parse.urlencode(query)}" if query else ""
        return cast(SpendReport, self._json("GET", f"/spend{suffix}"))

    def purge_cache(self, route: str) -> CachePurged:
        """Removes the route's stored answers from the response cache (every replica's, with Redis)."""
        return cast(CachePurged, self._json("DELETE", f"/routes/{_segment(route)}/cache"))

    @overload
    def config(self) -> str: ...

    @overload
    def config(self, log_level: LogLevel, *, persist: bool = True) -> LogLevelResult: ...

    def config(self, log_level: Optional[LogLevel] = None, *, persist: bool = True) -> Union[str, LogLevelResult]:
        """The gateway's config file as YAML text; with `log_level`, the CLI's `config --log-level debug` instead."""
        if log_level is not None:
            return self.set_log_level(log_level, persist=persist)
        return self._send("GET", "/config", accept="application/yaml").body.decode("utf-8")

    def set_log_level(self, level: LogLevel, *, persist: bool = True) -> LogLevelResult:
        """Takes effect at once; `persist` also writes gateway.logLevel to the config file."""
        return cast(LogLevelResult, self._json("PUT", "/log-level", {"level": level, "persist": persist}))

    def config_document(self) -> ConfigDocument:
        """The config file's data (`${VAR}` not expanded), its path, and the hash to pass as `if_match`."""
        return cast(ConfigDocument, self._json("GET", "/config?format=json"))

    def apply_config(
        self, config: Union[str, os.PathLike[str], Mapping[str, Any]], *, if_match: Optional[str] = None
    ) -> ApplyResult:
        """Replaces the whole config: YAML text (written as sent), a YAML file (`pathlib.Path`), or data (merged into
        the file so its comments stay). With `if_match` (a `hash`), a config changed since is refused with 412."""
        if isinstance(config, os.PathLike):
            config = Path(config).read_text(encoding="utf-8")
        if isinstance(config, str):
            body, content_type = config.encode("utf-8"), "application/yaml"
        else:
            body, content_type = json.dumps(dict(config)).encode("utf-8"), "application/json"
        headers = {"If-Match": f'"{if_match}"'} if if_match else {}
        answer = self._send("PUT", "/config", data=body, content_type=content_type, headers=headers)
        return cast(ApplyResult, _parse(answer))

    def trace(self, request_id: str) -> TraceRecord:
        """The kept trace of a request sent with `x-gateway-trace: 1`; a 404 AIGatewayError once the gateway dropped it."""
        return cast(TraceRecord, self._json("GET", f"/traces/{_segment(request_id)}"))

    def health(self) -> Health:
        """`GET /healthz`; needs no key."""
        return cast(Health, _parse(self._send("GET", "/healthz", auth=False)))

    # ---- HTTP --------------------------------------------------------------------------------------------------

    def _json(self, method: str, path: str, body: Optional[Mapping[str, Any]] = None) -> Any:
        data = None if body is None else json.dumps(body).encode("utf-8")
        return _parse(self._send(method, path, data=data))

    def _send(
        self,
        method: str,
        path: str,
        *,
        data: Optional[bytes] = None,
        content_type: str = "application/json",
        accept: str = "application/json",
        headers: Optional[Mapping[str, str]] = None,
        auth: bool = True,
    ) -> HttpResponse:
        if auth and not self._api_key:
            raise ApiKeyRequiredError()
        full_path = f"{BASE_PATH}{path}" if auth else path
        sent = {"Accept": accept, **({"Authorization": f"Bearer {self._api_key}"} if auth else {})}
        if data is not None:
            sent["Content-Type"] = content_type
        request = HttpRequest(method, f"{self.url}{full_path}", {**sent, **(headers or {})}, data, self._options.timeout)
        retries = self._options.retries
        for attempt in range(retries + 1):
            try:
                response = self._transport(request)
            except (OSError, http.client.HTTPException) as error:
                # A refused connection is retried for reads only: they are safe to repeat.
                if isinstance(error, ConnectionRefusedError) and method == "GET" and attempt < retries:
                    time.sleep(self._delay(attempt, None))
                    continue
                raise self._unreachable(error) from error
            if 200 <= response.status < 300:
                return response
            if response.status in RETRY_STATUSES and attempt < retries:
                delay = self._delay(attempt, response.header("retry-after"))
                if self._options.on_retry is not None:
                    self._options.on_retry(RetryEvent(attempt + 1, response.status, delay, full_path))
                time.sleep(delay)
                continue
            raise _error_from(response)
        raise AssertionError("not reached: the last attempt returns or raises")

    def _delay(self, attempt: int, retry_after: Optional[str]) -> float:
        return backoff_delay(attempt, retry_after, base_delay=self._options.base_delay, max_delay=self._options.max_delay)

    def _unreachable(self, error: Union[OSError, http.client.HTTPException]) -> AIGatewayError:
        if isinstance(error, (TimeoutError, socket.timeout)):  # socket.timeout is TimeoutError from Python 3.10
            reason = f"no answer within {self._options.timeout} s"
        else:
            reason = (isinstance(error, OSError) and error.strerror) or str(error) or type(error).__name__
        return AIGatewayError(
            f"Cannot reach the gateway at {self.url}: {reason}. Is it running? Check url= or {ENV_URL}.", 0, "unreachable"
        )


def connect(cluster: Optional[str] = None, *, api_key: Optional[str] = None, url: Optional[str] = None, **options: Any) -> AI_Gateway:
    """The card's `AI_Gateway(api_key=...).connect(cluster='aimlops')` in one call: a client for a context saved by
    `ai-gateway-cli init --cluster aimlops --key KEY` (default: the current context). `options` as for AI_Gateway."""
    connection = resolve_connection(read_user_config(), cluster=cluster, url=url, api_key=api_key)
    client = AI_Gateway(connection.api_key, connection.url, **options)
    client.context = connection.context
    return client


def _parse(response: HttpResponse) -> Any:
    try:
        return json.loads(response.body)
    except ValueError:
        raise AIGatewayError(f"The gateway answered {response.status} with a body that is not JSON.", response.status, "http_error") from None


def _error_from(response: HttpResponse) -> AIGatewayError:
    text = response.body.decode("utf-8", errors="replace")
    try:
        error = json.loads(text)["error"]
        if isinstance(error, dict) and isinstance(error.get("message"), str):
            return AIGatewayError(
                error["message"],
                response.status,
                str(error.get("type", "http_error")),
                error.get("diagnostics") or [],
                error.get("file"),
                error.get("requestId"),
            )
    except (ValueError, KeyError, TypeError):
        pass  # not the gateway's error shape (a proxy in between?): report the start of what came back
    detail = f": {text[:200]}" if text else ""
    return AIGatewayError(f"{response.reason or 'HTTP error'}{detail}", response.status, "http_error")


def _route_body(path: str, target: Optional[str], method: Optional[str], fields: Mapping[str, Any]) -> dict[str, Any]:
    body: dict[str, Any] = {"path": path}
    if target is not None:
        body["target"] = target
    if method is not None:
        body["method"] = method
    body.update({_camel(key): value for key, value in fields.items()})
    return body


def _camel(name: str) -> str:
    """Python's `rate_limit` is the API's `rateLimit`; a name already in camelCase stays as it is."""
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _segment(value: str) -> str:
    return urllib.parse.quote(value, safe="")


def _values(given: Union[str, Sequence[str], None]) -> list[str]:
    if given is None:
        return []
    return [given] if isinstance(given, str) else list(given)
