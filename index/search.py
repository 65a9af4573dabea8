"""Passages + question → ranked hits, and whether the article answers at all.

Two BM25 fields are searched: jieba words (precise matches, with synonyms
and sound-alikes added for question words the article lacks) and character
bigrams (what segmentation cut differently).  Each field's score is divided
by the most the question could score in it, so the blend and the decision
to decline read the same on any article, long or short.

Whether the article answers at all is index/decline.py's to say.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable

import numpy as np

from index import asks, documents, lexicon
from index.decline import Declining
from index.bm25 import BM25, Corpus, TokenRows
from index.expand import SOUND_WEIGHT, Expander
from index.passages import Passage, sentences_by_line
from index.records import Decision, Query, Ranked
from index.specificity import specificity
from index.tokens import article_text, bigrams, question_text, stopwords, tokenize, word_bigrams, words

WORD_SHARE = 0.6  # blend: words field vs bigram field, each normalized per question
TOPIC_DISCOUNT = 1.0  # a word in every passage counts for nothing, one in few for nearly its full weight
SINGLE_INSIDE = 0.4  # a one-character question word found only inside an article word (管 in 管控)
MAX_QUESTION_CHARS = 500
PICTURE_BONUS = 0.25  # questions about a photo: the caption passages
CANDIDATES = 100  # leading passages on which answer-type bonuses are weighed
SENTENCE_WEIGHT = 2.0  # the best sentence's share (0–1) against the passage's match (about 0–1.5): it mostly decides
WEIGHED_SENTENCES = 10  # leading candidates whose sentences are weighed; the rest are far behind
COUNTED_APART = 0.5  # a how-many question's counted thing, in a sentence but with no figure by it
KIND_LOOKAHEAD = 4  # a declined question's closest passage may be any of the first four (_of_the_kind_first)
FOUND_SYNONYM_WEIGHT = 0.5  # a synonym of a question word the article has (see query())
NUMBER_BONUS = 0.25  # quantity questions: passages with a figure right after a question word
_CJK4 = re.compile(r"[\u4e00-\u9fff]{4}")
LEAD_MIN_CHARS = 60  # shorter, the first paragraph is an opener, not the lead that sums the article up
_SPAN_OF_TIME = re.compile(r"多久|多长|(?:多少|几)个?(?:年|天|月|小时|钟头|分钟|周|星期|礼拜)")  # how long
_COMPLEMENTS = frozenset("给到在来去")  # what follows a verb to say where or to whom (租给, 送到, 放在, 调来)
_ERHUA = re.compile(r"[\u4e00-\u9fff](?<![女婴幼少孤男健胎患宠托])儿")  # 片儿, 事儿; not 女儿, 幼儿 (a child)
_ASPECT = frozenset("了过着")  # what follows a verb to say it happened (投了, 查过), when jieba glues them
# which way a verb goes (卖出去, 赶回来, 管起来): jieba cuts most off (放 | 出来) and glues some on
_DIRECTIONS = frozenset({"出去", "出来", "进去", "进来", "上去", "上来", "下去", "下来", "起来", "过来", "过去", "回来", "回去"})


class Searcher(Declining):
    """BM25 over two fields of the passages, with query expansion and a decline rule."""

    def __init__(self, passages: list[Passage], variant: str = "lucene", k1: float = 1.2, b: float = 0.5) -> None:
        self.passages = passages
        # the passage text as shown: a heading is in the text of its section's first passage;
        # repeating it in every passage measured no better on the dev and tuning sets
        texts = [p.text for p in passages]
        self.norm_texts = [article_text(t) for t in texts]
        word_corpus, gram_corpus = Corpus(), Corpus()
        for text in self.norm_texts:  # a passage's words, then its bigrams, of one segmentation (shared_segmentation)
            word_corpus.add(tokenize(text, read=True))
            gram_corpus.add(bigrams(text))
        self._sentence_cache: dict[int, tuple[tuple[int, ...], tuple[bool, ...]]] = {}  # row → its sentences' starts
        self.is_caption = np.array([p.kind == "caption" for p in passages], dtype=np.float64)
        self.is_front = np.array([p.kind == "front" for p in passages], dtype=bool)
        self.documents: dict[str, range] = {}  # document → its rows (a document's passages are consecutive)
        for row, passage in enumerate(passages):
            first = self.documents.get(passage.document, range(row, row))
            self.documents[passage.document] = range(first.start, row + 1)
        self.words = BM25.build(word_corpus, variant=variant, k1=k1, b=b)
        self.grams = BM25.build(gram_corpus, variant=variant, k1=k1, b=b)
        # each passage's words and bigrams, as lists and as sets, decoded from term ids when first asked for
        self.word_tokens, self.token_sets = TokenRows.of(self.words, word_corpus)
        self.gram_tokens, self.gram_sets = TokenRows.of(self.grams, gram_corpus)
        self.expander = Expander(self.words.terms, "\n".join(self.norm_texts), self.grams.terms)
        # the kinds of edition and time (第#届, #年, #月#日) the articles' own words name, and the months of their
        # days: 四月几号 asks the month of the article's 4月8日
        self.instance_shapes = frozenset(s for s in map(asks.instance_shape, self.words.terms) if s is not None)
        self.months = frozenset(m for m in map(asks.month_of, self.words.terms) if m is not None)
        self.figure_units = asks.figure_units("\n".join(self.norm_texts))  # 名, 吨: what the articles count in

    def query(self, question: str) -> Query:
        text, corrected = self.expander.correct(question_text(question[:MAX_QUESTION_CHARS]))
        cut = self._cut_as_the_article_does(words(text))
        asked = list(dict.fromkeys(part for word in cut for part in self._split_compound(word)
                                   if not asks.is_photo_word(part) and part not in stopwords()
                                   and not asks.frames_a_photo(part, text)))
        stand_ins = self.expander.stand_ins(asked, text)
        query_words = {t: (SOUND_WEIGHT if t in corrected else 1.0) for t in asked}
        # 几点, 多少辆 (question words) and 四百多, 上百万 (the reader's guesses) are searched (九点 and 80辆 stand
        # in for the first) but are no part of what the article must hold
        estimates = [t for t in asked if asks.is_estimate(t, text)]
        terms = [t for t in asked if not asks.is_how_many_word(t, text) and t not in estimates]
        for found in stand_ins.values():
            for word, weight in found.items():
                query_words[word] = max(query_words.get(word, 0.0), weight)
        # a word the article has may be said otherwise where the answer stands (取消 there, 撤销 here): its
        # synonyms are searched too, below a stand-in's weight, and count for nothing in deciding. The
        # article's subject (检查 in a report on inspections) is everywhere; its synonyms would be too
        for term in asked:
            synonyms = self.expander.synonyms_of_found(term)
            if synonyms:
                weight = FOUND_SYNONYM_WEIGHT * (1.0 - self._share(term))
                for word in synonyms:
                    query_words[word] = max(query_words.get(word, 0.0), weight)
        query_grams: dict[str, float] = {}
        for word, weight in query_words.items():
            for gram in word_bigrams(word):
                query_grams[gram] = max(query_grams.get(gram, 0.0), weight)
        weights = {t: self._weight(t) for t in terms}
        if terms and not any(weights.values()):  # every word in every passage: all count alike
            weights = dict.fromkeys(terms, 1.0)
        query = Query(text=text, terms=terms, term_weights=weights,
                      words=query_words, grams=query_grams, stand_ins=stand_ins,
                      wants_number=asks.quantity_word(text) is not None or bool(estimates))
        query.found = {t: min(self._found(t, stand_ins.get(t, {})), query_words[t]) for t in terms}
        query.counted = self._counted_terms(query)
        return query

    def _cut_as_the_article_does(self, cut: list[str]) -> list[str]:
        """岚川县会下雨 cut as 岚川 | 县会 | 下雨: a word the article writes whole (岚川县) is joined again.

        jieba cuts a question alone, and a place name the article holds
        may lose its last character or two to the word after it. When a
        question word the article lacks, with the opening of the next word,
        makes a word the article has, and what is left of the next word is
        still a word (会, a stopword, a word jieba counts), the question is
        cut as the article is.
        """
        out = list(cut)
        for i in range(len(out) - 1):
            head, after = out[i], out[i + 1]
            if head in self.words.rows or not (_is_chinese(head[:1]) and _is_chinese(after[:1])):
                continue
            for size in (1, 2):
                rest = after[size:]
                if rest and head + after[:size] in self.words.rows and (
                        len(rest) == 1 or rest in self.words.rows or rest in stopwords() or lexicon.is_counted(rest)):
                    out[i], out[i + 1] = head + after[:size], rest
                    break
        return out

    def _weight(self, term: str) -> float:
        """How much finding a question word matters: its general specificity, discounted when the
        article uses it everywhere (the article's own subject, like its place name, says little
        about which of its passages, if any, answers)."""
        return specificity(term) * (1.0 - TOPIC_DISCOUNT * self._share(term))

    def _share(self, term: str) -> float:
        """The share of passages that have the word."""
        rows = self.words.rows.get(term)
        return len(rows) / (len(self.passages) or 1) if rows is not None else 0.0

    def _split_compound(self, word: str) -> list[str]:
        """A four-character compound the article lacks is asked as its two halves (领导带头 → 领导, 带头);
        a verb's complement, direction or aspect that jieba glued on is cut off, and so is the spoken 儿
        (片儿 → 片).

        Questions use set phrases the article does not; their halves are the
        words the article may well use.
        """
        if (len(word) == 2 and word not in self.words.rows and _is_chinese(word[0])
                and (word[1] in _COMPLEMENTS or word[1] in _ASPECT and not lexicon.is_counted(word))):
            return [word[0]]  # 租给, 投了: the verb is the meaning (通过, 超过 are words of their own)
        if (len(word) == 3 and word[1:] in _DIRECTIONS and word not in self.words.rows
                and _is_chinese(word[0])):
            return [word[0]]  # 卖出去, 赶回来: jieba keeps some verbs with their direction whole
        if _ERHUA.fullmatch(word) and word not in self.words.rows:
            return [word[0]]  # 片儿, 活儿: the spoken suffix on the word the article writes plain
        if (len(word) >= 3 and word[0] in _ASPECT and word not in self.words.rows
                and word[1:] in self.words.rows and not lexicon.is_counted(word)):
            return [word[1:]]  # 出现|过新冠: the aspect of the verb before, glued to the thing after
        if (len(word) == 4 and word not in self.words.rows and _CJK4.fullmatch(word)
                and lexicon.is_listed(word[:2]) and lexicon.is_listed(word[2:])):
            return [word[:2], word[2:]]
        return [word]

    def _found(self, term: str, stand_ins: dict[str, float]) -> float:
        """1 when the article uses the word; less when only a stand-in or its pieces are there."""
        if term in self.words.rows:
            return 1.0
        if term in self.months or self.expander.has(term):
            return 0.9  # inside a longer article word (网格 in 网格化)
        found = max(max(stand_ins.values(), default=0.0), self._pieces_share(term, self.grams.rows))
        if len(term) == 1 and term in self.expander.substrings:
            # readers shorten: 被管起来 for 管控, 租 for 出租. A single character has many senses, so it
            # counts for less than a stand-in of the same meaning.
            return max(found, SINGLE_INSIDE)
        return found

    @staticmethod
    def _pieces_share(term: str, grams: object) -> float:
        """A 3+ character word cut differently still counts, a little, for the bigrams of it present."""
        term_grams = word_bigrams(term)
        if len(term) < 3 or not term_grams:
            return 0.0
        return 0.8 * sum(g in grams for g in term_grams) / len(term_grams)  # type: ignore[operator]

    def search(self, query: Query, limit: int = 10) -> tuple[list[Ranked], Decision]:
        """The passages to show, best first, and whether they answer the question.

        Two orders of the same candidates. The whole passage's match says
        whether the article answers: declining was built and measured on it.
        That match plus the share of the question in the passage's best
        sentence says which passage answers: the one holding the question's
        words in one sentence beats one that scatters them over 300
        characters. Should that passage lack the kind of answer asked (a
        date, a sum) where the first order's does not, the first order is shown;
        should it hold it where the first order's does not, it is judged instead
        (_typed_answer_only_shown), as is the first of the leading few that holds
        it and more of the question (_typed_answer_held_by_a_closer_passage).
        Among the first few shown, a passage holding what is asked (the kind of
        answer, for a declined question; a name beside the post, for who holds
        it) comes first.
        """
        talk = asks.small_talk(query.text)
        if talk is not None:  # 你好, 谢谢: the channel answers in kind
            return [], Decision(False, talk, 0.0)
        if (asks.asks_about_article(query.text) or asks.asks_what_about(query.text)) and asks.names_only_the_article(
                query.terms):
            return self._the_article_itself(query, limit)
        if not query.terms and asks.asks_for_photo(query.text):  # 第一张照片拍的是什么: no word to match
            if self.is_caption.any():
                return self._photos(query, limit), Decision(True, "ok", 1.0)
            return [], Decision(False, "not_in_article", 0.0)  # an article without photos
        scored = self._scores(query, limit)
        if scored is None:
            return [], self.decide(query, [])
        scores, candidates = scored
        evidence = self._best(query, scores, candidates, 1)  # decide() judges the first passage only
        decision = self.decide(query, evidence)
        shown = self._best(query, scores + self._sentence_bonus(query, scores, candidates), candidates,
                           max(limit, KIND_LOOKAHEAD))
        if not decision.answered and self._typed_answer_only_shown(query, evidence, shown):
            second = self.decide(query, shown[:1])
            # holding less of the question than the whole-passage first, it must hold half of it to answer
            if second.answered and (shown[0].coverage >= evidence[0].coverage or second.reason == "ok"):
                return shown[:limit], second
        if not decision.answered:
            shown = self._of_the_kind_first(query, shown)
            if self._typed_answer_held_by_a_closer_passage(query, evidence, shown):
                second = self.decide(query, shown[:1])
                if second.answered:
                    return shown[:limit], second
        elif (shown[0].row != evidence[0].row
                and asks.lacks_answer_type(query.text, self.norm_texts[shown[0].row], query.wants_number)):
            shown = self._best(query, scores, candidates, limit)
        return self._holder_named_first(query, shown)[:limit], decision

    def _of_the_kind_first(self, query: Query, shown: list[Ranked]) -> list[Ranked]:
        """A declined question's closest passage (shown under 看看最接近的一段) is the first of the leading
        few that holds the kind of answer asked (a clock time, a sum, a day), when the first does not:
        that is where the reader will look for it. Whether to answer is not judged again."""
        if not shown or not asks.asks_a_typed_answer(query.text):
            return shown
        return _first_that(shown, lambda row: not asks.lacks_answer_type(
            query.text, self.norm_texts[row], query.wants_number))

    def holds_what_is_asked(self, query: Query) -> Callable[[str], bool] | None:
        """Whether a (normalized) text holds the kind of answer the question asks for (a sum, a day, a
        figure); None when it asks for none."""
        if not (query.wants_number or asks.asks_a_typed_answer(query.text)):
            return None
        return lambda text: not asks.lacks_answer_type(query.text, text, query.wants_number)

    def _the_article_itself(self, query: Query, limit: int) -> tuple[list[Ranked], Decision]:
        """作者是谁, 标题是什么, 这篇文章讲了什么: a question about the article and nothing in it.

        Its front matter (title, subtitle, byline) tells who wrote it and
        under what title; what it is about, its lead (the first paragraph,
        which news writing makes a summary) with the title. Who wrote it is
        not said by an article whose front matter has no byline: declined,
        the front matter shown as the closest. The byline's first word
        (通讯员, 记者) is added to what is marked, so the byline is the
        sentence shown in bold.
        """
        fronts = [int(r) for r in np.flatnonzero(self.is_front)]
        if asks.asks_what_about(query.text) and not asks.asks_about_article(query.text):
            leads = [self._lead(rows) for rows in self.documents.values()]
            rows = [r for r in leads if r is not None] + fronts
            return [Ranked(r, 1.0, 1.0) for r in rows[:limit]], _told(bool(rows))
        if not asks.asks_who_wrote(query.text):
            return [Ranked(r, 1.0, 1.0) for r in fronts[:limit]], _told(bool(fronts))
        openers = {r: [o for o in map(documents.byline_opener, self.passages[r].text.split("\n")) if o] for r in fronts}
        query.words.update({opener: 1.0 for found in openers.values() for opener in found})
        signed = sorted(fronts, key=lambda r: not openers[r])  # a byline of its own (Markdown) before the title
        return [Ranked(r, 1.0, 1.0) for r in signed[:limit]], _told(any(openers.values()))

    def _lead(self, rows: range) -> int | None:
        """The first paragraph of a document's body (not its front matter, nor a caption) that sums it up:
        a one-sentence opener (这是一场硬仗。) is a hook, and the paragraph after it is the lead."""
        body = [r for r in rows if self.passages[r].kind == "body"][:2]
        return next((r for r in body if len(self.passages[r].text) >= LEAD_MIN_CHARS), body[0] if body else None)

    def _photos(self, query: Query, limit: int) -> list[Ranked]:
        """A question about the photos that names nothing in them (第一张照片拍的是什么): the captions, in the
        article's order, the one it counts to (第二张) first."""
        rows = [int(r) for r in np.flatnonzero(self.is_caption)]
        place = asks.photo_ordinal(query.text)
        if place is not None and -len(rows) <= place < len(rows):
            rows.insert(0, rows.pop(place))
        return [Ranked(row, 1.0, 1.0) for row in rows[:limit]]

    def _holder_named_first(self, query: Query, shown: list[Ranked]) -> list[Ranked]:
        """局长是谁, 负责人是谁: of the leading few passages, the first that names someone beside the post
        (局长沈立群, 负责人郑丽娟) is shown first, when the first names no one (post_asked: only for a post).
        Whether to answer is not judged again."""
        post = self.post_asked(query)
        if post is None:
            return shown
        return _first_that(shown, lambda row: asks.names_holder(self.norm_texts[row], post))

    def _typed_answer_only_shown(self, query: Query, evidence: list[Ranked], shown: list[Ranked]) -> bool:
        """The question asks for a kind of answer (a clock time, a sum, a day, a place) that the passage
        shown first holds and the whole-passage first lacks: it is judged on the shown passage. Should the
        shown one hold less of the question, search() answers only when the article holds half of it
        (a decision "ok", not "partial"): a near miss found mostly through common words is not let in.

        Not for a mere figure: nearly every passage has one, and how-many
        questions the article does not answer found them (多少家商铺开业了).
        """
        return self._holds_the_kind_the_first_lacks(query, evidence, shown)

    def _typed_answer_held_by_a_closer_passage(self, query: Query, evidence: list[Ranked],
                                               kind_first: list[Ranked]) -> bool:
        """The whole-passage first lacks the kind of answer asked (an address, a sum) and another of the
        leading few holds it and more of the question: a caption or a short line outscored the paragraph
        that answers (实验小学在哪条路上: the photo of its canteen, then 位于柳塘路18号的实验小学). It is
        judged instead. Holding as much and no more was measured too: it lets in near misses that
        share the article's words with a passage of any figure or place."""
        return (self._holds_the_kind_the_first_lacks(query, evidence, kind_first)
                and kind_first[0].coverage > evidence[0].coverage)

    def _holds_the_kind_the_first_lacks(self, query: Query, evidence: list[Ranked], other: list[Ranked]) -> bool:
        """The question asks for a kind of answer that the other order's first passage holds and the
        whole-passage first lacks."""
        if not evidence or not other or other[0].row == evidence[0].row:
            return False
        return (asks.asks_a_typed_answer(query.text)
                and asks.lacks_answer_type(query.text, self.norm_texts[evidence[0].row], query.wants_number)
                and not asks.lacks_answer_type(query.text, self.norm_texts[other[0].row], query.wants_number))

    def rank(self, query: Query, limit: int = 10) -> list[Ranked]:
        """The best `limit` passages with any score, best first, as search() shows them; ties keep article order."""
        return self.search(query, limit)[0]

    def _scores(self, query: Query, limit: int) -> tuple[np.ndarray, np.ndarray] | None:
        """Each passage's match to the question, and the candidates: the leading rows with any score.

        Answer-type bonuses (a figure for 'how many', a caption for 'photo')
        are weighed on the leading candidates only, which keeps a question's
        cost bounded by its own terms on a large archive.
        """
        if not query.words:
            return None
        word_scores = _normalized(self.words, query.words)
        gram_scores = _normalized(self.grams, query.grams)
        blended = WORD_SHARE * word_scores + (1 - WORD_SHARE) * gram_scores
        candidates = _top_rows(blended, max(limit, CANDIDATES))
        if asks.asks_for_photo(query.text):
            blended[candidates] += PICTURE_BONUS * self.is_caption[candidates]
        if query.wants_number:
            blended[candidates] += NUMBER_BONUS * self._figures_near_terms(query, candidates)
        return blended, candidates

    def _best(self, query: Query, scores: np.ndarray, candidates: np.ndarray, limit: int) -> list[Ranked]:
        # the front matter restates the article's subject in few words, so it matches any question put in
        # those words; unless the question asks about the article itself, the body answers before it
        after = self.is_front[candidates] if not asks.asks_about_article(query.text) else np.zeros(len(candidates), bool)
        best = candidates[np.lexsort((candidates, -scores[candidates], after))][:limit]
        return [Ranked(int(r), float(scores[r]), self._passage_coverage(query, int(r))) for r in best]

    def _sentence_bonus(self, query: Query, scores: np.ndarray, candidates: np.ndarray) -> np.ndarray:
        """SENTENCE_WEIGHT × the best sentence's share of the question, for the WEIGHED_SENTENCES leading candidates."""
        bonus = np.zeros_like(scores)
        leading = candidates[np.argsort(-scores[candidates], kind="stable")[:WEIGHED_SENTENCES]]
        total = sum(query.term_weights.values()) or 1.0
        # each question word with what may stand for it, at what share of the question
        needles = [(weight / total, ((term, 1.0), *query.stand_ins.get(term, {}).items()))
                   for term, weight in query.term_weights.items()]
        bonus[leading] = [SENTENCE_WEIGHT * self._best_sentence(query, int(r), needles) for r in leading]
        return bonus

    def _best_sentence(self, query: Query, row: int,
                       needles: list[tuple[float, tuple[tuple[str, float], ...]]]) -> float:
        """The largest share of the question's weight (as decide() weighs it) that one sentence of the passage holds.

        A word counts in the sentence where it stands; a missing word, where
        one of its stand-ins does, at the stand-in's weight.
        """
        text = self.norm_texts[row]
        starts, counts = self._sentences(row)
        got = [0.0] * len(starts)
        for share, spellings in needles:
            best_here: dict[int, float] = {}
            for word, weight in spellings:
                at = text.find(word)
                while at >= 0:
                    i = bisect_right(starts, at) - 1
                    # how many: the thing counted counts in full where a figure stands by it (小区80个), not
                    # where it is only mentioned (小区监测)
                    here = weight * COUNTED_APART if word in query.counted and not asks.figure_by(
                        text, at, at + len(word)) else weight
                    if here > best_here.get(i, 0.0):
                        best_here[i] = here
                    at = text.find(word, at + 1)
            for i, weight in best_here.items():
                got[i] += share * weight
        if query.wants_number:  # how many, how much: a sentence without a figure does not say
            got = [g for g, figure in zip(got, counts) if figure]
        return max(got, default=0.0)

    def _sentences(self, row: int) -> tuple[tuple[int, ...], tuple[bool, ...]]:
        """Where each sentence of a passage starts (a heading line is one) and whether it holds a figure;
        worked out when the passage is first weighed, and kept."""
        cut = self._sentence_cache.get(row)
        if cut is None:
            text, starts, figures, at = self.norm_texts[row], [], [], 0
            for sentence in sentences_by_line(text):
                at = text.find(sentence, at)
                starts.append(at)
                figures.append(asks.has_figure(sentence))
                at += len(sentence)
            cut = self._sentence_cache[row] = (tuple(starts), tuple(figures))
        return cut

    def _figures_near_terms(self, query: Query, rows: np.ndarray) -> np.ndarray:
        """For each row: 1 when the thing the question counts stands right next to a figure.

        A question asking how many is answered where the thing it counts is
        counted ('小区80个', '80个小区'), not merely mentioned ('小区监测').
        The counted thing is the word after the quantity word (多少个小区),
        else the one before it (小区有多少).
        """
        return np.array([max((w for t, w in query.counted.items() if asks.next_to_figure(self.norm_texts[r], t)),
                             default=0.0)
                         for r in rows], dtype=np.float64)

    def _counted_terms(self, query: Query) -> dict[str, float]:
        """The word after the quantity word (多少个小区), else the last thing named before it, with its stand-ins."""
        match = asks.quantity_word(query.text)
        # how long counts no thing (多久能到账: 到 is a verb), nor does 干了几年 (环卫工 is no count of years)
        if not match or _SPAN_OF_TIME.match(query.text, match.start()):
            return {}
        after = [t for t in query.terms if query.text.find(t, match.end()) >= 0]
        before = [t for t in query.terms if 0 <= query.text.find(t) < match.start()]
        # 小区加起来一共多少个: what is counted is a thing, not the verb that adds it up
        things = [t for t in before if (lexicon.tag_of(t) or "").startswith(("n", "vn"))]
        term = after[0] if after else (things[-1] if things else before[-1] if before else None)
        if term is None:
            return {}
        counted = {term: 1.0}
        counted.update(query.stand_ins.get(term, {}))
        return counted

    def _passage_coverage(self, query: Query, row: int) -> float:
        tokens = self.token_sets[row]
        grams = self.gram_sets[row]
        total = sum(query.term_weights.values()) or 1.0
        got = 0.0
        for term, weight in query.term_weights.items():
            if term in tokens:
                got += weight
                continue
            text = self.norm_texts[row]
            if len(term) >= 2 and term in text:
                got += 0.9 * weight
                continue
            stand_in = max((w for word, w in query.stand_ins.get(term, {}).items() if word in tokens or word in text),
                           default=0.0)
            inside = SINGLE_INSIDE if len(term) == 1 and term in text else 0.0
            got += weight * max(stand_in, self._pieces_share(term, grams), inside)
        return got / total


