"""Questions received and not yet answered, kept on disk so a crash does not lose them.

PTB confirms a batch of updates to Telegram with its next getUpdates, right
after queueing the batch, and answers a webhook call as soon as its update is
queued. So when the process dies (SIGKILL, the OOM killer, a power cut) the
questions fetched but not yet answered are gone: Telegram will not send them
again. Here every message is written to a small SQLite file as it is queued,
before PTB can confirm it, and marked handled once its handler is through; on
the next start whatever is not marked is queued again, oldest first.

This gives at-least-once, not exactly-once: an answer Telegram has received
but whose response the bot had not read yet when it died is sent again after
the restart (at most the updates in hand, CONCURRENT_UPDATES). The id of a
handled update is kept for DONE_KEPT, so an update Telegram sends a second
time (the dead run had not confirmed it, or a webhook call is retried) is not
answered twice. An update queued MAX_ATTEMPTS times without ever finishing
(one that brings the process down) is dropped with a warning rather than
retried forever, and a question older than MAX_AGE is not answered any more
(Telegram itself keeps updates a day).

Only messages and edited messages are kept: they are the questions. Inline
queries and button presses are not: Telegram stops waiting for their answer
within seconds, so one lost with a crashed run is simply pressed (or typed)
again. The buttons themselves keep working after a restart: the candidates
behind an answer are asked again from the question the question log kept for
its message (bot/handlers.py). A press answers "已过期" (expired) only without
that log (QUESTION_LOG=off), after /forget, once the row is pruned, or when the
article changed and the message no longer shows the passage the press names.

WAL with synchronous=NORMAL: a committed row survives the process being
killed (a power cut may take the last moments with it). Writing a row and
marking it cost about 0.06 ms. An update is kept as Telegram sent it: the
getUpdates transport hands each batch to `fetched` before PTB makes objects
of it. Serializing PTB's Update instead (to_json, still the way for webhook
updates) cost 0.17 ms, about an eighth of the bot's CPU under a burst.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sqlite3
import time
from pathlib import Path

from telegram import Bot, Update

from bot.config import ConfigError
from bot.questionlog import DISABLED, PROJECT_ROOT

logger = logging.getLogger(__name__)

DEFAULT_PATH = PROJECT_ROOT / "data" / "inbox.sqlite3"
MAX_ATTEMPTS = 3  # an update started this often without finishing is dropped
MAX_AGE = 24 * 3600.0  # seconds: older questions are not answered after a restart
DONE_KEPT = 3600.0  # seconds a handled update's id is kept, to know it if Telegram sends it again
PRUNE_EVERY = 1000  # handled updates between two prunings of the ids kept

_SCHEMA = """
CREATE TABLE IF NOT EXISTS inbox (
    bot_id    TEXT    NOT NULL,
    update_id INTEGER NOT NULL,
    received  REAL    NOT NULL,
    attempts  INTEGER NOT NULL DEFAULT 0,
    done      INTEGER NOT NULL DEFAULT 0,
    body      TEXT    NOT NULL,
    PRIMARY KEY (bot_id, update_id)
)
"""


def inbox_path() -> Path | None:
    """UPDATE_INBOX, else <project>/data/inbox.sqlite3; None when UPDATE_INBOX=off."""
    raw = os.environ.get("UPDATE_INBOX", "").strip()
    if raw.lower() in DISABLED:
        return None
    return Path(raw) if raw else DEFAULT_PATH


def bot_id(token: str) -> str:
    """The bot's numeric id, the token's public half: one inbox file may serve several bots."""
    return token.split(":", 1)[0]


class Inbox:
    """Updates kept from queueing until handled, for one bot."""

    def __init__(self, path: Path, bot: str) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path, self.bot = path, bot
        self._failing = False
        self._handled = 0
        self._fetched: dict[object, dict] = {}  # update_id → the update as Telegram sent it, last batch only
        self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA busy_timeout=5000")
        self._db.execute(_SCHEMA)

    @staticmethod
    def wanted(update: object) -> bool:
        return isinstance(update, Update) and (update.message is not None or update.edited_message is not None)

    def fetched(self, result: object) -> None:
        """A batch as getUpdates returned it (the transport's on_result); its updates are queued right after."""
        if isinstance(result, list):
            self._fetched = {raw.get("update_id"): raw for raw in result if isinstance(raw, dict)}

    def _body(self, update: Update) -> str:
        raw = self._fetched.pop(update.update_id, None)
        if raw is None:  # a webhook update, or one fetched by other means
            return update.to_json()
        return json.dumps(raw, ensure_ascii=False, separators=(",", ":"))

    def keep(self, update: object) -> bool:
        """Write the update down before PTB can confirm it; False when it was seen already.

        Telegram sends an update again when the run that fetched it died before
        confirming it (and retries a webhook call that got no answer): it was then
        either taken over from here or handled already, and is not answered twice.
        """
        if not self.wanted(update):
            return True
        assert isinstance(update, Update)
        added = self._write("INSERT OR IGNORE INTO inbox (bot_id, update_id, received, body) VALUES (?, ?, ?, ?)",
                            (self.bot, update.update_id, time.time(), self._body(update)))
        return added != 0

    def done(self, update: object) -> None:
        """The update was handled (answered, or failed in a handler and reported): only its id is kept,
        for DONE_KEPT seconds, so that the same update coming again is known."""
        if not self.wanted(update):
            return
        self._mark_done(update.update_id)  # type: ignore[union-attr]
        self._handled += 1
        if self._handled % PRUNE_EVERY == 0:
            self._prune(time.time())

    def _write(self, sql: str, values: tuple) -> int | None:
        """Rows changed, None on failure: a full disk or a broken file must not stop the bot answering,
        it only loses the safety net."""
        try:
            changed = self._db.execute(sql, values).rowcount
        except sqlite3.Error as error:
            if not self._failing:
                logger.warning("the inbox at %s cannot be written (%s): a crash now loses the questions in hand",
                               self.path, error)
            self._failing = True
            return None
        self._failing = False
        return changed

    def take_over(self, bot: Bot) -> list[Update]:
        """What a previous run left unhandled, oldest first, each counted as one more attempt."""
        now = time.time()
        self._prune(now)
        rows = self._db.execute("SELECT update_id, received, attempts, body FROM inbox WHERE bot_id = ? AND done = 0 "
                                "ORDER BY update_id", (self.bot,)).fetchall()
        updates: list[Update] = []
        for update_id, received, attempts, body in rows:
            if attempts + 1 >= MAX_ATTEMPTS or now - received > MAX_AGE:
                why = "too old" if now - received > MAX_AGE else f"started {attempts + 1} times without finishing"
                logger.warning("dropping update %d from the inbox: %s", update_id, why)
                self._mark_done(update_id)
                continue
            try:
                update = Update.de_json(json.loads(body), bot)
            except (ValueError, TypeError, KeyError) as error:
                logger.warning("dropping unreadable update %d from the inbox (%s)", update_id, error)
                self._mark_done(update_id)
                continue
            self._db.execute("UPDATE inbox SET attempts = attempts + 1 WHERE bot_id = ? AND update_id = ?",
                             (self.bot, update_id))
            updates.append(update)
        if updates:
            logger.info("answering %d question(s) left unanswered by the last run", len(updates))
        return updates

    def _mark_done(self, update_id: int) -> None:
        """Handled or given up: only the id is kept, so that the update coming again is known."""
        self._write("UPDATE inbox SET done = 1, body = '' WHERE bot_id = ? AND update_id = ?", (self.bot, update_id))

    def _prune(self, now: float) -> None:
        self._write("DELETE FROM inbox WHERE done = 1 AND received < ?", (now - DONE_KEPT,))

    def unhandled(self) -> int:
        return self._db.execute("SELECT COUNT(*) FROM inbox WHERE bot_id = ? AND done = 0",
                                (self.bot,)).fetchone()[0]

    def close(self) -> None:
        self._db.close()


class InboxQueue(asyncio.Queue):
    """PTB's update queue, writing each update to the inbox as it is queued (polling and webhook alike)."""

    def __init__(self, inbox: Inbox) -> None:
        super().__init__()
        self.inbox = inbox

    def put_nowait(self, item: object) -> None:
        if self.inbox.keep(item):
            super().put_nowait(item)

    def take_over(self, bot: Bot) -> int:
        """Queue what a previous run left unhandled (already in the inbox); how many."""
        updates = self.inbox.take_over(bot)
        for update in updates:
            super().put_nowait(update)
        return len(updates)


def open_inbox(token: str) -> Inbox | None:
    """The inbox the environment asks for; None when UPDATE_INBOX=off."""
    path = inbox_path()
    if path is None:
        return None
    try:
        return Inbox(path, bot_id(token))
    except (sqlite3.Error, OSError) as error:
        raise ConfigError(f"无法打开收件箱 {path}（{error}）：请把 UPDATE_INBOX 设为一个可写的文件，或设为 off "
                          "(cannot open the inbox: set UPDATE_INBOX to a writable file, or to off)") from None
