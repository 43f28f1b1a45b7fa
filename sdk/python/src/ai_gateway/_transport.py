"""One HTTP exchange with the gateway, through urllib (standard library). A client takes any callable of this shape as
`transport=`, e.g. to add client certificates or to record what the gateway answered, as the tests do."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.message import Message
from typing import Callable, Optional


@dataclass(frozen=True)
class HttpRequest:
    method: str
    url: str
    headers: Mapping[str, str]
    body: Optional[bytes] = None
    timeout: float = 30.0  # seconds to connect, and for each read


@dataclass(frozen=True)
class HttpResponse:
    status: int
    reason: str
    body: bytes
    headers: Mapping[str, str] = field(default_factory=dict)  # names in lower case

    def header(self, name: str) -> Optional[str]:
        return self.headers.get(name.lower())


# An answer, or OSError (refused, reset, timed out) / http.client.HTTPException when none came.
Transport = Callable[[HttpRequest], HttpResponse]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is answered as what it is: following it would send the admin key to wherever it points."""

    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def urllib_transport(request: HttpRequest) -> HttpResponse:
    call = urllib.request.Request(request.url, data=request.body, headers=dict(request.headers), method=request.method)
    try:
        with _opener.open(call, timeout=request.timeout) as answer:
            return HttpResponse(answer.status, answer.reason, answer.read(), _lower(answer.headers))
    except urllib.error.HTTPError as error:  # a non-2xx answer is still an answer
        with error:
            return HttpResponse(error.code, str(error.reason), error.read(), _lower(error.headers))
    except urllib.error.URLError as error:
        # Refused, unknown host, timed out while connecting: the OSError underneath says which.
        raise error.reason if isinstance(error.reason, OSError) else OSError(str(error.reason)) from error


def _lower(headers: Message) -> dict[str, str]:
    return {name.lower(): value for name, value in headers.items()}
