"""Sturdy under faults, floods and hostile input: the bot against a Bot API that fails on purpose.

Every question is tracked on its own: each user asks questions whose answers show different passages
(or the decline), so each bot message names the question it answers, and a question answered twice
or never is counted, not averaged away. Figures are printed (run with -s to see them).

The CI runs are small; the full-size runs are opt-in:
    python -m pytest -m slow -s tests/test_faults.py
"""

from __future__ import annotations

import json
import logging
import signal
import socket
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from telegram import Update
from telegram.error import (
    BadRequest,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)

from bot import telegram_app
from bot.feedback import MemoryFeedback
from bot.replies import CANDIDATES
from bot.retry import RetryingRateLimiter, is_transient
from bot.telegram_app import build_application
from bot.texts import text
from core_fixtures import ROOT, seeds_library  # noqa: F401  (fixture)
from fake_telegram import FAULT_KINDS, FakeTelegram, FaultPlan
from index.library import Library
from test_telegram_bot import VOLUNTEERS, RunningBot, bot_env, free_port, make_settings, press, say, start_process

# PTB's own RetryAfter constructor warns that retry_after becomes a timedelta in v23; bot.retry reads either.
pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")

HELDOUT = ROOT / "tests" / "data" / "heldout.jsonl"
DECLINED = "拱墅区有多少个网格？"
READ_TIMEOUT = 1.0  # PTB's wait for an answer in these tests (5 s in production)
HOLD = 2.5  # how long a "timeout" fault answers nothing: past READ_TIMEOUT, and past a 1 s long poll + READ_TIMEOUT
FIRST_RETRY = 0.1  # the first retry's delay in these tests (0.5 s in production)


def any_fault() -> FaultPlan:
    """About 20% of all calls (getUpdates included) fail, every kind alike; a fresh seeded plan per run."""
    return FaultPlan(rate=0.2, kinds=FAULT_KINDS, seed=3, timeout_seconds=HOLD)


# -- questions that name their answers -------------------------------------------------------------------


def distinct_questions(library: Library, n: int) -> list[tuple[str, str]]:
    """(question, key) pairs whose answers show n different passages or the decline; key is text only that
    answer shows, so a bot message names the question it answers."""
    pool = [json.loads(line)["question"] for line in HELDOUT.read_text(encoding="utf-8").splitlines() if line.strip()]
    chosen: list[tuple[str, str]] = []
    for question in [DECLINED, *pool]:
        answer = library.ask(question, k=CANDIDATES)
        if answer.reason in ("empty", "no_words"):
            continue
        key = answer.hits[0].passage.text if answer.answered else text("not_in_article")
        if all(key not in other and other not in key for _, other in chosen):
            chosen.append((question, key))
        if len(chosen) == n:
            return chosen
    raise AssertionError(f"only {len(chosen)} questions with distinct answers")


@dataclass
class Asked:
    """Who asked what, and the update id each question got."""

    questions: list[tuple[str, str]]
    update_ids: dict[tuple[int, str], int] = field(default_factory=dict)  # (chat, key) → update id
    lock: threading.Lock = field(default_factory=threading.Lock)

    def ask(self, tg: FakeTelegram, chat: int, index: int) -> int:
        question, key = self.questions[index % len(self.questions)]
        update_id = tg.send_text(chat, question)
        assert update_id is not None
        with self.lock:
            self.update_ids[(chat, key)] = update_id
        return update_id

    def burst(self, tg: FakeTelegram, users: int, per_user: int, first_chat: int = 1000,
              pace: float = 0.0, unpaced: int = 0) -> int:
        """Every user asks per_user different questions, users interleaved, each in its own order;
        the first `unpaced` at once, the rest `pace` seconds apart."""
        last = 0
        for round_ in range(per_user):
            for user in range(users):
                last = self.ask(tg, first_chat + user, round_ + user)
                if pace and round_ * users + user >= unpaced:
                    time.sleep(pace)
        return last

    @property
    def chats(self) -> set[int]:
        with self.lock:
            return {chat for chat, _ in self.update_ids}


@dataclass
class Tally:
    sent: int
    once: int
    lost: list[tuple[int, str]]
    duplicated: list[tuple[int, str]]
    stray: list[str]  # bot messages that answer none of the questions (an error message, say)

    def line(self) -> str:
        return (f"questions {self.sent}, answered once {self.once}, lost {len(self.lost)}, "
                f"duplicated {len(self.duplicated)}, other messages {len(self.stray)}")


