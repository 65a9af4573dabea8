"""Where 👍/👎 votes go.

Handlers only know the FeedbackSink protocol, so a persistent log (the SQLite
one planned next) can replace the in-memory default without touching them.
Votes never carry the question or passage text: a passage id is enough to
find what was shown, and it keeps readers' words out of logs.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import Protocol

logger = logging.getLogger(__name__)


class FeedbackSink(Protocol):
    """Anything that can keep a reader's vote on a shown passage."""

    def record(self, chat_id: int, user_id: int, message_id: int, passage_id: str, vote: int) -> None:
        """vote is +1 (👍) or -1 (👎)."""


@dataclass(frozen=True)
class Vote:
    chat_id: int
    user_id: int
    message_id: int
    passage_id: str
    vote: int
    time: float


class MemoryFeedback:
    """Keeps votes in a list for the life of the process and logs each one at INFO, without text."""

    def __init__(self) -> None:
        self._lock = threading.Lock()  # tests read votes from another thread
        self._votes: list[Vote] = []

    def record(self, chat_id: int, user_id: int, message_id: int, passage_id: str, vote: int) -> None:
        with self._lock:
            self._votes.append(Vote(chat_id, user_id, message_id, passage_id, vote, time.time()))
        logger.info("feedback chat=%s message=%s passage=%s vote=%+d", chat_id, message_id, passage_id, vote)

    @property
    def votes(self) -> list[Vote]:
        with self._lock:
            return list(self._votes)
