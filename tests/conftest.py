"""Fixtures shared across test files."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from fake_telegram import FakeTelegram


@pytest.fixture
def fake_telegram() -> Iterator[FakeTelegram]:
    """A fresh fake Bot API server on 127.0.0.1; point PTB at fake_telegram.base_url."""
    with FakeTelegram() as server:
        yield server
