"""FairUpdateProcessor: a busy chat cannot take every slot; the total stays bounded; nothing is left behind."""

from __future__ import annotations

import asyncio

from datetime import datetime

from telegram import Chat, Message, Update

from bot.config import Settings
from bot.telegram_app import CONCURRENT_UPDATES, application_builder
from bot.update_processor import FairUpdateProcessor

_DATE = datetime(2026, 1, 1)


def update_in(update_id: int, chat_id: int) -> Update:
    chat = Chat(chat_id, Chat.GROUP if chat_id < 0 else Chat.PRIVATE)
    return Update(update_id, message=Message(update_id, _DATE, chat, text="问题"))


class Handling:
    """Coroutines that count themselves while running and finish when released."""

    def __init__(self) -> None:
        self.running: dict[int, int] = {}
        self.most: dict[int, int] = {}
        self.total_most = 0
        self.release = asyncio.Event()
        self.done: list[int] = []

    async def handle(self, update: Update) -> None:
        chat = update.effective_chat.id
        self.running[chat] = self.running.get(chat, 0) + 1
        self.most[chat] = max(self.most.get(chat, 0), self.running[chat])
        self.total_most = max(self.total_most, sum(self.running.values()))
        await self.release.wait()
        self.running[chat] -= 1
        self.done.append(update.update_id)


async def run_burst(processor: FairUpdateProcessor, busy: int, others: list[int]) -> Handling:
    handling = Handling()
    updates = [update_in(i, -100) for i in range(busy)] + [update_in(busy + i, chat) for i, chat in enumerate(others)]
    tasks = [asyncio.create_task(processor.process_update(u, handling.handle(u))) for u in updates]
    for _ in range(20):
        await asyncio.sleep(0)  # let every task take what it can
    seen = dict(handling.running)
    handling.release.set()
    await asyncio.gather(*tasks)
    handling.running = seen
    return handling


def test_a_busy_group_holds_at_most_its_share_and_private_chats_still_run() -> None:
    processor = FairUpdateProcessor(max_updates=8, per_chat=3)
    handling = asyncio.run(run_burst(processor, busy=50, others=[1, 2, 3]))
    assert handling.running == {-100: 3, 1: 1, 2: 1, 3: 1}  # while the group's updates wait, the others run
    assert handling.most[-100] == 3 and handling.total_most <= 8
    assert sorted(handling.done) == list(range(53))  # every update handled, none lost
    assert processor.chats_in_hand() == 0  # no per-chat state left behind


def test_the_total_stays_bounded_with_many_chats() -> None:
    processor = FairUpdateProcessor(max_updates=5, per_chat=3)
    handling = asyncio.run(run_burst(processor, busy=0, others=list(range(1, 41))))
    assert sum(handling.running.values()) == 5 and handling.total_most == 5
    assert len(handling.done) == 40 and processor.chats_in_hand() == 0


def test_the_bot_is_built_with_it() -> None:
    settings = Settings(token="123:abc", base_url="http://127.0.0.1:9/bot", base_file_url=None, webhook_secret=None,
                        allowed_chat_ids=frozenset(), admin_ids=frozenset(), flood_limit=1000, log_level="INFO")
    app = application_builder(settings).build()  # no network until it starts
    assert isinstance(app.update_processor, FairUpdateProcessor)
    assert app.update_processor.limit == CONCURRENT_UPDATES


def test_on_done_hears_of_handled_and_failed_updates_but_not_of_cut_off_ones() -> None:
    """The inbox forgets an update when on_done is told; one cancelled mid-way must be kept for the next run."""
    told: list[int] = []

    async def fails() -> None:
        raise RuntimeError("handler failed")

    async def run() -> None:
        processor = FairUpdateProcessor(4, on_done=lambda update: told.append(update.update_id))
        await processor.do_process_update(update_in(1, 7), asyncio.sleep(0))
        try:
            await processor.do_process_update(update_in(2, 7), fails())
        except RuntimeError:
            pass
        task = asyncio.ensure_future(processor.do_process_update(update_in(3, 8), asyncio.sleep(10)))
        await asyncio.sleep(0.01)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        assert processor.chats_in_hand() == 0

    asyncio.run(run())
    assert told == [1, 2]
