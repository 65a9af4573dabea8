"""Who may use the bot and how often: the chat allowlist, per-user flood control, admin-only commands.

These run inside the handlers, after a handler has decided an update is meant
for the bot, so that group chatter never costs a reader their quota and never
draws a refusal.
"""

from __future__ import annotations

import functools
import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any, Literal

from telegram import Update
from telegram.ext import ContextTypes

Verdict = Literal["ok", "notice", "ignore"]
Callback = Callable[[Update, ContextTypes.DEFAULT_TYPE], Awaitable[Any]]


class FloodGate:
    """At most `limit` interactions per user in any `window` seconds.

    The first interaction over the limit gets one polite notice; the rest are
    ignored until the oldest counted one is a full window old. Other users are
    counted separately, so one noisy reader never slows anyone else down.
    """

    PRUNE_AT = 10_000  # users tracked before idle ones are dropped

    def __init__(self, limit: int, window: float = 60.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.window = window
        self.clock = clock
        self._seen: dict[int, deque[float]] = {}
        self._noticed: set[int] = set()

    def check(self, user_id: int) -> Verdict:
        """Count one interaction. Called from the event loop only, so no lock is needed."""
        now = self.clock()
        if len(self._seen) >= self.PRUNE_AT:
            self._forget_idle(now)
        times = self._seen.setdefault(user_id, deque())
        while times and now - times[0] >= self.window:
            times.popleft()
        if len(times) < self.limit:
            times.append(now)
            self._noticed.discard(user_id)
            return "ok"
        if user_id in self._noticed:
            return "ignore"
        self._noticed.add(user_id)
        return "notice"

    def _forget_idle(self, now: float) -> None:
        """Drop users with nothing in the window, so the table does not grow forever."""
        for user_id in [u for u, t in self._seen.items() if not t or now - t[-1] >= self.window]:
            del self._seen[user_id]
            self._noticed.discard(user_id)


def chat_allowed(allowed: frozenset[int], chat_id: int | None) -> bool:
    """An empty allowlist admits every chat."""
    return not allowed or (chat_id is not None and chat_id in allowed)


def admin_only(refuse: Callback) -> Callable[[Callback], Callback]:
    """Run the wrapped command only for ADMIN_IDS; everyone else gets `refuse` instead."""

    def decorate(callback: Callback) -> Callback:
        @functools.wraps(callback)
        async def guarded(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Any:
            admins: frozenset[int] = context.bot_data["settings"].admin_ids
            user = update.effective_user
            if user is None or user.id not in admins:
                return await refuse(update, context)
            return await callback(update, context)

        return guarded

    return decorate
