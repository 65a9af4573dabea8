"""What a line's own markup says it is, and the line without that markup.

A publisher may drop a Markdown file into seeds/. Read as plain text, its
`## 二、投放时间` is only a short line (made a caption when a list follows it),
each `- 早上 7:00—9:00` item a heading of its own, and readers are shown
`**186吨**`. Here each line is read once: a Markdown heading is a heading, a
list item is an item (grouped with its list by documents.py, never a heading
and never glued to the next paragraph), and emphasis, links, images and quote
marks are removed, keeping their words. Bullets such as `- ` and `• `, and
numbers such as `1.`, `1、`, `（1）` and `①`, mark items in plain-text files
too: text extraction keeps them.
"""

from __future__ import annotations

import re

HEADING, ITEM, RULE = "heading", "item", "rule"  # a line that draws a rule (or fences code) holds no words
BULLET = "• "  # how an unordered item is shown, whichever mark the file used

_ATX_HEADING = re.compile(r"^#{1,6}\s+(.*?)(?:\s+#+)?\s*$")
_BULLET = re.compile(r"^[-*+•●▪◆■·]\s+(?=\S)")
_PLAIN_BULLET = re.compile(r"^[•●▪◆■·]\s*(?=\S)")  # a plain-text file's bullets; '-' and '*' need a space after
_ORDERED = re.compile(r"^\d{1,3}[.)]\s+(?=\S)")
# a plain-text file's numbered items: 1. 1、 1） (1) ①, the number not the start of a figure (1.8万户);
# steps and points counted in words (第一步，… 第二，…), which reports set each in a paragraph of its own
_PLAIN_ORDERED = re.compile(r"^(?:\d{1,2}[.．、)）](?!\d)|[（(]\d{1,2}[）)]|[①-⑳]"
                            r"|第[一二三四五六七八九十\d]{1,3}步[，,、：:]?|第[一二三四五六七八九十]{1,2}[，,、：:])\s*(?=\S)")
_QUOTE = re.compile(r"^(?:>\s?)+")
_RULE_LINE = re.compile(r"^(?:(?:-\s*){3,}|(?:\*\s*){3,}|(?:_\s*){3,}|={3,}|`{3,}.*|~{3,}.*)$")
_TABLE_DIVIDER = re.compile(r"^\|?\s*:?-+:?\s*(?:\|\s*:?-+:?\s*)*\|?$")
# link text holds no bracket and the target no parenthesis: a line of ten thousand '[' stays linear
_IMAGE = re.compile(r"!\[([^\[\]]*)\]\([^()]*\)")
_LINK = re.compile(r"\[([^\[\]]+)\]\([^()]*\)")
_STRONG = re.compile(r"(\*\*|__|~~)(?=\S)(.{1,300}?)(?<=\S)\1")  # spans bounded: linear on any line
_EMPHASIS = re.compile(r"(?<![*\w])\*(?=\S)([^*]{1,300}?)(?<=\S)\*(?![*\w])")
_CODE = re.compile(r"`([^`]{1,300})`")
_HTML_TAG = re.compile(r"</?(?:br|p|div|span|b|i|strong|em|u|sup|sub|font)\b[^<>]{0,300}>", re.IGNORECASE)


_FRONT_FENCE = re.compile(r"^(?:---|\+\+\+)$")
_FRONT_TITLE = re.compile(r"^title\s*[:=]\s*(.+?)\s*$", re.IGNORECASE)


def without_front_matter(lines: list[str]) -> list[str]:
    """A static-site generator's header (YAML between --- lines, TOML between +++) is no text to answer from:
    its title becomes a `# title` line, the rest goes."""
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None or not _FRONT_FENCE.match(lines[first].strip()):
        return lines
    fence = lines[first].strip()
    for end in range(first + 1, len(lines)):
        if lines[end].strip() == fence:
            titles = [m.group(1).strip("\"'") for line in lines[first + 1:end] if (m := _FRONT_TITLE.match(line.strip()))]
            return ([f"# {titles[0]}"] if titles else []) + lines[end + 1:]
    return lines  # no closing fence: a rule, not a header


def read_line(line: str, markdown: bool) -> tuple[str, str]:
    """(the words of a stripped line, HEADING | ITEM | RULE | '') for a Markdown or a plain-text file."""
    if not markdown:
        bullet = _PLAIN_BULLET.match(line) or _BULLET.match(line)
        if bullet:
            return BULLET + line[bullet.end():], ITEM
        return (line, ITEM) if _PLAIN_ORDERED.match(line) else (line, "")
    if _RULE_LINE.match(line) or "|" in line and _TABLE_DIVIDER.match(line):
        return "", RULE
    line = _QUOTE.sub("", line).strip()
    if heading := _ATX_HEADING.match(line):
        return inline(heading.group(1)), HEADING
    if line.startswith("|") and line.endswith("|") and len(line) > 1:  # a table row: its cells, as an item
        cells = [inline(cell.strip()) for cell in line[1:-1].split("|")]
        return " | ".join(cell for cell in cells if cell), ITEM
    if bullet := _BULLET.match(line):
        return BULLET + inline(line[bullet.end():]), ITEM
    if _ORDERED.match(line):
        return inline(line), ITEM  # the number stays: "第三类" may be asked about
    return inline(line), ""


def inline(text: str) -> str:
    """The text without emphasis, link and image syntax (keeping the words and an image's description)."""
    text = _IMAGE.sub(r"\1", text)
    text = _LINK.sub(r"\1", text)
    text = _CODE.sub(r"\1", text)
    text = _HTML_TAG.sub("", text)
    previous = None
    while previous != text:  # nested: **加粗 ~~删除~~**
        previous, text = text, _STRONG.sub(r"\2", text)
    return _EMPHASIS.sub(r"\1", text).strip()
