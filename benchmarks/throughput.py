"""Throughput: answers per second through the fake Bot API server, the bot against an echo bot.

    python benchmarks/throughput.py [--questions 1000] [--runs 3] [--with-rate-limiter] [--concurrency N]

A burst of N questions (the dev and held-out questions, cycled), each from
its own private chat, is put on the fake server (tests/fake_telegram.py) at
once; a bot long-polls them and replies.  The rate is N divided by the time
from the burst to the N-th sendMessage.  Two bots take turns on a fresh
server each run: the real one (bot.telegram_app.build_application with the
bundled article) and one that only echoes the text back, built with the same
python-telegram-bot options.  A third bot, the real one with every answer
computed beforehand, shows how much of the difference is answering and how
much is the reply itself (HTML, buttons, the handlers).  Medians over the
runs and the ratio to the echo bot are printed.

--concurrency N handles N updates at a time in every bot instead of what
build_application sets (python-telegram-bot's 256): httpx's connection pool
slows down badly with hundreds of requests in flight.

By default Telegram's own outgoing limit (AIORateLimiter: 30 messages a
second) is left out of both bots, so what is measured is our code, not the
limit; --with-rate-limiter keeps it (then both run at about 30 a second).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
import threading
import time
from typing import Any

from _common import ROOT, median

sys.path.insert(0, str(ROOT / "tests"))

import fake_telegram  # noqa: E402
from fake_telegram import FakeTelegram  # noqa: E402
from telegram import Update  # noqa: E402
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder, Defaults, MessageHandler, filters  # noqa: E402

from bot import telegram_app  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.feedback import MemoryFeedback  # noqa: E402
from index.library import Library  # noqa: E402



class _DeepBacklog(fake_telegram.web.SockSite):
    """The fake server listening with a deep accept queue.

    aiohttp's default backlog (128) overflows when python-telegram-bot opens
    up to 256 connections at once in a burst; the kernel then drops the
    connection attempts and the client retries after a second, which
    measures TCP's retry timer instead of the bots.
    """

    def __init__(self, runner: Any, sock: Any, **options: Any) -> None:
        options["backlog"] = 4096
        super().__init__(runner, sock, **options)


fake_telegram.web.SockSite = _DeepBacklog  # this process only

QUESTION_FILES = (ROOT.parent / "shared" / "eval" / "dev.jsonl", ROOT / "tests" / "data" / "heldout.jsonl")


class Running:
    """An Application driven on its own event loop thread, long-polling the fake server."""

    def __init__(self, app: Application) -> None:
        self.app = app
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    def call(self, coroutine: Any, timeout: float = 60.0) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def __enter__(self) -> "Running":
        self.thread.start()
        self.call(self._start())
        return self

    async def _start(self) -> None:
        await self.app.initialize()
        if self.app.post_init is not None:
            await self.app.post_init(self.app)
        await self.app.start()
        await self.app.updater.start_polling(poll_interval=0, timeout=1, allowed_updates=Update.ALL_TYPES)

    def __exit__(self, *exc: object) -> None:
        try:
            self.call(self._stop())
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(5)
            self.loop.close()

    async def _stop(self) -> None:
        if self.app.updater is not None and self.app.updater.running:
            await self.app.updater.stop()
        if self.app.running:
            await self.app.stop()
        await self.app.shutdown()


def settings(tg: FakeTelegram) -> Settings:
    return Settings(token=tg.token, base_url=tg.base_url, base_file_url=None, webhook_secret=None,
                    allowed_chat_ids=frozenset(), admin_ids=frozenset(), flood_limit=1_000_000, log_level="WARNING")


def real_bot(tg: FakeTelegram, library: Library, rate_limited: bool) -> Application:
    app = telegram_app.build_application(settings(tg), library, MemoryFeedback())
    if not rate_limited:
        app.bot._rate_limiter = None  # type: ignore[attr-defined]  # PTB's ExtBot: no limiter, no waiting
    return app


def echo_bot(tg: FakeTelegram, rate_limited: bool) -> Application:
    """The same python-telegram-bot options as build_application, a handler that only echoes."""
    builder = (ApplicationBuilder().token(tg.token).base_url(tg.base_url).concurrent_updates(True)
               .defaults(Defaults(allow_sending_without_reply=True)))
    if rate_limited:
        builder = builder.rate_limiter(AIORateLimiter(max_retries=2))  # what the article bot's limiter wraps
    app = builder.build()

    async def echo(update: Update, context: object) -> None:
        message = update.effective_message
        if message is not None and message.text:
            await message.reply_text(message.text)

    app.add_handler(MessageHandler(filters.TEXT, echo))
    return app


def burst(make_app, questions: list[str]) -> float:
    """Answers per second for one burst on a fresh fake server."""
    with FakeTelegram() as tg:
        app = make_app(tg)
        with Running(app):
            tg.send_text(1, "热身")  # connections and caches warm before the clock starts
            _wait_for_replies(tg, 1, timeout=60)
            before = len(tg.calls("sendMessage"))
            start = time.perf_counter()
            for i, question in enumerate(questions):
                tg.send_text(10_000 + i, question)
            _wait_for_replies(tg, before + len(questions), timeout=600)
            elapsed = time.perf_counter() - start
    return len(questions) / elapsed


def _wait_for_replies(tg: FakeTelegram, count: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while len(tg.calls("sendMessage")) < count:
        if time.monotonic() > deadline:
            raise SystemExit(f"only {len(tg.calls('sendMessage'))} of {count} replies arrived; errors: "
                             f"{tg.errors[-3:]}")
        time.sleep(0.005)


class PrecomputedAnswers:
    """The library with every answer worked out in advance: asking costs a dict lookup."""

    def __init__(self, library: Library, questions: list[str]) -> None:
        self._library = library
        self._answers = {}
        for question in dict.fromkeys(questions):
            for k in (1, 3, 5, 10):
                self._answers[question, k] = library.ask(question, k=k)

    def ask(self, question: str, k: int = 3):
        found = self._answers.get((question, k))
        return found if found is not None else self._library.ask(question, k=k)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._library, name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--questions", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--with-rate-limiter", action="store_true",
                        help="keep Telegram's outgoing limit (30 messages a second) in both bots")
    parser.add_argument("--concurrency", type=int, default=0,
                        help="updates handled at a time by every bot (default: as build_application sets)")
    args = parser.parse_args()
    if args.concurrency:
        chosen = ApplicationBuilder.concurrent_updates
        ApplicationBuilder.concurrent_updates = lambda self, _value: chosen(self, args.concurrency)  # type: ignore
    logging.basicConfig(level=logging.ERROR)

    pool = [json.loads(line)["question"] for path in QUESTION_FILES if path.exists()
            for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    questions = [pool[i % len(pool)] for i in range(args.questions)]
    library = Library.load()

    precomputed = PrecomputedAnswers(library, questions)
    limited = args.with_rate_limiter
    bots = {
        "echo bot": lambda tg: echo_bot(tg, limited),
        "article bot": lambda tg: real_bot(tg, library, limited),
        "article bot, answers precomputed": lambda tg: real_bot(tg, precomputed, limited),  # type: ignore[arg-type]
    }
    rates: dict[str, list[float]] = {name: [] for name in bots}
    cpu: dict[str, list[float]] = {name: [] for name in bots}
    for _ in range(args.runs):
        for name, make in bots.items():
            start = time.process_time()
            rates[name].append(burst(make, questions))
            cpu[name].append((time.process_time() - start) / len(questions))
    limiter = "with" if limited else "without"
    concurrency = args.concurrency or "as built"
    print(f"burst of {args.questions} questions, {args.runs} runs each, {limiter} Telegram's rate limiter, "
          f"concurrent updates: {concurrency}")
    echo = median(rates["echo bot"])
    for name in bots:
        print(f"{name:<34}{median(rates[name]):>7.0f} answers/s  {median(rates[name]) / echo:5.2f} of echo  "
              f"CPU {median(cpu[name]) * 1000:5.2f} ms/answer (bot and fake server)  "
              f"runs: {', '.join(f'{r:.0f}' for r in rates[name])}")
    ratio = median(rates["article bot"]) / echo
    print(f"article bot / echo bot: {ratio:.2f}  (target ≥ 0.90: {'met' if ratio >= 0.9 else 'NOT met'})")


if __name__ == "__main__":
    main()
