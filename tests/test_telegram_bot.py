"""The Telegram bot end to end: the real python-telegram-bot Application against the fake Bot API server.

Most tests run the Application in-process on a background event loop (RunningBot); a few run
`python -m bot serve` as a subprocess to check what only a real process shows: the exit status and
the one-line error for a bad token, that the token never reaches the logs, a clean SIGTERM, webhooks.
Tests wait on conditions (a reply arriving, an update confirmed and fully handled), never on sleeps.
"""

from __future__ import annotations

import asyncio
import gc
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest
from telegram import Update
from telegram.ext import Application

from core_fixtures import seeds_library  # noqa: F401  (fixture)
from fake_telegram import BotMessage, FakeTelegram, iter_entities, render_text, utf16_len
from bot.config import Settings
from bot.feedback import MemoryFeedback
from bot.guards import FloodGate
from bot.questionlog import QuestionLog
from bot.render import passage_html
from bot.replies import answer_html, candidates, context_html, cut_hit, near_misses
from bot.telegram_app import RedactSecrets, build_application
from bot.texts import TEXTS, text
from index.library import Library, example_questions

ROOT = Path(__file__).resolve().parents[1]
DEV_SET = ROOT.parent / "shared" / "eval" / "dev.jsonl"
VOLUNTEERS = "东湖街道有多少志愿者？"  # answered by the passage counting 2138 volunteers
SYMBOLS_ARTICLE = """符号测试文章

比较运算：当 a < b 且 c > d 时，表达式 a < b && c > d 成立；网页里的 <b>粗体</b> 标签与 &amp; 实体都只是文字，并非格式。

图书馆每天上午九点开放，晚上八点闭馆，周一休息。
"""


# -- harness -----------------------------------------------------------------------------------------


class RunningBot:
    """The real Application long-polling the fake server from its own event loop in a thread."""

    def __init__(self, tg: FakeTelegram, app: Application) -> None:
        self.tg = tg
        self.app = app
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="bot-loop", daemon=True)

    def call(self, coroutine: Any, timeout: float = 15.0) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def start(self) -> RunningBot:
        self.thread.start()
        self.call(self._start())
        return self

    async def _start(self) -> None:
        await self.app.initialize()
        assert self.app.post_init is not None
        await self.app.post_init(self.app)  # run_polling would call it; we drive the pieces ourselves
        await self.app.start()
        await self.app.updater.start_polling(poll_interval=0, timeout=1, allowed_updates=Update.ALL_TYPES)  # type: ignore[union-attr]

    def stop(self) -> None:
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
            await self.app.stop()  # waits for handlers still running
        if self.app.post_stop is not None:
            await self.app.post_stop(self.app)  # as run_polling would
        await self.app.shutdown()

    def settle(self, update_id: int | None) -> None:
        """Block until the update was fetched and every fetched update is fully handled."""
        if update_id is not None:
            self.tg.wait_for_offset(update_id)
        self.call(self.app.update_queue.join())

    @property
    def feedback(self) -> MemoryFeedback:
        return self.app.bot_data["feedback"]


def make_settings(tg: FakeTelegram, **overrides: Any) -> Settings:
    values: dict[str, Any] = dict(
        token=tg.token, base_url=tg.base_url, base_file_url=None, webhook_secret=None,
        allowed_chat_ids=frozenset(), admin_ids=frozenset(), flood_limit=1000, log_level="INFO",
    )
    values.update(overrides)
    return Settings(**values)


@pytest.fixture
def tg(fake_telegram: FakeTelegram) -> FakeTelegram:
    return fake_telegram


@pytest.fixture
def start_bot(tg: FakeTelegram, seeds_library: Library) -> Iterator[Callable[..., RunningBot]]:  # noqa: F811
    """start_bot(library=None, **settings) → a running bot; stopped after the test."""
    running: list[RunningBot] = []

    def start(library: Library | None = None, **overrides: Any) -> RunningBot:
        app = build_application(make_settings(tg, **overrides), library or seeds_library, MemoryFeedback())
        bot = RunningBot(tg, app).start()
        running.append(bot)
        return bot

    yield start
    for bot in running:
        bot.stop()


@pytest.fixture
def bot(start_bot: Callable[..., RunningBot]) -> RunningBot:
    return start_bot()


@pytest.fixture(scope="module")
def symbols_library(tmp_path_factory: pytest.TempPathFactory) -> Library:
    folder = tmp_path_factory.mktemp("symbols")
    (folder / "symbols.txt").write_text(SYMBOLS_ARTICLE, encoding="utf-8")
    return Library.load(folder)


def say(tg: FakeTelegram, chat_id: int, message: str, **kwargs: Any) -> BotMessage:
    """A user's text; returns the bot's next message in that chat."""
    before = len(tg.messages(chat_id))
    tg.send_text(chat_id, message, **kwargs)
    return tg.wait_for_messages(chat_id, before + 1)[before]


def press(tg: FakeTelegram, chat_id: int, message_id: int, data: str, *, check: bool = True) -> dict[str, Any]:
    """Press a button; returns the answerCallbackQuery parameters (sent after the bot acted)."""
    query_id = tg.press_button(chat_id, message_id, data, check=check)
    call = tg.wait_for(lambda c: c["method"] == "answerCallbackQuery"
                       and c["params"]["callback_query_id"] == query_id)
    return call["params"]


def answers_for(tg: FakeTelegram, query_id: str) -> list[dict[str, Any]]:
    return [a for a in tg.callback_answers if a["callback_query_id"] == query_id]


def best_passage(library: Library, question: str) -> str:
    return library.ask(question).hits[0].passage.text


# -- private chats ---------------------------------------------------------------------------------------


def test_private_question_gets_the_passage_in_html_with_buttons(tg: FakeTelegram, bot: RunningBot,
                                                                seeds_library: Library) -> None:  # noqa: F811
    reply = say(tg, 42, VOLUNTEERS)
    assert best_passage(seeds_library, VOLUNTEERS) in reply.text and "2138" in reply.text
    marked = list(iter_entities(reply.to_api()))
    assert any(kind == "bold" and "2138" in shown for kind, shown in marked)
    assert any(kind == "underline" and shown == "志愿者" for kind, shown in marked)
    assert reply.text.endswith("—— 出处：《余杭区东湖街道： 疫情防控做好“加减法”》 · 主体密度“+”， 防疫漏洞“-”")
    assert reply.parse_mode == "HTML" and reply.reply_to_message_id is None
    assert reply.callback_data() == ["n:0", "c:0", "f:0:+", "f:0:-"]
    assert [b["text"] for b in reply.buttons()] == ["换一个", "上下文", "👍", "👎"]
    assert [c["command"] for c in tg.commands] == ["start", "help", "about", "ask", "more", "forget"]
    assert [c["description"] for c in tg.commands_for(language_code="en")][:2] == ["Start", "Help"]
    assert tg.errors == []


def test_start_help_about_and_an_example_button(tg: FakeTelegram, bot: RunningBot,
                                                seeds_library: Library) -> None:  # noqa: F811
    start = say(tg, 42, "/start")
    assert "余杭区东湖街道： 疫情防控做好“加减法”" in start.text
    examples = example_questions(seeds_library)
    assert [b["text"] for b in start.buttons()] == examples and len(examples) >= 2
    answer = press(tg, 42, start.message_id, start.callback_data()[1])
    assert answer.get("text") is None
    asked = tg.messages(42)[-1]
    assert best_passage(seeds_library, examples[1]) in asked.text and asked.callback_data()[0] == "n:0"

    assert "@article_qa_bot" in say(tg, 42, "/help").text
    about = say(tg, 42, "/about")
    assert "000_1b196d080c1f959b.txt" in about.text and f"共 {len(seeds_library.passages)} 个段落" in about.text
    assert "/start" in say(tg, 42, "/nosuchcommand").text  # unknown commands get the help
    assert tg.errors == []


