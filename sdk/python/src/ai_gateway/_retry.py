"""The card's error handling: 429 and 503 are retried with exponential backoff (full jitter), honouring the gateway's
Retry-After up to the cap. The same policy as the TypeScript SDK (sdk/src/clientRetry.ts), in seconds."""

from __future__ import annotations

import email.utils
import math
import random as random_module
import time
from datetime import timezone
from typing import Callable, NamedTuple, Optional

RETRY_STATUSES = frozenset({429, 503})


class RetryEvent(NamedTuple):
    """Told to `on_retry` before each wait, e.g. to print "429, retrying in 0.4 s"."""

    attempt: int  # 1 for the first retry
    status: int
    delay: float  # seconds
    path: str


def backoff_delay(
    attempt: int,
    retry_after: Optional[str],
    *,
    base_delay: float = 0.2,
    max_delay: float = 5.0,
    random: Callable[[], float] = random_module.random,
) -> float:
    """Seconds to wait before retry `attempt + 1`: Retry-After when given (capped), else between half and all of
    `base_delay * 2.0**attempt` (capped)."""
    from_header = parse_retry_after(retry_after)
    if from_header is not None:
        return min(max_delay, from_header)
    ceiling = min(max_delay, base_delay * 2.0**attempt)
    return round(ceiling / 2 + random() * (ceiling / 2), 3)


def parse_retry_after(value: Optional[str]) -> Optional[float]:
    """Retry-After as seconds: a number of seconds or an HTTP date; None when absent or unreadable."""
    if value is None or value.strip() == "":
        return None
    try:
        seconds = float(value)
    except ValueError:
        seconds = math.nan
    if math.isfinite(seconds):
        return max(0.0, seconds)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:  # "-0000": RFC 9110 dates are GMT anyway
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, when.timestamp() - time.time())
