"""Answer quality must not regress: floors at the figures reached (see the README's figures).

The dev set is what ranking was tuned on; the held-out set and the second
article's questions were written before tuning and never tuned on. The third
article is Markdown (headings, lists, emphasis), the fourth a plan in plain
text with outline headings (二、, （一）) and numbered lists; neither was tuned
on. The fresh and blind1–25 sets (seed article) and the festival,
hospital, school, metro, scenic, faq, flood, inspect, recall, village, water, sports, museum, interview, rules,
harvest, renovation, forest, eldercare, floodprep, branchlib, sorting, busroute, vaccine, market, roads, charging,
firesafety, heating, meals, jobfair, elevator, medinsure, tea, parking, snow, outage, fraud, homestay and exam articles with their questions
were written blind by helpers that saw only an article and the dev set's format; the README says
which were read for misses afterwards and gives each one's first figures."""

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
    "dev": (0.947, 1.0, 0.0),
    # 11 of 15 declined: 有几所小学因为疫情停课了 missed only 停课, a rare verb; rare verbs, adverbs and set
    # phrases no longer mark another subject (decline._may_name_a_thing): 11 fewer wrong declines over all sets
    "heldout": (0.95, 0.733, 0.017),
    # 青溪市博物馆什么时候重新开放 is answered: it was declined only because the title, which held no time,
    # ranked first; the body now answers before the title (see asks.asks_about_article), and it has a time
    "second": (0.833, 0.571, 0.0),
    "fresh": (0.88, 0.75, 0.024),
    # 厨余垃圾最后运到哪个处理厂 and 观日峰明天早上几点日出 (scenic) are answered since a typed answer held only by
    # the passage shown first is judged there (search._typed_answer_only_shown: 13 fewer wrong declines overall)
    "notice": (0.928, 0.625, 0.036),
    # 本届丰收节的主题是什么: 丰收's synonym 五谷丰登 draws the passage after the one naming the theme (found
    # words' synonyms: hit@1 +7 over all sets)
    "festival": (0.969, 0.571, 0.031),
    "blind": (0.868, 0.714, 0.027),
    "blind2": (1.0, 0.666, 0.059),
    "blind3": (0.97, 0.5, 0.03),
    "blind4": (0.911, 0.666, 0.03),
    "blind5": (1.0, 0.666, 0.0),
    "metro": (0.848, 0.428, 0.091),
    "scenic": (0.848, 0.714, 0.152),
    "blind6": (0.911, 0.333, 0.089),
    "hospital": (0.939, 0.428, 0.031),
    "school": (0.848, 0.714, 0.031),
    "plan": (0.95, 0.333, 0.15),
    "faq": (0.878, 0.571, 0.031),
    "flood": (0.818, 0.142, 0.091),
    "inspect": (0.757, 0.571, 0.091),
    "blind7": (0.911, 1.0, 0.118),
    "recall": (0.757, 0.857, 0.152),
    "village": (0.787, 0.428, 0.061),
    # 4 wrongly declined, not 3: 由哪家公司负责 wants a company named, and the first passage names none (the
    # second, shown after it, does); the named-kind answer types declined 10 more out-of-scope questions
    "water": (0.818, 0.714, 0.122),
    "sports": (0.909, 0.714, 0.091),
    "blind8": (0.97, 0.666, 0.0),
    # 兽面纹方鼎有多重 is declined since how heavy wants a weight: it was answered with a photo caption; the
    # passage giving its weight is now shown first (hit@1 +1, wrongly declined +1); 俺打算开车…停车要不要钱啊
    # has been answered since the spoken-word list (要钱 beside 收费)
    "museum": (0.848, 0.571, 0.061),
    "interview": (0.939, 0.857, 0.061),
    "rules": (0.848, 1.0, 0.091),
    "blind9": (0.894, 0.857, 0.0),
    "harvest": (0.969, 0.714, 0.031),
    "blind10": (0.973, 1.0, 0.0),
    "renovation": (0.939, 0.714, 0.031),
    "blind11": (0.868, 1.0, 0.027),
    "forest": (0.909, 0.285, 0.0),
    "blind12": (1.0, 0.714, 0.0),
    "eldercare": (0.969, 0.285, 0.091),
    "blind13": (0.973, 0.857, 0.0),
    "floodprep": (0.969, 0.285, 0.0),
    "blind14": (0.868, 0.571, 0.0),
    # 滨河分馆的地址在哪里 is declined: an address wants a street and number, and the first passage (by the
    # whole-passage match, through 地方 standing in for 地址) has none; it was answered with that wrong passage.
    # Judging typed answers on the passage shown first then answered four others (ceiling 0.152 → 0.091)
    # 坐哪路公交车可以到滨河分馆 wants a line named by its number: the passage naming 12路 is now shown first
    # but holds too little of the question to answer, where a passage without any line was answered (0.091 → 0.122)
    "branchlib": (0.818, 0.285, 0.091),
    "blind15": (0.868, 0.571, 0.027),
    "sorting": (0.939, 0.428, 0.122),
    # written blind this session: blind16 is kept unread; busroute and vaccine were read for misses after
    # their first figures (0.947/7 of 7/0.026, 0.758/3 of 7/0.152, 0.788/4 of 7/0.121)
    "blind16": (0.947, 1.0, 0.0),
    "busroute": (0.848, 0.571, 0.0),
    "vaccine": (0.848, 0.714, 0.061),
    # written blind later this session and first measured on both the start-of-session code and the code of
    # the moment: blind17 0.921 / 5 of 7 / 0.053 both (kept unread); market 0.697 / 4 of 7 / 0.182 → 0.697 /
    # 3 of 7 / 0.182, then read for misses
    "blind17": (0.921, 0.714, 0.079),
    "market": (0.818, 0.571, 0.061),
    # written blind at the end of this session, after its last rule; measured on the start-of-session code and
    # on the final code, never read: blind18 0.921 / 6 of 7 / 0 both; roads 0.848 → 0.939 / 5 of 7 both /
    # 0.091 → 0.061
    "blind18": (0.973, 0.857, 0.0),
    "roads": (1.0, 0.714, 0.031),
    # written blind at the start of the next session and measured on its start code: blind19 (kept unread)
    # 0.947 / 5 of 7 / 0.026, unchanged at its end; charging (read for misses) 0.909 / 0 of 7 / 0.152 →
    # 0.939 / 2 of 7 / 0.091; firesafety (kept unread) 0.939 / 4 of 7 / 0.061 → 0.939 / 4 of 7 / 0.030
    "blind19": (0.973, 0.714, 0.027),
    "charging": (0.969, 0.428, 0.061),
    "firesafety": (0.939, 0.857, 0.0),
    # written blind at the start of the session of 2026-12-07 and measured on its start code: blind20 and
    # meals kept unread (unchanged at its end), heating read for misses: 0.909 / 3 of 7 / 0.152 → 0.909 /
    # 5 of 7 / 0.091. That session also raised notice, inspect, rules, market, roads and charging (a related
    # post or deed stands in for none; a typed answer judged where a passage holds it and more of the question)
    "blind20": (0.947, 1.0, 0.0),
    "heating": (0.878, 0.714, 0.0),
    "meals": (0.909, 0.285, 0.061),
    # written blind at the start of the second session of 2026-12-07 and measured on its start code:
    # blind21 and jobfair kept unread (unchanged at its end), elevator read for misses: 0.909 / 4 of 7 /
    # 0.091 → 0.939 / 4 of 7 / 0.030. That session also raised hospital, busroute, roads and heating (a sum
    # asked how or whether, steps as a list, how long counting no thing, 五步 a figure, numbers in groups)
    "blind21": (1.0, 0.857, 0.053),
    "jobfair": (0.969, 0.285, 0.031),
    "elevator": (0.939, 0.571, 0.0),
    # written blind at the start of the third session of 2026-12-07 and measured on its start code:
    # blind22 and medinsure kept unread (unchanged at its end), tea read for misses: 0.970 / 2 of 7 / 0 →
    # 0.970 / 4 of 7 / 0. That session also raised festival, village, recall, blind21 and jobfair (a weight,
    # an area, a price per unit as answer kinds; another season or the edition beside as other instances)
    "blind22": (0.973, 0.428, 0.027),
    "medinsure": (0.848, 0.285, 0.031),
    "tea": (0.969, 0.571, 0.0),
    # written blind at the start of the fourth session of 2026-12-07 and measured on its start code: blind23
    # and parking kept unread, snow read for misses
    "blind23": (0.947, 1.0, 0.0),
    "parking": (0.878, 0.285, 0.182),
    "snow": (1.0, 0.571, 0.0),
    # written blind at the start of the fifth session of 2026-12-07 and measured on its start code: blind24
    # and outage kept unread, fraud read for misses
    "blind24": (0.973, 0.857, 0.027),
    "outage": (0.818, 0.285, 0.122),
    "fraud": (0.939, 0.428, 0.0),
    # written blind at the start of the sixth session of 2026-12-07 (15 out-of-scope questions each, not 7) and
    # measured on its start code: blind25 and exam kept unread, homestay read for misses
    "blind25": (1.0, 0.666, 0.029),
    "homestay": (0.914, 0.6, 0.058),
    "exam": (0.857, 0.266, 0.029),
    # the spoken-word list (index/data/spoken.txt) gained 18 first passages over every set and cost one
    # question on each of four sets, lowered to it: blind7 网上那个开会的地方…算是个什么角色 now finds its passage
    # (线上 for 网上) but covers too little of it to answer; hospital 专家号可以提前几天在网上预约 is answered from
    # 线上复诊; renovation 老水管会不会换新的 and heating 山里的村子…电费 put the right passage second
    # the spoken characters (index/data/spoken_chars.txt: 卖 for 销售, 修 for 维修) gained 9 right answers and
    # 15 fewer wrong declines over every set and cost one question on each of four sets, lowered to it:
    # blind13 村干部一共多少人在搞防疫 put its passage third (搞 → 开展; found again since 村(社区)干部 is
    # indexed as 村干部 too), blind8 …有没有管外国人的排查 second (管 → 管理), second 办读者证要交多少押金 and
    # elevator …装的电梯是什么品牌的 are answered (交 → 缴纳, 装 → 加装 raise how much of them the article holds)
    # the second round of spoken words (892 groups more in data/spoken.txt: 回老家 返乡, 完工 竣工) gained 5 first
    # passages over every set and cost one question on each of three sets, lowered to it: blind11 …登记了多少外来
    # 务工等外地人口 puts its passage second, village 谢晓宇回老家之前在外面做什么工作 finds first the caption of
    # 返乡青年谢晓宇 (回老家 → 返乡), and one question of blind17 (never read) is declined
    # a count in a measure word (多少名社员) wants a figure in that unit beside the thing: out of scope +4 over
    # every set (harvest, firesafety ×2, jobfair), for one more wrong decline on each of three sets: water's
    # 最多能参加几项…项目 and one question of sorting were answered with the wrong passage, one of parking's right
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