def test_start_with_a_question_answers_it_after_the_welcome(tg: FakeTelegram, bot: RunningBot,
                                                           seeds_library: Library) -> None:  # noqa: F811
    """/start 问题 is a question after the welcome; a deep link's payload (/start inline, from the inline
    mode's button) has no Chinese character and is no question."""
    tg.send_text(42, "/start " + VOLUNTEERS)
    welcome, answer = tg.wait_for_messages(42, 2)
    assert welcome.text.startswith("你好！我可以回答关于这篇文章的问题")
    assert best_passage(seeds_library, VOLUNTEERS) in answer.text and answer.callback_data()[0] == "n:0"
    bot.settle(tg.send_text(43, "/start inline"))
    assert len(tg.messages(43)) == 1 and tg.messages(43)[0].text.startswith("你好！")
    assert tg.errors == []


def test_help_offers_inline_mode_only_when_the_bot_has_it(seeds_library: Library) -> None:  # noqa: F811
    """Inline mode is optional (/setinline at @BotFather): until it is on, Telegram sends no inline
    queries, so /help must not tell readers to type @bot 问题 in other chats."""
    with FakeTelegram(inline_mode=False) as tg:
        running = RunningBot(tg, build_application(make_settings(tg), seeds_library)).start()
        try:
            for lang in ("zh-hans", "en"):
                help_text = say(tg, 42, "/help", language_code=lang).text
                assert "@article_qa_bot" not in help_text and "/ask" in help_text and "/forget" in help_text
        finally:
            running.stop()
    with FakeTelegram() as tg:
        running = RunningBot(tg, build_application(make_settings(tg), seeds_library)).start()
        try:
            assert "任何聊天中都可以输入 @article_qa_bot 问题" in say(tg, 42, "/help").text
        finally:
            running.stop()


def test_next_cycles_through_the_candidates_and_back_without_a_noop_edit(tg: FakeTelegram, bot: RunningBot,
                                                                         seeds_library: Library) -> None:  # noqa: F811
    reply = say(tg, 42, VOLUNTEERS)
    hits = seeds_library.ask(VOLUNTEERS, k=5).hits
    shown = [reply.text]
    for step in range(len(hits)):
        current = tg.messages(42)[0]
        assert press(tg, 42, reply.message_id, current.callback_data()[0]).get("text") is None
        shown.append(tg.messages(42)[0].text)
    assert all(hits[i].passage.text in shown[i] for i in range(len(hits)))
    assert shown[-1] == shown[0] and len(set(shown)) == len(hits)  # back to the best, every step a change
    assert tg.messages(42)[0].callback_data()[0] == "n:0" and len(tg.messages(42)) == 1
    assert tg.errors == []


def test_more_and_typed_follow_ups_page_through_the_last_question(tg: FakeTelegram, bot: RunningBot,
                                                                  seeds_library: Library) -> None:  # noqa: F811
    """/more and a message that only asks for more (下一个, 还有吗？) do what 换一个 does for the chat's last
    question, in a new message under its answer: not a search for the words 下一个 or 还有吗."""
    assert say(tg, 42, "/more").text == text("more_ask_first")  # nothing to continue yet
    assert say(tg, 42, "下一个").text == text("more_ask_first")
    hits = candidates(seeds_library.ask(VOLUNTEERS, k=5))
    reply = say(tg, 42, VOLUNTEERS)
    more = say(tg, 42, "/more")
    assert hits[1].passage.text in more.text and more.reply_to_message_id == reply.message_id
    assert more.callback_data() == ["n:1", "c:1", "f:1:+", "f:1:-"]
    assert press(tg, 42, more.message_id, "n:1").get("text") is None  # its buttons work as the answer's do
    assert hits[2].passage.text in tg.messages(42)[-1].text
    assert say(tg, 42, "谢谢！").text == text("thanks")  # small talk does not replace the question being paged
    for phrase, index in zip(("还有吗？", "换一个", "還有別的嗎"), range(3, len(hits))):
        follow_up = say(tg, 42, phrase)
        assert hits[index].passage.text in follow_up.text and follow_up.reply_to_message_id == reply.message_id
    assert len(hits) == 5 and say(tg, 42, "更多").text == text("more_none")
    assert press(tg, 42, more.message_id, "f:2:+")["text"] == text("feedback_thanks")
    assert (bot.feedback.votes[-1].message_id, bot.feedback.votes[-1].passage_id) == (reply.message_id,
                                                                                      hits[2].passage.id)
    assert "/more" in say(tg, 42, "/help").text and "/more" in say(tg, 43, "/help", language_code="en").text
    assert say(tg, 43, "next", language_code="en").text == text("more_ask_first", "en")

    question = "拱墅区有多少个网格？"  # declined: a follow-up shows the closest passages, under the caveat
    misses = near_misses(seeds_library.ask(question, k=5))
    declined = say(tg, 42, question)
    nearest = say(tg, 42, "还有别的吗")
    assert nearest.text.startswith(text("nearest_note")) and misses[0].passage.text in nearest.text
    assert nearest.reply_to_message_id == declined.message_id
    assert press(tg, 42, declined.message_id, "m:0").get("text") is None  # the decline's own button
    assert press(tg, 42, declined.message_id, "n:0").get("text") is None  # shows misses[1] there
    assert say(tg, 42, "下一个").text == text("more_none")
    assert tg.errors == []


def test_a_double_press_is_answered_once_each_and_shows_no_error(tg: FakeTelegram, bot: RunningBot) -> None:
    reply = say(tg, 42, VOLUNTEERS)
    first = press(tg, 42, reply.message_id, "n:0")
    second = press(tg, 42, reply.message_id, "n:0", check=False)  # pressed again before the edit arrived
    assert first.get("text") is None and second.get("text") is None
    assert {e["description"].split(":")[1].strip() for e in tg.errors} <= {"message is not modified"}
    assert len(tg.callback_answers) == 2


def test_one_candidate_answers_no_other_candidates(tg: FakeTelegram, start_bot: Callable[..., RunningBot],
                                                   symbols_library: Library) -> None:
    start_bot(symbols_library)
    reply = say(tg, 42, "网页里的粗体标签是什么？")
    assert press(tg, 42, reply.message_id, "n:0")["text"] == text("no_more")
    assert tg.messages(42)[0].edits == 0 and tg.errors == []


def test_context_sends_the_neighbouring_passages(tg: FakeTelegram, bot: RunningBot,
                                                 seeds_library: Library) -> None:  # noqa: F811
    reply = say(tg, 42, VOLUNTEERS)
    assert press(tg, 42, reply.message_id, "c:0").get("text") is None
    context = tg.messages(42)[-1]
    hit = seeds_library.ask(VOLUNTEERS).hits[0]
    neighbours = seeds_library.neighbours(hit.passage.id, 1)
    assert len(neighbours) == 3 and all(p.text in context.text for p in neighbours)
    assert context.text.startswith("上下文：") and context.reply_to_message_id == reply.message_id
    assert tg.errors == []


def test_feedback_is_recorded_and_the_press_answered(tg: FakeTelegram, bot: RunningBot,
                                                     seeds_library: Library) -> None:  # noqa: F811
    reply = say(tg, 42, VOLUNTEERS)
    assert press(tg, 42, reply.message_id, "f:0:+")["text"] == "谢谢反馈！"
    press(tg, 42, reply.message_id, "n:0")
    assert press(tg, 42, reply.message_id, "f:1:-")["text"] == "谢谢反馈！"
    votes = [(v.chat_id, v.user_id, v.message_id, v.passage_id, v.vote) for v in bot.feedback.votes]
    hits = seeds_library.ask(VOLUNTEERS, k=5).hits
    assert votes == [(42, 42, reply.message_id, hits[0].passage.id, 1),
                     (42, 42, reply.message_id, hits[1].passage.id, -1)]


