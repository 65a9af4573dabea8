"""index/unwrap.py: an article hard-wrapped at a page width (copied out of a PDF) reads as the original."""

from __future__ import annotations

import pytest

from core_fixtures import ROOT
from index.documents import parse_document
from index.passages import build_passages
from index.unwrap import display_width, joiner, unwrap, wrap_width

SEED = next((ROOT / "seeds").glob("*.txt"))


def hard_wrap(text: str, width: int, indent: bool) -> str:
    """What a PDF's text layer gives: each paragraph cut into lines of at most `width` columns."""
    out: list[str] = []
    for paragraph in text.split("\n"):
        paragraph = paragraph.strip()
        line = "\u3000\u3000" if indent and len(paragraph) > 30 else ""
        for ch in paragraph:
            if display_width(line + ch) > width:
                out.append(line)
                line = ""
            line += ch
        out.append(line)
    return "\n".join(out)


@pytest.mark.parametrize("width", [40, 60, 80])
@pytest.mark.parametrize("indent", [False, True])
def test_a_hard_wrapped_article_gives_the_passages_of_the_original(width: int, indent: bool) -> None:
    original = SEED.read_text(encoding="utf-8")
    wrapped = hard_wrap(original, width, indent)
    assert wrap_width(wrapped.split("\n")) == width
    expected = [(p.section, p.text, p.kind) for p in build_passages([parse_document(original, "a")])]
    assert [(p.section, p.text, p.kind) for p in build_passages([parse_document(wrapped, "a")])] == expected


def test_an_article_written_a_paragraph_to_a_line_is_left_as_it_is() -> None:
    lines = SEED.read_text(encoding="utf-8").split("\n")
    assert wrap_width(lines) is None and unwrap(lines) == lines


def test_a_paragraph_ends_at_its_short_last_line_an_indent_or_a_blank_line() -> None:
    full = "这一行写满了页面的宽度共有二十个汉字呀"  # 40 columns
    lines = [full, full, "最后一行短。", full, full + "", "  新段落缩进开头。", "", full, "短行。"] + [full] * 3
    assert unwrap(lines)[:5] == [full * 2 + "最后一行短。", full * 2, "  新段落缩进开头。", "", full + "短行。"]


def test_a_number_cut_by_the_wrap_is_whole_again_and_latin_words_keep_a_space() -> None:
    assert joiner("累计核查重点人员22", "63人") == ""
    assert joiner("the report was written in", "May") == " "


def test_markdown_lines_without_a_blank_line_between_are_one_paragraph() -> None:
    doc = parse_document("# 标题\n\n第一行没有写完，\n第二行接着写完。\n\n- 一项\n接着写\n", "m", markdown=True)
    assert [b.text for b in doc.blocks] == ["标题", "第一行没有写完，第二行接着写完。", "• 一项接着写"]


def test_a_list_item_after_a_full_line_starts_anew() -> None:
    lines = ["这一行写满了页面的宽度共有二十个汉字呀"] * 6 + ["• 第一项", "- 第二项"]
    assert unwrap(lines)[-2:] == ["• 第一项", "- 第二项"]
