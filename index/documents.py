"""Articles on disk → documents made of classified blocks.

Text copied out of a PDF or a web page arrives broken: paragraphs cut in the
middle of a word, the tail of the last paragraph pasted near the top, photo
captions standing between paragraphs.  This module reads the files, decides
what each block is (title, byline, heading, caption, body) and mends the
breaks, so that everything downstream sees paragraphs in reading order.
"""

from __future__ import annotations

import codecs
import logging
import os
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import jieba

from index.markdown import HEADING, ITEM, RULE, read_line, without_front_matter
from index.tokens import to_simplified
from index.unwrap import joiner, unwrap

jieba.setLogLevel(60)  # jieba prints its dictionary loading to stderr otherwise
logger = logging.getLogger(__name__)

TEXT_SUFFIXES = (".txt", ".md")
MAX_FILE_BYTES = 20 * 1024 * 1024
_SENTENCE_END = "。！？!?；;…"
_CLOSERS = "”’」』）)】》\"'"
_HEADING_MAX = 40
# outline numbers that open headings in Chinese documents: 第一章, 二、, （三）
_OUTLINE = re.compile(r"^(?:第[一二三四五六七八九十百零〇\d]+[章节部分篇条]|[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[）)])")
# a line that says it is about a picture: dated like a news photo (9月22日，游客在…), a credit (新华社记者 张三 摄),
# 图为…, 图：…; a heading is never written so
_PHOTO_LINE = re.compile(r"^(?:\d{1,2}月\d{1,2}日[，,、]|[图圖][为為爲]|[图圖][：:])|\s[摄攝][）)]?$|[（(]\S{0,12}[摄攝][）)]$|供[图圖][）)]?$")
# a photo's credit closing a line (记者 张三 摄, （李四 摄）, 某某供图): the line is the picture's caption, though
# it may hold a full stop before the credit
_PHOTO_CREDIT = re.compile(r"\s[摄攝][）)]?$|[（(]\S{0,12}[摄攝][）)]$|供[图圖][）)]?$")
_CAPTION_MAX = 120
# a question-and-answer article: 问：… over 答：…; the question is what its answer is about, as a heading is
_QUESTION_LINE = re.compile(r"^(?:\d{1,2}[.、．]\s*)?(?:问|問|问题|問題|提问|[Qq])\s*\d{0,2}\s*[：:]")
_ANSWER_LINE = re.compile(r"^(?:答|回答|解答|[Aa])\s*[：:]")
# an interview: 记者：…？ over 孟主任：…, each line opened by who speaks
_SPEAKER = re.compile(r"^([\u4e00-\u9fff]{1,6})[：:]")
_QUESTION_MAX = 120
_ENUMERATED = re.compile(r"^(?:[（(][一二三四五六七八九十\d]{1,3}[）)]|\d{1,2}[.、．]|[①-⑳])")  # an item's number
_FACT_LINE = re.compile(r"^[^：:]{1,12}[：:].*\d")  # 热线：0578-…, 地址：…1号
# the word that opens a byline, in Simplified script: a Traditional line is matched converted (see _byline)
_BYLINE = re.compile(r"^(通讯员|记者|作者|文/|文 |来源|编辑|责编|摄影|图/|本报讯|本报记者)")
_BYLINE_HEAD = 8  # characters converted to match it: its longest word and a few after, for OpenCC's phrases


class ArticleError(Exception):
    """A problem with the article files that a person must fix; the message says how."""


class UnreadableFile(ArticleError):
    """One file that is not read as an article (no text, unreadable, over the size limit): left out while
    other articles of the folder load."""


@dataclass
class Block:
    """One paragraph-level piece of an article, in reading order after repair."""

    text: str
    kind: str  # "title" | "subtitle" | "byline" | "heading" | "caption" | "body"
    gap_before: int = 0  # blank lines before it in the file: image placeholders leave wide gaps
    markup: str = ""  # what the file's own markup says it is (markdown.HEADING, markdown.ITEM), else ""