def test_stale_and_unknown_buttons_are_answered_expired(tg: FakeTelegram, bot: RunningBot) -> None:
    help_message = say(tg, 42, "/help")  # a message with no answer behind it, as after a restart
    for data in ("n:0", "c:3", "f:0:+", "q:99", "junk", "n:-1"):
        assert press(tg, 42, help_message.message_id, data, check=False)["text"] == text("expired")
    reply = say(tg, 42, VOLUNTEERS)
    assert press(tg, 42, reply.message_id, "c:9", check=False)["text"] == text("expired")
    assert len(tg.callback_answers) == 7 and tg.errors == []


def test_buttons_keep_working_after_a_restart_through_the_question_log(tg: FakeTelegram, tmp_path: Path,
                                                                         seeds_library: Library) -> None:  # noqa: F811
    """The candidates behind an answer live in memory; after a restart they are asked again from the
    question the log kept for that message, as long as the message still shows the same passage."""
    path = tmp_path / "questions.sqlite3"

    def run_bot(library: Library) -> tuple[RunningBot, QuestionLog]:
        question_log = QuestionLog(path)
        return RunningBot(tg, build_application(make_settings(tg), library, question_log=question_log)).start(), \
            question_log

    first, first_log = run_bot(seeds_library)
    reply = say(tg, 42, VOLUNTEERS)
    declined = say(tg, 43, "拱墅区有多少个网格？")
    first.stop()
    first_log.close()
    second, second_log = run_bot(seeds_library)
    try:
        assert press(tg, 42, reply.message_id, "n:0").get("text") is None  # 换一个, not "expired"
        hits = seeds_library.ask(VOLUNTEERS, k=5).hits
        assert hits[1].passage.text in tg.messages(42)[0].text
        assert press(tg, 42, reply.message_id, "f:1:+")["text"] == text("feedback_thanks")
        [vote] = second_log.votes()
        assert vote.vote == 1 and vote.passage_id == hits[1].passage.id
        assert press(tg, 43, declined.message_id, "m:0").get("text") is None  # the closest passage, still
        assert tg.messages(43)[0].text.startswith(text("nearest_note"))
    finally:
        second.stop()
        second_log.close()
    third, third_log = run_bot(seeds_library)  # /more and 下一个 go on from the logged question too
    try:
        more = say(tg, 42, "下一个")  # which candidate the answer showed is not logged: the best is assumed
        assert hits[1].passage.text in more.text and more.reply_to_message_id == reply.message_id
    finally:
        third.stop()
        third_log.close()
    fourth, fourth_log = run_bot(seeds_library)  # and a follow-up's buttons, through the answer it continues
    try:
        assert press(tg, 42, more.message_id, "n:1").get("text") is None
        assert hits[2].passage.text in tg.messages(42)[-1].text
        assert press(tg, 42, more.message_id, "f:2:-")["text"] == text("feedback_thanks")
        assert [(v.question_id is not None, v.passage_id) for v in fourth_log.votes()][-1] == (True, hits[2].passage.id)
        assert say(tg, 44, "/more").text == text("more_ask_first")  # a chat that asked nothing
    finally:
        fourth.stop()
        fourth_log.close()
    other = tmp_path / "other"
    other.mkdir()
    (other / "a.txt").write_text("志愿者\n\n东湖街道共有志愿者3000名，分布在各村社。\n", encoding="utf-8")
    fifth, fifth_log = run_bot(Library.load(other, cache=False))  # the article changed meanwhile
    try:
        assert press(tg, 42, reply.message_id, "f:1:-", check=False)["text"] == text("expired")
        assert len(fifth_log.votes()) == 2  # the vote did not land on a passage the message does not show
    finally:
        fifth.stop()
        fifth_log.close()
    assert tg.errors == []


def test_forget_deletes_the_readers_rows_or_says_none_are_kept(tg: FakeTelegram, tmp_path: Path,
                                                              seeds_library: Library) -> None:  # noqa: F811
    unlogged = RunningBot(tg, build_application(make_settings(tg), seeds_library)).start()  # QUESTION_LOG=off
    try:
        say(tg, 42, VOLUNTEERS)
        assert say(tg, 42, "/forget").text == text("forget_nothing_kept")  # not "已删除你的 0 条记录"
        assert say(tg, 43, "/forget", language_code="en").text == text("forget_nothing_kept", "en")
    finally:
        unlogged.stop()
    question_log = QuestionLog(tmp_path / "questions.sqlite3")
    logged = RunningBot(tg, build_application(make_settings(tg), seeds_library, question_log=question_log)).start()
    try:
        say(tg, 44, VOLUNTEERS)
        assert say(tg, 44, "/forget").text == text("forgotten", rows=1)
        assert question_log.questions() == []
    finally:
        logged.stop()
        question_log.close()
    assert tg.errors == []


def test_example_buttons_keep_asking_their_question_after_a_restart(tg: FakeTelegram,
                                                                   seeds_library: Library) -> None:  # noqa: F811
    """An example button shows its question: after a restart (or a reload, which numbers examples anew) it
    asks that question, not "expired" and not whatever this run numbered the same."""
    first = RunningBot(tg, build_application(make_settings(tg), seeds_library)).start()
    start = say(tg, 42, "/start")
    first.stop()
    second = RunningBot(tg, build_application(make_settings(tg), seeds_library)).start()
    try:
        question = start.buttons()[1]["text"]
        assert press(tg, 42, start.message_id, start.callback_data()[1]).get("text") is None
        assert best_passage(seeds_library, question) in tg.messages(42)[-1].text
        second.app.bot_data["examples"].number("东湖街道有多少志愿者？")  # this run's q:0 is another question
        assert press(tg, 42, start.message_id, start.callback_data()[0]).get("text") is None
        assert best_passage(seeds_library, start.buttons()[0]["text"]) in tg.messages(42)[-1].text
    finally:
        second.stop()
    assert tg.errors == []


def test_not_in_article_offers_example_questions_that_work(tg: FakeTelegram, bot: RunningBot,
                                                           seeds_library: Library) -> None:  # noqa: F811
    reply = say(tg, 42, "拱墅区有多少个网格？")
    assert reply.text == text("not_in_article")
    assert 2 <= len(reply.buttons()) - 1 <= 3 and reply.callback_data()[-1] == "m:0"  # + the closest passage
    press(tg, 42, reply.message_id, reply.callback_data()[0])
    question = reply.buttons()[0]["text"]
    assert best_passage(seeds_library, question) in tg.messages(42)[-1].text
    assert tg.errors == []


def test_a_question_in_english_is_declined_with_a_hint_to_ask_in_chinese(tg: FakeTelegram, bot: RunningBot) -> None:
    """The article is searched in Chinese: a question in Latin letters with no Chinese character is always
    declined, and the reader should hear why, in their own language."""
    question = "What time does the library open?"
    reply = say(tg, 42, question)
    assert reply.text == text("ask_in_chinese") + "\n\n" + text("not_in_article")
    english = say(tg, 43, question, language_code="en")
    assert english.text == text("ask_in_chinese", "en") + "\n\n" + text("not_in_article", "en")
    assert len(english.buttons()) >= 2  # the example questions, in Chinese, show how
    assert say(tg, 42, "WiFi 密码是多少？").text == text("not_in_article")  # asked in Chinese: no hint
    assert tg.errors == []


def test_a_declined_question_can_still_see_the_closest_passage(tg: FakeTelegram, bot: RunningBot,
                                                                seeds_library: Library) -> None:  # noqa: F811
    """The ranking declines some questions the article does answer: the reader may look at the near
    misses anyway, told first that the article does not answer directly, and page and vote as usual."""
    question = "拱墅区有多少个网格？"
    misses = seeds_library.ask(question, k=5).hits
    assert not seeds_library.ask(question).answered and misses
    reply = say(tg, 42, question)
    assert press(tg, 42, reply.message_id, "m:0").get("text") is None
    shown = tg.messages(42)[0]
    assert shown.message_id == reply.message_id and len(tg.messages(42)) == 1  # the decline became the passage
    assert shown.text.startswith(text("nearest_note")) and misses[0].passage.text in shown.text
    assert shown.callback_data() == ["n:0", "c:0", "f:0:+", "f:0:-"]
    assert press(tg, 42, reply.message_id, "m:0", check=False).get("text") is None  # a double tap
    assert press(tg, 42, reply.message_id, "n:0").get("text") is None
    assert tg.messages(42)[0].text.startswith(text("nearest_note"))
    assert misses[1].passage.text in tg.messages(42)[0].text
    assert press(tg, 42, reply.message_id, "f:1:-")["text"] == text("feedback_thanks")
    vote = bot.feedback.votes[-1]
    assert (vote.passage_id, vote.vote) == (misses[1].passage.id, -1)
    assert {e["description"].split(":")[1].strip() for e in tg.errors} <= {"message is not modified"}  # the tap


