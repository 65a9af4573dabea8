"""Hostile and strange input through the whole answering path and the reply formatting.

The CI run is small; the long run is opt-in:
    FUZZ_EXAMPLES=100000 python -m pytest -m slow tests/test_fuzz.py
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from core_fixtures import ROOT
from bot import render
from bot.replies import CANDIDATES, answer_html, candidates, context_html, inline_results
from fake_telegram import MAX_TEXT_UTF16, ApiError, parse_html, render_text, utf16_len
from index.documents import parse_document
from index.library import Library
from index.passages import MAX_CHARS, build_passages

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

ANSWERABLE = st.sampled_from(["东湖街道有多少志愿者？", "东湖街道有多少个小区", "线上会商要做到哪“三无”？"])
# Hostile text around a question the article answers: replies then carry passages and, inline, the question.
AROUND = st.lists(st.one_of(FRAGMENTS, st.text(max_size=3)), max_size=6).map("".join)
QUESTION = st.one_of(TEXT, st.builds(lambda a, q, b: a + q + b, AROUND, ANSWERABLE, AROUND))


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


# what an article file may hold: Markdown and outline marks, wrapped lines, blank lines, and anything else
ARTICLE_LINE = st.one_of(
    st.text(max_size=80), FRAGMENTS, st.sampled_from([
        "# ", "## 标题", "---", "===", "+++", "title: 题目", "- ", "* 项", "1. ", "（一）", "二、", "第一章", "| a | b |",
        "|---|", "> ", "![图](x.jpg)", "**", "这一行写满了页面的宽度共有二十个汉字呀", "截至目前，", "辖", "区共有小区80个。",
        "    缩进", "\u3000\u3000段首", "", ""]))
ARTICLE = st.lists(ARTICLE_LINE, max_size=60).map("\n".join)


@settings(max_examples=int(os.environ.get("FUZZ_EXAMPLES_CI", "150")), deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(ARTICLE, st.booleans())
def test_any_article_text_is_read_into_bounded_passages(text: str, markdown: bool) -> None:
    document = parse_document(text, "fuzz", markdown=markdown)
    passages = build_passages([document])
    assert all(0 < len(p.text) <= MAX_CHARS and p.text.strip() for p in passages)


def sendable(body: str, *, inline: bool = False) -> None:
    """Telegram would accept it: valid HTML (ApiError otherwise), not empty, within the length limit."""
    visible, _ = render_text(body, "HTML", None, inline=inline)
    assert utf16_len(visible) <= MAX_TEXT_UTF16


def check_replies(question: str, lang: str) -> None:
    """Every message the bot builds for this question, as handlers send them: the answer, its 上下文,
    and the inline results (which repeat the question itself)."""
    answer = LIBRARY.ask(question, k=CANDIDATES)
    for hit in candidates(answer):
        sendable(answer_html(hit, lang, truncated=answer.truncated))
        sendable(context_html(LIBRARY, hit, lang))
    results = inline_results(answer, lang)
    assert 1 <= len(results) <= CANDIDATES and len({r.id for r in results}) == len(results)
    for result in results:
        assert result.title.strip()
        sendable(result.input_message_content.message_text, inline=True)  # type: ignore[union-attr]


@settings(max_examples=int(os.environ.get("FUZZ_EXAMPLES_CI", "150")), deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(QUESTION, st.sampled_from(["zh", "en"]))
@example("</b><a href='x'>&东湖街道有多少志愿者？&#x110000;", "zh")
@example("👨‍👩‍👧‍👦" * 3000 + "东湖街道有多少志愿者？", "en")
def test_any_question_gets_replies_telegram_accepts(question: str, lang: str) -> None:
    check_replies(question, lang)


@pytest.mark.slow
@settings(max_examples=int(os.environ.get("FUZZ_EXAMPLES", "100000")), deadline=None,
          suppress_health_check=list(HealthCheck))
@given(QUESTION, st.sampled_from(["zh", "en"]))
def test_any_question_gets_replies_telegram_accepts_long_run(question: str, lang: str) -> None:
    check_replies(question, lang)


def test_a_100000_character_message() -> None:
    check("东湖街道" * 25_000)
    check_replies("东湖街道" * 25_000, "zh")


def test_parse_html_rejects_what_telegram_rejects() -> None:
    with pytest.raises(ApiError):
        parse_html("a < b")