@dataclass
class Document:
    """One article: its name (the file stem), title and repaired blocks."""

    name: str
    path: str
    title: str
    blocks: list[Block] = field(default_factory=list)


def decode_bytes(data: bytes, name: str) -> str:
    """UTF-8 first; GBK/GB18030 is the common legacy encoding for Chinese text.

    A file with NUL bytes or that decodes to mostly control characters is binary, unless it opens with
    a UTF-16 byte-order mark: Windows Notepad's "Unicode" saves text so, and half its bytes are NUL.
    """
    bom = _utf16_bom(data)
    if bom is not None:
        return _decode_utf16(data, bom, name)
    if b"\x00" in data[:4096]:
        raise UnreadableFile(f"{name}: 这是二进制文件，不是文本文章 (binary file, not text)")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _looks_like_text(text):
            return text
    raise UnreadableFile(f"{name}: 无法识别的文字编码，请另存为 UTF-8 (not UTF-8 or GBK text)")


def _utf16_bom(data: bytes) -> str | None:
    """The codec a UTF-16 byte-order mark names; None without one (UTF-32's marks open with UTF-16's)."""
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return None
    if data.startswith(codecs.BOM_UTF16_LE):
        return "utf-16-le"
    if data.startswith(codecs.BOM_UTF16_BE):
        return "utf-16-be"
    return None


def _decode_utf16(data: bytes, codec: str, name: str) -> str:
    """The text after the mark; bytes that are no UTF-16 (an odd length, a lone surrogate) make it unreadable."""
    try:
        text = data[2:].decode(codec)
    except UnicodeDecodeError:
        raise UnreadableFile(f"{name}: 文件开头标明 UTF-16，内容却不是，请另存为 UTF-8 (broken UTF-16 text)") from None
    if not _looks_like_text(text):
        raise UnreadableFile(f"{name}: 这是二进制文件，不是文本文章 (binary file, not text)")
    return text


def _looks_like_text(text: str) -> bool:
    sample = text[:20000]
    if not sample:
        return True
    bad = sum(1 for ch in sample if unicodedata.category(ch) in ("Cc", "Co", "Cs") and ch not in "\n\r\t\f")
    return bad / len(sample) < 0.01


def article_files(folder: str | os.PathLike) -> list[Path]:
    """The article files of a folder, in a stable order (by name).

    A name starting with a dot is hidden: a copy an editor or a sync tool keeps (.a.txt), or the resource
    fork macOS leaves beside a copied file (._a.txt), which holds no text at all; never an article.
    Only the folder's own files are read, so nothing in a folder within it (.git/ or any other) is.
    """
    root = Path(folder)
    if not root.is_dir():
        raise ArticleError(f"找不到文章目录 {root} (article folder not found)")
    files = sorted(p for p in root.iterdir() if _is_article(p))
    if not files:
        raise ArticleError(f"文章目录 {root} 里没有 .txt 或 .md 文件 (no article files)")
    return files


def _is_article(path: Path) -> bool:
    return not path.name.startswith(".") and path.suffix.lower() in TEXT_SUFFIXES and path.is_file()


def load_documents(folder: str | os.PathLike) -> list[Document]:
    """Every article in the folder that reads as text; a warning for each file skipped (see read_documents)."""
    documents, skipped = read_documents(folder)
    warn_skipped(skipped)
    return documents


def read_documents(folder: str | os.PathLike) -> tuple[list[Document], list[str]]:
    """Every article in the folder that reads as text, and why each other file was skipped.

    One stray file (a binary saved as fake.txt) must not silence the articles beside it. A folder where
    no article loads is an error, never a silent empty index: the reason its first skipped file was
    skipped, if any, as that is what the person must fix.
    """
    documents, skipped = [], []
    for path in article_files(folder):
        try:
            text = read_article(path)
        except UnreadableFile as error:
            skipped.append(str(error))
            continue
        document = parse_document(text, path.stem, str(path), markdown=path.suffix.lower() == ".md")
        if document.blocks:
            documents.append(document)
    if documents:
        return documents, skipped
    if len(skipped) > 1:  # not "unreadable": a file may be skipped as binary or too large
        raise ArticleError(f"{skipped[0]}；另有 {len(skipped) - 1} 个文件也被跳过 ({len(skipped) - 1} more skipped)")
    if skipped:
        raise ArticleError(skipped[0])
    raise ArticleError(f"文章目录 {folder} 里的文件都是空的 (all article files are empty)")