def test_an_answer_found_only_in_part_comes_with_a_caveat(tg: FakeTelegram, start_bot: Callable[..., RunningBot],
                                                           tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("健康讲座\n\n街道每周三在社区服务中心举办健康讲座，由卫生院医生主讲，居民可以免费参加。\n\n"
                                    "社区还组织志愿者上门看望独居老人。\n", encoding="utf-8")
    start_bot(library=Library.load(tmp_path, cache=False))
    reply = say(tg, 42, "讲座是哪个医生讲的，讲得好不好？")
    assert reply.text.startswith(text("partial_note")) and "卫生院医生主讲" in reply.text
    assert reply.callback_data()[0] == "n:0"
    assert not say(tg, 42, "讲座免费吗？").text.startswith(text("partial_note"))
    assert tg.errors == []


def test_punctuation_vague_questions_small_talk_photo_sticker_and_voice_get_hints(tg: FakeTelegram, bot: RunningBot) -> None:
    assert say(tg, 42, "？？！……").text.startswith("这个问题里没有可以查找的文字")
    assert say(tg, 42, "为什么？").text.startswith("这个问题太笼统了")
    assert say(tg, 42, "你好").text.startswith("你好！我可以回答关于这篇文章的问题")
    assert say(tg, 42, "谢谢！").text == text("thanks")
    assert say(tg, 42, "好的，拜拜").text == text("farewell") and say(tg, 42, "嗯嗯").text == text("acknowledged")
    for send in (tg.send_photo, tg.send_sticker, tg.send_voice, tg.send_document):
        before = len(tg.messages(42))
        send(42)
        assert tg.wait_for_messages(42, before + 1)[before].text == text("non_text")
    assert tg.errors == []


def test_a_photo_or_file_with_a_question_as_caption_is_answered(tg: FakeTelegram, bot: RunningBot) -> None:
    """A reader who types the question under a screenshot has asked in words: "only text, please type your
    question" would tell them to do what they did. A caption of no words still gets the hint."""
    before = len(tg.messages(42))
    tg.send_photo(42, caption=VOLUNTEERS)
    assert "2138" in tg.wait_for_messages(42, before + 1)[before].text
    before = len(tg.messages(42))
    tg.send_document(42, caption="东湖街道有多少个小区")
    assert "80个" in tg.wait_for_messages(42, before + 1)[before].text
    before = len(tg.messages(42))
    tg.send_photo(42, caption="@article_qa_bot")
    assert tg.wait_for_messages(42, before + 1)[before].text == text("non_text")
    group = -1001
    tg.send_photo(group, caption="@article_qa_bot " + VOLUNTEERS, user_id=7, chat_type="group")
    answer = tg.wait_for_messages(group, 1)[0]
    assert "2138" in answer.text and answer.reply_to_message_id is not None
    tg.privacy_mode = False  # a photo in a group that is not addressed to the bot gets nothing
    bot.settle(tg.send_photo(group, caption=VOLUNTEERS, user_id=7, chat_type="group"))
    assert len(tg.messages(group)) == 1 and tg.errors == []


def test_an_album_of_photos_gets_one_reply_not_one_per_photo(tg: FakeTelegram, bot: RunningBot) -> None:
    """Photos sent together come as one update each, sharing a media_group_id: three screenshots are one
    message to the reader, and get one hint, or the answer to the caption, not three replies."""
    tg.add_chat(42)

    def album(group: str, first_id: int, caption: str | None = None) -> int:
        last = 0
        for i in range(3):
            message: dict[str, Any] = {
                "message_id": first_id + i, "date": int(time.time()), "media_group_id": group,
                "chat": {"id": 42, "type": "private", "first_name": "读者"},
                "from": {"id": 42, "is_bot": False, "first_name": "读者", "language_code": "zh-hans"},
                "photo": [{"file_id": f"F{first_id + i}", "file_unique_id": f"U{first_id + i}", "width": 90,
                           "height": 60}]}
            if caption and i == 0:
                message["caption"] = caption
            last = tg.send_update({"message": message})
        return last

    bot.settle(album("13111", 100))
    assert [m.text for m in tg.messages(42)] == [text("non_text")]
    bot.settle(album("13112", 200, caption=VOLUNTEERS))
    replies = tg.messages(42)[1:]
    assert len(replies) == 1 and "2138" in replies[0].text
    assert tg.errors == []


def test_an_edited_question_is_answered_again(tg: FakeTelegram, bot: RunningBot) -> None:
    update_id = tg.send_text(42, "你好")
    tg.wait_for_messages(42, 1)
    question_id = tg.update(update_id)["message"]["message_id"]
    tg.edit_message(42, question_id, VOLUNTEERS)
    again = tg.wait_for_messages(42, 2)[1]
    assert "2138" in again.text and again.reply_to_message_id == question_id
    assert tg.errors == []


def test_a_10000_character_message_is_answered_from_its_start(tg: FakeTelegram, bot: RunningBot) -> None:
    reply = say(tg, 42, VOLUNTEERS + "请详细说明。" * 1665)
    assert reply.text.startswith(text("truncated")) and "2138" in reply.text
    assert tg.errors == []


def test_english_users_get_the_english_interface(tg: FakeTelegram, bot: RunningBot) -> None:
    assert say(tg, 43, "/start", language_code="en-US").text.startswith("Hello! I answer questions")
    reply = say(tg, 43, VOLUNTEERS, language_code="en")
    assert [b["text"] for b in reply.buttons()][:2] == ["Next", "Context"]
    assert "— Source: 《" in reply.text and "2138" in reply.text
    assert say(tg, 44, VOLUNTEERS).buttons()[0]["text"] == "换一个"  # others keep Chinese


# -- groups and inline mode ------------------------------------------------------------------------------


def test_group_answers_mentions_replies_and_ask_but_not_chatter(tg: FakeTelegram, bot: RunningBot,
                                                                seeds_library: Library) -> None:  # noqa: F811
    group = -1001
    before = len(tg.messages(group))
    update_id = tg.send_mention(group, VOLUNTEERS)
    answer = tg.wait_for_messages(group, before + 1)[-1]
    assert "2138" in answer.text and answer.reply_to_message_id == tg.update(update_id)["message"]["message_id"]

    tg.privacy_mode = False  # let plain chatter reach the bot: it must stay silent on its own
    chatter = tg.send_group_text(group, "今天东湖街道有多少志愿者来开会？")
    bot.settle(chatter)
    assert len(tg.messages(group)) == 1

    question = "东湖街道有多少个小区"
    tg.reply_to_bot(group, answer.message_id, question)
    assert best_passage(seeds_library, question) in tg.wait_for_messages(group, 2)[-1].text

    tg.send_command(group, "ask", VOLUNTEERS, chat_type="group")
    assert "2138" in tg.wait_for_messages(group, 3)[-1].text
    tg.send_command(group, "ask", question, chat_type="group", with_username=True)
    assert best_passage(seeds_library, question) in tg.wait_for_messages(group, 4)[-1].text
    tg.send_command(group, "ask", "", chat_type="group")
    assert tg.wait_for_messages(group, 5)[-1].text == text("ask_usage")
    tg.send_mention(group, "下一个")  # the group's last question, 换一个 as a message under its answer
    follow_up = tg.wait_for_messages(group, 6)[-1]
    assert candidates(seeds_library.ask(question, k=5))[1].passage.text in follow_up.text
    assert follow_up.reply_to_message_id == tg.messages(group)[3].message_id
    tg.send_mention(group, "")  # a bare @bot: where the question goes, not "please type a question"
    bare = tg.wait_for_messages(group, 7)[-1]
    example = example_questions(seeds_library)[0]
    assert bare.text == text("mention_usage", username="article_qa_bot", example=example)
    assert bare.text.endswith(f"@article_qa_bot {example}")
    tg.send_mention(group, "", language_code="en")
    assert tg.wait_for_messages(group, 8)[-1].text.startswith("Write your question after the mention")
    assert "2138" in say(tg, 42, "/ask " + VOLUNTEERS).text  # /ask works in private chats too
    assert tg.errors == []


def test_inline_query_offers_the_top_passages(tg: FakeTelegram, bot: RunningBot,
                                              seeds_library: Library) -> None:  # noqa: F811
    tg.inline_query(7, VOLUNTEERS)
    tg.wait_for_call("answerInlineQuery")
    answer = tg.inline_answers[-1]
    results = answer["results"]
    assert 1 <= len(results) <= 5 and answer["cache_time"] == 10
    best = seeds_library.ask(VOLUNTEERS).hits[0]
    assert results[0]["title"] == best.sentence[:29] + "…" and results[0]["description"].startswith("《")
    visible, _ = render_text(results[0]["input_message_content"]["message_text"], "HTML", None)
    assert best.passage.text in visible and visible.startswith("问：" + VOLUNTEERS)

    mark = tg.mark()
    tg.inline_query(7, "拱墅区有多少个网格？")
    tg.wait_for_call("answerInlineQuery", since=mark)
    declined = tg.inline_answers[-1]["results"]
    assert len(declined) == 1 and declined[0]["title"] == text("inline_none") and "description" not in declined[0]
    mark = tg.mark()
    tg.inline_query(7, "What time does the library open?")  # asked in English: ask in Chinese, says the result
    tg.wait_for_call("answerInlineQuery", since=mark)
    [english] = tg.inline_answers[-1]["results"]
    assert english["title"] == text("inline_none") and english["description"] == text("ask_in_chinese")

    mark = tg.mark()
    tg.inline_query(7, "  ")
    tg.wait_for_call("answerInlineQuery", since=mark)
    assert tg.inline_answers[-1]["results"] == [] and tg.errors == []


# -- limits, access, errors ------------------------------------------------------------------------------


def test_flood_limit_gives_one_notice_then_silence(tg: FakeTelegram, start_bot: Callable[..., RunningBot]) -> None:
    bot = start_bot(flood_limit=3)
    last = None
    for _ in range(6):
        last = tg.send_text(50, VOLUNTEERS)
    bot.settle(last)
    texts = [m.text for m in tg.messages(50)]
    assert len(texts) == 4 and texts.count(text("flood")) == 1
    assert sum("2138" in t for t in texts) == 3
    assert "2138" in say(tg, 51, VOLUNTEERS).text  # another reader is unaffected


def test_allowlist_refuses_other_chats_and_nothing_else(tg: FakeTelegram, start_bot: Callable[..., RunningBot]) -> None:
    bot = start_bot(allowed_chat_ids=frozenset({42}))
    assert say(tg, 77, VOLUNTEERS).text == text("not_allowed")
    update_id = tg.send_mention(-5, VOLUNTEERS)
    assert tg.wait_for_messages(-5, 1)[0].text == text("not_allowed")
    bot.settle(update_id)
    assert len(tg.messages(77)) == 1 and len(tg.messages(-5)) == 1
    assert "2138" in say(tg, 42, VOLUNTEERS).text


def test_flood_gate_forgives_after_the_window() -> None:
    now = [0.0]
    gate = FloodGate(2, window=60, clock=lambda: now[0])
    assert [gate.check(1) for _ in range(4)] + [gate.check(2)] == ["ok", "ok", "notice", "ignore", "ok"]
    now[0] = 59.9
    assert gate.check(1) == "ignore"
    now[0] = 60.0
    assert [gate.check(1) for _ in range(4)] == ["ok", "ok", "notice", "ignore"]


def test_reload_is_for_admins_and_swaps_the_library(tg: FakeTelegram, start_bot: Callable[..., RunningBot],
                                                    symbols_library: Library) -> None:
    bot = start_bot(symbols_library, admin_ids=frozenset({42}))
    assert say(tg, 43, "/reload").text == text("admin_only")
    old = bot.app.bot_data["corpus"].library
    gc.freeze()  # as serve() does after loading
    try:
        assert say(tg, 42, "/reload").text == "已重新载入：符号测试文章，共 3 个段落。"
        assert gc.get_freeze_count() == 0  # the old library is the collector's again, should it be cyclic garbage
    finally:
        gc.unfreeze()
    assert bot.app.bot_data["corpus"].library is not old
    assert "九点" in say(tg, 42, "图书馆几点开放？").text


def test_reload_tells_the_admin_which_files_it_skipped(tg: FakeTelegram, start_bot: Callable[..., RunningBot],
                                                       tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A binary file and one over the size limit put beside the article are left out with a warning in the
    log; the admin who reloads hears of them too, each with its reason (neither is "无法读取": both were
    looked at and refused), and the article is still answered."""
    monkeypatch.setattr("index.documents.MAX_FILE_BYTES", 10_000)
    (tmp_path / "a.txt").write_text(SYMBOLS_ARTICLE, encoding="utf-8")
    start_bot(Library.load(tmp_path, cache=False), admin_ids=frozenset({42}))
    (tmp_path / "big.txt").write_text("图书馆" * 4000, encoding="utf-8")
    (tmp_path / "fake.txt").write_bytes(b"\x00\x01\x02binary")
    reply = say(tg, 42, "/reload").text
    assert reply.startswith("已重新载入：") and "无法读取" not in reply
    assert "跳过了 2 个文件：big.txt: 文件过大 (35.2 KB)，上限 9.8 KB" in reply and "；fake.txt: 这是二进制文件" in reply
    assert "九点" in say(tg, 42, "图书馆几点开放？").text


def test_a_folder_of_many_articles_is_listed_within_telegrams_limit(tg: FakeTelegram,
                                                                    start_bot: Callable[..., RunningBot],
                                                                    tmp_path: Path) -> None:
    """/start, /about and /reload name the articles: a few, and how many there are, not a message
    longer than Telegram takes (hundreds of titles were one message, refused as too long)."""
    for i in range(150):
        (tmp_path / f"article_{i:03d}_with_a_rather_long_file_name.txt").write_text(
            f"第{i}号社区关于加强冬季消防安全工作的通知公告\n\n第{i}号社区活动室每天上午九点开放，晚上八点关闭。\n",
            encoding="utf-8")
    (tmp_path / "broken.txt").write_bytes(b"\x00\x01\x02binary")
    start_bot(Library.load(tmp_path, cache=False), admin_ids=frozenset({42}))
    for command in ("/start", "/about", "/reload"):
        reply = say(tg, 42, command)
        assert "第0号社区关于加强冬季消防安全工作的通知公告" in reply.text and "（共 150 个）" in reply.text, command
        assert "第149号" not in reply.text and utf16_len(reply.text) < 1500, command
    assert "Article: 第0号" in say(tg, 43, "/about", language_code="en").text
    assert tg.errors == []


def test_stats_quotes_readers_questions_only_in_a_private_chat(tg: FakeTelegram, tmp_path: Path,
                                                               seeds_library: Library) -> None:  # noqa: F811
    """/stats lists what readers asked, in private chats too: an admin typing it in a group must not show
    the group everyone's questions."""
    question_log = QuestionLog(tmp_path / "questions.sqlite3")
    running = RunningBot(tg, build_application(make_settings(tg, admin_ids=frozenset({42})), seeds_library,
                                               question_log=question_log)).start()
    try:
        say(tg, 43, "拱墅区有多少个网格？")  # a reader's question, asked in private
        update_id = tg.send_command(-1001, "stats", user_id=42, chat_type="group")
        running.settle(update_id)
        [reply] = tg.messages(-1001)
        assert "拱墅区" not in reply.text and reply.text == text("stats_private")
        assert "拱墅区有多少个网格" in say(tg, 42, "/stats").text
    finally:
        running.stop()
        question_log.close()
    assert tg.errors == []


def test_repeated_questions_are_answered_from_the_cache_which_a_reload_empties(
        tg: FakeTelegram, start_bot: Callable[..., RunningBot], symbols_library: Library) -> None:
    asked: list[str] = []

    class Counting(Library):
        def ask(self, question: str, k: int = 3) -> Any:
            asked.append(question)
            return super().ask(question, k)

    counting = Counting(symbols_library.documents, symbols_library.passages, symbols_library.searcher)
    bot = start_bot(counting, admin_ids=frozenset({42}), answer_cache=2)
    asked.clear()  # the example questions were worked out with the library
    first = say(tg, 42, "图书馆几点开放？")
    assert say(tg, 43, "图书馆几点开放？").text == first.text and asked == ["图书馆几点开放？"]
    say(tg, 42, "网页里的粗体标签是什么？")
    say(tg, 42, "第三个问题")  # the cache keeps 2: the first question is dropped
    assert say(tg, 44, "图书馆几点开放？").text == first.text and asked.count("图书馆几点开放？") == 2
    assert len(bot.app.bot_data["corpus"].answers) == 2
    say(tg, 42, "/reload")  # the new library comes with an empty cache
    assert len(bot.app.bot_data["corpus"].answers) == 0
    assert "九点" in say(tg, 42, "图书馆几点开放？").text


def test_answer_cache_size_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.config import ANSWER_CACHE_SIZE, ConfigError, telegram_settings

    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123456789:AAFakeTelegramTestToken0123456789ab")
    monkeypatch.delenv("ANSWER_CACHE_SIZE", raising=False)
    assert telegram_settings().answer_cache == ANSWER_CACHE_SIZE
    monkeypatch.setenv("ANSWER_CACHE_SIZE", "0")
    assert telegram_settings().answer_cache == 0
    monkeypatch.setenv("ANSWER_CACHE_SIZE", "-1")
    with pytest.raises(ConfigError, match=r"^ANSWER_CACHE_SIZE 不能为负数 \(ANSWER_CACHE_SIZE must be 0 or more\)$"):
        telegram_settings()


SETTINGS = ("ALLOWED_CHAT_IDS", "ADMIN_IDS", "FLOOD_LIMIT_PER_MINUTE", "ANSWER_CACHE_SIZE", "LOG_LEVEL")


@pytest.mark.parametrize(("name", "value", "words"), [
    ("ALLOWED_CHAT_IDS", "-100123, general",
     ("ALLOWED_CHAT_IDS 应为用逗号分隔的 Telegram 数字 id",
      "(ALLOWED_CHAT_IDS must be a comma-separated list of numeric Telegram ids)")),
    ("ADMIN_IDS", "@alice", ("ADMIN_IDS 应为用逗号分隔的 Telegram 数字 id",
                             "(ADMIN_IDS must be a comma-separated list of numeric Telegram ids)")),
    ("FLOOD_LIMIT_PER_MINUTE", "twenty",
     ("FLOOD_LIMIT_PER_MINUTE 应为整数", "(FLOOD_LIMIT_PER_MINUTE must be a whole number)")),
    ("FLOOD_LIMIT_PER_MINUTE", "0",
     ("FLOOD_LIMIT_PER_MINUTE 至少为 1", "(FLOOD_LIMIT_PER_MINUTE must be at least 1)")),
    ("ANSWER_CACHE_SIZE", "1e3", ("ANSWER_CACHE_SIZE 应为整数", "(ANSWER_CACHE_SIZE must be a whole number)")),
    ("ANSWER_CACHE_SIZE", "-1", ("ANSWER_CACHE_SIZE 不能为负数", "(ANSWER_CACHE_SIZE must be 0 or more)")),
    ("LOG_LEVEL", "verbose", ("LOG_LEVEL 应为 DEBUG、INFO、WARNING、ERROR、CRITICAL 之一",
                              "(LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL)")),
])
def test_a_malformed_setting_exits_2_with_one_line_in_chinese_and_english(
        name: str, value: str, words: tuple[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """Read before Telegram is asked anything: the line names the setting and what it must be, not its value."""
    from bot.__main__ import main

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123456789:AAFakeTelegramTestToken0123456789ab")
    for other in SETTINGS:
        monkeypatch.delenv(other, raising=False)
    monkeypatch.setenv(name, value)
    assert main(["serve"]) == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    message, gloss = words
    assert line.startswith(f"error: {message}") and line.endswith(gloss) and value not in line


def test_article_watch_seconds_errors_say_what_it_must_be(monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.config import ConfigError, watch_interval

    monkeypatch.setenv("ARTICLE_WATCH_SECONDS", "0")
    assert watch_interval() == 0
    monkeypatch.setenv("ARTICLE_WATCH_SECONDS", "2.5")
    assert watch_interval() == 2.5
    monkeypatch.setenv("ARTICLE_WATCH_SECONDS", "ten")
    with pytest.raises(ConfigError, match=r"^ARTICLE_WATCH_SECONDS 应为秒数（0 表示不检查文章的改动）"
                                          r"\(ARTICLE_WATCH_SECONDS must be a number of seconds, 0 turns watching off\)$"):
        watch_interval()
    monkeypatch.setenv("ARTICLE_WATCH_SECONDS", "-1")
    with pytest.raises(ConfigError, match=r"^ARTICLE_WATCH_SECONDS 不能为负数.*"
                                          r"\(ARTICLE_WATCH_SECONDS must not be negative\)$"):
        watch_interval()


def test_article_text_with_html_characters_is_escaped(tg: FakeTelegram, start_bot: Callable[..., RunningBot],
                                                      symbols_library: Library) -> None:
    start_bot(symbols_library)
    reply = say(tg, 42, "网页里的粗体标签是什么？")
    assert "a < b && c > d" in reply.text and "<b>粗体</b> 标签与 &amp; 实体" in reply.text
    press(tg, 42, reply.message_id, "c:0")
    assert "<b>粗体</b>" in tg.messages(42)[-1].text and tg.errors == []


def test_a_failing_handler_logs_the_update_and_tells_the_user(tg: FakeTelegram, start_bot: Callable[..., RunningBot],
                                                              symbols_library: Library,
                                                              caplog: pytest.LogCaptureFixture) -> None:
    class Broken(Library):
        def ask(self, question: str, k: int = 3) -> Any:
            if question.startswith("BOOM"):
                raise RuntimeError("index on fire")
            return super().ask(question, k)

    broken = Broken(symbols_library.documents, symbols_library.passages, symbols_library.searcher)
    start_bot(broken)
    with caplog.at_level(logging.INFO):
        update_id = tg.send_text(42, "BOOM 图书馆几点开放？")
        assert tg.wait_for_messages(42, 1)[0].text == text("error")
    failures = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(failures) == 1 and f"update {update_id} failed" in failures[0].getMessage()
    assert failures[0].exc_info is not None  # a fault of the bot's: with its traceback
    assert all("图书馆" not in r.getMessage() for r in caplog.records if r.levelno >= logging.INFO)


def test_an_answer_to_a_reader_who_blocked_the_bot_is_one_warning_without_traceback(
        tg: FakeTelegram, bot: RunningBot, caplog: pytest.LogCaptureFixture) -> None:
    tg.block_user(42)
    with caplog.at_level(logging.INFO):
        update_id = tg.send_text(42, VOLUNTEERS)
        bot.settle(update_id)
    records = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert [(r.levelno, r.getMessage()) for r in records] == [
        (logging.WARNING, f"update {update_id}: not delivered: Forbidden: bot was blocked by the user")]
    assert records[0].exc_info is None and not records[0].exc_text
    assert [e["description"] for e in tg.errors] == ["Forbidden: bot was blocked by the user"]  # tried once


def test_answers_are_trimmed_to_the_limit_without_breaking_tags(symbols_library: Library) -> None:
    hit = symbols_library.ask("网页里的粗体标签是什么？").hits[0]
    long_text = "a<b&c" * 2000 + hit.passage.text
    long_hit = replace(hit, passage=replace(hit.passage, text=long_text), sentence_span=(2, 9000),
                       spans=((0, 1), (5, 6), (8000, 8004)))
    for body in (answer_html(long_hit, "zh", truncated=True, question="问" * 1000),
                 context_html(symbols_library, long_hit, "zh")):
        assert utf16_len(body) <= 4096
        visible, entities = render_text(body, "HTML", None)  # raises like Telegram on a broken tag
        assert visible.endswith("—— 出处：《符号测试文章》") and any(e["type"] == "bold" for e in entities)
    assert passage_html(cut_hit(long_hit, 3)) == "<u>a</u>&lt;<b>b</b>…"


def test_interface_texts_are_valid_telegram_html() -> None:
    for lang, texts in TEXTS.items():
        for key, template in texts.items():
            if not key.startswith("repl_"):
                render_text(template.replace("{", "(").replace("}", ")"), "HTML", None)


def test_log_records_never_show_the_token() -> None:
    token = "123456789:AAsecretSecretSecretSecretSecret00"
    redact = RedactSecrets([token, None])
    try:
        raise ValueError(f"https://api.telegram.org/bot{token}/getMe failed")
    except ValueError as error:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "calling %s", (f"/bot{token}/getMe",),
                                   (type(error), error, error.__traceback__))
    assert redact.filter(record)
    formatted = logging.Formatter().format(record)
    assert token not in formatted and formatted.count("[REDACTED]") == 2


# -- the same answers as the command line ----------------------------------------------------------------


@pytest.mark.skipif(not DEV_SET.exists(), reason="shared dev set not present")
def test_bot_sends_the_passage_the_json_command_line_gives(tg: FakeTelegram, bot: RunningBot,
                                                          seeds_library: Library) -> None:  # noqa: F811
    questions = [json.loads(line)["question"] for line in DEV_SET.read_text(encoding="utf-8").splitlines() if line]
    for i, question in enumerate(questions):
        tg.send_text(1000 + i, question)
    for i, question in enumerate(questions):
        reply = tg.wait_for_messages(1000 + i, 1)[0]
        answer = seeds_library.ask(question)  # what `python -m bot ask --json` prints
        if answer.answered:
            assert answer.hits[0].passage.text in reply.text, question
        else:
            assert reply.text.startswith((text("not_in_article"), "这个问题里没有")), question
    assert tg.errors == []


# -- the real process ------------------------------------------------------------------------------------


def bot_env(tg: FakeTelegram, **extra: str) -> dict[str, str]:
    """The environment minus any bot settings of the developer's, plus the fake server and `extra`."""
    ours = ("TELEGRAM_", "WEBHOOK_", "ALLOWED_", "ADMIN_", "FLOOD_", "LOG_LEVEL", "ARTICLE_DIR", "UPDATE_INBOX")
    env = {k: v for k, v in os.environ.items() if not k.startswith(ours)}
    env.update({"TELEGRAM_API_BASE_URL": tg.base_url, "LOG_LEVEL": "DEBUG", "PYTHONUNBUFFERED": "1",
                "UPDATE_INBOX": "inbox.sqlite3"})  # in the process's own folder, not the project's data/
    env.update(extra)
    return env


def start_process(args: list[str], env: dict[str, str], cwd: Path) -> tuple[subprocess.Popen[bytes], Path, Path]:
    """Output goes to files, not pipes: DEBUG logging would fill a pipe and stall the bot."""
    out, err = cwd / "stdout.txt", cwd / "stderr.txt"
    with out.open("wb") as stdout, err.open("wb") as stderr:
        process = subprocess.Popen([sys.executable, "-m", "bot", *args], env=env, cwd=cwd, stdout=stdout,
                                   stderr=stderr)
    return process, out, err


def test_serve_answers_never_logs_the_token_and_stops_on_sigterm(tg: FakeTelegram, tmp_path: Path) -> None:
    process, out, err = start_process(["serve"], bot_env(tg, TELEGRAM_BOT_TOKEN=tg.token), tmp_path)
    try:
        tg.send_text(42, VOLUNTEERS)
        assert "2138" in tg.wait_for_messages(42, 1, timeout=30)[0].text
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=15) == 0
    finally:
        process.kill() if process.poll() is None else None
    logs = out.read_text(encoding="utf-8") + err.read_text(encoding="utf-8")
    assert tg.token not in logs and tg.token.split(":")[1] not in logs
    assert "Traceback" not in logs and logs.index("loaded 20 passages") < logs.index("Application started")
    assert VOLUNTEERS not in "\n".join(line for line in logs.splitlines() if " INFO " in line)
    assert tg.errors == []


def test_a_token_telegram_rejects_exits_2_with_one_line(tg: FakeTelegram, tmp_path: Path,
                                                        symbols_library: Library) -> None:
    wrong = "987654321:AAWrongWrongWrongWrongWrongWrong00"
    seeds = str(Path(symbols_library.documents[0].path).parent)
    process, out, err = start_process(["--seeds", seeds, "serve"],
                                      bot_env(tg, TELEGRAM_BOT_TOKEN=wrong, LOG_LEVEL="INFO"), tmp_path)
    assert process.wait(timeout=30) == 2
    lines = err.read_text(encoding="utf-8").strip().splitlines()
    assert len(lines) == 1 and wrong not in lines[0]
    assert lines[0].startswith("error: Telegram 拒绝了 TELEGRAM_BOT_TOKEN") and "(Telegram rejected the token)" in lines[0]
    assert [e["error_code"] for e in tg.errors] == [401]


@pytest.mark.parametrize(("token", "words"), [
    (None, ("没有设置 TELEGRAM_BOT_TOKEN", "(TELEGRAM_BOT_TOKEN is not set)")),
    ("12345:short", ("TELEGRAM_BOT_TOKEN 格式不对", "(TELEGRAM_BOT_TOKEN is malformed)")),
])
def test_missing_or_malformed_token_exits_2_with_one_line(token: str | None, words: tuple[str, str], tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    from bot.__main__ import main

    monkeypatch.chdir(tmp_path)  # no .env here
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    if token is not None:
        monkeypatch.setenv("TELEGRAM_BOT_TOKEN", token)
    assert main(["serve"]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    message, gloss = words
    assert len(lines) == 1 and lines[0].startswith(f"error: {message}") and lines[0].endswith(gloss)


@pytest.mark.parametrize(("secret", "words"), [
    (None, ("--webhook-url 需要设置 WEBHOOK_SECRET", "(WEBHOOK_SECRET is required with --webhook-url)")),
    ("not a secret!", ("WEBHOOK_SECRET 应为 1 到 256 个字符",
                       "(WEBHOOK_SECRET must be 1-256 characters of A-Z a-z 0-9 _ -)")),
])
def test_webhook_mode_needs_a_secret_telegram_accepts(secret: str | None, words: tuple[str, str], tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    from bot.__main__ import main

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123456789:AAFakeTelegramTestToken0123456789ab")
    monkeypatch.delenv("WEBHOOK_SECRET", raising=False)
    if secret is not None:
        monkeypatch.setenv("WEBHOOK_SECRET", secret)
    assert main(["serve", "--webhook-url", "https://bot.example.com/hook"]) == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    message, gloss = words
    assert line.startswith(f"error: {message}") and line.endswith(gloss) and (secret or "\0") not in line


@pytest.mark.parametrize(("url", "port", "words"), [
    ("http://bot.example.com/hook", 8443, ("--webhook-url 应以 https:// 开头", "(--webhook-url must start with https://)")),
    ("bot.example.com/hook", 8443, ("--webhook-url 应为完整的网址", "(--webhook-url must be a full URL)")),
    ("https://bot.example.com/hook", 99999, ("--port 应在 1 到 65535 之间，不能是 99999",
                                             "(--port must be between 1 and 65535)")),
    ("https://bot.example.com/hook", 0, ("--port 应在 1 到 65535 之间，不能是 0", "(--port must be between 1 and 65535)")),
])
def test_a_webhook_telegram_cannot_use_is_refused_at_start_up(url: str, port: int, words: tuple[str, str],
                                                              tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    from bot.__main__ import main

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123456789:AAFakeTelegramTestToken0123456789ab")
    monkeypatch.setenv("WEBHOOK_SECRET", "s3cret")
    assert main(["serve", "--webhook-url", url, "--port", str(port)]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    message, gloss = words
    assert len(lines) == 1 and lines[0].startswith(f"error: {message}") and lines[0].endswith(gloss)


@pytest.mark.parametrize("listen", [
    "bad host!", "", "[::1]", "256.0.0.1", "0.0.0.0:8443", "http://0.0.0.0", "bot-.example.com"])
def test_a_listen_address_that_is_no_address_is_refused_at_start_up(listen: str, tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    """It failed only when the webhook server bound, after setWebhook and loading, with a traceback and exit 1.
    Refused before Telegram is asked anything: the base URL would not answer."""
    from bot.__main__ import main

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123456789:AAFakeTelegramTestToken0123456789ab")
    monkeypatch.setenv("TELEGRAM_API_BASE_URL", "http://127.0.0.1:1/bot")
    monkeypatch.setenv("WEBHOOK_SECRET", "s3cret")
    assert main(["serve", "--webhook-url", "https://bot.example.com/hook", "--listen", listen]) == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    assert line.startswith(f"error: --listen “{listen}” 不是 IP 地址或主机名")
    assert line.endswith("(--listen must be an IP address or host name)")


@pytest.mark.parametrize("listen", ["0.0.0.0", "::", "::1", "fe80::1%eth0", "localhost", "bot.example.com.", "my_bot"])
def test_a_listen_address_or_host_name_is_taken_as_given(listen: str) -> None:
    from argparse import Namespace

    from bot.telegram_app import webhook_options

    settings = Settings(token="123:abc", base_url=None, base_file_url=None, webhook_secret="s3cret",
                        allowed_chat_ids=frozenset(), admin_ids=frozenset(), flood_limit=20, log_level="INFO")
    args = Namespace(webhook_url="https://bot.example.com/hook", listen=listen, port=None)
    options = webhook_options(args, settings)
    assert options is not None and options["listen"] == listen


@pytest.mark.parametrize(("options", "named"), [
    (["--port", "9000"], "--port"), (["--listen", "0.0.0.0"], "--listen"),
    (["--listen", "0.0.0.0", "--port", "8443"], "--port 和 --listen"),
])
def test_a_webhook_option_without_webhook_url_is_refused_not_ignored(options: list[str], named: str, tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    """Long polling listens on no port: --port alone was dropped silently. Refused before the token is read."""
    from bot.__main__ import main

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    assert main(["serve", *options]) == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    assert line.startswith(f"error: {named} 只用于 webhook 模式") and "--webhook-url" in line


def test_a_webhook_without_port_or_listen_takes_their_defaults() -> None:
    from argparse import Namespace

    from bot.telegram_app import webhook_options

    settings = Settings(token="123:abc", base_url=None, base_file_url=None, webhook_secret="s3cret",
                        allowed_chat_ids=frozenset(), admin_ids=frozenset(), flood_limit=20, log_level="INFO")
    options = webhook_options(Namespace(webhook_url="https://bot.example.com/hook", listen=None, port=None), settings)
    assert options is not None and (options["listen"], options["port"]) == ("127.0.0.1", 8443)


@pytest.mark.parametrize("url", ["http://127.0.0.1:8443/hook", "http://localhost/hook", "https://bot.example.com/"])
def test_a_webhook_may_be_plain_http_only_on_this_machine(url: str) -> None:
    from argparse import Namespace

    from bot.telegram_app import webhook_options

    settings = Settings(token="123:abc", base_url=None, base_file_url=None, webhook_secret="s3cret",
                        allowed_chat_ids=frozenset(), admin_ids=frozenset(), flood_limit=20, log_level="INFO")
    options = webhook_options(Namespace(webhook_url=url, listen="127.0.0.1", port=8443), settings)
    assert options is not None and options["webhook_url"] == url


def test_the_malformed_token_message_says_what_the_check_accepts(monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.config import ConfigError, telegram_settings

    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123456789:" + "A" * 20)  # 20 characters after the colon: accepted
    assert telegram_settings().token.endswith("A" * 20)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123456789:" + "A" * 19)
    with pytest.raises(ConfigError, match="20 个以上") as error:
        telegram_settings()
    assert "35" not in str(error.value)


@pytest.mark.parametrize(("base_url", "hinted"), [
    ("http://127.0.0.1:1", True), ("http://127.0.0.1:1/", True), ("http://127.0.0.1:1/bot/", True),
    ("http://127.0.0.1:1/bot", False), ("http://127.0.0.1:1/{token}/x", False),
])
def test_a_base_url_without_bot_gets_a_hint_when_telegram_cannot_be_reached(
        base_url: str, hinted: bool, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """Port 1 refuses connections, and without /bot the token lands in the port: unreachable either way."""
    from argparse import Namespace

    from bot import telegram_app

    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123456789:AAFakeTelegramTestToken0123456789ab")
    monkeypatch.setenv("TELEGRAM_API_BASE_URL", base_url)
    monkeypatch.setattr(telegram_app, "configure_logging", lambda settings: None)  # the test run's logging stays
    assert telegram_app.serve(Namespace()) == 1
    line = capsys.readouterr().err.strip()
    assert line.startswith(f"error: 连不上 {base_url} 的 Telegram Bot API") and "\n" not in line
    assert "(cannot reach the Telegram Bot API" in line and "AAFakeTelegram" not in line
    assert ("应以 /bot 结尾" in line) == hinted and ("should end in /bot)" in line) == hinted


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_webhook_mode_checks_the_secret_and_answers(tg: FakeTelegram, tmp_path: Path,
                                                    symbols_library: Library) -> None:
    port, secret = free_port(), "s3cret-Token_1"
    url = f"http://127.0.0.1:{port}/telegram/hook"
    seeds = str(Path(symbols_library.documents[0].path).parent)
    env = bot_env(tg, TELEGRAM_BOT_TOKEN=tg.token, WEBHOOK_SECRET=secret)
    process, out, err = start_process(["--seeds", seeds, "serve", "--webhook-url", url, "--port", str(port)],
                                      env, tmp_path)
    try:
        tg.wait_for_call("setWebhook", timeout=30)
        assert tg.webhook is not None and tg.webhook["url"] == url and tg.webhook["secret_token"] == secret
        tg.add_chat(42)
        update = {"update_id": 1, "message": {
            "message_id": 1, "date": 0, "chat": {"id": 42, "type": "private"},
            "from": {"id": 42, "is_bot": False, "first_name": "读者"}, "text": "图书馆几点开放？"}}
        with httpx.Client(timeout=10) as client:
            refused = client.post(url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "wrong"})
            accepted = client.post(url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": secret})
        assert refused.status_code == 403 and accepted.status_code == 200
        assert "九点" in tg.wait_for_messages(42, 1)[0].text
        with httpx.Client(timeout=10) as client:  # Telegram retrying a call, then the next update
            again = client.post(url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": secret})
            update["update_id"] = update["message"]["message_id"] = 2
            following = client.post(url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": secret})
        assert again.status_code == following.status_code == 200
        assert len(tg.wait_for_messages(42, 2)) == 2  # the inbox knew update 1: answered once
        time.sleep(0.3)
        assert len(tg.messages(42)) == 2
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=15) == 0
    finally:
        process.kill() if process.poll() is None else None
    logs = out.read_text(encoding="utf-8") + err.read_text(encoding="utf-8")
    assert tg.token not in logs and secret not in logs
