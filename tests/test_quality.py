"""Answer quality must not regress: floors at the figures reached (see the README's figures).

The dev set is what ranking was tuned on; the held-out set and the second
article's questions were written before tuning and never tuned on. The third
article is Markdown (headings, lists, emphasis): its questions were written
with the Markdown reading (index/markdown.py), never tuned on for ranking.
The fourth is a plan in plain text with outline headings (二、, （一）) and
numbered lists, never tuned on. The fresh set (tests/data/fresh.jsonl, 50
questions on the seed article) was written blind by a helper that saw only the
article and the dev set's format; it was measured, not tuned on. The festival
article (tests/data/articles/festival) and its 40 questions were written the
same way, blind, in a genre none of the others has.
"""

from __future__ import annotations

import pytest

import opencc

from core_fixtures import DEV_SET, HELDOUT_SET, ROOT, seeds_library  # noqa: F401  (fixture)
from index.evaluation import evaluate, is_correct, load_cases
from index.library import Library
from index.passages import MAX_CHARS

SECOND = ROOT / "tests" / "data" / "articles"

# (hit@1 in scope, share of out-of-scope declined, share of in-scope wrongly declined (at most))
FLOORS = {
    "dev": (0.947, 1.0, 0.027),
    "heldout": (0.933, 0.8, 0.05),
    # 4 of 7 declined: 青溪市博物馆什么时候重新开放 was declined only because the title, which held no time,
    # ranked first; the body now answers before the title (see asks.asks_about_article), and it has a time
    "second": (0.77, 0.57, 0.112),
    "fresh": (0.88, 0.75, 0.048),
    "notice": (0.928, 0.5, 0.036),
    "festival": (0.878, 0.28, 0.031),
    "blind": (0.84, 0.28, 0.053),
    "blind2": (0.941, 0.33, 0.089),
    "blind3": (0.852, 0.5, 0.059),
    "hospital": (0.787, 0.57, 0.091),
    "school": (0.818, 0.42, 0.031),
    "plan": (0.85, 0.33, 0.2),
}


def _figures(library: Library, path) -> tuple[float, float, float]:
    report = evaluate(library, load_cases(path))
    inside, outside = report.total(True), report.total(False)
    return (inside.hit1 / inside.questions, outside.declined / outside.questions, inside.declined / inside.questions)


def _check(name: str, figures: tuple[float, float, float]) -> None:
    hit1, declined, wrongly = figures
    floor_hit1, floor_declined, ceiling_wrongly = FLOORS[name]
    assert hit1 >= floor_hit1 - 1e-9, f"{name}: hit@1 {hit1:.3f} below {floor_hit1}"
    assert declined >= floor_declined - 1e-9, f"{name}: declined {declined:.3f} below {floor_declined}"
    assert wrongly <= ceiling_wrongly + 1e-9, f"{name}: wrongly declined {wrongly:.3f} above {ceiling_wrongly}"


@pytest.mark.skipif(not DEV_SET.exists(), reason="shared/eval/dev.jsonl is not beside the checkout")
def test_dev_set(seeds_library):
    _check("dev", _figures(seeds_library, DEV_SET))


def test_heldout_set(seeds_library):
    _check("heldout", _figures(seeds_library, HELDOUT_SET))


def test_fresh_set(seeds_library):
    _check("fresh", _figures(seeds_library, ROOT / "tests" / "data" / "fresh.jsonl"))


def test_festival_article():
    """A county festival report, article and questions written blind by a helper; never tuned on."""
    _check("festival", _figures(Library.load(SECOND / "festival", cache=False), SECOND / "festival_questions.jsonl"))


def test_blind_set(seeds_library):
    """Written blind after the last session's code; a diagnostic set since (see README)."""
    _check("blind", _figures(seeds_library, ROOT / "tests" / "data" / "blind.jsonl"))


def test_blind2_set(seeds_library):
    """Written blind by a helper while this session's rules were being made; measured once, at the end."""
    _check("blind2", _figures(seeds_library, ROOT / "tests" / "data" / "blind2.jsonl"))


def test_blind3_set(seeds_library):
    """Written blind by a helper near the end of the session; measured once, after every change."""
    _check("blind3", _figures(seeds_library, ROOT / "tests" / "data" / "blind3.jsonl"))


def test_hospital_article():
    """A hospital's release, article and questions written blind; first measured at 0.727 hit@1 (README)."""
    _check("hospital", _figures(Library.load(SECOND / "hospital", cache=False), SECOND / "hospital_questions.jsonl"))


def test_school_article():
    """An education bureau's enrollment notice (outline headings), written blind; measured once, at the end."""
    _check("school", _figures(Library.load(SECOND / "school", cache=False), SECOND / "school_questions.jsonl"))


def test_second_article():
    _check("second", _figures(Library.load(SECOND / "second"), SECOND / "second_questions.jsonl"))


@pytest.mark.skipif(not DEV_SET.exists(), reason="shared/eval/dev.jsonl is not beside the checkout")
def test_the_article_in_traditional_characters_answers_as_well(tmp_path):
    """A publisher in Taiwan or Hong Kong: the same article in Traditional characters, the same questions."""
    to_traditional = opencc.OpenCC("s2t")
    for path in (ROOT / "seeds").glob("*.txt"):
        (tmp_path / path.name).write_text(to_traditional.convert(path.read_text(encoding="utf-8")), encoding="utf-8")
    _check("dev", _figures(Library.load(tmp_path, cache=False), DEV_SET))


def test_a_gold_answer_is_found_whatever_the_script_or_width():
    assert is_correct("截至目前，東湖街道轄區內無一例新冠肺炎確診患者。", ("东湖街道辖区内无一例",))
    assert is_correct("电话０５７１－８６２３０２８８", ("0571-86230288",))
    assert not is_correct("东湖街道", ("西湖街道",))


def test_markdown_article():
    _check("notice", _figures(Library.load(SECOND / "notice"), SECOND / "notice_questions.jsonl"))


def test_plain_text_article_with_outline_headings_and_numbered_lists():
    _check("plan", _figures(Library.load(SECOND / "plan"), SECOND / "plan_questions.jsonl"))


def test_no_passage_over_the_limit(seeds_library):
    assert max(len(p.text) for p in seeds_library.passages) <= MAX_CHARS


def test_hit_at_1_ranks_while_answered_and_right_is_what_a_reader_got():
    """A declined question whose closest passage is the right one counts for hit@1 (the ranking was right; the
    reader can open it) but not as answered and right."""
    from types import SimpleNamespace
    from index.evaluation import Case

    class Declining:
        def ask(self, question, k=3):
            passage = SimpleNamespace(text="辖区共有小区80个。", id="a#1")
            return SimpleNamespace(answered=question.startswith("不"), hits=[SimpleNamespace(passage=passage)])

    cases = [Case("1", "东湖街道有多少个小区", ("小区80个",), "number"), Case("2", "不答", ("小区80个",), "number")]
    inside = evaluate(Declining(), cases).total(True)
    assert (inside.hit1, inside.answered_right, inside.declined) == (2, 1, 1)