def read_article(path: Path) -> str:
    """The text of one article file; UnreadableFile when it cannot be read, holds no text or is too large.

    A file over the size limit is skipped as a binary one is: a dump or an archive left beside the
    articles must not silence them. It is never read, so its size costs nothing.
    """
    try:
        size = path.stat().st_size
        if over_size_limit(size):
            raise UnreadableFile(f"{path.name}: 文件过大 ({size_text(size)})，上限 {size_text(MAX_FILE_BYTES)} "
                                 "(file over the size limit)")
        data = path.read_bytes()
    except OSError as error:  # removed since it was listed, no permission
        raise UnreadableFile(f"{path.name}: 无法读取 ({error.strerror or error})") from None
    return decode_bytes(data, path.name)


def over_size_limit(size: int) -> bool:
    """Whether a file of `size` bytes is left out unread; the library's cache key reads no such file either."""
    return size > MAX_FILE_BYTES


def size_text(size: int) -> str:
    """25.3 MB, 512 KB, 10 B: a size a person reads at a glance, whatever the limit is set to."""
    for unit, scale in (("MB", 1024 * 1024), ("KB", 1024)):
        if size >= scale:
            return f"{size / scale:.1f}".removesuffix(".0") + f" {unit}"
    return f"{size} B"


def warn_skipped(skipped: list[str] | tuple[str, ...]) -> None:
    """One warning per file left out: the CLI shows it on stderr, the bot writes it to its log."""
    for reason in skipped:
        logger.warning("%s；已跳过此文件 (skipped)", reason)


def parse_document(text: str, name: str, path: str = "", markdown: bool = False) -> Document:
    """Classify and repair the blocks of one article's text (read as Markdown when `markdown`)."""
    blocks = classify(split_blocks(text, markdown))
    blocks = group_lists(repair_breaks(blocks))
    title = next((b.text for b in blocks if b.kind == "title"), name)
    return Document(name=name, path=path, title=title, blocks=blocks)


