"""bot/inbox.py: questions are written down when queued, marked when handled, and taken over after a crash."""

from __future__ import annotations

import json
import logging
import sqlite3
import time
from pathlib import Path

import httpx
import pytest
from telegram import Bot, Update

from bot import inbox as inbox_module
from bot.config import ConfigError
from bot.feedback import MemoryFeedback
from bot.inbox import MAX_ATTEMPTS, Inbox, InboxQueue, open_inbox
from bot.telegram_app import build_application
from core_fixtures import seeds_library  # noqa: F401  (fixture)
from fake_telegram import FakeTelegram
from index.library import Library
from test_telegram_bot import RunningBot, make_settings

BOT = Bot("123:TEST")


def message(update_id: int, text: str = "东湖街道有多少个小区？", chat: int = 7) -> Update:
    return Update.de_json({"update_id": update_id, "message": {
        "message_id": update_id, "date": int(time.time()), "chat": {"id": chat, "type": "private"},
        "from": {"id": chat, "is_bot": False, "first_name": "读者"}, "text": text}}, BOT)


def inline_query(update_id: int) -> Update:
    return Update.de_json({"update_id": update_id, "inline_query": {
        "id": "q1", "from": {"id": 7, "is_bot": False, "first_name": "读者"}, "query": "小区", "offset": ""}}, BOT)


@pytest.fixture
def inbox(tmp_path: Path) -> Inbox:
    box = Inbox(tmp_path / "inbox.sqlite3", "123")
    yield box
    box.close()


def test_a_question_is_kept_until_handled_and_then_known_if_it_comes_again(inbox: Inbox) -> None:
    update = message(1)
    assert inbox.keep(update) and inbox.unhandled() == 1
    assert not inbox.keep(message(1))  # the same update again (Telegram resending it): not queued twice
    inbox.done(update)
    assert inbox.unhandled() == 0
    assert not inbox.keep(message(1))  # handled already: still known
    assert inbox.keep(message(2))


def test_a_new_run_takes_over_what_the_last_left_oldest_first(tmp_path: Path) -> None:
    first = Inbox(tmp_path / "inbox.sqlite3", "123")
    for update_id, text in ((5, "第一个问题"), (3, "更早的问题"), (9, "答过的问题")):
        first.keep(message(update_id, text))
    first.done(message(9))
    first.close()  # the process dies here: nothing else is written
    second = Inbox(tmp_path / "inbox.sqlite3", "123")
    taken = second.take_over(BOT)
    assert [(u.update_id, u.message.text) for u in taken] == [(3, "更早的问题"), (5, "第一个问题")]
    assert taken[0].message.chat.id == 7 and taken[0].message.from_user.first_name == "读者"
    second.close()


def test_a_fetched_update_is_kept_as_telegram_sent_it(tmp_path: Path) -> None:
    raw = json.loads(message(4, "原样保存").to_json()) | {"field_from_a_newer_api": {"x": 1}}
    first = Inbox(tmp_path / "inbox.sqlite3", "123")
    first.fetched([raw, {"update_id": 5, "inline_query": {}}])  # what getUpdates returned, before PTB parsed it
    first.keep(Update.de_json(raw, BOT))
    [body] = first._db.execute("SELECT body FROM inbox").fetchone()
    assert json.loads(body) == raw and "原样保存" in body  # UTF-8, not escapes
    first.close()
    second = Inbox(tmp_path / "inbox.sqlite3", "123")
    [taken] = second.take_over(BOT)
    assert taken.message.text == "原样保存" and taken.api_kwargs == {"field_from_a_newer_api": {"x": 1}}
    second.close()


def test_an_update_that_never_finishes_is_dropped_after_max_attempts(inbox: Inbox,
                                                                      caplog: pytest.LogCaptureFixture) -> None:
    inbox.keep(message(1))
    runs = 1
    while inbox.take_over(BOT):  # each run takes it over and dies before it is handled
        runs += 1
        assert runs <= MAX_ATTEMPTS
    assert runs == MAX_ATTEMPTS and inbox.unhandled() == 0
    assert "started 3 times without finishing" in caplog.text


def test_questions_older_than_a_day_are_not_answered_after_a_restart(inbox: Inbox, monkeypatch: pytest.MonkeyPatch,
                                                                     caplog: pytest.LogCaptureFixture) -> None:
    inbox.keep(message(1))
    monkeypatch.setattr(inbox_module.time, "time", lambda: time.time_ns() / 1e9 + inbox_module.MAX_AGE + 60)
    assert inbox.take_over(BOT) == [] and "too old" in caplog.text


