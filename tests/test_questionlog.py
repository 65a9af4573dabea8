"""The question log: rows, hashed ids, salt, votes, forgetting, pruning, migrations, crash safety."""

from __future__ import annotations

import inspect
import logging
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from bot.config import ConfigError
from bot.feedback import FeedbackSink
from bot.questionlog import (MIGRATIONS, SCHEMA_VERSION, LogSchemaError, QuestionLog, log_path, open_question_log,
                             retention_days)
from index.answer import Answer, Hit
from index.passages import Passage

ROOT = Path(__file__).resolve().parent.parent
USER = 987654321987  # distinctive enough that its digits never turn up by chance
CHAT = -1001234567891
DAY = 86400.0


def passage(n: int, text: str | None = None) -> Passage:
    body = text or f"第{n}段：东湖街道共有80个小区，志愿者2138名。"
    return Passage(id=f"doc#{n}", document="doc", title="东湖街道的抗疫故事", section=None, text=body, kind="body",
                   start=0, end=len(body))


def answer(question: str, n: int | None = 1, answered: bool = True, score: float = 3.5) -> Answer:
    hits = () if n is None else (Hit(passage=passage(n), score=score, sentence="", sentence_span=(0, 0), matched=(),
                                     spans=()),)
    return Answer(question=question, answered=answered, hits=hits, reason="ok" if answered else "not_in_article")


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("LOG_SALT", raising=False)
    return tmp_path / "nested" / "questions.sqlite3"


def file_bytes(path: Path) -> bytes:
    return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))


def test_a_question_is_logged_with_what_was_answered(db: Path):
    with QuestionLog(db) as log:
        first = log.record("private", USER, "东湖街道有多少个小区？", answer("东湖街道有多少个小区？", 3), 12.5, at=1000.0)
        second = log.record("group", USER, "拱墅区有多少个网格？", answer("拱墅区有多少个网格？", 7, answered=False), 8.0,
                            at=2000.0)
        third = log.record("supergroup", 5, "？？", Answer("？？", False, (), "no_words"), 0.3, at=3000.0)
        rows = log.questions()
        mode = log._db.execute("PRAGMA journal_mode").fetchone()[0]
        sync = log._db.execute("PRAGMA synchronous").fetchone()[0]
    assert (mode, sync) == ("wal", 1)  # 1 = NORMAL
    assert [r.id for r in rows] == [first, second, third]
    a, b, c = rows
    assert (a.ts, a.chat_type, a.question, a.answered, a.reason) == (1000.0, "private", "东湖街道有多少个小区？", True, "ok")
    assert (a.passage_id, a.document, a.title, a.score, a.latency_ms) == ("doc#3", "doc", "东湖街道的抗疫故事", 3.5, 12.5)
    assert a.passage_text == passage(3).text  # the text as answered, whatever the article says later
    assert (b.answered, b.reason, b.passage_id) == (False, "not_in_article", "doc#7")  # the nearest miss
    assert (c.passage_id, c.passage_text, c.score, c.reason) == (None, None, None, "no_words")
    assert db.parent.is_dir()


def test_raw_ids_are_never_stored_only_salted_hashes(db: Path):
    with QuestionLog(db) as log:
        row = log.record("private", USER, "问题", answer("问题"), 1.0, message_key=(CHAT, 77))
        assert log.feedback((CHAT, 77), USER, +1)
        log.link_message(row, CHAT, 78)
        stored = log._db.execute("SELECT user_hash, chat_hash FROM questions").fetchone()
        assert stored == (log.user_hash(USER), log.chat_hash(CHAT))
        assert log.user_hash(USER) != log.chat_hash(USER)  # a private chat's id is its user's id
    data = file_bytes(db)
    for number in (USER, CHAT):
        assert str(number).encode() not in data
        for size in (6, 8):  # SQLite stores integers big-endian in 6 or 8 bytes
            assert number.to_bytes(size, "big", signed=True) not in data
    import hashlib
    assert hashlib.sha256(str(USER).encode()).hexdigest().encode() not in data  # salted, not a bare hash