def split_blocks(text: str, markdown: bool = False) -> list[Block]:
    """One block per line with words, remembering how many blank lines came before it and its markup."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    blocks: list[Block] = []
    gap = 0
    for line in without_front_matter(lines) if markdown else unwrap(lines):  # Markdown has its own wrapping rule
        words, markup = read_line(line.replace("\u3000", " ").strip(), markdown)
        if markup == RULE and _underlines(line, blocks, gap):
            blocks[-1].markup = HEADING  # a Setext heading: the line above, underlined with === or ---
            continue
        if not words:
            gap += 1
            continue
        if markdown and not markup and gap == 0 and blocks and blocks[-1].markup != HEADING:
            blocks[-1].text += joiner(blocks[-1].text, words) + words  # one paragraph, however many lines
            continue
        blocks.append(Block(text=words, kind="body", gap_before=gap, markup=markup))
        gap = 0
    return blocks


def _underlines(line: str, blocks: list[Block], gap: int) -> bool:
    return gap == 0 and bool(blocks) and not blocks[-1].markup and line.strip()[:1] in "=-"


def group_lists(blocks: list[Block]) -> list[Block]:
    """A list is read as one paragraph, with the line that leads into it ('…改为集中投放点：').

    Its items stay on lines of their own; passages.windows cuts a list too long for one passage
    between items.
    """
    out: list[Block] = []
    for block in blocks:
        if block.markup == ITEM and out and block.gap_before <= 1 and (out[-1].markup == ITEM or _leads_in(out[-1])):
            out[-1].text += "\n" + block.text
            out[-1].markup = ITEM
            continue
        out.append(block)
    return out


def _leads_in(block: Block) -> bool:
    return block.kind == "body" and block.text.rstrip().endswith(("：", ":"))


def ends_sentence(text: str) -> bool:
    """True when the block ends as a sentence does (closing quotes allowed after the stop)."""
    stripped = text.rstrip(_CLOSERS + " ")
    if not stripped:
        return False
    if stripped != text.rstrip() and stripped[-1] not in _SENTENCE_END:
        # 'xx”' with no stop before the quote: a quoted heading, not a finished sentence
        return False
    return stripped[-1] in _SENTENCE_END + "：:"


def byline_opener(line: str) -> str | None:
    """通讯员 of 通讯员 曹琪琪, 本报记者 of 本报记者 周晓岚: the word that opens a byline (a line that says who
    wrote or published the article); None for any other line. In Simplified script (本报记者 of 本報記者 周曉嵐),
    the form the index and the marking of an answer read text in."""
    match = _byline(line)
    return match.group(1) if match else None


def _byline(text: str) -> re.Match[str] | None:
    """The byline's opening word, matched on the line's start in Simplified script: a Traditional article
    writes 記者, 通訊員, 責編, 本報訊. One pattern serves both scripts; the line itself is left as written."""
    return _BYLINE.match(to_simplified(text.strip()[:_BYLINE_HEAD]))


def is_short_line(text: str) -> bool:
    """Short and without a sentence stop: a title, heading, caption or byline, not prose.

    A line ending in a colon leads into what follows ('…改为集中投放点：'): prose.
    So is a label with a figure after its colon (热线：0578-6612345, 地址：迎宾路1号):
    a fact, where a subhead's colon leads to words (夜间门诊：下班也能看病).
    """
    return (len(text) <= _HEADING_MAX and not any(ch in text for ch in "。！？!?；;")
            and not text.endswith(("：", ":")) and not (is_fact_line(text) and not _byline(text)))


def is_fact_line(text: str) -> bool:
    """A short label with a figure after its colon (热线：0578-6612345): a whole fact, no heading, no broken line."""
    return len(text) <= _HEADING_MAX and _FACT_LINE.match(text) is not None


def classify(blocks: list[Block]) -> list[Block]:
    """Front matter (title, subtitle, byline) until the first prose; then headings and captions.

    What the file's own markup says comes first (a Markdown heading, a list
    item). A short line after a wide gap of blank lines is a photo caption (the
    gap is where the picture stood); a short line in the normal flow is a
    heading, unless no prose follows it (a caption placed just before a
    heading), or it reads as a photo's line (9月22日，游客在…; 图为…; …摄).
    A line opening with an outline number (二、, （一）) is a heading wherever
    it stands.
    """
    seen_body = False
    seen_title = False
    listing = False  # short lines right under a lead-in line ('活动安排：', '联系人：') are its items
    for block in blocks:
        text = block.text
        listed = listing and not block.markup and block.gap_before == 0 and (
            _ENUMERATED.match(text) is not None  # （一）建筑物的楼道…； under 禁止在下列区域…：
            or len(text) <= _HEADING_MAX and not any(ch in text for ch in _SENTENCE_END) and not _OUTLINE.match(text))
        if listed:
            block.markup = ITEM  # 7月15日（周二）上午9:30 绘本故事会, 社区居委会 周晓岚 138…: items, not headings
        listing = listed or (not block.markup and _leads_in(block))
        if block.markup == HEADING:  # the file says so: the first before any prose is the title
            block.kind = "heading" if seen_body or seen_title else "title"
            seen_title = True
        elif block.markup == ITEM:
            block.kind = "body"
            seen_body = True
        elif seen_body and len(text) <= _CAPTION_MAX and _PHOTO_CREDIT.search(text) and not _byline(text):
            block.kind = "caption"
        elif not seen_body and _byline(text) and len(text) <= _CAPTION_MAX and not ends_sentence(text):
            block.kind = "byline"  # 来源：…融媒体中心 2026-11-18 09:32 记者 周晓岚 通讯员 潘志明: long, but no prose
        elif not is_short_line(text):
            block.kind = "body"
            seen_body = True
        elif _byline(text):
            block.kind = "byline"
        elif not seen_body and text.startswith(("——", "--", "—")):
            block.kind = "subtitle"
        elif not seen_body and not seen_title:
            block.kind = "title"
            seen_title = True
        elif not seen_body and _OUTLINE.match(text):
            block.kind = "heading"  # 第一章 总则 right under the title: the first chapter, not a subtitle
        elif not seen_body:
            block.kind = "subtitle"
        elif (block.gap_before >= 2 or _PHOTO_LINE.search(text)) and not _OUTLINE.match(text):
            block.kind = "caption"
        else:
            block.kind = "heading"
    for block, following in zip(blocks, blocks[1:]):
        if not block.markup and len(block.text) <= _QUESTION_MAX and _asked_and_answered(block.text, following.text):
            block.kind, block.markup = "heading", HEADING  # 问：… over 答：…, as a FAQ or an interview is laid out
    for previous, block, following in zip([None] + blocks, blocks, blocks[1:] + [None]):
        if (block.kind == "heading" and not block.markup and not _OUTLINE.match(block.text)
                and (following is None or following.kind in ("heading", "caption"))):
            block.kind = "caption"  # a heading leads into prose; a short line that does not is a caption
        elif _titles_what_follows(previous, block, following):
            block.kind, block.markup = "heading", HEADING  # '1. 工作目标' over its paragraph: no list
    _unlike_the_subheads_is_a_caption(blocks)
    return blocks


def _asked_and_answered(text: str, following: str) -> bool:
    """问：… over 答：…; or a question put by one speaker (记者：…？) over another's reply (孟主任：…)."""
    if _QUESTION_LINE.match(text):
        return _ANSWER_LINE.match(following) is not None
    asker, replier = _SPEAKER.match(text), _SPEAKER.match(following)
    return (asker is not None and replier is not None and asker.group(1) != replier.group(1)
            and text.rstrip().endswith(("？", "?")))


