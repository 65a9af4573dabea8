"""How many updates are handled at once, in all and per chat.

PTB's SimpleUpdateProcessor bounds only the total. An answer to a busy group
may wait up to a minute in the rate limiter (Telegram allows a group about 20
messages a minute) and holds its slot all that time, so one lively group could
take every slot and leave private chats unanswered until it calms down. Here
each chat holds at most PER_CHAT slots; its further updates wait without
holding one, and every other chat keeps being answered.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

PER_CHAT = 4  # slots one chat may hold: more than a group's answers can go out at once anyway
_UNBOUNDED = 1_000_000  # PTB's own semaphore, taken before ours: it must never be the one that waits


class FairUpdateProcessor(BaseUpdateProcessor):
    """At most `max_updates` updates in hand, at most `per_chat` of them from any one chat."""

    __slots__ = ("_slots", "_per_chat", "_chats", "_limit", "_on_done")

    def __init__(self, max_updates: int, per_chat: int = PER_CHAT,
                 on_done: Callable[[object], None] | None = None) -> None:
        """`on_done` is told of each update once its handling is over, answered or failed, but not when it
        was cut off (cancelled on the way): bot/inbox.py then keeps it for the next start."""
        # PTB's process_update (final) takes its semaphore before calling do_process_update, so a
        # chat's waiting updates would hold PTB's slots; its bound is lifted and kept here instead,
        # taken after the chat's own.
        super().__init__(max_concurrent_updates=_UNBOUNDED)
        self._limit = max_updates
        self._slots = asyncio.BoundedSemaphore(max_updates)
        self._per_chat = per_chat
        self._chats: dict[int, tuple[asyncio.Semaphore, list[int]]] = {}  # chat → its semaphore, users
        self._on_done = on_done

    @property
    def limit(self) -> int:
        """Updates handled at once, in all (max_concurrent_updates is PTB's lifted bound)."""
        return self._limit

    def chats_in_hand(self) -> int:
        """Chats with an update being handled or waiting (for tests: none are left behind)."""
        return len(self._chats)

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        try:
            await self._process(update, coroutine)
        except asyncio.CancelledError:
            raise  # cut off, not handled: on_done is not told, so the inbox keeps it for the next start
        except BaseException:
            self._handled(update)
            raise
        self._handled(update)

    def _handled(self, update: object) -> None:
        if self._on_done is not None:
            self._on_done(update)

    async def _process(self, update: object, coroutine: Awaitable[Any]) -> None:
        chat = update.effective_chat.id if isinstance(update, Update) and update.effective_chat else None
        if chat is None:
            async with self._slots:
                await coroutine
            return
        semaphore, users = self._chats.setdefault(chat, (asyncio.Semaphore(self._per_chat), [0]))
        users[0] += 1
        try:
            async with semaphore, self._slots:
                await coroutine
        finally:
            users[0] -= 1
            if users[0] == 0:
                del self._chats[chat]

    async def initialize(self) -> None:
        """Nothing to set up: semaphores are made as chats come."""

    async def shutdown(self) -> None:
        """Nothing to free."""