def test_the_random_salt_is_made_once_and_kept_in_the_file(db: Path, tmp_path: Path):
    with QuestionLog(db) as log:
        first = log.user_hash(USER)
    with QuestionLog(db) as log:
        assert log.user_hash(USER) == first
        assert log.forget(USER) == 0
    with QuestionLog(tmp_path / "other.sqlite3") as other:
        assert other.user_hash(USER) != first


def test_log_salt_from_the_environment_wins_and_is_not_stored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("LOG_SALT", "publisher-secret-salt")
    with QuestionLog(tmp_path / "a.sqlite3") as a, QuestionLog(tmp_path / "b.sqlite3") as b:
        assert a.user_hash(USER) == b.user_hash(USER)  # same salt, same hash: logs can be joined
        a.record("private", USER, "问题", answer("问题"), 1.0)
        with QuestionLog(tmp_path / "c.sqlite3", salt="explicit") as c:
            assert c.user_hash(USER) != a.user_hash(USER)
    assert b"publisher-secret-salt" not in file_bytes(tmp_path / "a.sqlite3")


def test_a_changed_salt_is_reported(db: Path, caplog: pytest.LogCaptureFixture):
    QuestionLog(db, salt="one").close()
    with caplog.at_level(logging.WARNING, logger="bot.questionlog"):
        QuestionLog(db, salt="one").close()
        assert not caplog.records
        QuestionLog(db, salt="two").close()
    assert "salt differs" in caplog.text


def test_votes_attach_to_the_answer_by_row_or_message_and_can_be_changed(db: Path):
    with QuestionLog(db) as log:
        row = log.record("group", USER, "问题", answer("问题", 1), 1.0, message_key=(CHAT, 10))
        assert log.feedback(row, 111, "👍")
        assert log.feedback((CHAT, 10), 222, -1)
        assert log.feedback((CHAT, 10), 222, +1)  # changed the vote: replaced, not added
        assert [(r.up, r.down) for r in log.questions()] == [(2, 0)]
        assert log.feedback(row, 111, 0)  # withdrawn
        assert [(r.up, r.down) for r in log.questions()] == [(1, 0)]
        assert log.feedback((CHAT, 10), 111, -1, passage_id="doc#2")  # after 换一个: a vote on another passage
        votes = log.votes()
        assert sorted((v.passage_id, v.vote, v.question_id) for v in votes) == [("doc#1", 1, row), ("doc#2", -1, row)]
        assert not log.feedback(row + 1, 111, 1)  # no such row
        assert not log.feedback((CHAT, 99), 111, 1)  # unknown message, passage unknown: nothing to keep
        assert log.feedback((CHAT, 99), 111, 1, passage_id="doc#5")  # unknown message, named passage: kept
        assert {v.passage_id: v.question_id for v in log.votes()}["doc#5"] is None
        with pytest.raises(ValueError):
            log.feedback(row, 111, 5)


def test_the_log_is_a_feedback_sink_for_the_telegram_app(db: Path):
    protocol = list(inspect.signature(FeedbackSink.record).parameters)
    with QuestionLog(db) as log:
        sink = log.feedback_sink
        assert list(inspect.signature(sink.record).parameters) == protocol[1:]  # without self
        row = log.record("private", USER, "问题", answer("问题", 4), 1.0)
        assert log.link_message(row, CHAT, 501)
        sink.record(CHAT, USER, 501, "doc#4", -1)
        sink.record(CHAT, USER, 501, "doc#4", -1)  # a double press counts once
        assert [(r.up, r.down) for r in log.questions()] == [(0, 1)]