def _unlike_the_subheads_is_a_caption(blocks: list[Block]) -> None:
    """Subheads of one article share a form (新楼布局：看病少跑路, 夜间门诊：下班也能看病); a short line
    without their punctuation, among them, is a photo's caption (志愿者在服务中心引导市民使用自助机).

    Only layout-read headings are weighed (no Markdown, no outline number),
    and only when at least two of them share the same marks.
    """
    laid_out = [b for b in blocks if b.kind == "heading" and not b.markup and not _OUTLINE.match(b.text)]
    forms = [_marks(b.text) for b in laid_out]
    if not any(form and count >= 2 for form, count in Counter(forms).items()):
        return
    for block, form in zip(laid_out, forms):
        if not form:
            block.kind = "caption"


def _marks(text: str) -> frozenset[str]:
    """The punctuation a line is built with; a space between its words counts as one, for a subhead
    in two parts (新开4条线路 覆盖城南新区) is built on it as another is on a colon."""
    marks = {ch for ch in text if not ch.isalnum() and not ch.isspace()}
    if " " in text.strip():
        marks.add(" ")
    return frozenset(marks)


def _titles_what_follows(previous: Block | None, block: Block, following: Block | None) -> bool:
    """A numbered line alone, short, with prose after it, is the heading of that prose."""
    return (block.markup == ITEM and is_short_line(block.text) and (previous is None or previous.markup != ITEM)
            and following is not None and following.kind == "body" and not following.markup)


def repair_breaks(blocks: list[Block]) -> list[Block]:
    """Join prose blocks that extraction cut mid-sentence.

    A prose block that does not end a sentence continues in the next prose
    block (captions may stand between).  When it is the last prose block, its
    continuation was misplaced: it is the orphan block whose first characters
    complete a dictionary word with the dangling tail (辖 + 区… → 辖区).
    """
    blocks = list(blocks)
    i = 0
    while i < len(blocks):
        block = blocks[i]
        if (block.kind != "body" or block.markup or ends_sentence(block.text)  # a list item is whole as it is
                or is_fact_line(block.text)):  # so is 热线：0578-…
            i += 1
            continue
        j = _next_body(blocks, i)
        if j is not None and (_straddles_word(block.text, blocks[j].text) or not _starts_paragraph(blocks[j].text)):
            block.text += blocks.pop(j).text
            continue
        orphan = _find_orphan(blocks, i)
        if orphan is not None:
            block.text += blocks.pop(orphan).text
            if orphan < i:
                i -= 1
            continue
        i += 1
    return blocks


