"""The AI Gateway admin API from Python, as the skill card shows it:

    import os
    from ai_gateway import AI_Gateway
    gateway = AI_Gateway(api_key=os.environ['AI_GATEWAY_API_KEY']).connect(cluster='aimlops')
    gateway.create_route('/predict', 'http://ai-service:8080', method='POST')

Standard library only; the answers are typed (ai_gateway.types), refusals raise AIGatewayError.
"""

from ._client import UNSET, AI_Gateway, connect
from ._contexts import (
    DEFAULT_GATEWAY_URL,
    ENV_KEY,
    ENV_URL,
    ClusterContext,
    Connection,
    UserConfig,
    read_user_config,
    resolve_connection,
    user_config_path,
)
from ._errors import AIGatewayError, ApiKeyRequiredError
from ._retry import RETRY_STATUSES, RetryEvent, backoff_delay
from ._transport import HttpRequest, HttpResponse, Transport, urllib_transport

AIGateway = AI_Gateway  # the TypeScript SDK's name, for PEP 8 habits

__all__ = [
    "AI_Gateway",
    "AIGateway",
    "AIGatewayError",
    "ApiKeyRequiredError",
    "ClusterContext",
    "Connection",
    "DEFAULT_GATEWAY_URL",
    "ENV_KEY",
    "ENV_URL",
    "HttpRequest",
    "HttpResponse",
    "RETRY_STATUSES",
    "RetryEvent",
    "Transport",
    "UNSET",
    "UserConfig",
    "backoff_delay",
    "connect",
    "read_user_config",
    "resolve_connection",
    "urllib_transport",
    "user_config_path",
]
