"""Text → tokens, the same way for the article and for a question.

One normalization for both sides is what makes matching honest: full-width
and half-width forms, upper and lower case, Traditional and Simplified script
all meet in one form before jieba cuts the text into words.  Numbers and
dates stay whole, so that '571105' never matches '5' or '1105'.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from functools import lru_cache
from importlib import resources

import jieba
from opencc import OpenCC

jieba.setLogLevel(60)  # jieba prints its dictionary loading to stderr otherwise

_T2S = OpenCC("t2s")
# a number and what names it (4号线, 8号楼: one name, not 4号 | 线…), else a figure or a date, whole
_NUMBER = re.compile(r"\d+号[线楼门院站馆厅库台车]"
                     r"|\d+(?:[.:]\d+)?%?(?:[年月日号时点])?(?:\d+(?:[.:]\d+)?[年月日号时点])*")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+")
_LATIN_HYPHEN = re.compile(r"(?<=[a-z])-(?=[a-z])")
_WORDLIKE = re.compile(r"[\w\u3400-\u4dbf\u4e00-\u9fff]", re.UNICODE)
_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000, "万": 10000, "亿": 100000000}
_MEASURES = "[个人名位天年次回户家条元岁座辆所项件本张台栋幢层倍周届]|分钟|小时|公里|公斤|千米|平方米"  # 十个, 十年, 十分钟
# (not 十分 alone: 十分重要 is 'very')
# a number starts with a digit or 十 (千万 is 'by all means', 26万千瓦时 is 26万 | 千瓦时); 几十万 is no number
_CN_NUMERAL = re.compile(r"(?<![\d几数])[零〇一二两三四五六七八九十][零〇一二两三四五六七八九十百千万亿]+"
                         r"|(?<![\u4e00-\u9fff\d])十(?![\u4e00-\u9fff])|(?<![\d数几第])十(?=%s)" % _MEASURES)
# one numeral is a number only as a month (三月) or the day after one (3月五日): elsewhere 一 is in words (一心)
_CN_DATE = re.compile(r"(?<![零〇一二两三四五六七八九十百千万亿])[一二三四五六七八九十](?=月)|(?<=\d月)[一二三四五六七八九十](?=[日号])")
_CN_RANGE = re.compile(r"[一二三四五六七八]{2}")  # 五六岁, 三四天: five or six, not 56
_CN_DECIMAL = re.compile(r"([零〇一二两三四五六七八九十]+)点([零〇一二三四五六七八九]+)(?=[万亿])")  # 一点八万
_PERCENT = re.compile(r"百分之(\d+(?:\.\d+)?)")
_TEN_THOUSANDS = re.compile(r"(\d+(?:\.\d+)?)([万亿])")  # 1.8万, 168万: the number they make
_THOUSANDS_COMMA = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")  # 197,859
_DAY_AS_HAO = re.compile(r"(\d{1,2}月\d{1,2})号")  # 1月23号 is 1月23日
_YEAR_FIRST = re.compile(r"(\d{2,4}年)(?=\d{1,2}月)")  # 2020年1月23日: the year, then the day of it
# a bracketed aside inside a word, as article_text leaves it (NFKC makes （） half-width): 村(社区)干部
_ASIDE = re.compile(r"(?<=[\u4e00-\u9fff])\([^()]{1,12}\)(?=[\u4e00-\u9fff])")


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    """The general stopword and question-word list shipped in index/data."""
    text = resources.files("index").joinpath("data/stopwords.txt").read_text(encoding="utf-8")
    return frozenset(line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#"))


@lru_cache(maxsize=4096)
def normalize(text: str) -> str:
    """NFKC (full-width → half-width), lower case, Traditional → Simplified; invisible marks dropped."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = "".join(ch for ch in text if unicodedata.category(ch) not in ("Cf", "Cc", "Mn") or ch in "\n\t")
    return to_simplified(text)


def to_simplified(text: str) -> str:
    """OpenCC's t2s, skipped for text with none of the characters it can change (most Simplified text).

    opencc-python-reimplemented is pure Python and was most of the time an archive of 100,000 passages
    took to build; the check is one set operation in C. Exact: a dictionary entry changes the text only
    where its key holds a character its value replaces, and such a character is then in the text.
    """
    changing = _changed_by_t2s()
    if changing is not None and changing.isdisjoint(text):
        return text
    return _T2S.convert(text)