def _next_body(blocks: list[Block], i: int) -> int | None:
    for j in range(i + 1, len(blocks)):
        if blocks[j].kind == "body":
            return None if blocks[j].markup else j
        if blocks[j].kind == "heading":
            return None
    return None


def _starts_paragraph(text: str) -> bool:
    """A block that opens with a quote or a short lead-in ('夜间开放。图书馆每周五…') starts its own paragraph.

    A lead-in leads into more: a block that is only a few characters and a
    stop ('公交服务。' under '…便捷、实惠的') is the end of the sentence above it.
    """
    return text[:1] in "“‘「『《(（" or bool(re.match(r"^.{1,12}[。：:]\s*\S", text))


def _straddles_word(tail: str, head: str) -> bool:
    """Does a dictionary word run across the join of tail and head?

    jieba's dictionary is Simplified (轄區 is no word in it, 辖区 is): the join is judged in Simplified
    script, as the index reads the text, while the blocks keep the characters the article was written in.
    """
    left, right = _simplified_join(tail[-4:], head[:4])
    if not left or not right or not _is_cjk(left[-1]) or not _is_cjk(right[0]) or not _some_word_across(left, right):
        return False
    position = 0
    for word in jieba.lcut(left + right, HMM=False):
        start, position = position, position + len(word)
        if start < len(left) < position and len(word) >= 2:
            return True
    return False


def _simplified_join(left: str, right: str) -> tuple[str, str]:
    """Both sides in Simplified script, converted as one text (OpenCC reads words across the join); each on
    its own when a conversion changed the length, so the join's place is known. Simplified text is unchanged."""
    both = to_simplified(left + right)
    if len(both) == len(left) + len(right):
        return both[:len(left)], both[len(left):]
    return to_simplified(left), to_simplified(right)


def _some_word_across(left: str, right: str) -> bool:
    """Does the dictionary hold any word running across the join? Necessary for jieba to cut one there,
    and a few lookups instead of a segmentation: the orphan search asks it of every block.

    jieba's FREQ holds every prefix of its words (a prefix that is no word counts 0), so a run that is
    not in it cannot be extended into a word.
    """
    if not jieba.dt.initialized:
        jieba.dt.initialize()
    words = jieba.dt.FREQ
    for k in range(1, len(left) + 1):
        stem = left[-k:]
        if stem not in words:
            continue
        for m in range(1, len(right) + 1):
            run = stem + right[:m]
            if run not in words:
                break
            if words[run]:
                return True
    return False


def _find_orphan(blocks: list[Block], i: int) -> int | None:
    """A body block whose start completes the dangling tail and that does not continue its predecessor."""
    for j, candidate in enumerate(blocks):
        if j == i or candidate.kind != "body" or candidate.markup:
            continue
        previous = _previous_body_or_heading(blocks, j)
        if previous is not None and previous.kind == "body" and not ends_sentence(previous.text):
            continue
        if _straddles_word(blocks[i].text, candidate.text) and not _starts_paragraph(candidate.text):
            return j
    return None


def _previous_body_or_heading(blocks: list[Block], j: int) -> Block | None:
    for k in range(j - 1, -1, -1):
        if blocks[k].kind in ("body", "heading"):
            return blocks[k]
    return None


def _is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf"


def folder_fingerprint(folder: str | os.PathLike) -> tuple[tuple[str, int, int], ...]:
    """Name, size and modification time of each article file: cheap to take, changes when an article does."""
    try:
        files = article_files(folder)
    except ArticleError:
        return ()
    out = []
    for path in files:
        try:
            stat = path.stat()
        except OSError:
            continue
        out.append((path.name, stat.st_size, stat.st_mtime_ns))
    return tuple(out)
