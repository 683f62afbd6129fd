"""One careful HTTP GET for the collectors: honest User-Agent, timeouts, retries.

``get`` retries HTTP 429 and 5xx, timeouts and connection errors with exponential
backoff (``Retry-After`` in seconds is honoured, capped), follows redirects, caps the
body size, and turns every failure into a ``SourceError``; no httpx exception escapes.
The client is injected; ``sleep`` too, so tests never wait.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import httpx

from monitor import __version__
from monitor.errors import SourceAuthError, SourceError, SourceUnavailable

USER_AGENT = f"Escucha/{__version__} (+brand monitor; contact in config)"
DEFAULT_TIMEOUT = 20.0  # seconds, for connect, read and write each
MAX_BODY_BYTES = 32 * 1024 * 1024
RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504, 520, 522, 524})


@dataclass(frozen=True)
class Retry:
    """How often and how patiently to retry: ``Retry(attempts=3, backoff=1.0, max_wait=60.0)``.

    The n-th wait is ``backoff * 2**(n-1)`` seconds, or the server's ``Retry-After``
    seconds when given; either is capped at ``max_wait``.
    """

    attempts: int = 3
    backoff: float = 1.0
    max_wait: float = 60.0

    def wait(self, attempt: int, retry_after: str | None = None) -> float:
        """Seconds to sleep after failed attempt number ``attempt`` (1-based)."""
        seconds = _retry_after_seconds(retry_after)
        if seconds is None:
            seconds = self.backoff * 2 ** (attempt - 1)
        return min(max(seconds, 0.0), self.max_wait)


@dataclass(frozen=True)
class HttpResponse:
    """A finished response: ``status`` is 200-299 or 304; ``headers`` keys are lower-case."""

    status: int
    url: str
    headers: Mapping[str, str]
    body: bytes


def default_client(timeout: float = DEFAULT_TIMEOUT) -> httpx.Client:
    """An ``httpx.Client`` with the product's User-Agent and timeout."""
    return httpx.Client(headers={"User-Agent": USER_AGENT}, timeout=timeout)


def get(
    client: httpx.Client,
    url: str,
    *,
    source: str,
    headers: Mapping[str, str] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    retry: Retry = Retry(),  # noqa: B008 (frozen, so sharing the default is safe)
    sleep: Callable[[float], None] = time.sleep,
    max_bytes: int = MAX_BODY_BYTES,
) -> HttpResponse:
    """GET ``url`` for ``source``; return a 2xx or 304 response or raise ``SourceError``."""
    request_headers = {"User-Agent": USER_AGENT, **(headers or {})}
    attempts = max(1, retry.attempts)
    problem = ""
    cause: Exception | None = None
    for attempt in range(1, attempts + 1):
        retry_after = None
        try:
            response = _get_once(client, url, request_headers, timeout, max_bytes, source)
        except httpx.TimeoutException as e:
            problem, cause = f"timed out after {timeout:g} s", e
        except (httpx.ConnectError, httpx.NetworkError, httpx.RemoteProtocolError) as e:
            problem, cause = f"could not connect ({_describe(e)})", e
        except httpx.TooManyRedirects as e:
            raise SourceError(source, f"too many redirects from {url}", hint=_URL_HINT) from e
        except (httpx.HTTPError, httpx.InvalidURL, httpx.StreamError) as e:
            raise SourceError(
                source, f"request to {url} failed: {_describe(e)}", hint=_URL_HINT
            ) from e
        else:
            if response.status not in RETRY_STATUSES:
                return _check_status(response, source)
            problem, cause = f"HTTP {response.status}", None
            retry_after = response.headers.get("retry-after")
        if attempt < attempts:
            sleep(retry.wait(attempt, retry_after))
    raise SourceUnavailable(
        source,
        f"{url} unavailable: {problem} ({attempts} attempt{'s' if attempts > 1 else ''})",
        hint="the site may be down or rate-limiting us; it will be retried on the next run",
    ) from cause


_URL_HINT = "check the source's url in the configuration"


def _get_once(
    client: httpx.Client,
    url: str,
    headers: Mapping[str, str],
    timeout: float,
    max_bytes: int,
    source: str,
) -> HttpResponse:
    with client.stream(
        "GET", url, headers=dict(headers), timeout=timeout, follow_redirects=True
    ) as response:
        body = b""
        if 200 <= response.status_code < 300:
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > max_bytes:
                    raise SourceError(
                        source,
                        f"response from {url} is larger than {max_bytes // 1_000_000} MB",
                        hint="check that the url points at a feed, not a file download",
                    )
                chunks.append(chunk)
            body = b"".join(chunks)
        return HttpResponse(
            status=response.status_code,
            url=str(response.url),
            headers={k.lower(): v for k, v in response.headers.items()},
            body=body,
        )


def _check_status(response: HttpResponse, source: str) -> HttpResponse:
    status = response.status
    if 200 <= status < 300 or status == 304:
        return response
    where = response.url
    if status in (401, 403):
        raise SourceAuthError(
            source,
            f"HTTP {status}: access to {where} refused",
            hint="the feed needs a login or blocks automated readers; check the url",
        )
    if status in (404, 410):
        raise SourceError(
            source,
            f"HTTP {status}: {where} not found",
            hint="check the url: open it in a browser; the feed may have moved",
        )
    raise SourceError(source, f"HTTP {status} from {where}", hint=_URL_HINT)


def _retry_after_seconds(value: str | None) -> float | None:
    """``Retry-After`` as seconds; HTTP-date values are ignored (backoff applies)."""
    if not value:
        return None
    try:
        seconds = float(value.strip())
    except ValueError:
        return None
    return seconds if math.isfinite(seconds) else None


def _describe(error: Exception) -> str:
    return str(error) or type(error).__name__


__all__ = [
    "DEFAULT_TIMEOUT",
    "MAX_BODY_BYTES",
    "USER_AGENT",
    "HttpResponse",
    "Retry",
    "default_client",
    "get",
]