@lru_cache(maxsize=1)
def _changed_by_t2s() -> frozenset[str] | None:
    """Every character some t2s dictionary entry replaces; None (always convert) if OpenCC's data is not
    where this version of opencc-python-reimplemented keeps it."""
    _T2S.convert("")  # loads the dictionaries
    changing: set[str] = set()
    try:
        for group in _T2S._dict_chain_data:
            for _, _, entries in group:
                for key, value in entries.items():
                    first = value.split(" ")[0]  # several candidates: OpenCC takes the first
                    if len(first) == len(key):
                        changing.update(k for k, v in zip(key, first) if k != v)
                    else:
                        changing.update(key)
    except (AttributeError, TypeError, ValueError):
        return None
    return frozenset(changing) if changing else None


def cn_to_int(numeral: str) -> int | None:
    """八十 → 80, 一百五十二 → 152, 二〇二〇 → 2020; None when it is not a number."""
    if all(ch in _CN_DIGITS for ch in numeral):
        return int("".join(str(_CN_DIGITS[ch]) for ch in numeral)) if len(numeral) > 1 else _CN_DIGITS[numeral]
    total, section, digit = 0, 0, 0
    for ch in numeral:
        if ch in _CN_DIGITS:
            digit = _CN_DIGITS[ch]
        elif ch in ("万", "亿"):
            section = (section + digit) * _CN_UNITS[ch]
            total, section, digit = total + section, 0, 0
        elif ch in _CN_UNITS:
            section += (digit or 1) * _CN_UNITS[ch]
            digit = 0
        else:
            return None
    return total + section + digit


def numerals_to_digits(text: str) -> str:
    """Write Chinese numerals as digits, in questions and articles alike, so that figures meet either way.

    Only runs of two or more numeral characters (or a lone 十) are numbers; a
    lone 一 is usually part of a word (一心, 一把手), except as a month or the
    day after one (一月五日).  A date's day is written 日 (1月23号 is 1月23日).
    """
    def replace(match: re.Match[str]) -> str:
        numeral = match.group(0)
        if _CN_RANGE.fullmatch(numeral) and _CN_DIGITS[numeral[1]] == _CN_DIGITS[numeral[0]] + 1:
            return numeral  # 五六: a reader's estimate, five or six
        value = cn_to_int(numeral)
        return numeral if value is None else str(value)

    if "月" in text:
        text = _CN_DATE.sub(lambda m: str(_CN_DIGITS.get(m.group(0), 10)), text)
    if "点" in text:
        text = _CN_DECIMAL.sub(lambda m: f"{cn_to_int(m.group(1))}.{''.join(str(_CN_DIGITS[c]) for c in m.group(2))}", text)
    text = _CN_NUMERAL.sub(replace, text)
    if "月" in text:  # a day after a month the line above just wrote in digits (十二月五日)
        text = _DAY_AS_HAO.sub(r"\1日", _CN_DATE.sub(lambda m: str(_CN_DIGITS.get(m.group(0), 10)), text))
    if "百分之" in text:
        text = _PERCENT.sub(r"\1%", text)
    if "," in text:
        text = _THOUSANDS_COMMA.sub("", text)
    if "万" in text or "亿" in text:
        text = _TEN_THOUSANDS.sub(_whole_number, text)
    return text


def _whole_number(match: re.Match[str]) -> str:
    """168万 → 1680000, 1.26亿 → 126000000: one figure, however it is written; kept when not whole."""
    value = Decimal(match.group(1)) * (10_000 if match.group(2) == "万" else 100_000_000)
    return str(int(value)) if value == value.to_integral_value() else match.group(0)


_shared: dict[str, list[str]] | None = None  # segmentations kept while an index is built
_SHARED_TEXTS = 64  # the last texts whose segmentation is kept, then forgotten all at once
_segmented = 0  # article texts tokenized so far (words or bigrams), for progress


@contextmanager
def shared_segmentation() -> Iterator[None]:
    """While indexing: each text is segmented once for both its words and its bigrams.

    An index segments every passage twice, its words and then its bigrams;
    inside this block the second time reuses the first.  Only the last few
    texts are kept (all of them added 0.13 GB to the peak at 100,000 passages).  The memo is
    dropped at the end, so questions never share it.
    """
    global _shared
    outer = _shared
    _shared = {} if outer is None else outer
    try:
        yield
    finally:
        _shared = outer


