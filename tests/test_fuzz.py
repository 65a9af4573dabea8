"""Hostile and strange input through the whole answering path and the reply formatting.

The CI run is small; the long run is opt-in:
    FUZZ_EXAMPLES=100000 python -m pytest -m slow tests/test_fuzz.py
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core_fixtures import ROOT
from bot import render
from fake_telegram import ApiError, parse_html, utf16_len
from index.library import Library

LIBRARY = Library.load(ROOT / "seeds")

FRAGMENTS = st.sampled_from([
    "<b>", "</b>", "<i>x</i>", "<a href='x'>", "&", "&amp;", "&#", "&#x110000;", "<", ">", "*bold*", "_it_", "`code`",
    "```", "[link](http://x)", "\u200b", "\u200d", "\u202e", "\u2066", "\u0301", "\u0000", "\r\n", "\t", "👨‍👩‍👧‍👦", "🇨🇳",
    "🏳️‍🌈", "東湖街道", "志愿者", "多少", "？", "。", "\ufeff", "\U0010ffff", "\ud7ff",
])
TEXT = st.one_of(
    st.text(max_size=300),
    st.lists(st.one_of(FRAGMENTS, st.text(max_size=20)), max_size=40).map("".join),
    st.builds(lambda s, n: s * n, st.text(min_size=1, max_size=5), st.integers(1, 20_000)),
)


def check(question: str) -> None:
    answer = LIBRARY.ask(question, k=3)
    for hit in answer.hits:
        html = render.passage_html(hit)
        visible, _ = parse_html(html)  # raises ApiError where Telegram would refuse it
        assert utf16_len(visible) <= render.TELEGRAM_LIMIT


@settings(max_examples=int(os.environ.get("FUZZ_EXAMPLES_CI", "150")), deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(TEXT)
def test_any_text_is_answered_safely(question: str) -> None:
    check(question)


@pytest.mark.slow
@settings(max_examples=int(os.environ.get("FUZZ_EXAMPLES", "100000")), deadline=None,
          suppress_health_check=list(HealthCheck))
@given(TEXT)
def test_any_text_is_answered_safely_long_run(question: str) -> None:
    check(question)


def test_a_100000_character_message() -> None:
    check("东湖街道" * 25_000)


def test_parse_html_rejects_what_telegram_rejects() -> None:
    with pytest.raises(ApiError):
        parse_html("a < b")
