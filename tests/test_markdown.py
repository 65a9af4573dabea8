"""Markdown articles (index/markdown.py): headings, lists, tables and inline markup read for what they are."""

from __future__ import annotations

from pathlib import Path

from index.documents import load_documents, parse_document
from index.library import Library
from index.markdown import HEADING, ITEM, RULE, inline, read_line
from index.passages import MAX_CHARS, build_passages

NOTICE = """# 南苑街道垃圾分类新规

> 本文整理自街道办事处的**公告**。

## 一、为什么要改

近两年生活垃圾总量逐年上升，**2025年日均清运量达到186吨**，详见[街道官网](https://example.com/a)。

## 二、投放时间

新规施行后，楼道垃圾桶全部撤除，改为集中投放点：

- 早上投放时间：7:00—9:00
- 晚上投放时间：18:00—20:30
* 大件垃圾须提前一天预约

错过投放时间的居民，可以投到24小时应急投放箱。

![督导员在投放点值守](photo.jpg)

三、四类垃圾
------------

1. **厨余垃圾**（绿色桶）：剩菜剩饭。
2. `有害垃圾`（红色桶）：废电池。

---

| 垃圾 | 桶的颜色 |
|------|:-------:|
| 厨余垃圾 | 绿色 |
"""


def _blocks(text: str = NOTICE) -> list[tuple[str, str]]:
    return [(b.kind, b.text) for b in parse_document(text, "notice", markdown=True).blocks]


def test_a_line_is_read_for_its_markup_and_keeps_its_words() -> None:
    assert read_line("## 二、投放时间 ##", True) == ("二、投放时间", HEADING)
    assert read_line("- 早上 **7:00**", True) == ("• 早上 7:00", ITEM)
    assert read_line("3. 有害垃圾", True) == ("3. 有害垃圾", ITEM)  # the number stays: 第三类 may be asked
    assert read_line("> > 引用的话", True) == ("引用的话", "")
    assert read_line("| 厨余 | 绿色 |", True) == ("厨余 | 绿色", ITEM)
    assert read_line("|---|:--:|", True)[1] == RULE and read_line("***", True)[1] == RULE
    assert read_line("```python", True)[1] == RULE
    assert inline("见[官网](http://x)和![照片说明](a.jpg)，`代码`、*强调*、~~删除~~、__加粗__") == \
        "见官网和照片说明，代码、强调、删除、加粗"
    assert inline("2*3*4 与 a_b_c 不是强调") == "2*3*4 与 a_b_c 不是强调"


def test_a_static_site_header_gives_the_title_and_nothing_else() -> None:
    text = '---\ntitle: "南苑街道垃圾分类新规"\ndate: 2026-11-01\ntags: [通知]\n---\n\n新规明年1月起施行。\n'
    assert _blocks(text) == [("title", "南苑街道垃圾分类新规"), ("body", "新规明年1月起施行。")]
    assert _blocks("+++\ndate = 2026\n+++\n\n短标题\n\n正文写完了。\n")[0] == ("title", "短标题")
    assert _blocks("---\n\n正文写完了。\n") == [("body", "正文写完了。")]  # a lone rule is no header


def test_plain_text_files_keep_their_markup_except_bullets() -> None:
    assert read_line("## 不是标题", False) == ("## 不是标题", "")
    assert read_line("• 早上投放", False) == ("• 早上投放", ITEM)
    assert read_line("- 晚上投放", False) == ("• 晚上投放", ITEM)
    assert read_line("-5℃的夜里", False) == ("-5℃的夜里", "")


def test_markdown_headings_are_headings_and_the_first_is_the_title() -> None:
    blocks = _blocks()
    assert blocks[0] == ("title", "南苑街道垃圾分类新规")
    assert ("heading", "二、投放时间") in blocks  # a list's lead-in follows it: as plain text it was a caption
    assert ("heading", "三、四类垃圾") in blocks  # underlined with ---
    assert not any("#" in text or "**" in text or "](" in text for _, text in blocks)


def test_a_list_is_one_paragraph_with_its_lead_in_each_item_on_its_line() -> None:
    blocks = _blocks()
    assert ("body", "新规施行后，楼道垃圾桶全部撤除，改为集中投放点：\n• 早上投放时间：7:00—9:00\n"
                    "• 晚上投放时间：18:00—20:30\n• 大件垃圾须提前一天预约") in blocks
    assert ("body", "错过投放时间的居民，可以投到24小时应急投放箱。") in blocks  # not glued to the last item
    assert ("body", "1. 厨余垃圾（绿色桶）：剩菜剩饭。\n2. 有害垃圾（红色桶）：废电池。") in blocks
    assert ("body", "垃圾 | 桶的颜色\n厨余垃圾 | 绿色") in blocks


def test_an_image_leaves_its_description_as_a_caption() -> None:
    assert ("caption", "督导员在投放点值守") in _blocks(NOTICE.replace("![", "\n\n![", 1))


def test_a_short_line_ending_in_a_colon_leads_into_prose_in_any_file() -> None:
    doc = parse_document("标题\n\n第一段正文写得足够长，是一个完整的句子。\n\n报名方式如下：\n\n电话报名。", "t")
    assert ("body", "报名方式如下：") in [(b.kind, b.text) for b in doc.blocks]


def test_a_list_too_long_for_one_passage_is_cut_between_items() -> None:
    items = "\n".join(f"- 第{i}项：" + "说明文字" * 12 + "。" for i in range(12))
    doc = parse_document(f"# 清单\n\n事项如下：\n\n{items}\n", "list", markdown=True)
    passages = build_passages([doc])
    body = [p for p in passages if p.kind == "body"]
    assert len(body) > 1 and all(len(p.text) <= MAX_CHARS for p in passages)
    assert all(line.startswith(("• 第", "事项如下")) for p in body for line in p.text.split("\n"))
    joined = "\n".join(b.text for b in doc.blocks)
    assert all(joined[p.start:p.end] == p.text for p in body)  # offsets still point at the shown text


def test_long_headings_and_runs_of_headings_still_leave_room_for_the_text() -> None:
    long_heading = parse_document("# 标题\n\n## " + "很长的标题" * 80 + "\n\n正文写完了。\n", "a", markdown=True)
    contents = parse_document("方案\n\n前言写完了。\n\n" + "\n".join(f"## 第{i}节 目录项目" for i in range(40))
                              + "\n\n正文写完了。\n", "b", markdown=True)
    for doc in (long_heading, contents):
        passages = build_passages([doc])
        assert all(len(p.text) <= MAX_CHARS for p in passages) and "正文写完了。" in passages[-1].text


def test_a_markdown_article_is_answered_from_its_list(tmp_path: Path) -> None:
    (tmp_path / "notice.md").write_text(NOTICE, encoding="utf-8")
    assert load_documents(tmp_path)[0].title == "南苑街道垃圾分类新规"
    answer = Library.load(tmp_path, cache=False).ask("晚上几点可以扔垃圾？")
    assert answer.answered and "18:00—20:30" in answer.hits[0].passage.text
    assert "**" not in answer.hits[0].passage.text