def segmented() -> int:
    """How many article texts tokenize() and bigrams() have processed in this process."""
    return _segmented


def _pieces(text: str) -> list[str]:
    """Numbers and dates as whole pieces; the rest cut by jieba."""
    shared = _shared
    if shared is not None:
        pieces = shared.get(text)
        if pieces is None:
            if len(shared) >= _SHARED_TEXTS:
                shared.clear()
            pieces = shared[text] = _segment(text)
        return pieces
    return _segment(text)


def _segment(text: str) -> list[str]:
    text = _LATIN_HYPHEN.sub("", text)  # wi-fi, e-mail: one word, however the reader spells it
    out: list[str] = []
    position = 0
    for match in _NUMBER.finditer(text):
        out.extend(jieba.lcut(text[position:match.start()]))
        out.extend(_YEAR_FIRST.split(match.group(0))[1:] if _YEAR_FIRST.match(match.group(0)) else [match.group(0)])
        position = match.end()
    out.extend(jieba.lcut(text[position:]))
    return _function_words_whole(out)


def _function_words_whole(pieces: list[str]) -> list[str]:
    """Two single characters that make a stopword together are that stopword (是从|哪|天 → 哪天).

    jieba glues a function character to its left neighbour (是从) and leaves
    the rest of a question word alone (天), which then reads as content.
    """
    out: list[str] = []
    for piece in pieces:
        if out and len(piece) == 1 and len(out[-1]) == 1 and out[-1] + piece in stopwords():
            out[-1] += piece
        else:
            out.append(piece)
    return out


def is_content(token: str) -> bool:
    """A token that can carry meaning: has a letter, digit or CJK character and is no stopword."""
    return bool(_WORDLIKE.search(token)) and token not in stopwords() and not token.isspace()


def words(text: str) -> list[str]:
    """Content words of already normalized text, in order."""
    return [t.strip() for t in _pieces(text) if is_content(t.strip())]


def bigrams(text: str) -> list[str]:
    """Character bigrams of each CJK run left after dropping stopwords; numbers and Latin words whole.

    Bigrams catch what word segmentation misses: a word cut differently in the
    question and the article, or a new word jieba does not know. An aside inside
    a word is read past as tokenize() does (村干 of 村(社区)干部).
    """
    global _segmented
    _segmented += 1
    return _with_asides_read_past(_bigrams, text)


def _bigrams(text: str) -> list[str]:
    out: list[str] = []
    run = ""
    for piece in _pieces(text) + [" "]:
        piece = piece.strip()
        if piece and _CJK.fullmatch(piece) and is_content(piece):
            run += piece
            continue
        if run:
            out.extend([run] if len(run) == 1 else [run[i:i + 2] for i in range(len(run) - 1)])
            run = ""
        if piece and is_content(piece):
            out.append(piece)
    return out


def word_bigrams(word: str) -> list[str]:
    """The bigrams of a single content word, as bigrams() would give them, without segmenting again."""
    if len(word) < 2 or not _CJK.fullmatch(word):
        return [word]
    return [word[i:i + 2] for i in range(len(word) - 1)]


def article_text(text: str) -> str:
    """Text as the index reads it, article and question alike: normalized, Chinese numerals as digits
    (六百 meets 600)."""
    return numerals_to_digits(normalize(text))


def tokenize(text: str, read: bool = False) -> list[str]:
    """Article side: the content words of article_text(text); of `text` itself when it was `read` so already.

    Official writing puts an alternative in brackets inside a word (村(社区)干部, 各办(中心)): the words
    the text makes without the aside (村干部) are added, so a reader's 村干部 finds it.
    """
    global _segmented
    _segmented += 1
    text = text if read else article_text(text)
    return _with_asides_read_past(words, text)


def _with_asides_read_past(pieces: Callable[[str], list[str]], text: str) -> list[str]:
    """The pieces of the text, then those its reading without bracketed asides adds (村干部 of 村(社区)干部)."""
    found = pieces(text)
    plain = without_asides(text)
    if plain != text:
        seen = set(found)
        found += [piece for piece in pieces(plain) if piece not in seen]
    return found


def without_asides(text: str) -> str:
    """269名村(社区)干部 → 269名村干部: the text as it reads with the bracketed asides inside words left out."""
    return _ASIDE.sub("", text)


def question_text(question: str) -> str:
    """Question side: read as the article is."""
    return article_text(question)