def test_the_last_answer_of_a_chat_is_found_for_more_after_a_restart(db: Path):
    with QuestionLog(db) as log:
        assert log.last_answer(CHAT) is None
        log.record("group", USER, "东湖街道有多少个小区？", answer("东湖街道有多少个小区？", 3), 1.0, (CHAT, 501))
        log.record("group", USER, "谢谢", Answer("谢谢", False, (), "thanks"), 1.0, (CHAT, 503))
        log.record("private", USER, "拱墅区有多少个网格？", answer("拱墅区有多少个网格？", 7), 1.0, (42, 505))
        log.record_soon("group", 5, "谢谢你", Answer("谢谢你", False, (), "thanks"), 1.0, (CHAT, 507))  # queued
        assert log.last_answer(CHAT) == (507, "谢谢你")
        assert log.last_answer(CHAT, skip_reasons=("thanks", "greeting")) == (501, "东湖街道有多少个小区？")
        assert log.last_answer(42) == (505, "拱墅区有多少个网格？")
        log.forget(USER)
        assert log.last_answer(CHAT, skip_reasons=("thanks",)) is None


def rows_on_disk(db: Path) -> list[str]:
    """The questions another connection sees in the file (what a crash would leave)."""
    with sqlite3.connect(db) as other:
        return [q for (q,) in other.execute("SELECT question FROM questions ORDER BY id")]


def test_queued_answers_are_seen_by_every_read_vote_and_forget_and_written_on_close(db: Path):
    with QuestionLog(db, flush_seconds=3600) as log:  # the writer thread would wait an hour: only reads flush
        log.record_soon("private", USER, "排队的问题", answer("排队的问题", 4), 2.0, message_key=(CHAT, 9))
        assert [r.question for r in log.questions()] == ["排队的问题"]
        log.record_soon("private", USER, "第二个", answer("第二个", 5), 2.0, message_key=(CHAT, 10))
        assert log.feedback((CHAT, 10), 42, -1)  # the vote finds its queued answer
        assert [(r.question, r.down) for r in log.questions()] == [("排队的问题", 0), ("第二个", 1)]
        log.record_soon("group", USER, "我的秘密问题在这里", answer("q"), 1.0)
        assert log.forget(USER) == 3  # the queued one too: it is not written after /forget
        log.record_soon("group", 7, "关闭前排队", answer("q"), 1.0)
        log.record_soon("group", 7, "也在排队", answer("q"), 1.0)
        assert rows_on_disk(db) == []
    assert rows_on_disk(db) == ["关闭前排队", "也在排队"]  # close() wrote them in order
    log.close()  # twice is fine
    with pytest.raises(sqlite3.ProgrammingError):
        log.record_soon("private", USER, "关闭之后", answer("q"), 1.0)


def wait_for_rows(db: Path, count: int) -> list[str]:
    deadline = time.monotonic() + 10
    while len(rows_on_disk(db)) < count and time.monotonic() < deadline:
        time.sleep(0.01)
    return rows_on_disk(db)


def test_queued_answers_reach_the_file_without_any_read(db: Path):
    with QuestionLog(db, flush_seconds=0.01) as log:
        log.record_soon("private", USER, "自己写进去", answer("q"), 1.0)
        record = log.record("private", USER, "直接写", answer("q"), 1.0)  # after what was queued before it
        log.record_soon("private", USER, "后台线程写", answer("q"), 1.0)
        assert wait_for_rows(db, 3) == ["自己写进去", "直接写", "后台线程写"]
        log.record_soon("private", USER, "之后又来一个", answer("q"), 1.0)  # the writer was idle: it wakes again
        assert wait_for_rows(db, 4)[-1] == "之后又来一个"
        assert [r.id for r in log.questions()][1] == record


def test_a_failing_write_of_queued_answers_is_logged_and_answers_go_on(db: Path, caplog: pytest.LogCaptureFixture):
    with QuestionLog(db, flush_seconds=3600) as log:
        log.record_soon("private", USER, "写不进去", answer("q"), 1.0)
        log._db.execute("DROP TABLE questions")  # stands in for a full disk: every insert fails
        with caplog.at_level(logging.WARNING, logger="bot.questionlog"):
            assert log.flush() == 0
        assert "1 answers could not be written" in caplog.text
        log.record_soon("private", USER, "还是写不进去", answer("q"), 1.0)  # queuing still works


