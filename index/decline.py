"""Whether the article answers: the decline rules, judged on the passage the ranking puts first.

Declining rests on coverage, not on a raw score: how much of what the
question asks (each word weighted by how specific it is in general Chinese,
from jieba's dictionary frequencies) the article contains at all, and how
much of it the best passage contains.  A question whose specific words the
article never uses (a district it never names, a thing it never mentions) is
not answered by a passage that merely shares the common ones; nor is one
whose best passage cannot hold the kind of answer it asks for (a figure, a
day, a length of time, a named village or hospital: index/asks.py reads that
from the question's words).  Some near misses share nearly all their words
with the article and still ask what it never says: who holds a post it never
names, the name of someone it names only by role, how many of a kind it
never counts (Declining._asks_elsewhere gathers these checks).
"""

from __future__ import annotations

import re

import numpy as np

from index import asks, lexicon
from index.expand import RELATED_WEIGHT, SYNONYM_WEIGHT
from index.records import Decision, Query, Ranked
from index.tokens import word_bigrams
from index.specificity import specificity

MIN_COVERAGE = 0.5  # at least half of what the question asks (by weight) must be in the article
MIN_COVERAGE_COMMON = 0.3  # ... or this much, when only common words are missing
RARE = 13.5  # specificity of a word rarer than about 1 in 700,000 words of jieba's dictionary
MIN_PASSAGE_COVERAGE = 0.15  # share of the question's weight the best passage must contain
_PLACE_SUFFIX = ("街道", "社区", "省", "市", "县", "区", "镇", "乡", "村")  # kinds of place a name comes before
_PLACE = re.compile(r"[\u4e00-\u9fff]{2,6}(?:%s)" % "|".join(_PLACE_SUFFIX + ("路", "街")))  # a place, named
_NAME_TAGS = frozenset({"ns", "nr", "nz"})  # jieba's tags for place, person and other proper names
_PRONOUNS = frozenset("我你您他她它咱俺")  # 我住|村里: a name never opens with one
_WORD_CHARACTER = re.compile(r"[^\W_]")  # a letter, digit or Chinese character: not punctuation, emoji or space
_TELLING_TAGS = frozenset({"t", "i", "l"})  # jieba's time words, idioms and set phrases
_SEASONS = "春夏秋冬"
_SEASON_AND_NEXT = re.compile(rf"([{_SEASONS}])([\u4e00-\u9fff])")  # 夏茶, 秋季, 冬令营: a season of something
_EDITION_BESIDE = re.compile(r"([上下])一?([届期])(?!间)")  # 上一届, 下期: the edition before or after (not 线上期间)