def answer_counts(tg: FakeTelegram, asked: Asked) -> tuple[Counter[tuple[int, str]], list[str]]:
    """How many bot messages answer each (chat, key), and the messages that answer nothing asked."""
    keys = [key for _, key in asked.questions]
    counts: Counter[tuple[int, str]] = Counter()
    stray = []
    for chat in asked.chats:
        for message in tg.messages(chat):
            named = [key for key in keys if key in message.text]
            if len(named) == 1:
                counts[(chat, named[0])] += 1
            else:
                stray.append(message.text[:60])
    return counts, stray


def answered(tg: FakeTelegram, asked: Asked) -> int:
    counts, _ = answer_counts(tg, asked)
    return len(counts)


def tally(tg: FakeTelegram, asked: Asked) -> Tally:
    counts, stray = answer_counts(tg, asked)
    asked_keys = set(asked.update_ids)
    return Tally(
        sent=len(asked_keys),
        once=sum(1 for k in asked_keys if counts[k] == 1),
        lost=sorted(k for k in asked_keys if counts[k] == 0),
        duplicated=sorted(k for k in asked_keys if counts[k] > 1),
        stray=stray + [f"unasked {k}" for k in counts if k not in asked_keys],
    )


def fault_line(tg: FakeTelegram) -> str:
    faulted = tg.faulted
    calls = len(tg.sent) + tg.poll_count + len(tg.errors) + len(faulted)
    kinds = Counter(f["kind"] for f in faulted)
    share = len(faulted) / calls if calls else 0.0
    per_kind = ", ".join(f"{kind} {kinds[kind]}" for kind in FAULT_KINDS)
    return f"Bot API calls {calls}, faulted {len(faulted)} ({share:.0%}): {per_kind}"


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    """For conditions spanning several chats or a subprocess, which the fake has no single wait for."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"waited {timeout}s for {what}")
        time.sleep(0.02)


# -- the bot in-process -----------------------------------------------------------------------------------


class PollingBot(RunningBot):
    """RunningBot whose getUpdates failures go to the error handler, as under run_polling (serve)."""

    async def _start(self) -> None:
        await self.app.initialize()
        assert self.app.post_init is not None
        await self.app.post_init(self.app)
        await self.app.start()
        await self.app.updater.start_polling(  # type: ignore[union-attr]
            poll_interval=0, timeout=1, allowed_updates=Update.ALL_TYPES, error_callback=self._polling_failed)

    def _polling_failed(self, error: TelegramError) -> None:
        self.app.create_task(self.app.process_error(update=None, error=error))

    def drain(self, last_update_id: int, timeout: float) -> None:
        """Block until last_update_id was fetched and every fetched update fully handled (retries included)."""
        self.tg.wait_for_offset(last_update_id, timeout=timeout)
        self.call(self.app.update_queue.join(), timeout=timeout)


@pytest.fixture
def tg(fake_telegram: FakeTelegram) -> FakeTelegram:
    return fake_telegram


@pytest.fixture
def start_bot(tg: FakeTelegram, seeds_library: Library) -> Iterator[Callable[..., PollingBot]]:  # noqa: F811
    running: list[PollingBot] = []

    def start(library: Library | None = None, **overrides: Any) -> PollingBot:
        app = build_application(make_settings(tg, **overrides), library or seeds_library, MemoryFeedback(),
                                read_timeout=READ_TIMEOUT)
        app.bot.rate_limiter.first_delay = FIRST_RETRY  # type: ignore[union-attr]
        bot = PollingBot(tg, app).start()
        running.append(bot)
        return bot

    yield start
    tg.faults = None
    tg.end_outage()
    for bot in running:
        bot.stop()


@pytest.fixture
def bot_log(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.INFO, logger="bot")
    return caplog


def failures(caplog: pytest.LogCaptureFixture) -> list[str]:
    """What the error handler logged as failed updates."""
    return [r.getMessage() for r in caplog.records if r.name == "bot.handlers" and r.levelno >= logging.ERROR]


def no_question_text_at_info(caplog: pytest.LogCaptureFixture, asked: Asked) -> bool:
    logged = "\n".join(r.getMessage() for r in caplog.records if r.levelno >= logging.INFO)
    return not any(question in logged for question, _ in asked.questions)


# -- 1. faults from Telegram ------------------------------------------------------------------------------


def not_json() -> TelegramError:
    """What PTB raises for a 200 response whose body is not JSON."""
    error = TelegramError("Invalid server response")
    error.__cause__ = ValueError("Expecting value")
    return error


@pytest.mark.parametrize(("make", "transient"), [  # made in the test: PTB's RetryAfter warns when built
    (lambda: RetryAfter(1), True), (TimedOut, True), (lambda: NetworkError("Bad Gateway"), True), (not_json, True),
    (lambda: BadRequest("message is too long"), False), (lambda: Forbidden("bot was blocked by the user"), False),
    (lambda: InvalidToken("Unauthorized"), False), (lambda: Conflict("terminated by other getUpdates request"), False),
    (lambda: TelegramError("something else"), False),
])
def test_only_failures_of_telegram_or_the_network_are_retried(make: Callable[[], TelegramError],
                                                             transient: bool) -> None:
    assert is_transient(make()) is transient


def test_retry_delays_double_up_to_a_cap_and_a_429_waits_what_it_says() -> None:
    limiter = RetryingRateLimiter()
    assert [limiter.delay(TimedOut(), n) for n in range(7)] == [0.5, 1, 2, 4, 8, 10, 10]
    assert limiter.delay(RetryAfter(3), 0) == pytest.approx(3.1)
    assert limiter.give_up_after > 60  # rides out a minute's outage


def run_faulty_burst(tg: FakeTelegram, bot: PollingBot, library: Library, users: int, per_user: int,
                     plan: FaultPlan, timeout: float) -> tuple[Asked, float]:
    asked = Asked(distinct_questions(library, per_user))
    started = time.monotonic()
    tg.faults = plan
    last = asked.burst(tg, users, per_user)
    bot.drain(last, timeout)
    elapsed = time.monotonic() - started
    tg.faults = None
    return asked, elapsed


def check_exactly_once(tg: FakeTelegram, bot: PollingBot, library: Library, caplog: pytest.LogCaptureFixture,
                       users: int, per_user: int, timeout: float) -> None:
    asked, elapsed = run_faulty_burst(tg, bot, library, users, per_user, any_fault(), timeout)
    result = tally(tg, asked)
    print(f"\n[faults] {users} users: {result.line()}; {fault_line(tg)}; {elapsed:.1f} s")
    assert result.sent == users * per_user
    assert result.once == result.sent and not result.lost and not result.duplicated and not result.stray
    assert all(tg.fault_counts.get(kind, 0) > 0 for kind in FAULT_KINDS), tg.fault_counts
    assert failures(caplog) == []  # every failure was retried away: nothing for the error handler
    assert no_question_text_at_info(caplog, asked)
    assert tg.errors == []  # no retry ever met a refusal (nothing was processed twice)


def test_150_questions_under_20_percent_faults_are_answered_exactly_once(
        tg: FakeTelegram, start_bot: Callable[..., PollingBot], seeds_library: Library,  # noqa: F811
        bot_log: pytest.LogCaptureFixture) -> None:
    bot = start_bot()
    check_exactly_once(tg, bot, seeds_library, bot_log, users=15, per_user=10, timeout=60)


@pytest.mark.slow
def test_1000_questions_from_100_users_under_20_percent_faults(
        tg: FakeTelegram, start_bot: Callable[..., PollingBot], seeds_library: Library,  # noqa: F811
        bot_log: pytest.LogCaptureFixture) -> None:
    bot = start_bot()
    check_exactly_once(tg, bot, seeds_library, bot_log, users=100, per_user=10, timeout=300)


def test_when_telegram_processed_a_call_but_the_answer_was_lost_the_retry_duplicates_it(
        tg: FakeTelegram, start_bot: Callable[..., PollingBot], seeds_library: Library,  # noqa: F811
        bot_log: pytest.LogCaptureFixture) -> None:
    """At least once, not exactly once: the only duplicates are sends Telegram processed and whose answer
    was lost (a 429 is never processed, so it is left out here)."""
    bot = start_bot()
    plan = FaultPlan(rate=0.2, kinds=("500", "502", "timeout", "drop", "badjson"), seed=3, timeout_seconds=HOLD,
                     process_then_fail=True)
    asked, elapsed = run_faulty_burst(tg, bot, seeds_library, users=4, per_user=6, plan=plan, timeout=60)
    result = tally(tg, asked)
    counts, _ = answer_counts(tg, asked)
    processed_sends = sum(1 for f in tg.faulted if f["processed"] and f["method"] == "sendMessage")
    print(f"\n[processed, answer lost] {result.line()}; processed sendMessage faults {processed_sends}; "
          f"{fault_line(tg)}; {elapsed:.1f} s")
    assert not result.lost and not result.stray
    assert sum(counts.values()) - result.sent == processed_sends > 0
    assert failures(bot_log) == [] and no_question_text_at_info(bot_log, asked)


def test_retried_edits_and_callback_answers_are_not_repeated(tg: FakeTelegram, start_bot: Callable[..., PollingBot],
                                                             bot_log: pytest.LogCaptureFixture) -> None:
    """An edit and a callback answer reach Telegram but their responses are lost: the retries meet
    "not modified" and "query is too old", which say the first attempts worked; nothing is logged as failed."""
    bot = start_bot()
    reply = say(tg, 42, VOLUNTEERS)
    for method, data in (("editMessageText", "n:0"), ("answerCallbackQuery", "n:1")):
        tg.faults = FaultPlan(rate=1.0, kinds=("drop",), methods={method}, process_then_fail=True, max_faults=1)
        assert press(tg, 42, reply.message_id, data).get("text") is None
        bot.call(bot.app.update_queue.join())  # the press is handled through to its last retry
    tg.faults = None
    assert tg.messages(42)[0].edits == 2 and len(tg.messages(42)) == 1 and len(tg.callback_answers) == 2
    assert [f["method"] for f in tg.faulted] == ["editMessageText", "answerCallbackQuery"]
    refusals = [e["description"] for e in tg.errors]
    assert len(refusals) == 2 and "not modified" in refusals[0] and "too old" in refusals[1]
    assert failures(bot_log) == []


# -- 4. the error handler under faults --------------------------------------------------------------------


def test_a_failed_answer_is_logged_once_and_the_user_told_once_despite_a_fault(
        tg: FakeTelegram, start_bot: Callable[..., PollingBot], seeds_library: Library,  # noqa: F811
        bot_log: pytest.LogCaptureFixture) -> None:
    class Broken(Library):
        def ask(self, question: str, k: int = 3) -> Any:
            if question.startswith("BOOM"):
                raise RuntimeError("index on fire")
            return super().ask(question, k)

    bot = start_bot(Broken(seeds_library.documents, seeds_library.passages, seeds_library.searcher))
    tg.faults = FaultPlan(rate=1.0, kinds=("500",), methods={"sendMessage"}, max_faults=1)
    update_id = tg.send_text(42, "BOOM 东湖街道有多少志愿者？")
    bot.drain(update_id, 10)
    assert [m.text for m in tg.messages(42)] == [text("error")]
    assert failures(bot_log) == [f"update {update_id} failed: RuntimeError"]
    assert all("BOOM" not in r.getMessage() for r in bot_log.records if r.levelno >= logging.INFO)


def test_an_answer_that_cannot_be_delivered_is_logged_once_and_nothing_else_sent(
        tg: FakeTelegram, start_bot: Callable[..., PollingBot], bot_log: pytest.LogCaptureFixture) -> None:
    bot = start_bot()
    bot.app.bot.rate_limiter.give_up_after = 1.0  # type: ignore[union-attr]
    tg.faults = FaultPlan(rate=1.0, kinds=("502",), methods={"sendMessage"})
    update_id = tg.send_text(42, VOLUNTEERS)
    bot.drain(update_id, 10)
    attempts = len(tg.faulted)
    tg.faults = None
    assert tg.messages(42) == [] and attempts >= 2  # retried, then given up: no "error" message either
    assert failures(bot_log) == [f"update {update_id} failed: NetworkError"]
    assert "2138" in say(tg, 42, VOLUNTEERS).text


# -- 2. an outage -----------------------------------------------------------------------------------------


def check_outage(tg: FakeTelegram, bot: PollingBot, library: Library, seconds: float) -> None:
    """Answers in flight when Telegram goes away and questions sent during the outage: all answered, once.

    Sending fails first, so that the outage surely begins with answers still to be sent.
    """
    asked = Asked(distinct_questions(library, 6))
    tg.faults = FaultPlan(rate=1.0, kinds=("502",), methods={"sendMessage"})
    asked.burst(tg, users=15, per_user=3, first_chat=2000)
    wait_until(lambda: bool(tg.faulted), 10, "the first answer being refused")
    tg.outage(seconds)
    tg.faults = None
    outage_ends = time.monotonic() + seconds
    during = [asked.ask(tg, 2000 + user, 3 + user) for user in range(15)]
    bot.drain(max(during), timeout=seconds + 60)
    caught_up = time.monotonic() - outage_ends
    result = tally(tg, asked)
    refused = Counter(f["method"] for f in tg.faulted)
    print(f"\n[outage {seconds:g} s] {result.line()}; refused: getUpdates {refused['getUpdates']}, "
          f"sendMessage {refused['sendMessage']}; last answer {caught_up:.1f} s after it ended")
    assert result.once == result.sent == 60 and not result.stray
    assert refused["getUpdates"] > 0 and tg.fault_counts["outage"] > refused["getUpdates"]  # sends hit it too


def test_the_bot_polls_through_an_outage_and_catches_up(tg: FakeTelegram, start_bot: Callable[..., PollingBot],
                                                        seeds_library: Library,  # noqa: F811
                                                        bot_log: pytest.LogCaptureFixture) -> None:
    check_outage(tg, start_bot(), seeds_library, 1.5)
    assert failures(bot_log) == []
    assert any("fetching updates failed" in r.getMessage() for r in bot_log.records if r.levelno == logging.WARNING)


@pytest.mark.slow
def test_the_bot_polls_through_a_one_minute_outage(tg: FakeTelegram, start_bot: Callable[..., PollingBot],
                                                   seeds_library: Library) -> None:  # noqa: F811
    check_outage(tg, start_bot(), seeds_library, 60)


# -- 3. SIGTERM and SIGKILL in the middle of a burst ------------------------------------------------------


def serve_env(tg: FakeTelegram, **extra: str) -> dict[str, str]:
    return bot_env(tg, TELEGRAM_BOT_TOKEN=tg.token, QUESTION_LOG="off", ARTICLE_WATCH_SECONDS="0",
                   FLOOD_LIMIT_PER_MINUTE="1000", LOG_LEVEL="INFO", **extra)


def serve(tg: FakeTelegram, folder: Path) -> subprocess.Popen[bytes]:
    """`python -m bot serve` in `folder`; bots started in sibling folders share one inbox, as a restarted
    bot does."""
    folder.mkdir()
    mark = tg.mark()
    process, _, _ = start_process(["serve"], serve_env(tg, UPDATE_INBOX=str(folder.parent / "inbox.sqlite3")),
                                  folder)
    tg.wait_for_call("setMyCommands", timeout=30, since=mark)  # post_init ran: polling starts next
    return process


def check_logs(tg: FakeTelegram, folder: Path, asked: Asked) -> None:
    """No token, no traceback, no reader's question at INFO, in what a bot process wrote."""
    logs = (folder / "stdout.txt").read_text(encoding="utf-8") + (folder / "stderr.txt").read_text(encoding="utf-8")
    assert tg.token not in logs and "Traceback" not in logs
    assert not any(question in logs for question, _ in asked.questions)