def _told(answered: bool) -> Decision:
    """Whether the article tells what a question about the article itself asks (its author, title, gist)."""
    return Decision(answered, "ok" if answered else "not_in_article", 1.0)


def _first_that(shown: list[Ranked], holds: Callable[[int], bool]) -> list[Ranked]:
    """The order with the first of the leading KIND_LOOKAHEAD passages that holds what is asked moved to
    the front, when the first does not; unchanged when none of them does."""
    for i, ranked in enumerate(shown[:KIND_LOOKAHEAD]):
        if holds(ranked.row):
            return [ranked] + shown[:i] + shown[i + 1:]
    return shown


def _is_chinese(character: str) -> bool:
    """A CJK ideograph (not a digit, letter or mark): only Chinese words are cut apart or joined again."""
    return "\u4e00" <= character <= "\u9fff"


def _top_rows(scores: np.ndarray, count: int) -> np.ndarray:
    """Rows of the `count` highest positive scores, in no particular order."""
    positive = np.flatnonzero(scores > 0)
    if len(positive) <= count:
        return positive
    return positive[np.argpartition(-scores[positive], count - 1)[:count]]


def _normalized(index: BM25, query: dict[str, float]) -> np.ndarray:
    """Scores divided by the most this question could score in this field (0 when nothing matches)."""
    scores = index.scores(query)
    best = sum(weight * index.idf_weight(term) for term, weight in query.items())
    return scores / best if best > 0 else scores