class Declining:
    """The decline checks of a Searcher, which mixes them in: they read its passages' normalized texts
    (norm_texts), its indexes' postings (words, grams), its documents' rows, its expander, and what it
    gathered of the articles when it was built (instance_shapes, figure_units)."""

    def _counts_nothing_asked(self, query: Query, row: int) -> bool:
        """A how-many question whose counted thing the passage names but never counts.

        全县一共有多少名护林员 finds a passage about the county's
        rangers that gives no figure for them: the article does not say how many.
        """
        return bool(query.counted) and asks.names_without_counting(self.norm_texts[row], query.counted,
                                                                   asks.asked_units(query.text))

    def _found_where_answered(self, query: Query, row: int) -> dict[str, float]:
        """How well the best passage's own document has each question word, when there are several.

        In a folder of articles, what the question asks must be in the article
        that answers it: 滨江区的垃圾分类投放时间 is not answered by a notice about
        another district's bins because the other article names 滨江区.
        """
        rows = self.documents.get(self.passages[row].document)
        if rows is None or len(rows) == len(self.passages):
            return query.found
        return {term: found if found == 0.0 or self._in_rows(term, query.stand_ins.get(term, {}), rows) else 0.0
                for term, found in query.found.items()}

    def _in_rows(self, term: str, stand_ins: dict[str, float], rows: range) -> bool:
        """The term or a stand-in for it is in these passages (as a word, or all its bigrams; a single
        character in their text), or a bigram of a 3+ character term is: what _found counted, for these
        passages only. Looked up in the indexes' postings rather than read from the text."""
        for needle in (term, *stand_ins):
            if _meets(self.words.rows.get(needle), rows):
                return True
            if len(needle) == 1:
                if any(needle in self.norm_texts[r] for r in rows):
                    return True
            elif all(_meets(self.grams.rows.get(gram), rows) for gram in word_bigrams(needle)):
                return True
        return len(term) >= 3 and any(_meets(self.grams.rows.get(gram), rows) for gram in word_bigrams(term))

    def _names_another_instance(self, query: Query, found: dict[str, float]) -> bool:
        """第六届 where the article tells of its 第五届, 2025年 where it counts 2026年: another edition or time.

        A question naming an edition, a year or a day the article never
        names, when the article names others of the same kind, asks about one
        it does not tell of. So does one naming another season of a thing
        (夏茶 beside the article's 春茶), or the edition before or after the
        one told of (上一届, when the article names only its 第十一届).
        """
        shapes = [asks.instance_shape(t) for t in query.terms if found[t] < 0.9]
        shapes += [f"第#{unit}" for unit in self._editions_beside_never_named(query)]
        return (any(shape is not None and shape in self.instance_shapes for shape in shapes)
                or self._names_another_season(query))

    def _editions_beside_never_named(self, query: Query) -> list[str]:
        """上一届, 下期: the unit (届, 期) of each edition beside this one the question asks of and the
        article never speaks of."""
        return [unit for side, unit in _EDITION_BESIDE.findall(query.text)
                if not (self.expander.has(side + unit) or self.expander.has(side + "一" + unit))]

    def _names_another_season(self, query: Query) -> bool:
        """夏茶, 秋季: the question names a season of something the article tells of only in another
        (春茶, 春季). jieba cuts 夏茶 as 夏 | 茶, so the question's text is read, not its words."""
        return any(not self.expander.has(season + rest)
                   and any(self.expander.has(other + rest) for other in _SEASONS if other != season)
                   for season, rest in _SEASON_AND_NEXT.findall(query.text))

    def _names_another_place(self, query: Query, found: dict[str, float]) -> bool:
        """A place the article never names (西湖区, 上海市) means the question is about somewhere else.

        jieba often cuts the name from its kind (南苑 | 街道): a name the article
        lacks, right before a word for a kind of place, counts as well.  It must
        be a proper name (jieba tags it so, or does not know it at all), so
        that 整个 in 整个社区 is not taken for one. A name has no synonyms: words
        词林 merely relates to it (临江 → 听证会, through some longer word) are not it.
        """
        for term in query.terms:
            if found[term] >= 0.5 and not (found[term] <= RELATED_WEIGHT and lexicon.tag_of(term) in _NAME_TAGS):
                continue
            if _PLACE.fullmatch(term):
                return True
            kinds = [kind for kind in _PLACE_SUFFIX if term + kind in query.text]
            if (len(term) >= 2 and term[0] not in _PRONOUNS and kinds
                    and lexicon.tag_of(term) in _NAME_TAGS | {None}
                    and not self._tail_is_a_place_named(term, kinds)):
                return True
        return False

    def _tail_is_a_place_named(self, term: str, kinds: list[str]) -> bool:
        """9月底 | 青禾县 cut as 9月 | 底青禾 | 县: the name's tail with its kind is a place the article names,
        and the characters before it belong to the word before."""
        return any(self.expander.has(term[i:] + kind) for i in range(1, len(term) - 1) for kind in kinds)

    def _asks_who_holds_an_absent_post(self, query: Query, found: dict[str, float]) -> bool:
        """那家医院的院长是谁, when the article names no 院长: it does not say who holds the post.

        A post is a word 词林 files among heads of units (所长, 馆长, 厂长),
        or one built on such a word (副组长). The article names the
        organization, so most of the question is there; but an article
        that tells who holds a post names the post, or one of the same
        meaning (负责人 for 主任). A related post is another post (队长 is not
        the 局长 or 组长 词林 files beside it), so it does not stand in.
        """
        return asks.asks_who(query.text) and any(
            found[t] < SYNONYM_WEIGHT and self.expander.thesaurus.names_a_post(t) for t in query.terms)

    def post_asked(self, query: Query) -> str | None:
        """The post a who-question asks about (局长 in 局长是谁): the word before 谁, when 词林 files it among
        heads of units or it is built on one. A group (谁是主力军) is answered by its name, not a person's."""
        asked = asks.who_asked(query.text)
        post = asked and word_before(query, asked.start())
        return post if post and self.expander.thesaurus.names_a_post(post) else None

    def _asks_who_holds_a_post_never_filled(self, query: Query) -> bool:
        """那家公司的负责人是谁, when the article uses 负责人 only of others and never beside a name.

        The post asked about (the word before 谁) is in the article, so most
        of the question is; but nowhere does a name or another post stand
        beside it (负责人王芳, 方国栋任组长, 局长为组长): the article does not
        say who holds it.
        """
        post = self.post_asked(query)
        if post is None:
            return False
        holding = [text for text in self._texts_with(post) if post in text]
        return bool(holding) and not any(asks.names_holder(text, post) or self._post_takes_post(text, post)
                                         for text in holding)

    def _texts_with(self, word: str) -> list[str]:
        """The passages holding all of the word's bigrams, found through the bigram index's postings
        rather than by reading every passage (a folder may hold 100,000)."""
        rows: np.ndarray | None = None
        for gram in word_bigrams(word):
            postings = self.grams.rows.get(gram)
            if postings is None:
                return []
            rows = postings if rows is None else np.intersect1d(rows, postings)
        return [] if rows is None else [self.norm_texts[int(row)] for row in rows]

    def _post_takes_post(self, text: str, post: str) -> bool:
        """局长为组长: the holder is named by another post."""
        for match in re.finditer(re.escape(post), text):
            before = text[:match.start()]
            for link in asks.TAKES_POST:
                if before.endswith(link):
                    head = before[:-len(link)]
                    if any(self.expander.thesaurus.names_a_post(head[-size:]) for size in (2, 3)):
                        return True
        return False

    def _asks_which_did_what_the_article_never_tells(self, query: Query, found: dict[str, float]) -> bool:
        """哪家公司施工的, where the article never speaks of 施工: whatever companies it names, it does not
        tell which did that. The deed is the verb right after the kind asked for; a verb the article lacks
        with nothing of the same meaning standing in (a word 词林 only relates to it, 施工队 for 生产,
        tells of another deed)."""
        for after in asks.after_which_kind(query.text):
            deed = next((t for t in query.terms if after.startswith(t)), None)
            if deed and found[deed] < SYNONYM_WEIGHT and (lexicon.tag_of(deed) or "x")[0] == "v":
                return True
        return False

    def _counts_another_kind(self, query: Query) -> bool:
        """这个镇的常住人口有多少, where the article has 人口 only as 户籍人口 and never 常住.

        A how-many question whose counted thing is a kind the dictionary
        names (常住 + 人口), with the article lacking the word for the kind
        altogether, asks for a figure of a kind the article does not count.
        """
        if not query.counted:
            return False
        return any(kind + thing in query.text and lexicon.is_listed(kind + thing)
                   and query.found[kind] == 0.0 and query.found[thing] >= 0.5
                   and (kind in query.counted or thing in query.counted)
                   for kind, thing in zip(query.terms, query.terms[1:]))

    def _counts_in_an_absent_unit(self, query: Query) -> bool:
        """多少张借书证, where no figure in the article counts in 张: it never says how many of them.

        The measure word a question counts in is how the answer is written
        (30张, or 30个 for most things; 队员1000余人 for 多少名队员). An
        article with no figure in it, nor one counting the thing by name
        (3200车), does not give the number asked.
        """
        units = asks.asked_units(query.text)
        return units is not None and not any(unit in self.figure_units for unit in units)

    def _asks_a_name_not_given(self, query: Query, row: int) -> bool:
        """镇党委书记叫什么名字, where the passage names the post but no one beside it, nor anyone at all.

        The person asked about is the question word just before 叫什么名字 (or
        姓什么); the passage must have that word and a name right beside it
        (书记王建国). For a word that is not a head's title (干部, not 局长), a
        name anywhere in the passage will do the way reports give one, after a
        quote (“老黄牛”陈志明): the person asked for may be named away from
        the word. A question naming a thing (这个栏目叫什么) is not judged here.
        """
        asked = asks.asked_name(query.text)
        person = asked and word_before(query, asked.start())
        if not person:
            return False
        text = self.norm_texts[row]
        thesaurus = self.expander.thesaurus
        return (len(person) >= 2 and person in text and thesaurus.names_a_person(person)
                and not asks.names_holder(text, person)
                and (thesaurus.names_a_post(person) or not asks.gives_a_name(text, query.text)))

    def _offers_only_absent_choices(self, query: Query) -> bool:
        """'A还是B' when the article has neither A nor B: whichever it is, the article does not say.

        A side is what stands between 还是 and the nearest 是, comma or question
        particle; the article has it when it has the side's text or its most
        specific word (线上开 counts as there when 线上 is).
        """
        return any(not any(self._side_present(query, side) for side in sides)
                   for sides in asks.choice_sides(query.text))

    def _side_present(self, query: Query, side: str) -> bool:
        inside = [t for t in query.terms if t in side]
        if not inside or self.expander.has(side):
            return True  # nothing to judge by, or the article has it word for word
        return query.found[max(inside, key=specificity)] >= 0.5

    def _asks_elsewhere(self, query: Query, found: dict[str, float], row: int) -> bool:
        """However much of the question the article holds, it asks what the article does not say."""
        return (asks.lacks_answer_type(query.text, self.norm_texts[row], query.wants_number)
                or self._names_another_place(query, found)
                or self._names_another_instance(query, found)
                or self._counts_nothing_asked(query, row)
                or self._counts_another_kind(query)
                or self._counts_in_an_absent_unit(query)
                or self._offers_only_absent_choices(query)
                or self._asks_who_holds_an_absent_post(query, found)
                or self._asks_who_holds_a_post_never_filled(query)
                or self._asks_which_did_what_the_article_never_tells(query, found)
                or self._asks_a_name_not_given(query, row))

    def decide(self, query: Query, ranked: list[Ranked]) -> Decision:
        """Answer when the article holds most of what the question asks, decline when it holds little.

        In between, what is missing decides: a rare word (a place, a thing,
        a name: rare in general Chinese) that the article never uses means the
        question is about something else (滨江区 in 滨江区有多少所学校); common
        words missing are only the reader's own phrasing. Whatever the share,
        a question that asks what the article does not say is declined
        (_asks_elsewhere).
        """
        if not query.terms:  # 为什么, 是什么: only question words, and nothing to look for; 👍: no words at all
            return Decision(False, "vague" if _WORD_CHARACTER.search(query.text) else "no_words", 0.0)
        found = self._found_where_answered(query, ranked[0].row) if ranked else query.found
        total = sum(query.term_weights.values())
        coverage = sum(query.term_weights[t] * found[t] for t in query.terms) / total
        if not ranked or ranked[0].coverage < MIN_PASSAGE_COVERAGE or self._asks_elsewhere(query, found, ranked[0].row):
            return Decision(False, "not_in_article", coverage)
        if coverage >= MIN_COVERAGE:
            return Decision(True, "ok", coverage)
        rare_missing = any(found[t] < 0.5 and (specificity(t) >= RARE and _may_name_a_thing(t) or asks.is_date(t))
                           for t in query.terms)
        if coverage >= MIN_COVERAGE_COMMON and not rare_missing:
            return Decision(True, "partial", coverage)  # under half of it is in the article: said so
        return Decision(False, "not_in_article", coverage)


def word_before(query: Query, at: int) -> str | None:
    """The question word that ends last before position `at` of the question text (书记 in 书记叫什么名字)."""
    ends = {t: query.text.rfind(t, 0, at) + len(t) for t in query.terms}
    before = [(end, t) for t, end in ends.items() if end >= len(t)]  # rfind gave -1: not before it
    return max(before)[1] if before else None


def _may_name_a_thing(term: str) -> bool:
    """Not a verb, adverb, adjective, time word or set phrase, by jieba's tags (睡不着, 乱糟糟, 天天).

    A rare word missing from the article says the question is about
    something else when it names something (高铁, 菜市场, a name jieba does not
    know); a rare way of saying what happened or how is the reader's own telling.
    """
    tag = lexicon.tag_of(term) or "n"
    return not (tag[0] in "vad" and tag != "vn" or tag in _TELLING_TAGS)


def _meets(postings: np.ndarray | None, rows: range) -> bool:
    """Does an ascending array of rows hold one in `rows`?"""
    if postings is None or not len(postings):
        return False
    i = int(np.searchsorted(postings, rows.start))
    return i < len(postings) and postings[i] < rows.stop
