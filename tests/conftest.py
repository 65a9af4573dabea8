"""Fixtures shared across test files."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from fake_telegram import FakeTelegram


@pytest.fixture(autouse=True)
def _logs_in_tmp_path(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """The question log and the update inbox default to the project's data/ folder: tests write theirs to
    a folder of their own, so that `python -m bot report` never counts a test's questions as readers'.
    A test of the defaults clears these itself."""
    folder = tmp_path_factory.mktemp("logs")
    monkeypatch.setenv("QUESTION_LOG", str(folder / "questions.sqlite3"))
    monkeypatch.setenv("UPDATE_INBOX", str(folder / "inbox.sqlite3"))


@pytest.fixture
def fake_telegram() -> Iterator[FakeTelegram]:
    """A fresh fake Bot API server on 127.0.0.1; point PTB at fake_telegram.base_url."""
    with FakeTelegram() as server:
        yield server
