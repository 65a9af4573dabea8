"""The question log: what readers asked and what the bot answered, for the publisher's report.

One SQLite file (stdlib sqlite3, WAL journal, synchronous=NORMAL: a crash loses at most the last
few commits, never the file). The code creates the schema and migrates older files itself through
PRAGMA user_version and the ordered MIGRATIONS below; a file newer than the code is refused.

Privacy:
- Telegram ids are never stored. Users and chats are kept as HMAC-SHA256 of the id under a salt:
  LOG_SALT from the environment when set (best: then the database alone cannot be brute-forced
  back to ids), else a random salt generated once and kept in the database's meta table.
- `forget(user_id)` deletes a user's questions and votes; secure_delete is on and the WAL is
  checkpointed afterwards, so the deleted text does not linger in the file.
- `prune(days)` drops rows older than the retention (LOG_RETENTION_DAYS, default 90).

Each row keeps the passage text as it was answered (and its id, document and title), so old rows
still show what the reader saw after the article is edited or replaced.

Thread safety: one connection guarded by a lock; every write is one short transaction.

Writes off the event loop: the bot logs answers with record_soon(), which only queues the row; a
background thread writes what is queued in one transaction at most FLUSH_SECONDS later (or at once
when FLUSH_ROWS are waiting). Everything that reads or changes rows (questions, votes, feedback,
forget, prune, record) and close() first write out the queue, so a vote always finds its answer
and /forget never misses a queued question. A crash (SIGKILL, power loss) can cost the answers of
the last second; a normal stop (SIGTERM, Ctrl-C) writes them all (the bot closes the log on stop).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import secrets
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Union

from bot.config import ConfigError

if TYPE_CHECKING:  # the log only reads attributes of an Answer; importing index is not needed to log
    from index.answer import Answer

log = logging.getLogger(__name__)

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PATH = PROJECT_ROOT / "data" / "questions.sqlite3"
DEFAULT_RETENTION_DAYS = 90
DISABLED = ("off", "none", "no", "false", "0")
MAX_QUESTION_CHARS = 4096  # a Telegram message at most; bounds a row
DAY = 86400.0
FLUSH_SECONDS = 1.0  # record_soon(): a queued row reaches the file within about this long
FLUSH_ROWS = 500  # ... or as soon as this many are waiting
INSERT_QUESTION = (
    "INSERT INTO questions (ts, chat_type, user_hash, question, answered, reason, passage_id, document,"
    " title, passage_text, score, latency_ms, chat_hash, message_id)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)

MessageKey = tuple[int, int]  # (chat_id, message_id) of the bot's answer message
Target = Union[int, MessageKey]  # a row id, or the answer message

# Ordered: MIGRATIONS[n-1] brings a file from user_version n-1 to n. Append, never edit a shipped one.
MIGRATIONS: tuple[str, ...] = (
    # 1: the questions, and meta for the salt
    """
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE questions (
        id INTEGER PRIMARY KEY,
        ts REAL NOT NULL,
        chat_type TEXT NOT NULL,
        user_hash TEXT NOT NULL,
        question TEXT NOT NULL,
        answered INTEGER NOT NULL,
        reason TEXT NOT NULL,
        passage_id TEXT,
        document TEXT,
        title TEXT,
        passage_text TEXT,
        score REAL,
        latency_ms REAL NOT NULL
    );
    CREATE INDEX questions_ts ON questions(ts);
    CREATE INDEX questions_user ON questions(user_hash);
    """,
    # 2: answers keyed by their message, and readers' votes on them
    """
    ALTER TABLE questions ADD COLUMN chat_hash TEXT;
    ALTER TABLE questions ADD COLUMN message_id INTEGER;
    CREATE INDEX questions_message ON questions(chat_hash, message_id);
    CREATE TABLE votes (
        id INTEGER PRIMARY KEY,
        ts REAL NOT NULL,
        question_id INTEGER REFERENCES questions(id) ON DELETE SET NULL,
        chat_hash TEXT,
        message_id INTEGER,
        user_hash TEXT NOT NULL,
        passage_id TEXT,
        vote INTEGER NOT NULL CHECK (vote IN (-1, 1))
    );
    CREATE INDEX votes_ts ON votes(ts);
    CREATE INDEX votes_user ON votes(user_hash);
    CREATE INDEX votes_question ON votes(question_id);
    CREATE INDEX votes_message ON votes(chat_hash, message_id);
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)


