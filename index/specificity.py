"""How specific a word is in general Chinese, read from jieba's dictionary frequencies.

Search weighs each question word by it (a district's name counts for more
than 工作), and declining asks whether the words the article lacks are rare.
"""

from __future__ import annotations

import math
from functools import lru_cache

import jieba

from index import lexicon
from index.lexicon import FLOOR_COUNT
from index.tokens import stopwords


@lru_cache(maxsize=1 << 16)  # a pure function of the word and jieba's counts, asked for every question word
def specificity(term: str) -> float:
    """How specific a word is in general Chinese: log inverse frequency in jieba's dictionary.

    Numbers are specific.  A word the dictionary lacks is judged by its known
    parts (建了 is as specific as 建), and only a word with no known part at
    all (a rare name) counts as the rarest.  So is a word the dictionary lists
    only at its floor count (FLOOR_COUNT: listed, never counted; nearly half
    its entries, 看不懂 and 每辆 among them): its parts say more than the count.
    """
    if any(ch.isdigit() for ch in term):
        return 12.0
    if len(term) > 1 and all(ch in stopwords() for ch in term):
        return 1.0  # 是从, 都是: function words jieba glued together say nothing of what is asked
    frequency = lexicon.count(term)
    if len(term) > 1 and frequency <= FLOOR_COUNT:
        parts = _parts(term) if frequency else [p for p in jieba.lcut(term, HMM=False) if p != term]
        known = [specificity(p) for p in parts if p not in stopwords() and lexicon.is_listed(p)]
        if known:
            return max(known)
        if parts and all(p in stopwords() for p in parts):
            return 1.0
    return max(math.log(lexicon.total() / (frequency or 1)), 1.0)


def _parts(term: str) -> list[str]:
    """The likeliest cut of a word into two dictionary words counted above the floor; [] when none."""
    best: tuple[float, list[str]] = (-1.0, [])
    for i in range(1, len(term)):
        head, tail = lexicon.count(term[:i]), lexicon.count(term[i:])
        if head > FLOOR_COUNT and tail > FLOOR_COUNT and math.log(head) + math.log(tail) > best[0]:
            best = (math.log(head) + math.log(tail), [term[:i], term[i:]])
    return best[1]
