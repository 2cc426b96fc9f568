"""When HTTP runtimes retry, and how long they wait.

One policy for every HTTP backend: retry what a second attempt can fix (the connection
was refused or dropped, the server answered 5xx while loading a model) with exponential
backoff, and never what it cannot (4xx: a missing model, a bad request, a model without
tool support). Read timeouts are not retried either: a generation that took longer than
the timeout would only take that long again, multiplying the wait.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

import httpx
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential,
)

__all__ = ["RetryPolicy", "StatusError", "is_transient", "transport_error"]

T = TypeVar("T")
log = logging.getLogger("gemma_agents.runtime")


class StatusError(Exception):
    """An HTTP error answer, raised inside a retried call; retried only when 5xx.

    Attributes:
        status_code: The HTTP status.
        body: The response text (error message), for the final error mapping.
    """

    def __init__(self, status_code: int, body: str) -> None:
        super().__init__(f"HTTP {status_code}: {body}")
        self.status_code = status_code
        self.body = body


def is_transient(exc: BaseException) -> bool:
    """True for failures a retry can fix: refused/dropped connections and HTTP 5xx."""
    if isinstance(exc, StatusError):
        return exc.status_code >= 500
    if isinstance(exc, httpx.HTTPStatusError):
        return exc.response.status_code >= 500
    status = getattr(exc, "status_code", None)
    if type(exc).__name__ == "ResponseError" and isinstance(status, int):
        return status >= 500  # ollama.ResponseError; -1 (error mid-stream) is not retried
    if isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.RemoteProtocolError):
        return True
    return isinstance(exc, ConnectionError)  # the ollama client's wrapped ConnectError


def _log_retry(state: RetryCallState) -> None:
    exc = state.outcome.exception() if state.outcome is not None else None
    wait = state.next_action.sleep if state.next_action is not None else 0.0
    log.warning(
        "attempt %d failed (%s: %s); retrying in %.2fs",
        state.attempt_number,
        type(exc).__name__,
        exc,
        wait,
    )


@dataclass(frozen=True)
class RetryPolicy:
    """Bounded exponential backoff for transient failures.

    Args:
        retries: Extra attempts after the first (``0`` disables retrying).
        wait: First backoff in seconds; doubles each attempt. Tests pass ``0``.
        max_wait: Upper bound on a single backoff.
    """

    retries: int = 3
    wait: float = 0.5
    max_wait: float = 8.0

    def _kwargs(self) -> dict[str, object]:
        return {
            "stop": stop_after_attempt(max(0, self.retries) + 1),
            "wait": wait_exponential(multiplier=self.wait, max=self.max_wait),
            "retry": retry_if_exception(is_transient),
            "reraise": True,
            "before_sleep": _log_retry,
        }

    def call(self, fn: Callable[[], T]) -> T:
        """Run ``fn`` until it succeeds, fails permanently or the attempts run out."""
        return Retrying(**self._kwargs())(fn)  # type: ignore[arg-type]

    async def acall(self, fn: Callable[[], Awaitable[T]]) -> T:
        """Async :meth:`call`."""
        return await AsyncRetrying(**self._kwargs())(fn)  # type: ignore[arg-type]


def transport_error(
    exc: BaseException, *, server: str, url: str, timeout: float, hint: str
) -> Exception | None:
    """Map an httpx/socket failure to our exception, or ``None`` if it is not one.

    Args:
        exc: The failure.
        server: Human name of the server (``Ollama``, ``the OpenAI-compatible server``).
        url: Where it was expected; named in the message so a wrong host is obvious.
        timeout: The configured timeout, named when it ran out.
        hint: What to do when the server cannot be reached.
    """
    from ..exceptions import InferenceError, RuntimeUnavailable

    if isinstance(exc, httpx.ConnectTimeout):
        return RuntimeUnavailable(f"connecting to {server} at {url} timed out", hint=hint)
    if isinstance(exc, httpx.TimeoutException):
        return InferenceError(
            f"{server} at {url} did not answer within the {timeout:g}s timeout",
            hint="raise the runtime's timeout= for long generations, or check the server's load",
        )
    if isinstance(exc, httpx.ConnectError | ConnectionError):
        return RuntimeUnavailable(f"cannot connect to {server} at {url}", hint=hint)
    if isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError | httpx.WriteError):
        return InferenceError(
            f"the connection to {server} at {url} dropped mid-answer ({exc})",
            hint="the server may have crashed or run out of memory; check its log",
        )
    if isinstance(exc, httpx.HTTPError):
        return RuntimeUnavailable(f"HTTP failure talking to {server} at {url}: {exc}", hint=hint)
    return None