DATA = ROOT / "tests" / "data"
# question sets on the seed article: name → file (see the module docstring and README for how each was written)
SEED_SETS = {"heldout": HELDOUT_SET, "fresh": DATA / "fresh.jsonl", "blind": DATA / "blind.jsonl",
             "blind2": DATA / "blind2.jsonl", "blind3": DATA / "blind3.jsonl", "blind4": DATA / "blind4.jsonl",
             "blind5": DATA / "blind5.jsonl", "blind6": DATA / "blind6.jsonl", "blind7": DATA / "blind7.jsonl",
             "blind8": DATA / "blind8.jsonl", "blind9": DATA / "blind9.jsonl",
             "blind10": DATA / "blind10.jsonl", "blind11": DATA / "blind11.jsonl",
             "blind12": DATA / "blind12.jsonl", "blind13": DATA / "blind13.jsonl", "blind14": DATA / "blind14.jsonl",
             "blind15": DATA / "blind15.jsonl", "blind16": DATA / "blind16.jsonl",
             "blind17": DATA / "blind17.jsonl", "blind18": DATA / "blind18.jsonl",
             "blind19": DATA / "blind19.jsonl", "blind20": DATA / "blind20.jsonl",
             "blind21": DATA / "blind21.jsonl", "blind22": DATA / "blind22.jsonl",
             "blind23": DATA / "blind23.jsonl", "blind24": DATA / "blind24.jsonl",
             "blind25": DATA / "blind25.jsonl"}