class LogSchemaError(ConfigError):
    """The file was written by a newer version of the bot, is not a question log, or cannot be opened there."""


@dataclass(frozen=True)
class LoggedQuestion:
    """One question as the report reads it (no user or chat hash: the report never needs them)."""

    id: int
    ts: float  # unix seconds
    chat_type: str
    question: str
    answered: bool
    reason: str
    passage_id: str | None  # the answer, or the nearest miss when declined
    document: str | None
    title: str | None
    passage_text: str | None
    score: float | None
    latency_ms: float
    up: int  # votes on this answer
    down: int


@dataclass(frozen=True)
class LoggedVote:
    ts: float
    question_id: int | None
    passage_id: str | None
    vote: int  # +1 or -1


def log_path() -> Path | None:
    """QUESTION_LOG, else <project>/data/questions.sqlite3; None when QUESTION_LOG=off."""
    raw = os.environ.get("QUESTION_LOG", "").strip()
    if raw.lower() in DISABLED:
        return None
    return Path(raw) if raw else DEFAULT_PATH


def retention_days() -> int:
    """LOG_RETENTION_DAYS, default 90."""
    raw = os.environ.get("LOG_RETENTION_DAYS", "").strip()
    if not raw:
        return DEFAULT_RETENTION_DAYS
    try:
        days = int(raw)
    except ValueError:
        raise ConfigError("LOG_RETENTION_DAYS 应为天数（整数），如 90 "
                          "(LOG_RETENTION_DAYS must be a whole number of days)") from None
    if days <= 0:
        raise ConfigError("LOG_RETENTION_DAYS 至少为 1 (LOG_RETENTION_DAYS must be at least 1)")
    return days


def unusable(path: Path, error: Exception) -> str:
    """Why `path` cannot be the question log: not a database, a folder, no permission. Named without
    QUESTION_LOG: the report's --log names a log too."""
    reason: object = error
    if isinstance(error, OSError) and error.strerror:  # which part of the path: a file where a folder must be
        reason = f"{error.strerror}: {error.filename}" if error.filename else error.strerror
    return (f"无法把 {path} 用作问答日志（{reason}）：请换一个可写的文件 "
            "(cannot use this file as the question log: use another, writable file)")


def open_question_log() -> "QuestionLog | None":
    """The log the environment asks for, pruned now and then daily; None when logging is off."""
    path = log_path()
    return None if path is None else QuestionLog(path, retention_days=retention_days())


def vote_value(vote: object) -> int:
    """+1/-1 (0 withdraws a vote); also 👍/👎, 'up'/'down', True/False."""
    if isinstance(vote, bool):
        return 1 if vote else -1
    if isinstance(vote, int) and vote in (-1, 0, 1):
        return vote
    if isinstance(vote, str):
        named = {"👍": 1, "up": 1, "+1": 1, "1": 1, "👎": -1, "down": -1, "-1": -1, "0": 0}
        if vote.strip().lower() in named:
            return named[vote.strip().lower()]
    raise ValueError(f"a vote is +1, -1 or 0, not {vote!r}")