def test_forget_deletes_a_users_questions_and_votes_and_leaves_no_trace(db: Path):
    with QuestionLog(db) as log:
        mine = log.record("private", USER, "我的秘密问题在这里", answer("q", 1), 1.0, message_key=(USER, 1))
        log.feedback(mine, USER, 1)
        theirs = log.record("group", 42, "别人的问题", answer("q", 2), 1.0, message_key=(CHAT, 2))
        log.feedback(theirs, USER, -1)
        log.feedback(mine, 42, 1)  # someone else's vote on my answer stays theirs, unlinked from my question
        assert log.forget(USER) == 3  # one question, two votes
        assert [r.id for r in log.questions()] == [theirs]
        assert [(v.passage_id, v.question_id) for v in log.votes()] == [("doc#1", None)]
        assert log.forget(USER) == 0
        assert "我的秘密问题在这里".encode() not in file_bytes(db)  # secure_delete + checkpoint, while still open
        assert "别人的问题".encode() in file_bytes(db)


def test_prune_drops_rows_older_than_the_retention(db: Path, monkeypatch: pytest.MonkeyPatch):
    now = time.time()
    with QuestionLog(db) as log:
        old = log.record("private", 1, "旧问题", answer("q"), 1.0, at=now - 100 * DAY)
        log.feedback(old, 2, 1, at=now - 99 * DAY)
        log.record("private", 1, "新问题", answer("q"), 1.0, at=now - 10 * DAY)
        log.record("private", 1, "较旧的问题", answer("q"), 1.0, at=now - 50 * DAY)
        assert log.prune(90, now=now) == 2  # the question and its vote
        assert [r.question for r in log.questions()] == ["较旧的问题", "新问题"]
    monkeypatch.setenv("QUESTION_LOG", str(db))
    monkeypatch.setenv("LOG_RETENTION_DAYS", "30")
    opened = open_question_log()  # prunes on opening
    assert opened is not None
    with opened as log:
        assert [r.question for r in log.questions()] == ["新问题"]
        assert log.retention_days == 30


def test_settings_from_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    monkeypatch.delenv("QUESTION_LOG", raising=False)
    monkeypatch.delenv("LOG_RETENTION_DAYS", raising=False)
    assert log_path() == ROOT / "data" / "questions.sqlite3" and retention_days() == 90
    monkeypatch.setenv("QUESTION_LOG", "off")
    assert log_path() is None and open_question_log() is None
    for bad, words in (("0", "LOG_RETENTION_DAYS 至少为 1 (LOG_RETENTION_DAYS must be at least 1)"),
                       ("-3", "LOG_RETENTION_DAYS 至少为 1 (LOG_RETENTION_DAYS must be at least 1)"),
                       ("ninety", "LOG_RETENTION_DAYS 应为天数（整数），如 90 "
                                  "(LOG_RETENTION_DAYS must be a whole number of days)")):
        monkeypatch.setenv("LOG_RETENTION_DAYS", bad)
        with pytest.raises(ConfigError) as error:
            retention_days()
        assert str(error.value) == words


