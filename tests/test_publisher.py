"""The publisher's side inside the running bot: the question log, /forget, /stats, and articles that change."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from bot.questionlog import QuestionLog
from bot.telegram_app import build_application
from core_fixtures import ROOT, seeds_library  # noqa: F401  (fixture)
from fake_telegram import FakeTelegram
from index.library import Library
from test_telegram_bot import RunningBot, make_settings, press, say

ADMIN = 42


@pytest.fixture
def log(tmp_path: Path) -> QuestionLog:
    question_log = QuestionLog(tmp_path / "q.sqlite3", salt="test-salt")
    yield question_log
    question_log.close()


def start(tg: FakeTelegram, library: Library, log: QuestionLog | None, watch: float = 0) -> RunningBot:
    app = build_application(make_settings(tg, admin_ids=frozenset({ADMIN})), library, question_log=log,
                            watch_seconds=watch)
    return RunningBot(tg, app).start()


def test_answers_and_feedback_are_logged_and_forget_removes_them(fake_telegram: FakeTelegram, log: QuestionLog,
                                                                  seeds_library: Library) -> None:
    bot = start(fake_telegram, seeds_library, log)
    try:
        reply = say(fake_telegram, 7, "东湖街道有多少志愿者？")
        say(fake_telegram, 7, "番茄炒蛋怎么做")
        press(fake_telegram, 7, reply.message_id, "f:0:-")
        rows = log.questions(0, time.time() + 60)
        assert [r.question for r in rows] == ["东湖街道有多少志愿者？", "番茄炒蛋怎么做"]
        assert rows[0].answered and "2138" in (rows[0].passage_text or "") and not rows[1].answered
        assert rows[0].down == 1 and [v.vote for v in log.votes(0, time.time() + 60)] == [-1]
        stats = say(fake_telegram, ADMIN, "/stats")
        assert "2" in stats.text
        assert "已删除你的 3 条" in say(fake_telegram, 7, "/forget").text
        assert log.questions(0, time.time() + 60) == []
        assert say(fake_telegram, 8, "/stats").text != stats.text  # not an admin
    finally:
        bot.stop()


def test_a_changed_article_is_swapped_in_while_questions_keep_being_answered(fake_telegram: FakeTelegram,
                                                                            tmp_path: Path,
                                                                            caplog: pytest.LogCaptureFixture) -> None:
    folder = tmp_path / "seeds"
    folder.mkdir()
    shutil.copy(ROOT / "seeds" / "000_1b196d080c1f959b.txt", folder / "a.txt")
    bot = start(fake_telegram, Library.load(folder), None, watch=0.2)
    try:
        chats = list(range(100, 160))
        for i, chat in enumerate(chats):
            fake_telegram.send_text(chat, "东湖街道有多少志愿者？")
            if i == 20:
                (folder / "zoo.txt").write_text("动物园新闻\n\n动物园今年新来了三只大熊猫，分别叫团团、圆圆和欢欢。",
                                                encoding="utf-8")
        for chat in chats:
            assert "2138" in fake_telegram.wait_for_messages(chat, 1, timeout=20)[0].text
        deadline = time.time() + 10
        while len(bot.app.bot_data["corpus"].library.documents) < 2 and time.time() < deadline:
            time.sleep(0.05)
        assert "团团" in say(fake_telegram, 200, "大熊猫叫什么名字？").text
        (folder / "zoo.txt").write_bytes(b"\x00\x01binary")  # no text now: left out, the other article stays
        deadline = time.time() + 10
        while len(bot.app.bot_data["corpus"].library.documents) > 1 and time.time() < deadline:
            time.sleep(0.05)
        assert "团团" not in say(fake_telegram, 201, "大熊猫叫什么名字？").text
        assert "2138" in say(fake_telegram, 202, "东湖街道有多少志愿者？").text
        (folder / "a.txt").write_bytes(b"\x00\x02binary")  # nothing loads: the running library stays
        time.sleep(0.8)
        assert "2138" in say(fake_telegram, 203, "东湖街道有多少志愿者？").text
        assert not fake_telegram.errors
        skipped = [r.getMessage() for r in caplog.records if r.name == "index.documents"]
        assert len(skipped) == 1 and skipped[0].startswith("zoo.txt: ")  # in the bot's log, once
    finally:
        bot.stop()