class QuestionLog:
    """Append questions with their answers, attach votes, forget users, prune old rows."""

    def __init__(self, path: str | os.PathLike, salt: str | bytes | None = None,
                 retention_days: int | None = None, flush_seconds: float = FLUSH_SECONDS):
        self.path = Path(path)
        self._lock = threading.RLock()  # the connection; taken before _queued when both are needed
        self._queued = threading.Condition(threading.Lock())  # the rows of record_soon() and the writer thread
        self._queue: list[tuple[object, ...]] = []
        self._writer: threading.Thread | None = None
        self._closing = False
        self.flush_seconds = flush_seconds
        try:  # a folder, or a place that cannot be written
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, timeout=5.0, isolation_level=None, check_same_thread=False)
        except (OSError, sqlite3.Error) as error:
            raise LogSchemaError(unusable(self.path, error)) from error
        try:
            self._db.execute("PRAGMA busy_timeout = 5000")
            mode = self._db.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if mode.lower() != "wal":
                log.warning("question log %s: journal mode is %s, not WAL", self.path, mode)
            self._db.execute("PRAGMA synchronous = NORMAL")
            self._db.execute("PRAGMA foreign_keys = ON")
            self._db.execute("PRAGMA secure_delete = ON")
            self._migrate()
            self._salt = self._load_salt(salt)
        except sqlite3.DatabaseError as error:
            self._db.close()
            raise LogSchemaError(unusable(self.path, error)) from error
        except BaseException:
            self._db.close()
            raise
        self.retention_days = retention_days
        self._last_prune = 0.0
        if retention_days:
            self.prune(retention_days)

    # -- setup -------------------------------------------------------------------------------

    def _migrate(self) -> None:
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise LogSchemaError(f"问答日志 {self.path} 是更新版本的机器人写的（结构版本 {version}，本程序只认到 "
                                 f"{SCHEMA_VERSION}）：请更新机器人，或换一个日志文件 "
                                 "(the question log was written by a newer version of the bot: update the bot, "
                                 "or use another file)")
        while version < SCHEMA_VERSION:
            with self._write():
                version = self._db.execute("PRAGMA user_version").fetchone()[0]  # another process may have won
                if version >= SCHEMA_VERSION:
                    break
                for statement in MIGRATIONS[version].split(";"):
                    if statement.strip():
                        self._db.execute(statement)
                version += 1
                self._db.execute(f"PRAGMA user_version = {version}")
                log.info("question log %s migrated to schema version %d", self.path, version)

    def _load_salt(self, explicit: str | bytes | None) -> bytes:
        chosen = explicit if explicit is not None else (os.environ.get("LOG_SALT") or None)
        with self._write():
            if chosen is None:
                self._db.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('salt', ?)", (secrets.token_hex(32),))
                chosen = self._db.execute("SELECT value FROM meta WHERE key = 'salt'").fetchone()[0]
            salt = chosen.encode("utf-8") if isinstance(chosen, str) else bytes(chosen)
            check = hmac.new(salt, b"salt-check", hashlib.sha256).hexdigest()
            self._db.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('salt_check', ?)", (check,))
            first = self._db.execute("SELECT value FROM meta WHERE key = 'salt_check'").fetchone()[0]
        if first != check:
            log.warning("question log %s: the salt differs from the one its rows were hashed with; "
                        "/forget will not find users' older rows", self.path)
        return salt

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _hash(self, kind: str, value: int | str) -> str:
        return hmac.new(self._salt, f"{kind}:{value}".encode("utf-8"), hashlib.sha256).hexdigest()

    def user_hash(self, user_id: int | str) -> str:
        return self._hash("user", user_id)

    def chat_hash(self, chat_id: int | str) -> str:
        return self._hash("chat", chat_id)

    # -- writing -----------------------------------------------------------------------------

    def _question_row(self, chat_type: str, user_id: int | str, question: str, answer: "Answer",
                      latency_ms: float, message_key: MessageKey | None, at: float | None) -> tuple[object, ...]:
        hit = answer.hits[0] if answer.hits else None
        passage = hit.passage if hit else None
        chat_hash, message_id = (self.chat_hash(message_key[0]), int(message_key[1])) if message_key else (None, None)
        return (
            time.time() if at is None else float(at), str(chat_type), self.user_hash(user_id),
            question[:MAX_QUESTION_CHARS], int(bool(answer.answered)), str(answer.reason),
            passage.id if passage else None, passage.document if passage else None,
            passage.title if passage else None, passage.text if passage else None,
            float(hit.score) if hit else None, float(latency_ms), chat_hash, message_id,
        )

    def record(self, chat_type: str, user_id: int | str, question: str, answer: "Answer", latency_ms: float,
               message_key: MessageKey | None = None, *, at: float | None = None) -> int:
        """Log one question and what was answered (the best hit, or the nearest miss when declined); the row id."""
        row = self._question_row(chat_type, user_id, question, answer, latency_ms, message_key, at)
        self.flush()
        with self._write() as db:
            row_id = int(db.execute(INSERT_QUESTION, row).lastrowid)
        self._prune_if_due()
        return row_id

    def record_soon(self, chat_type: str, user_id: int | str, question: str, answer: "Answer", latency_ms: float,
                    message_key: MessageKey | None = None) -> None:
        """record() without waiting for the disk: the row is queued and written, with whatever else is
        queued, by a background thread within flush_seconds; any read, vote, forget or close writes it first."""
        row = self._question_row(chat_type, user_id, question, answer, latency_ms, message_key, None)
        with self._queued:
            if self._closing:
                raise sqlite3.ProgrammingError("Cannot operate on a closed database.")
            self._queue.append(row)
            if self._writer is None:
                self._writer = threading.Thread(target=self._write_queued, name="question-log", daemon=True)
                self._writer.start()
            if len(self._queue) == 1 or len(self._queue) >= FLUSH_ROWS:
                self._queued.notify()  # the writer's clock starts with the first row; many rows cut it short

    def _write_queued(self) -> None:
        """The writer thread: wait for a row, give others flush_seconds to join it, write them all; until close()."""
        while True:
            with self._queued:
                while not self._queue and not self._closing:
                    self._queued.wait()
                if not self._queue:
                    return
                deadline = time.monotonic() + self.flush_seconds
                while len(self._queue) < FLUSH_ROWS and not self._closing:
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        break
                    self._queued.wait(remaining)
            self.flush()

    def flush(self) -> int:
        """Write the rows queued by record_soon() now, in one transaction; how many were written.

        A write that fails (full disk) is logged and its rows are dropped: the log never holds up answers.
        """
        with self._lock:
            with self._queued:
                rows, self._queue = self._queue, []
            if not rows or self._db is None:
                return 0
            try:
                with self._write() as db:
                    db.executemany(INSERT_QUESTION, rows)
            except sqlite3.Error as error:
                log.warning("question log: %d answers could not be written: %s", len(rows), error)
                return 0
        self._prune_if_due()
        return len(rows)

    def link_message(self, row_id: int, chat_id: int, message_id: int) -> bool:
        """Key a logged answer by the message that showed it, when the message id is known only after sending."""
        self.flush()
        with self._write() as db:
            cursor = db.execute("UPDATE questions SET chat_hash = ?, message_id = ? WHERE id = ?",
                                (self.chat_hash(chat_id), int(message_id), int(row_id)))
        return cursor.rowcount > 0

    def question_for(self, chat_id: int, message_id: int) -> str | None:
        """The question an answer message answered, when it was logged (and not forgotten or pruned)."""
        self.flush()  # it may still be queued
        with self._lock:
            row = self._db.execute("SELECT question FROM questions WHERE chat_hash = ? AND message_id = ?"
                                   " ORDER BY id DESC LIMIT 1", (self.chat_hash(chat_id), int(message_id))).fetchone()
        return row[0] if row else None

    def last_answer(self, chat_id: int, skip_reasons: tuple[str, ...] = ()) -> tuple[int, str] | None:
        """The message id and question of the latest answer logged in a chat (not forgotten or pruned),
        leaving out answers of the reasons in `skip_reasons` (small talk, say)."""
        self.flush()  # it may still be queued
        skip = ", ".join("?" * len(skip_reasons))
        with self._lock:
            row = self._db.execute("SELECT message_id, question FROM questions WHERE chat_hash = ?"
                                   " AND message_id IS NOT NULL" + (f" AND reason NOT IN ({skip})" if skip else "") +
                                   " ORDER BY id DESC LIMIT 1", (self.chat_hash(chat_id), *skip_reasons)).fetchone()
        return (int(row[0]), row[1]) if row else None

    def feedback(self, target: Target, user_id: int | str, vote: object, passage_id: str | None = None,
                 *, at: float | None = None) -> bool:
        """A reader's 👍 (+1) or 👎 (-1) on an answer, found by row id or by (chat_id, message_id).

        One vote per reader, answer and passage: voting again replaces the vote, 0 withdraws it.
        passage_id names the passage shown when the reader voted (after 换一个 it is not the logged
        answer); by default the logged answer's. A vote on a message missing from the log (logged
        before the log existed, pruned) is kept when the passage is named. False when nothing was kept.
        """
        value = vote_value(vote)
        voter = self.user_hash(user_id)
        self.flush()  # the answer voted on may still be queued
        with self._write() as db:
            if isinstance(target, tuple):
                chat_hash, message_id = self.chat_hash(target[0]), int(target[1])
                found = db.execute("SELECT id, passage_id FROM questions WHERE chat_hash = ? AND message_id = ?"
                                   " ORDER BY id DESC LIMIT 1", (chat_hash, message_id)).fetchone()
            else:
                found = db.execute("SELECT id, passage_id, chat_hash, message_id FROM questions WHERE id = ?",
                                   (int(target),)).fetchone()
                if found is None:
                    return False
                chat_hash, message_id = found[2], found[3]
            question_id = found[0] if found else None
            passage = passage_id if passage_id is not None else (found[1] if found else None)
            if question_id is None and passage is None:
                return False
            if question_id is not None:
                db.execute("DELETE FROM votes WHERE question_id = ? AND user_hash = ? AND passage_id IS ?",
                           (question_id, voter, passage))
            else:
                db.execute("DELETE FROM votes WHERE question_id IS NULL AND chat_hash = ? AND message_id = ?"
                           " AND user_hash = ? AND passage_id IS ?", (chat_hash, message_id, voter, passage))
            if value:
                db.execute("INSERT INTO votes (ts, question_id, chat_hash, message_id, user_hash, passage_id, vote)"
                           " VALUES (?, ?, ?, ?, ?, ?, ?)",
                           (time.time() if at is None else float(at), question_id, chat_hash, message_id, voter,
                            passage, value))
        return True

    @property
    def feedback_sink(self) -> "LogFeedbackSink":
        """This log as the Telegram app's FeedbackSink: record(chat_id, user_id, message_id, passage_id, vote)."""
        return LogFeedbackSink(self)

    def forget(self, user_id: int | str) -> int:
        """Delete everything a user asked and voted (for /forget); the number of rows deleted."""
        voter = self.user_hash(user_id)
        self.flush()  # queued questions are deleted too, not written afterwards
        with self._write() as db:
            deleted = db.execute("DELETE FROM votes WHERE user_hash = ?", (voter,)).rowcount
            deleted += db.execute("DELETE FROM questions WHERE user_hash = ?", (voter,)).rowcount
        self._checkpoint()
        return deleted

    def prune(self, retention_days: int | float, *, now: float | None = None) -> int:
        """Delete questions and votes older than retention_days; the number of rows deleted."""
        cutoff = (time.time() if now is None else now) - float(retention_days) * DAY
        self.flush()
        with self._write() as db:
            deleted = db.execute("DELETE FROM votes WHERE ts < ?", (cutoff,)).rowcount
            deleted += db.execute("DELETE FROM questions WHERE ts < ?", (cutoff,)).rowcount
        self._last_prune = time.time()
        if deleted:
            self._checkpoint()
            log.info("question log: pruned %d rows older than %s days", deleted, retention_days)
        return deleted

    def _prune_if_due(self) -> None:
        if self.retention_days and time.time() - self._last_prune >= DAY:
            self.prune(self.retention_days)

    def _checkpoint(self) -> None:
        """Copy the WAL into the file and empty it, so deleted rows leave no old page copies behind."""
        with self._lock:
            self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()

    def close(self) -> None:
        """Write out what record_soon() queued, stop the writer thread and close the file."""
        with self._queued:
            self._closing = True
            self._queued.notify_all()
        writer = self._writer
        if writer is not None and writer is not threading.current_thread():
            writer.join()
        self.flush()
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None  # type: ignore[assignment]

    def __enter__(self) -> "QuestionLog":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- reading -----------------------------------------------------------------------------

    def questions(self, since: float | None = None, until: float | None = None) -> list[LoggedQuestion]:
        """Logged questions with since <= ts < until, oldest first, with the votes on each."""
        self.flush()
        with self._lock:
            rows = self._db.execute(
                "SELECT q.id, q.ts, q.chat_type, q.question, q.answered, q.reason, q.passage_id, q.document, q.title,"
                " q.passage_text, q.score, q.latency_ms,"
                " (SELECT COUNT(*) FROM votes v WHERE v.question_id = q.id AND v.vote > 0),"
                " (SELECT COUNT(*) FROM votes v WHERE v.question_id = q.id AND v.vote < 0)"
                " FROM questions q WHERE q.ts >= ? AND q.ts < ? ORDER BY q.ts, q.id",
                (float("-inf") if since is None else since, float("inf") if until is None else until)).fetchall()
        return [LoggedQuestion(id=r[0], ts=r[1], chat_type=r[2], question=r[3], answered=bool(r[4]), reason=r[5],
                               passage_id=r[6], document=r[7], title=r[8], passage_text=r[9], score=r[10],
                               latency_ms=r[11], up=r[12], down=r[13]) for r in rows]

    def votes(self, since: float | None = None, until: float | None = None) -> list[LoggedVote]:
        self.flush()
        with self._lock:
            rows = self._db.execute(
                "SELECT ts, question_id, passage_id, vote FROM votes WHERE ts >= ? AND ts < ? ORDER BY ts, id",
                (float("-inf") if since is None else since, float("inf") if until is None else until)).fetchall()
        return [LoggedVote(ts=r[0], question_id=r[1], passage_id=r[2], vote=r[3]) for r in rows]

    def passages(self, passage_ids: set[str]) -> dict[str, tuple[str | None, str | None]]:
        """(title, text) of each passage id as most recently logged."""
        out: dict[str, tuple[str | None, str | None]] = {}
        self.flush()
        with self._lock:
            for passage_id in passage_ids:
                row = self._db.execute("SELECT title, passage_text FROM questions WHERE passage_id = ?"
                                       " ORDER BY ts DESC, id DESC LIMIT 1", (passage_id,)).fetchone()
                if row:
                    out[passage_id] = (row[0], row[1])
        return out


class LogFeedbackSink:
    """The log as bot.feedback.FeedbackSink, for the Telegram app's 👍/👎 buttons.

    The vote is attached to the answer logged with message_key=(chat_id, message_id) (or linked
    with link_message); a reader voting again on the same message and passage replaces the vote.
    """

    def __init__(self, question_log: QuestionLog):
        self.log = question_log

    def record(self, chat_id: int, user_id: int, message_id: int, passage_id: str, vote: int) -> None:
        self.log.feedback((chat_id, message_id), user_id, vote, passage_id)