def test_an_older_file_is_migrated_in_place(db: Path):
    db.parent.mkdir(parents=True)
    old = sqlite3.connect(db)
    old.executescript(MIGRATIONS[0])
    old.execute("INSERT INTO meta VALUES ('salt', 'kept-salt')")
    old.execute("INSERT INTO questions (ts, chat_type, user_hash, question, answered, reason, passage_id, document,"
                " title, passage_text, score, latency_ms) VALUES (5.0, 'private', 'h', '老问题', 1, 'ok', 'doc#1', 'doc',"
                " 't', '当时的段落', 1.0, 3.0)")
    old.execute("PRAGMA user_version = 1")
    old.commit()
    old.close()
    with QuestionLog(db) as log:
        assert log._db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 2
        [row] = log.questions()
        assert (row.question, row.passage_text, row.up) == ("老问题", "当时的段落", 0)
        assert log.link_message(row.id, CHAT, 9) and log.feedback((CHAT, 9), USER, -1)
        assert log.questions()[0].down == 1
        assert log._salt == b"kept-salt"
        assert log._db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_a_newer_or_foreign_file_is_refused(db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    """In Chinese with a short English gloss, as every other setting; a folder, or a place no file can be made,
    is refused the same way, not with sqlite3's or the file system's traceback."""
    from bot.__main__ import main

    QuestionLog(db).close()
    raw = sqlite3.connect(db)
    raw.execute("PRAGMA user_version = 99")
    raw.commit()
    raw.close()
    with pytest.raises(LogSchemaError) as newer:
        QuestionLog(db)
    assert str(newer.value) == (f"问答日志 {db} 是更新版本的机器人写的（结构版本 99，本程序只认到 {SCHEMA_VERSION}）："
                                "请更新机器人，或换一个日志文件 (the question log was written by a newer version of "
                                "the bot: update the bot, or use another file)")
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"not a database at all" * 100)
    gloss = "(cannot use this file as the question log: use another, writable file)"
    for unusable, reason in ((junk, "file is not a database"), (tmp_path, "unable to open database file"),
                             (junk / "questions.sqlite3", f"File exists: {junk}")):  # a file where a folder must be
        with pytest.raises(LogSchemaError) as error:
            QuestionLog(unusable)
        assert str(error.value) == f"无法把 {unusable} 用作问答日志（{reason}）：请换一个可写的文件 {gloss}"
    for log_file, words in ((db, "error: 问答日志 "), (junk, "error: 无法把 ")):
        assert main(["report", "--log", str(log_file)]) == 2
        captured = capsys.readouterr()
        [line] = captured.err.strip().splitlines()
        assert captured.out == "" and line.startswith(words) and line.endswith(")")


def test_threads_can_share_one_log(db: Path):
    with QuestionLog(db) as log:
        def worker(n: int) -> None:
            for i in range(40):
                row = log.record("group", n, f"问题{n}-{i}", answer("q", i % 3), 1.0)
                log.feedback(row, n, 1)
        threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        rows = log.questions()
        assert len(rows) == 320 and len({r.id for r in rows}) == 320 and all(r.up == 1 for r in rows)


WRITER = textwrap.dedent("""
    import itertools, sys
    from types import SimpleNamespace
    from bot.questionlog import QuestionLog
    log = QuestionLog(sys.argv[1])
    page = SimpleNamespace(id="doc#1", document="doc", title="标题", text="东湖街道的段落。" * 30)
    answer = SimpleNamespace(answered=True, reason="ok", hits=(SimpleNamespace(passage=page, score=1.0),))
    for i in itertools.count():
        row = log.record("private", i, "问题" * 50 + str(i), answer, 1.0, message_key=(i, i))
        if i % 3 == 0:
            log.feedback(row, i, 1)
        if i == 100:
            print("ready", flush=True)
""")


def test_a_writer_killed_mid_write_leaves_a_sound_file(db: Path):
    db.parent.mkdir(parents=True)
    seen = 0
    for delay in (0.0, 0.05, 0.2):
        writer = subprocess.Popen([sys.executable, "-c", WRITER, str(db)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
        try:
            assert writer.stdout is not None and writer.stdout.readline().strip() == "ready"
            time.sleep(delay)
        finally:
            writer.send_signal(signal.SIGKILL)
            writer.wait(timeout=10)
        assert writer.returncode == -signal.SIGKILL
        raw = sqlite3.connect(db)
        assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        count = raw.execute("SELECT COUNT(*) FROM questions").fetchone()[0]
        raw.close()
        assert count >= seen + 101  # every committed row of this round survived the kill
        seen = count
    with QuestionLog(db) as log:
        rows = log.questions()
        assert len(rows) == seen and all(r.passage_id == "doc#1" for r in rows)