def test_each_bot_has_its_own_questions_in_a_shared_file(tmp_path: Path) -> None:
    one, other = Inbox(tmp_path / "inbox.sqlite3", "1"), Inbox(tmp_path / "inbox.sqlite3", "2")
    one.keep(message(1))
    assert other.keep(message(1))  # the same update id, another bot's
    assert [u.update_id for u in other.take_over(BOT)] == [1] and one.unhandled() == 1
    one.close()
    other.close()


def test_only_messages_are_kept(inbox: Inbox) -> None:
    assert inbox.keep(inline_query(1)) and inbox.unhandled() == 0  # queued, not kept: it expires in seconds


def button_press(update_id: int) -> Update:
    return Update.de_json({"update_id": update_id, "callback_query": {
        "id": "c1", "from": {"id": 7, "is_bot": False, "first_name": "读者"}, "chat_instance": "1", "data": "n:0"}},
        BOT)


def test_button_presses_are_not_kept_and_the_docstring_says_what_a_press_after_a_restart_does(inbox: Inbox) -> None:
    assert inbox.keep(button_press(1)) and inbox.unhandled() == 0
    doc = " ".join((inbox_module.__doc__ or "").split())
    # test_buttons_keep_working_after_a_restart_through_the_question_log: asked again, not "已过期"
    assert "question log" in doc and "the buttons answer \"已过期\"" not in doc


def test_a_broken_inbox_does_not_stop_the_bot(inbox: Inbox, caplog: pytest.LogCaptureFixture) -> None:
    inbox._db.close()
    with caplog.at_level(logging.WARNING):
        assert inbox.keep(message(1)) and inbox.keep(message(2))  # still queued
        inbox.done(message(1))
    assert caplog.text.count("cannot be written") == 1


def test_the_queue_writes_down_what_it_queues_and_drops_what_it_has_seen(inbox: Inbox) -> None:
    queue = InboxQueue(inbox)
    queue.put_nowait(message(1))
    queue.put_nowait(message(1))
    queue.put_nowait(inline_query(2))
    assert queue.qsize() == 2 and inbox.unhandled() == 1


def test_open_inbox_follows_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UPDATE_INBOX", "off")
    assert open_inbox("123:ABC") is None
    monkeypatch.setenv("UPDATE_INBOX", str(tmp_path / "box.sqlite3"))
    box = open_inbox("123:ABC")
    assert box is not None and box.bot == "123"  # the token's secret half is stored nowhere
    box.close()
    (tmp_path / "not-a-db").write_bytes(b"\x00" * 4096)
    monkeypatch.setenv("UPDATE_INBOX", str(tmp_path / "not-a-db"))
    with pytest.raises(ConfigError) as error:
        open_inbox("123:ABC")
    message = str(error.value)
    assert message.startswith(f"无法打开收件箱 {tmp_path / 'not-a-db'}（") and "UPDATE_INBOX" in message
    assert message.endswith("(cannot open the inbox: set UPDATE_INBOX to a writable file, or to off)")


def test_a_restarted_bot_answers_the_question_a_crashed_run_left(fake_telegram: FakeTelegram, tmp_path: Path,
                                                                   seeds_library: Library) -> None:  # noqa: F811
    tg = fake_telegram
    path = tmp_path / "inbox.sqlite3"
    fetched = tg.send_text(42, "东湖街道有多少个小区？")
    assert fetched is not None  # the run that died fetched it, and PTB confirmed it with its next poll:
    httpx.post(f"{tg.base_url}{tg.token}/getUpdates", json={"offset": fetched + 1, "timeout": 0}).raise_for_status()
    crashed = Inbox(path, tg.token.split(":")[0])
    crashed.keep(message(fetched, "东湖街道有多少个小区？", chat=42))  # ...but it died before answering
    crashed.close()
    inbox = Inbox(path, tg.token.split(":")[0])
    app = build_application(make_settings(tg), seeds_library, MemoryFeedback(), inbox=inbox)
    bot = RunningBot(tg, app).start()
    try:
        [answer] = tg.wait_for_messages(42, 1)
        assert "80" in answer.text
        update_id = tg.send_text(43, "东湖街道有多少个小区？")
        tg.wait_for_messages(43, 1)
        bot.settle(update_id)
        assert inbox.unhandled() == 0
    finally:
        bot.stop()
        inbox.close()
    with sqlite3.connect(path) as db:  # the handled ones are kept as ids only
        assert db.execute("SELECT COUNT(*), MAX(LENGTH(body)) FROM inbox").fetchone() == (2, 0)
