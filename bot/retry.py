"""Outgoing Bot API calls that survive Telegram's bad moments: retried with bounded backoff.

PTB never retries a call itself, and AIORateLimiter retries only 429s, so
without this a sendMessage that times out or meets a 502 is simply lost.
RetryingRateLimiter wraps AIORateLimiter (Telegram's outgoing limits still
apply to every attempt) and makes a failed call again while the failure is
transient, waiting longer each time, until a time budget runs out.

Delivery is at least once. A 429, or a request that never left (no
connection, pool exhausted), is known not to have been processed, so its
retry cannot duplicate anything. After a timeout, a dropped connection, a 5xx
or a body that is not JSON, Telegram may have processed the call and only the
answer was lost; the retry then sends a second copy. Answers to callback and
inline queries are made idempotent here ("query is too old" on a retry means
the first attempt got through); edits are idempotent already ("message is not
modified" is caught in handlers); only a sendMessage can be repeated.
"""

from __future__ import annotations

import asyncio
import logging
import time
import warnings
from collections.abc import Callable, Coroutine
from datetime import timedelta
from typing import Any

from telegram.error import BadRequest, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.ext import AIORateLimiter
from telegram.warnings import PTBDeprecationWarning

logger = logging.getLogger(__name__)

Result = bool | dict[str, Any] | list[dict[str, Any]]
ANSWER_METHODS = frozenset({"answerCallbackQuery", "answerInlineQuery"})  # a query is answered at most once
TOO_OLD = "query is too old"


def is_transient(error: BaseException) -> bool:
    """Whether making the same call again may succeed: Telegram or the network failed, not the request.

    BadRequest is a NetworkError subclass in PTB but a verdict on the request;
    a plain TelegramError caused by a ValueError is a response body that is not JSON.
    """
    if isinstance(error, (RetryAfter, TimedOut)):
        return True
    if isinstance(error, NetworkError):
        return not isinstance(error, BadRequest)
    return type(error) is TelegramError and isinstance(error.__cause__, ValueError)


def retry_after_seconds(error: RetryAfter) -> float:
    """RetryAfter.retry_after is an int now and a timedelta in PTB's next major version: read either quietly."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        wait = error.retry_after
    return wait.total_seconds() if isinstance(wait, timedelta) else float(wait)


class RetryingRateLimiter(AIORateLimiter):
    """AIORateLimiter that also retries transient failures: first_delay, doubling up to max_delay, for at most
    give_up_after seconds per call (long enough to ride out a minute's outage).

    A 429 waits what Telegram asks. No jitter: the rate limiter already spreads
    the retries of many calls over time.
    """

    def __init__(self, *, first_delay: float = 0.5, max_delay: float = 10.0, give_up_after: float = 90.0,
                 max_retries: int = 2) -> None:
        super().__init__(max_retries=max_retries)  # 429s within AIORateLimiter also pause every other call
        self.first_delay = first_delay
        self.max_delay = max_delay
        self.give_up_after = give_up_after

    def delay(self, error: BaseException, attempt: int) -> float:
        """Seconds to wait before attempt number `attempt + 1` (attempt 0 was the first call)."""
        if isinstance(error, RetryAfter):
            return retry_after_seconds(error) + 0.1
        return min(self.max_delay, self.first_delay * 2 ** attempt)

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Result]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Result:
        """The call through AIORateLimiter, made again after each transient failure until the budget runs out."""
        deadline = time.monotonic() + self.give_up_after
        maybe_done = False  # an earlier attempt may have been processed although it failed
        attempt = 0
        while True:
            try:
                return await super().process_request(callback, args, kwargs, endpoint, data, rate_limit_args)
            except TelegramError as error:
                if maybe_done and answered_already(endpoint, error):
                    return True
                wait = self.delay(error, attempt)
                attempt += 1
                if not is_transient(error) or time.monotonic() + wait > deadline:
                    raise  # on_error logs it once, with the update id
                maybe_done = maybe_done or not isinstance(error, RetryAfter)
                logger.debug("%s failed (%s); attempt %d in %.1f s", endpoint, type(error).__name__, attempt + 1, wait)
                await asyncio.sleep(wait)


def answered_already(endpoint: str, error: TelegramError) -> bool:
    """A retried answer to a callback or inline query refused as "too old": the lost attempt answered it."""
    return endpoint in ANSWER_METHODS and isinstance(error, BadRequest) and TOO_OLD in error.message.lower()