def restart_test(tg: FakeTelegram, library: Library, tmp_path: Path, sig: signal.Signals, users: int,
                 per_user: int) -> dict[str, Any]:
    """Half the questions come at once, the rest over the next seconds; the bot gets `sig` when a third are
    answered (most of the first half fetched, much of it not yet answered); a new bot then takes over."""
    asked = Asked(distinct_questions(library, per_user))
    total = users * per_user
    first = serve(tg, tmp_path / "first")
    feeder = threading.Thread(target=asked.burst, args=(tg, users, per_user),
                              kwargs={"pace": 0.02, "unpaced": total // 2})
    second = None
    try:
        feeder.start()
        wait_until(lambda: answered(tg, asked) >= total // 3, 60, "a third of the answers")
        first.send_signal(sig)
        stopping = time.monotonic()
        code = first.wait(timeout=60)
        stop_seconds = time.monotonic() - stopping
        time.sleep(0.3)  # requests the fake had already received finish; the process is gone
        offset = tg.confirmed_offset
        before, _ = answer_counts(tg, asked)
        feeder.join(30)
        second = serve(tg, tmp_path / "second")
        last = max(asked.update_ids.values())
        tg.wait_for_offset(last, timeout=60)
        wait_until(lambda: not tg.pending_updates(), 30, "every update confirmed")
        expected = set(asked.update_ids)  # the inbox gives the second bot what the first left unanswered
        wait_until(lambda: expected <= set(answer_counts(tg, asked)[0]), 60, "the second bot's answers")
        second.send_signal(signal.SIGTERM)
        assert second.wait(timeout=60) == 0
    finally:
        for process in (first, second):
            if process is not None and process.poll() is None:
                process.kill()
    for name in ("first", "second"):
        check_logs(tg, tmp_path / name, asked)
    result = tally(tg, asked)
    confirmed = {k for k, u in asked.update_ids.items() if u < offset}
    return {"result": result, "code": code, "stop_seconds": stop_seconds, "before": before, "confirmed": confirmed,
            "total": total}


def check_sigterm(tg: FakeTelegram, library: Library, tmp_path: Path, users: int) -> None:
    run = restart_test(tg, library, tmp_path, signal.SIGTERM, users=users, per_user=10)
    result, before, confirmed = run["result"], run["before"], run["confirmed"]
    print(f"\n[SIGTERM] {result.line()}; first bot answered {len(before)} (all it fetched: {len(confirmed)}) "
          f"and stopped in {run['stop_seconds']:.1f} s")
    assert run["code"] == 0
    assert set(before) == confirmed and all(n == 1 for n in before.values())  # fetched ⇒ answered, before exit
    assert result.once == result.sent == run["total"] and not result.stray


def test_sigterm_mid_burst_finishes_what_it_fetched_and_a_restart_answers_the_rest(
        tg: FakeTelegram, seeds_library: Library, tmp_path: Path) -> None:  # noqa: F811
    check_sigterm(tg, seeds_library, tmp_path, users=6)


@pytest.mark.slow
def test_sigterm_mid_burst_of_200(tg: FakeTelegram, seeds_library: Library, tmp_path: Path) -> None:  # noqa: F811
    check_sigterm(tg, seeds_library, tmp_path, users=20)


@pytest.mark.parametrize("delay", [0.0, 0.002, 0.005])
def test_sigterm_while_the_bot_is_still_starting_stops_it_cleanly(tg: FakeTelegram, tmp_path: Path,
                                                                   delay: float) -> None:
    """A signal right after the command menu is set lands in PTB's start-up (the first getUpdates, start()):
    PTB's own handler would break start-up half-way and exit 1 with a traceback. The delays spread the
    signal over that window; every one must give a normal stop."""
    process = serve(tg, tmp_path / "bot")
    time.sleep(delay)
    process.send_signal(signal.SIGTERM)
    try:
        assert process.wait(timeout=30) == 0
    finally:
        process.kill() if process.poll() is None else None
    logs = (tmp_path / "bot" / "stderr.txt").read_text(encoding="utf-8")
    assert "Traceback" not in logs and "destroyed but it is pending" not in logs
    assert logs.index("Application started") < logs.index("Application.stop() complete")


def check_sigkill(tg: FakeTelegram, library: Library, tmp_path: Path, users: int) -> None:
    run = restart_test(tg, library, tmp_path, signal.SIGKILL, users=users, per_user=10)
    result, before, confirmed = run["result"], run["before"], run["confirmed"]
    print(f"\n[SIGKILL] {result.line()}; answered before the kill {len(before)}, fetched (confirmed) "
          f"{len(confirmed)}, fetched but unanswered (answered from the inbox) {len(confirmed - set(before))}")
    assert run["code"] == -signal.SIGKILL
    assert not result.lost and not result.stray
    # at least once: an answer sent in the instant before its inbox row went, or before PTB confirmed the
    # update, is sent again; never more than the updates in hand at the kill
    assert len(result.duplicated) <= telegram_app.CONCURRENT_UPDATES


def test_sigkill_mid_burst_loses_no_question(
        tg: FakeTelegram, seeds_library: Library, tmp_path: Path) -> None:  # noqa: F811
    """PTB confirms a batch with its next getUpdates, right after queueing it, so without the inbox
    (bot/inbox.py) the questions fetched but not yet answered at SIGKILL were lost; the restarted bot
    now answers them."""
    check_sigkill(tg, seeds_library, tmp_path, users=6)


@pytest.mark.slow
def test_sigkill_mid_burst_of_200(tg: FakeTelegram, seeds_library: Library, tmp_path: Path) -> None:  # noqa: F811
    check_sigkill(tg, seeds_library, tmp_path, users=20)


# -- 5. webhook: secret and body size ---------------------------------------------------------------------


def update_body(update_id: int, chat_id: int, question: str) -> dict[str, Any]:
    return {"update_id": update_id, "message": {
        "message_id": update_id, "date": 0, "chat": {"id": chat_id, "type": "private"},
        "from": {"id": chat_id, "is_bot": False, "first_name": "读者"}, "text": question}}


def listening(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except OSError:
        return False
    return True


def raw_post_headers(port: int, path: str, headers: dict[str, str]) -> bytes:
    """Send only the headers of a POST and read what comes back: a refusal must not wait for the body."""
    lines = [f"POST {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", *(f"{k}: {v}" for k, v in headers.items())]
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        response = b""
        while chunk := sock.recv(4096):
            response += chunk
    return response


def test_webhook_refuses_wrong_secrets_and_huge_bodies_unread(tg: FakeTelegram, tmp_path: Path) -> None:
    port, secret = free_port(), "s3cret-Token_1"
    url = f"http://127.0.0.1:{port}/telegram/hook"
    process, out, err = start_process(["serve", "--webhook-url", url, "--port", str(port)],
                                      serve_env(tg, WEBHOOK_SECRET=secret), tmp_path)
    try:
        tg.wait_for_call("setWebhook", timeout=30)
        wait_until(lambda: listening(port), 10, "the webhook server")  # it starts listening after setWebhook
        for chat in (41, 42, 43):
            tg.add_chat(chat)
        with httpx.Client(timeout=10) as client:
            wrong = client.post(url, json=update_body(1, 41, VOLUNTEERS),
                                headers={"X-Telegram-Bot-Api-Secret-Token": "x"})
            missing = client.post(url, json=update_body(2, 43, VOLUNTEERS))
            huge = raw_post_headers(port, "/telegram/hook", {
                "Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": secret,
                "Content-Length": str(2 * 1024 * 1024)})
            accepted = client.post(url, json=update_body(3, 42, VOLUNTEERS),
                                   headers={"X-Telegram-Bot-Api-Secret-Token": secret})
        assert (wrong.status_code, missing.status_code, accepted.status_code) == (403, 403, 200)
        assert huge.startswith(b"HTTP/1.1 413 ")  # answered with no body sent: it was never going to be read
        assert "2138" in tg.wait_for_messages(42, 1)[0].text
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=15) == 0
    finally:
        process.kill() if process.poll() is None else None
    assert len(tg.messages(42)) == 1 and tg.messages(41) == [] and tg.messages(43) == []  # refused: not processed
    logs = out.read_text(encoding="utf-8") + err.read_text(encoding="utf-8")
    assert "refused a 2097152-byte request body" in logs and secret not in logs and tg.token not in logs


# -- 6. broken article files ------------------------------------------------------------------------------


def write_article(folder: Path, kind: str) -> None:
    target = folder / "article.txt"
    if kind == "empty":
        target.write_bytes(b"")
    elif kind == "whitespace":
        target.write_text(" \n\t\n\u3000\n\r\n", encoding="utf-8")
    elif kind == "binary":
        target.write_bytes(bytes(range(256)) * 64)
    elif kind == "50MB":
        with target.open("wb") as file:
            file.truncate(50 * 1024 * 1024)
    elif kind == "binary next to an empty one":
        (folder / "empty.txt").write_bytes(b"")
        target.write_bytes(b"\x00\x01\x02" * 1000)
    elif kind == "no .txt files":
        (folder / "article.pdf").write_bytes(b"%PDF-1.4")


@pytest.fixture
def restore_logging() -> Iterator[None]:
    """serve() configures logging for the process; undo it for the tests that follow."""
    root = logging.getLogger()
    levels = {name: logging.getLogger(name).level for name in ("", "httpx", "httpcore")}
    filters = {handler: list(handler.filters) for handler in root.handlers}
    yield
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)
    for handler, kept in filters.items():
        handler.filters[:] = kept


@pytest.mark.parametrize(("kind", "words"), [
    ("empty", "empty"), ("whitespace", "empty"), ("binary", "binary"), ("50MB", "20 MB"),
    ("binary next to an empty one", "binary"), ("no .txt files", "no article files"),
])
def test_broken_articles_stop_serve_with_exit_2_and_one_line(kind: str, words: str, tg: FakeTelegram, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch,
                                                            capsys: pytest.CaptureFixture[str],
                                                            restore_logging: None) -> None:
    from bot.__main__ import main

    folder = tmp_path / "articles"
    folder.mkdir()
    write_article(folder, kind)
    monkeypatch.chdir(tmp_path)
    for name, value in serve_env(tg, INDEX_CACHE_DIR=str(tmp_path / "cache")).items():
        monkeypatch.setenv(name, value)
    assert main(["--seeds", str(folder), "serve"]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and words in lines[0], lines
    assert tg.poll_count == 0 and tg.commands == []  # never started taking updates


@pytest.mark.parametrize(("name", "value", "words"), [
    ("LOG_RETENTION_DAYS", "ninety",
     ("LOG_RETENTION_DAYS 应为天数", "(LOG_RETENTION_DAYS must be a whole number of days)")),
    ("LOG_RETENTION_DAYS", "0", ("LOG_RETENTION_DAYS 至少为 1", "(LOG_RETENTION_DAYS must be at least 1)")),
    ("ARTICLE_WATCH_SECONDS", "ten",
     ("ARTICLE_WATCH_SECONDS 应为秒数", "(ARTICLE_WATCH_SECONDS must be a number of seconds, 0 turns watching off)")),
    ("ARTICLE_WATCH_SECONDS", "-1",
     ("ARTICLE_WATCH_SECONDS 不能为负数", "(ARTICLE_WATCH_SECONDS must not be negative)")),
    ("UPDATE_INBOX", "{folder}",  # a folder: no SQLite file can be opened there
     ("无法打开收件箱", "(cannot open the inbox: set UPDATE_INBOX to a writable file, or to off)")),
])
def test_a_malformed_setting_stops_serve_before_telegram_is_asked_or_the_article_loaded(
        name: str, value: str, words: tuple[str, str], tg: FakeTelegram, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], restore_logging: None) -> None:
    """Each was read only after getMe and the article's loading: a typo cost a round trip and the wait for the
    load before it was named. The folder of articles here does not exist, so a load would be named instead."""
    from bot.__main__ import main

    value = value.format(folder=tmp_path)
    monkeypatch.chdir(tmp_path)
    for key, setting in serve_env(tg).items():
        monkeypatch.setenv(key, setting)
    monkeypatch.setenv("QUESTION_LOG", str(tmp_path / "questions.sqlite3"))  # on: LOG_RETENTION_DAYS is its
    monkeypatch.delenv("LOG_RETENTION_DAYS", raising=False)
    monkeypatch.setenv(name, value)
    assert main(["--seeds", str(tmp_path / "no such folder"), "serve"]) == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    message, gloss = words
    assert line.startswith(f"error: {message}") and line.endswith(gloss), line
    assert tg.calls("getMe") == [] and tg.calls() == [] and tg.errors == []  # Telegram was asked nothing


def test_a_binary_file_beside_a_good_article_is_logged_once_and_the_bot_serves(tg: FakeTelegram,
                                                                               tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "good.txt").write_text("图书馆\n\n图书馆每天上午九点开放。\n", encoding="utf-8")
    (folder / "fake.txt").write_bytes(b"\x00\x01\x02" * 1000)
    process, out, err = start_process(["--seeds", str(folder), "serve"],
                                      serve_env(tg, INDEX_CACHE_DIR=str(tmp_path / "cache")), tmp_path)
    try:
        tg.send_text(42, "图书馆几点开放？")
        assert "九点开放" in tg.wait_for_messages(42, 1, timeout=30)[0].text
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=15) == 0
    finally:
        process.kill() if process.poll() is None else None
    logs = (out.read_text(encoding="utf-8") + err.read_text(encoding="utf-8")).splitlines()
    [warning] = [line for line in logs if "fake.txt" in line]
    assert " WARNING index.documents: fake.txt: " in warning and "binary" in warning and "skipped" in warning
    assert not any("Traceback" in line for line in logs)


def test_a_gbk_article_is_read_and_answered(tg: FakeTelegram, start_bot: Callable[..., PollingBot],
                                             tmp_path: Path) -> None:
    (tmp_path / "library.txt").write_bytes("图书馆开放时间\n\n图书馆每天上午九点开放，晚上八点闭馆，周一休息。\n".encode("gbk"))
    library = Library.load(tmp_path)
    assert library.titles == ["图书馆开放时间"]
    start_bot(library)
    assert "九点开放" in say(tg, 42, "图书馆几点开放？").text