# other articles, each in its own folder beside its questions
ARTICLES = {"second": "second", "notice": "notice", "plan": "plan", "festival": "festival", "hospital": "hospital",
            "school": "school", "metro": "metro", "scenic": "scenic", "faq": "faq", "flood": "flood",
            "inspect": "inspect", "recall": "recall", "village": "village", "water": "water", "sports": "sports",
            "museum": "museum", "interview": "interview", "rules": "rules",
            "harvest": "harvest", "renovation": "renovation", "forest": "forest", "eldercare": "eldercare",
            "floodprep": "floodprep", "branchlib": "branchlib", "sorting": "sorting", "busroute": "busroute",
            "vaccine": "vaccine", "market": "market", "roads": "roads",
            "charging": "charging", "firesafety": "firesafety", "heating": "heating", "meals": "meals",
            "jobfair": "jobfair", "elevator": "elevator", "medinsure": "medinsure", "tea": "tea",
            "parking": "parking", "snow": "snow", "outage": "outage", "fraud": "fraud",
            "homestay": "homestay", "exam": "exam"}


@pytest.mark.parametrize("name", SEED_SETS)
def test_question_sets_on_the_seed_article(seeds_library, name):
    _check(name, _figures(seeds_library, SEED_SETS[name]))


@pytest.mark.parametrize("name", ARTICLES)
def test_question_sets_on_other_articles(name):
    folder = ARTICLES[name]
    _check(name, _figures(Library.load(SECOND / folder, cache=False), SECOND / f"{folder}_questions.jsonl"))


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


def test_no_passage_over_the_limit(seeds_library):
    assert max(len(p.text) for p in seeds_library.passages) <= MAX_CHARS


def test_a_question_with_no_gold_answer_is_out_of_scope_whatever_its_label(seeds_library, tmp_path):
    questions = tmp_path / "q.jsonl"
    questions.write_text('{"id": "1", "question": "东湖街道有多少个小区", "answers": ["小区80个"], "kind": "number"}\n'
                         '{"id": "2", "question": "番茄炒蛋怎么做", "answers": [], "kind": "oos"}\n'
                         '{"id": "3", "question": "拱墅区有多少个网格？", "answers": []}\n', encoding="utf-8")
    cases = load_cases(questions)
    assert [case.kind for case in cases] == ["number", "out_of_scope", "out_of_scope"]
    report = evaluate(seeds_library, cases)
    assert (report.total(True).questions, report.total(False).questions) == (1, 2)


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
