"""The answering path end to end: ranking, declining, the answer record, rendering, bad questions."""

from __future__ import annotations

import html
import re
from pathlib import Path

from core_fixtures import seeds_library  # noqa: F401  (fixture)
from bot import render
from index.library import Library, example_questions
from index.records import SMALL_TALK
from index.tokens import article_text


def test_answers_with_the_passage_and_marks_its_best_sentence(seeds_library):
    answer = seeds_library.ask("东湖街道的志愿者服务了多少小时？", k=3)
    assert answer.answered and answer.reason == "ok"
    best = answer.hits[0]
    assert "145056" in best.passage.text
    assert "145056" in best.sentence
    start, end = best.sentence_span
    assert best.passage.text[start:end] == best.sentence
    assert "志愿者" in best.matched
    assert all(best.passage.text[a:b] for a, b in best.spans)
    assert len(answer.hits) <= 3 and len({h.passage.id for h in answer.hits}) == len(answer.hits)


def test_the_marked_sentence_holds_the_kind_of_answer_asked(tmp_path: Path):
    """多少人: of the sentences sharing the question's words, the one with a figure is marked, though the
    other shares more of them."""
    from index.answer import best_sentence

    text = "图书馆重点改造了少儿阅览区和自习区的座位布局。目前自习区可容纳320名读者。"
    library = _one_article(tmp_path, f"图书馆改造\n\n本报讯 图书馆改造完工。\n\n{text}\n")
    holds = library.searcher.holds_what_is_asked(library.searcher.query("自习区改造后能坐多少人？"))
    assert holds is not None and holds("可容纳320名读者") and not holds("改造了自习区的座位布局")
    assert library.searcher.holds_what_is_asked(library.searcher.query("自习区是怎么改造的？")) is None
    terms = {"自习区": 1.0, "改造": 1.0, "座位": 1.0}
    assert best_sentence(text, (), terms)[0].startswith("图书馆重点改造")
    assert best_sentence(text, (), terms, holds)[0] == "目前自习区可容纳320名读者。"
    assert best_sentence(text, (), {"开放": 1.0}, holds)[0].startswith("图书馆重点改造")  # none matches: the first


def test_quantity_question_prefers_the_passage_that_counts_the_thing(seeds_library):
    assert "小区80个" in seeds_library.ask("东湖街道有多少个小区").hits[0].passage.text


def test_traditional_script_and_chinese_numerals(seeds_library):
    assert "1263436" in seeds_library.ask("進出檢查過的車輛和人次總共多少？").hits[0].passage.text
    answer = seeds_library.ask("有一百五十二人开展卡口执勤的是哪个单位？")
    assert "调152人" in answer.hits[0].passage.text


def test_an_article_writing_numbers_in_chinese_meets_questions_in_digits(tmp_path: Path):
    (tmp_path / "a.txt").write_text("督导员\n\n目前全街道共招募督导员九十六名，志愿者近六百名。\n\n"
                                    "志愿者每周至少服务两小时。\n", encoding="utf-8")
    library = Library.load(tmp_path, cache=False)
    answer = library.ask("志愿者有600名吗？")
    assert answer.answered and "六百名" in answer.hits[0].passage.text  # shown as the article writes it
    assert library.ask("招募了96名督导员吗？").answered


def test_homophone_typo_and_synonym(seeds_library):
    assert "2138" in seeds_library.ask("东湖街道的自原者有多少人？").hits[0].passage.text
    assert "发热病人2853人" in seeds_library.ask("发烧的病人一共反馈了多少？").hits[0].passage.text


def test_declines_questions_the_article_does_not_answer(seeds_library):
    for question in ("今天上海的天气怎么样？", "西湖区有几家医院？", "东湖街道的疫苗接种点在哪里？"):
        assert _not_in_article(seeds_library, question), question


def test_empty_punctuation_and_emoji_questions(seeds_library):
    assert seeds_library.ask("   ").reason == "empty"
    assert seeds_library.ask("？？！…").reason == "no_words"
    assert seeds_library.ask("😀🎉👍").reason == "no_words"
    assert seeds_library.ask("？？").hits == ()


def test_question_words_alone_and_small_talk_are_told_apart_from_no_words(seeds_library):
    """为什么 has words but asks nothing of the article; 你好 and 谢谢 are small talk, answered in kind by
    the channels. A greeting before a question leaves the question."""
    assert seeds_library.ask("为什么？").reason == "vague"
    assert seeds_library.ask("是什么").reason == "vague"
    assert seeds_library.ask("你好！").reason == "greeting"
    assert seeds_library.ask("你能做什么？").reason == "greeting"
    assert seeds_library.ask("谢谢啦").reason == "thanks"
    assert seeds_library.ask("好的谢谢").reason == "thanks"  # several pieces: the one that asks most of a reply
    assert seeds_library.ask("再见！").reason == seeds_library.ask("谢谢，拜拜").reason == "farewell"
    assert seeds_library.ask("嗯嗯").reason == seeds_library.ask("知道了").reason == "acknowledged"
    assert {seeds_library.ask(talk).reason for talk in ("你好", "谢谢", "再见", "好的")} == SMALL_TALK
    assert seeds_library.ask("哈哈").reason != "acknowledged" and seeds_library.ask("好在哪里？").reason not in SMALL_TALK
    assert seeds_library.ask("你好").hits == ()
    greeted = seeds_library.ask("你好，东湖街道有多少个小区？")
    assert greeted.answered and "小区80个" in greeted.hits[0].passage.text


def test_questions_about_the_article_itself_are_answered_from_its_front_matter_and_lead(seeds_library,
                                                                                       tmp_path: Path):
    """作者是谁 and 标题是什么 ask about the article, not anything in it: the front matter answers, its byline
    marked; 这篇文章讲了什么 is answered by the lead (not the one-sentence opener before it). An article
    without a byline does not say who wrote it."""
    for question in ("作者是谁？", "这篇文章是谁写的", "记者是谁"):
        answer = seeds_library.ask(question)
        assert answer.answered and answer.hits[0].passage.kind == "front", question
        assert answer.hits[0].sentence == "通讯员 曹琪琪", question
    title = seeds_library.ask("文章的标题是什么？")
    assert title.answered and "疫情防控做好“加减法”" in title.hits[0].passage.text
    about = seeds_library.ask("这篇文章讲了什么？")
    assert about.answered and about.hits[0].passage.kind == "body"
    assert about.hits[0].passage.text.startswith("打赢疫情防控阻击战")
    assert seeds_library.ask("这篇东湖街道防疫报道的通讯员是谁？").hits[0].sentence == "通讯员 曹琪琪"
    unsigned = _one_article(tmp_path, "社区通知\n\n本周六上午社区将开展义诊活动，地点在社区服务中心。\n")
    anonymous = unsigned.ask("作者是谁？")
    assert not anonymous.answered and anonymous.hits[0].passage.kind == "front"
    assert unsigned.ask("标题是什么").answered
    (tmp_path / "md").mkdir()
    (tmp_path / "md" / "a.md").write_text("---\ntitle: 公园夏季开放安排\n---\n\n# 公园夏季开放安排\n\n记者 李华\n\n"
                                          "## 开放时间\n\n每天9:00至18:00开放。\n",
                                          encoding="utf-8")
    signed = Library.load(tmp_path / "md", cache=False).ask("作者是谁？")  # the byline a front passage of its own
    assert signed.answered and signed.hits[0].sentence == "记者 李华"


def test_who_wrote_a_traditional_article_is_answered_by_its_byline_as_written(tmp_path: Path):
    """本報記者 周曉嵐 is a byline as 本报记者 周晓岚 is: 作者是谁 is answered by it, in the article's script."""
    library = _one_article(tmp_path, "社區圖書館延長開放時間\n\n本報記者 周曉嵐 通訊員 潘志明\n\n"
                                     "社區圖書館從下月起每週五晚上開放到九點，讀者可以在自助機上借還圖書。\n")
    answer = library.ask("作者是谁？")
    assert answer.answered and answer.hits[0].sentence == "本報記者 周曉嵐 通訊員 潘志明"


def test_a_10000_character_question_is_answered_from_its_start(seeds_library):
    answer = seeds_library.ask("东湖街道有多少志愿者？" + "啊" * 10_000)
    assert answer.truncated and answer.answered
    assert "2138" in answer.hits[0].passage.text


def test_html_rendering_escapes_article_text(tmp_path: Path):
    (tmp_path / "a.txt").write_text(
        "符号测试\n\n公式里 a < b 并且 c > d，公司名叫 AT&T 与 <b>粗体</b> 标签。\n\n另一段讲别的事情。", encoding="utf-8")
    library = Library.load(tmp_path)
    hit = library.ask("公式 AT&T 公司名", k=1).hits[0]
    rendered = render.passage_html(hit)
    assert "&lt;" in rendered and "&gt;" in rendered and "&amp;" in rendered
    assert "<b>粗体</b>" not in rendered
    text_only = html.unescape(re.sub(r"</?[bu]>", "", rendered))
    assert text_only == hit.passage.text


def test_example_questions_are_answerable(seeds_library):
    examples = example_questions(seeds_library, 3)
    assert len(examples) == 3 and len(set(examples)) == 3
    assert all(seeds_library.ask(q).answered for q in examples)


def test_neighbours_give_context(seeds_library):
    middle = seeds_library.passages[5]
    around = seeds_library.neighbours(middle.id)
    assert [p.id for p in around] == [p.id for p in seeds_library.passages[4:7]]


def test_several_articles_each_answer_names_its_article(tmp_path: Path):
    import shutil
    shutil.copy(Path(__file__).parent.parent / "seeds" / "000_1b196d080c1f959b.txt", tmp_path / "epidemic.txt")
    shutil.copy(Path(__file__).parent / "data" / "articles" / "second" / "library.txt", tmp_path / "library.txt")
    library = Library.load(tmp_path)
    assert len(library.documents) == 2 and len(library.titles) == 2
    library_hit = library.ask("图书馆改造后阅览座位有多少个？").hits[0]
    epidemic_hit = library.ask("东湖街道有多少个小区").hits[0]
    assert library_hit.passage.document == "library" and "1480" in library_hit.passage.text
    assert epidemic_hit.passage.document == "epidemic" and "小区80个" in epidemic_hit.passage.text
    assert library_hit.passage.title in render.source_line(library_hit)
    assert len({p.id for p in library.passages}) == len(library.passages)


def test_in_a_folder_of_articles_the_answer_must_come_from_the_article_that_has_the_question(tmp_path: Path):
    """What one article names (a district) and another tells (bin hours) is not an answer in either."""
    (tmp_path / "yuhang.txt").write_text("余杭区防疫\n\n余杭区东湖街道设立卡口，累计检查车辆5000辆。\n", encoding="utf-8")
    (tmp_path / "bins.txt").write_text("临平区垃圾分类\n\n临平区各小区的垃圾投放时间为早上七点到九点。\n"
                                       "\n错过投放时间的居民可以使用应急投放箱。\n", encoding="utf-8")
    library = Library.load(tmp_path, cache=False)
    assert library.ask("临平区的垃圾投放时间是几点？").answered
    assert library.ask("余杭区东湖街道累计检查了多少辆车？").answered
    assert not library.ask("余杭区的垃圾投放时间是几点？").answered
    (tmp_path / "yuhang.txt").unlink()  # alone, the bin notice declines it as another district's question
    assert not Library.load(tmp_path, cache=False).ask("余杭区的垃圾投放时间是几点？").answered


def _not_in_article(library: Library, question: str) -> bool:
    """Declined because the article does not say, not for want of words in the question."""
    answer = library.ask(question)
    return not answer.answered and answer.reason == "not_in_article"


def _one_article(tmp_path: Path, text: str) -> Library:
    (tmp_path / "a.txt").write_text(text, encoding="utf-8")
    return Library.load(tmp_path, cache=False)


def test_a_heading_heads_the_list_under_it(tmp_path: Path):
    """门票多少钱: the section 门票 lists 成人票：每人60元. The heading names what the items count and price,
    so the figure is given, and the item holding the sum is the sentence marked, not the heading."""
    (tmp_path / "a.md").write_text("# 公园夏季开放安排\n\n## 开放时间\n\n每天9:00至18:00开放，周一闭园。\n\n"
                                   "## 门票\n\n- 成人票：每人60元\n- 学生票：每人30元\n\n## 交通\n\n"
                                   "乘坐地铁2号线到公园站。\n", encoding="utf-8")
    library = Library.load(tmp_path, cache=False)
    answer = library.ask("门票多少钱？")
    assert answer.answered and answer.hits[0].sentence == "• 成人票：每人60元"


def test_a_count_in_a_measure_word_wants_a_figure_in_it_beside_the_thing(tmp_path: Path):
    """多少名社员 counts in 名: a sentence naming 社员 beside 800余亩 measures land, not members."""
    library = _one_article(tmp_path, "合作社\n\n丰裕合作社2019年成立，社员们今年种植水稻800余亩。\n\n"
                                     "全镇共有12名农技员下田指导。\n")
    assert not library.ask("丰裕合作社有多少名社员？").answered
    (tmp_path / "told").mkdir()
    told = _one_article(tmp_path / "told", "合作社\n\n丰裕合作社2019年成立，现有社员86名，今年种植水稻800余亩。\n\n"
                                             "全镇共有12名农技员下田指导。\n")
    assert told.ask("丰裕合作社有多少名社员？").answered


def test_a_rare_way_of_telling_is_no_other_subject_but_a_rare_thing_is():
    """睡不着 is rare in general Chinese, but it tells how the reader feels; 高铁 names a thing the article lacks."""
    library = Library.load(Path(__file__).parent / "data" / "articles" / "renovation", cache=False)
    answer = library.ask("施工天天吵得睡不着 找谁投诉啊 有电话没")
    assert answer.answered and "66283190" in answer.hits[0].passage.text
    from index.decline import _may_name_a_thing

    assert not any(map(_may_name_a_thing, ("睡不着", "瞎琢磨", "缺吃少喝", "天天")))
    assert all(map(_may_name_a_thing, ("高铁", "菜市场", "常设", "胡正荣")))  # 常设 is a verbal noun; a name jieba lacks


def test_a_level_of_government_in_speech_is_the_written_level(tmp_path: Path):
    """区里, 省里 in a question; 区级, 省级 in the article (and never 公里 by its last character)."""
    library = _one_article(tmp_path, "下沉一线\n\n区级机关、平台及街道机关人员共计350余人下沉一线。\n\n"
                                     "争取中央和省级补助资金1.42亿元。\n\n全程约12公里。\n")
    assert library.searcher.query("区里派了多少人？").stand_ins["区里"] == {"区级": 0.8}
    answer = library.ask("区里和街道一共派了多少人下沉？")
    assert answer.answered and "350余人" in answer.hits[0].passage.text
    assert "省级" in library.searcher.query("省里拨了多少钱？").stand_ins["省里"]


def test_a_and_b_finds_the_word_that_shortens_them(tmp_path: Path):
    """大夫和护士 is 医护人员 in the article: a morpheme of each, 医 lent by 大夫's synonym 医生 (which the
    thesaurus kept because the article uses it)."""
    library = _one_article(tmp_path, "联防联控\n\n各卫生服务中心抽调近231名医护人员跟踪落实健康管理。\n\n"
                                     "社区干部连同社区医生每天上门测量体温。\n")
    stand_ins = library.searcher.query("派出了多少大夫和护士？").stand_ins
    assert "医护人员" in stand_ins["大夫"] and "医护人员" in stand_ins["护士"]
    answer = library.ask("卫生院派出了多少大夫和护士？")
    assert answer.answered and "231名医护人员" in answer.hits[0].passage.text
    assert "医护人员" not in library.searcher.query("大夫的护士有多少？").stand_ins.get("护士", {})  # no 'and'
    # the shortened word itself may be the article's word (村里和社区 → 村社)
    assert library.searcher.expander.abbreviations("村里", {}, "社区", {}) == []
    (tmp_path / "village").mkdir()
    village = _one_article(tmp_path / "village", "村社干部耐心解答。\n")
    assert village.searcher.expander.abbreviations("村里", {}, "社区", {}) == ["村社"]
    # side by side, as readers write them: the words' own first characters (医生护士 → 医护)
    assert "医护人员" in library.searcher.query("派了多少医生护士？").stand_ins["护士"]
    from index.expand import _coordinated
    assert _coordinated(["物业", "公司"], "物业公司来了吗") == [("物业", "公司", False)]
    assert library.searcher.expander.abbreviations("物业", {}, "公司", {"企业": 0.8}, heads_only=True) == []


def test_who_holds_a_post_the_article_never_names_is_declined(tmp_path: Path):
    """The article names the police station and its 组长, not its 所长, nor a 副组长: it does not say who they are."""
    library = _one_article(tmp_path, "联防联控\n\n东湖派出所民警每天巡查卡口，派出所抽调152人参与排查。\n\n"
                                     "街道成立以办事处主任王明为组长的防疫领导小组。\n")
    for question in ("东湖派出所的所长叫什么名字？", "防疫领导小组的副组长是谁？"):
        assert _not_in_article(library, question), question
    assert library.ask("防疫领导小组的组长是谁？").answered  # the post named: the article says who
    assert library.ask("东湖派出所抽调了多少人？").answered  # not a who-question: the post rule stays out


def test_a_related_post_or_deed_does_not_stand_in_for_the_one_asked(tmp_path: Path):
    """词林 files 队长 beside 组长 and 生产 near 施工队: related, not the same. The article names a 副组长 and
    who installs the boilers, so it says neither who leads the repair team nor who made the boilers."""
    library = _one_article(tmp_path, "维修保障\n\n专班副组长刘文涛表示，维修队由86人组成，成员来自施工队和"
                                     "华港燃气有限公司。\n\n锅炉由施工队安装，燃气由华港燃气有限公司供应。\n")
    for question in ("维修队的队长是谁？", "锅炉是哪家公司生产的？"):
        assert _not_in_article(library, question), question
    assert library.ask("专班的副组长是谁？").answered
    assert library.ask("燃气是哪家公司供应的？").answered


def test_how_many_of_a_kind_the_article_never_names(tmp_path: Path):
    """常住人口: the article counts 流动人口 and never says 常住, so it gives no figure of that kind."""
    library = _one_article(tmp_path, "地毯排查\n\n街道累计排查流动人口197859人、出租房14315户。\n\n"
                                     "村社干部逐户上门核实信息。\n")
    assert _not_in_article(library, "街道的常住人口有多少？")
    assert library.ask("街道的流动人口有多少？").answered


def test_a_name_asked_of_a_post_the_passage_names_without_anyone(tmp_path: Path):
    """The passage names the 党工委书记 but no one beside it; 劳模书记 has 俞春富 right after it."""
    from index import asks

    library = _one_article(tmp_path, "复工复产\n\n街道党工委书记带领干部走访企业，帮助企业复工复产。\n\n"
                                     "村社干部冲锋在前，有“劳模”书记俞春富等。\n")
    assert _not_in_article(library, "街道党工委书记叫什么名字？")
    answer = library.ask("那个劳模书记叫什么名字？")
    assert answer.answered and "俞春富" in answer.hits[0].passage.text
    assert asks.names_holder("市图书馆馆长沈立群介绍", "馆长") and asks.names_holder("，沈立群馆长说", "馆长")
    assert not asks.names_holder("市体育局副局长宋建华介绍", "局长")  # a deputy is not the holder of the post
    assert not asks.names_holder("街道党工委书记带领干部", "书记")
    assert asks.names_holder("成立了由镇党委书记方国栋任组长的领导小组", "组长")  # the name, 任, the post
    # the passage names its people away from the word asked about: the name may well be the one asked for
    library = _one_article(tmp_path, "主体密度\n\n269名村(社区)干部作为主力军，坚持逐户核实信息。他们中有逆行200公里的"
                                     "“初心守护者”范小强，还有冲锋在前的“劳模”书记俞春富等。\n\n街道强化网格化管理。\n")
    answer = library.ask("那个从200公里外赶回来上岗的干部叫啥名字来着？")
    assert answer.answered and "范小强" in answer.hits[0].passage.text
    assert asks.gives_a_name("“初心守护者”范小强") and not asks.gives_a_name("“劳模”书记带领干部")
    # the name the passage gives is the one the question gives: it asks for another's
    library = _one_article(tmp_path, "送苗上门\n\n“现在医生开车送上门，我们心里踏实。”张秀英说，老伴前年得了肺炎，"
                                     "今年她让村医给两个人都报了名。\n\n移动接种队每周进村两次。\n")
    assert not library.ask("张秀英的老伴叫什么名字？").answered
    assert library.ask("张秀英给谁报了名？").answered


def test_a_place_name_cut_from_its_kind_is_still_another_place(tmp_path: Path):
    """jieba cuts 南苑街道 into 南苑 | 街道: the article never names 南苑, so the question is about elsewhere."""
    library = _one_article(tmp_path, "街道卡口\n\n余杭区东湖街道的卡口累计检查车辆5000辆。\n\n街道还设立了流动检查点。\n")
    assert library.ask("余杭区东湖街道的卡口累计检查了多少辆车？").answered
    assert not library.ask("余杭区南苑街道的卡口累计检查了多少辆车？").answered
    assert library.ask("整个街道的卡口累计检查了多少辆车？").answered  # 整个 is no name
    assert library.ask("我住村里，街道的卡口累计检查了多少辆车？").answered  # 我住|村里: no name either
    # 9月底青禾县 cut as 9月 | 底青禾 | 县: the article's own county, with a time word's tail before it
    library = _one_article(tmp_path, "汽车保有量\n\n截至今年9月底，青禾县新能源汽车保有量达到2.37万辆。\n\n县里还建了充电站。\n")
    assert library.ask("截至9月底青禾县新能源汽车保有量是多少？").answered
    assert not library.ask("截至9月底临川县新能源汽车保有量是多少？").answered


def test_how_many_words_find_the_figure_but_are_not_asked_of_the_article(tmp_path: Path):
    """几点 finds 九点 (same measure word) to rank by, yet the article need not contain 几点 itself."""
    library = _one_article(tmp_path, "图书馆开放时间\n\n图书馆每天上午九点开放，晚上八点闭馆，周一休息。\n")
    answer = library.ask("图书馆几点开放？")
    assert answer.answered and "九点开放" in answer.hits[0].passage.text
    query = library.searcher.query("图书馆几点开放？")
    assert "几点" in query.words and "几点" not in query.terms


def test_a_figure_a_few_words_after_the_counted_thing_still_counts_it(tmp_path: Path):
    """座位由原来的620个增加到1480个: the figure is four characters after 座位, in the same clause."""
    library = _one_article(tmp_path, "图书馆\n\n新馆的座位很舒服，读者都喜欢。\n\n"
                                     "改造后，座位由原来的620个增加到1480个。\n")
    assert "1480" in library.ask("座位有多少个？").hits[0].passage.text


def test_a_verb_with_its_complement_is_asked_as_the_verb(tmp_path: Path):
    """租给 (rent + to) is 租 as far as the article goes: it says 出租."""
    library = _one_article(tmp_path, "出租房屋\n\n街道排查登记出租房屋24817户。\n\n另有空置房屋若干。\n")
    assert library.searcher.query("租给别人的房子登记了多少户？").terms[:1] == ["租"]
    answer = library.ask("租给别人的房子登记了多少户？")
    assert answer.answered and "24817" in answer.hits[0].passage.text


def test_the_spoken_er_suffix_is_asked_as_the_plain_word(tmp_path: Path):
    """片儿 is the spoken 片 (片区 in the article); 女儿 is a daughter, not 女."""
    library = _one_article(tmp_path, "派出所\n\n派出所辖区分为4个片区，面积约9.6平方公里，常住人口6.1万人。\n\n"
                                     "所长周建国的女儿在外地上学。\n")
    assert "片" in library.searcher.query("派出所管的片儿有多大？").terms
    answer = library.ask("派出所管的片儿有多大？")
    assert answer.answered and "9.6平方公里" in answer.hits[0].passage.text
    assert "女儿" in library.searcher.query("周建国的女儿在哪上学？").terms


def test_a_verb_with_its_direction_is_asked_as_the_verb(tmp_path: Path):
    """jieba keeps 卖出去 whole; the article says 卖 (卖到上海), so the question asks 卖."""
    library = _one_article(tmp_path, "杨梅节\n\n今年果农的杨梅大多卖到了上海和杭州，每斤售价30元。\n\n"
                                     "节会设置采摘体验活动。\n")
    terms = library.searcher.query("杨梅都卖出去了哪些地方？").terms
    assert "卖" in terms and "卖出去" not in terms
    assert "上海" in library.ask("杨梅都卖出去了哪些地方？").hits[0].passage.text


def test_a_name_the_article_writes_whole_is_asked_whole(tmp_path: Path):
    """jieba cuts 桐溪县会下雪吗 as 桐溪 | 县会 | 下雪; the article writes 桐溪县, so the question asks 桐溪县 and 会."""
    library = _one_article(tmp_path, "寒潮来袭\n\n受寒潮影响，桐溪县今明两天将迎来降温，最低气温零下3摄氏度。\n\n"
                                     "县气象台提醒市民注意防寒保暖。\n")
    terms = library.searcher.query("桐溪县会下雪吗？").terms
    assert "桐溪县" in terms and "县会" not in terms
    assert "县会" in library.searcher.query("县会什么时候召开？").terms  # no article word to join it to: left as cut


def test_which_bus_line_is_answered_by_a_line_named_by_its_number(tmp_path: Path):
    """坐哪路车 wants 12路 or K7路; 走路 is not what 哪路 asks, nor is a passage that names no line."""
    library = _one_article(tmp_path, "分馆开放\n\n“以前坐40多分钟公交到总馆，现在走路10分钟就到了。”市民陈德明说。\n\n"
                                     "交通方面，市民坐公交12路、35路可到分馆。\n")
    assert "哪路" not in library.searcher.query("坐哪路公交车可以到分馆？").terms
    answer = library.ask("坐哪路公交车可以到分馆？")
    assert answer.answered and "12路" in answer.hits[0].passage.text
    (tmp_path / "none").mkdir()
    unnamed = _one_article(tmp_path / "none", "分馆开放\n\n分馆附近有7条公交线路，市民出行方便。\n")
    assert not unnamed.ask("分馆附近的公交线路分别是几路车？").answered


def test_which_ones_is_no_quantity_question(seeds_library):
    """哪几种 asks which, not how many: no figure is wanted of the answer."""
    assert not seeds_library.searcher.query("疫情防控被比作哪几种战？").wants_number
    assert seeds_library.searcher.query("有几个网格？").wants_number


def test_words_the_dictionary_lists_but_never_counted_are_judged_by_their_parts():
    from index.decline import RARE
    from index.specificity import specificity
    assert specificity("看不见") < RARE  # listed at jieba's floor count, made of common parts
    assert specificity("菜市场") >= RARE  # counted, and rare
    assert specificity("拱墅区") >= RARE  # no known parts: a rare name


def test_colloquial_filler_is_not_asked_of_the_article(seeds_library):
    query = seeds_library.searcher.query("我听说街道干部跑到企业那边当跑腿的了，是真的吧？咋办")
    assert not {"听说", "真的", "咋办"} & set(query.terms)


def test_jieba_tags_tell_place_names():
    from index.lexicon import tag_of
    assert tag_of("南苑") == "ns" and tag_of("整个") == "b" and tag_of("拱墅") is None


def test_a_choice_between_two_things_the_article_never_names_is_declined(tmp_path: Path):
    library = _one_article(tmp_path, "健康讲座\n\n街道每周三在社区服务中心举办健康讲座，由卫生院医生主讲。\n")
    assert not library.ask("健康讲座用的是钉钉还是腾讯会议？").answered
    searcher = library.searcher
    assert searcher._offers_only_absent_choices(searcher.query("健康讲座用的是钉钉还是腾讯会议？"))
    assert library.ask("健康讲座是在社区服务中心还是在体育馆举办？").answered  # the article has one of the two
    assert library.ask("健康讲座是卫生院医生还是大学教授主讲？").answered


def test_what_time_wants_a_clock_time_not_just_a_morning(tmp_path: Path):
    library = _one_article(tmp_path, "重新开放\n\n9月28日上午，图书馆正式重新向读者开放，市民排起长队。\n")
    assert not library.ask("图书馆每天几点开门？").answered


def test_which_day_wants_a_date_not_just_a_period(tmp_path: Path):
    """几号 is answered by 1月23日; 开展以来 (since the work began) says when, but not which day."""
    library = _one_article(tmp_path, "线上会商\n\n防疫工作开展以来，线上会议室累计召开视频会议20余次。\n\n"
                                     "1月23日，街道成立防疫领导小组。\n")
    assert not library.ask("线上会议室第一次会议是几号开的？").answered
    assert library.ask("防疫领导小组是几号成立的？").answered


def test_how_long_wants_a_length_of_time(tmp_path: Path):
    """多少天 / 多久 is answered by 14天 or 14个月, not by a passage that names the thing and a date."""
    library = _one_article(tmp_path, "隔离管理\n\n1月25日起，街道对返乡人员实行居家隔离，社区干部每天上门测体温，累计管控1200人。\n\n"
                                     "图书馆闭馆改造为期14个月，9月28日重新开放。\n")  # 1月25日 is a day, not a length
    assert not library.ask("居家隔离要满多少天？").answered
    assert library.ask("图书馆闭馆改造了多久？").answered


def test_a_how_many_question_is_answered_where_its_thing_is_counted(seeds_library):
    """东湖有几个小区: 小区监测 in a sentence about 350 cadres of 东湖 is no count of 小区; 小区80个 is."""
    assert "小区80个" in seeds_library.ask("东湖有几个小区？").hits[0].passage.text
    assert "小区80个" in seeds_library.ask("东湖街道有多少个小区").hits[0].passage.text


def test_the_passage_that_answers_in_one_sentence_beats_one_that_scatters_the_words(tmp_path: Path):
    """阅览室 and 志愿者 twice each in short sentences of their own score higher as a whole passage; the
    passage holding both in one sentence answers. Whether to answer is still judged on the whole passages."""
    library = _one_article(tmp_path, "社区服务\n\n阅览室宽敞明亮。周末的阅览室很热闹。志愿者忙前忙后。暑假里志愿者更多。\n\n"
                                     "街道今年修缮了活动中心的屋顶，更换了门窗和桌椅，添置了空调和饮水机，院子里种上了花草。"
                                     "新招募的志愿者在阅览室帮读者找书。\n")
    searcher = library.searcher
    query = searcher.query("阅览室的志愿者做什么？")
    scores, _ = searcher._scores(query, 3)
    scattered, together = (next(i for i, p in enumerate(library.passages) if marker in p.text)
                           for marker in ("宽敞明亮", "帮读者找书"))
    assert scores[scattered] > scores[together]  # BM25 alone prefers the repeated words
    answer = library.ask("阅览室的志愿者做什么？")
    assert answer.answered and "帮读者找书" in answer.hits[0].passage.text
    assert "宽敞明亮" in answer.hits[1].passage.text  # still offered, second
    # how many: only a sentence with a figure can say, however many of the words it holds; and the thing
    # counted counts in full only where a figure stands by it
    counting = searcher.query("阅览室有多少志愿者？")
    scores, candidates = searcher._scores(counting, 3)
    assert searcher._sentence_bonus(counting, scores, candidates)[together] == 0.0


def test_a_one_character_word_inside_an_article_word_counts_for_part(tmp_path: Path):
    """控 (一共控了多少人) is the reader's short form of the article's 管控: some credit, less than a stand-in's.
    管 gets the spoken-character list's stand-in 管控 (data/spoken_chars.txt), which counts for more."""
    from index.expand import RELATED_WEIGHT
    from index.search import SINGLE_INSIDE
    library = _one_article(tmp_path, "医学观察\n\n街道累计管控各类人员4207人，其中境外人员102人。\n\n社区还开展了文明宣传。\n")
    query = library.searcher.query("一共控了多少人？")
    assert "控" in query.terms and query.found["控"] == SINGLE_INSIDE
    assert library.searcher.query("被管起来的有多少人？").found["管"] == RELATED_WEIGHT > SINGLE_INSIDE
    assert library.searcher.query("被罚的有多少人？").found["罚"] == 0.0  # nowhere in the article


def test_example_questions_ask_about_things_not_numerals_or_manners(tmp_path: Path):
    library = _one_article(tmp_path, "活动\n\n一场正式比赛在体育馆举行，吸引了很多观众。\n")
    questions = example_questions(library, 1)
    assert questions and not any(word in questions[0] for word in ("一场", "正式", "举行", "吸引"))


LECTURE = "健康讲座\n\n街道每周三在社区服务中心举办健康讲座，由卫生院医生主讲，居民可以免费参加。\n\n社区还组织志愿者上门看望独居老人。\n"


def test_an_answer_found_only_in_part_says_so(tmp_path: Path):
    """Under half of the question's weight in the article, only common words missing: answered, marked partial."""
    from index.decline import MIN_COVERAGE
    library = _one_article(tmp_path, LECTURE)
    assert library.ask("讲座免费吗？").reason == "ok"
    question = "讲座是哪个医生讲的，讲得好不好？"
    answer = library.ask(question)
    assert answer.answered and answer.reason == "partial" and "卫生院医生主讲" in answer.hits[0].passage.text
    searcher = library.searcher
    query = searcher.query(question)
    assert searcher.decide(query, searcher.rank(query)).coverage < MIN_COVERAGE


def test_the_body_answers_before_the_front_matter_unless_the_question_is_about_the_article(tmp_path: Path):
    """A title restates the subject in few words and so matches any question put in them; the
    body holds the detail. Who wrote it, or under what title, is the front matter's to answer."""
    library = _one_article(tmp_path, "南苑街道垃圾分类新规明年1月起施行\n\n通讯员 王小明\n\n"
                                     "南苑街道近日发布垃圾分类新规，自2027年1月1日起施行，居民须按四类投放。\n\n"
                                     "街道将在各小区设置投放点，每天早晚各开放两小时。\n")
    assert library.ask("新规从什么时候开始实行？").hits[0].passage.kind == "body"
    by_whom = library.ask("这篇文章是哪位通讯员写的？")
    assert by_whom.answered and "王小明" in by_whom.hits[0].passage.text


def test_a_date_the_article_never_gives_is_as_telling_as_a_place(tmp_path: Path):
    """东湖街道5月1日以后恢复堂食了吗: the article knows the district and 恢复, but not that day."""
    library = _one_article(tmp_path, "复工复产\n\n4月8日起，街道餐饮企业陆续恢复营业，商场客流逐步回升。\n\n"
                                     "街道派出干部上门指导企业做好防疫。\n")
    assert library.ask("四月八号以后餐饮企业恢复营业了吗？").answered
    assert not library.ask("5月1日以后餐饮恢复堂食了吗？").answered


def test_a_how_many_question_is_declined_where_the_thing_is_named_but_never_counted(tmp_path: Path):
    """The article talks about the leading group but never says how many are in it."""
    library = _one_article(tmp_path, "防疫部署\n\n1月23日，街道成立防疫领导小组，研究制定防疫方案。组员分工负责各村社的排查工作。\n\n"
                                     "全街道共有志愿者2138人，服务超过14万小时。\n")
    assert library.ask("志愿者一共有多少人？").answered
    assert not library.ask("防疫领导小组一共有多少组员？").answered


def test_what_a_question_asks_for_is_read_from_its_words():
    """index/asks.py: text rules only, the same for any article."""
    from index import asks

    assert asks.quantity_word("东湖街道有多少个小区") and not asks.quantity_word("疫情防控被比作哪几种战")
    assert asks.quantity_word("一共搞过几轮？") and asks.quantity_word("来了十几个人吗？")
    assert asks.quantity_word("新水管多粗？") and asks.quantity_word("河道有多宽？")
    assert not any(map(asks.quantity_word, ("我打工好几年了，能参保吗？", "前几天的会开了吗？", "几乎都到了吗？")))
    assert asks.is_how_many_word("多少辆") and not asks.is_how_many_word("车辆")
    assert asks.is_date("2025年") and asks.is_date("5月1日") and not asks.is_date("80个")
    assert asks.lacks_answer_type("几号开的会？", "防疫工作开展以来，会议开了20余次。", wants_number=False)
    assert not asks.lacks_answer_type("几号开的会？", "1月23日开了会。", wants_number=False)
    # 从哪天 and 在哪一年 ask when, not where from or where
    assert not asks.lacks_answer_type("缴费期从哪天开始？", "集中缴费期为9月1日至12月31日。", wants_number=False)
    assert not asks.lacks_answer_type("新馆是在哪一年建的？", "新馆于2019年建成。", wants_number=False)
    assert asks.lacks_answer_type("专家从哪来？", "专家于9月1日到达。", wants_number=False)
    # a temperature, however the article writes its degrees (℃ is °C once normalized)
    assert not asks.lacks_answer_type("开跑时气温多少度？", article_text("起跑时气温9℃。"), wants_number=True)
    assert not asks.lacks_answer_type("光伏板一年能发多少度电？", "年发电量约35万千瓦时。", wants_number=True)  # 度 of power
    assert not asks.lacks_answer_type("最低气温降到了多少度？", "夜间最低气温降至零下17摄氏度。", wants_number=True)
    assert asks.lacks_answer_type("最低气温降到了多少度？", "全市平均降雪量达14.6毫米。", wants_number=True)
    # 打电话给我 asks for a call, 电话是多少 for a number
    assert not asks.lacks_answer_type("要等多久才会有人打电话给我？", "工作人员将在3个工作日内联系您。", wants_number=True)
    assert not asks.lacks_answer_type("接听电话有什么要求？", "调度员须在10秒内接听。", wants_number=False)
    assert asks.lacks_answer_type("客服电话是多少？", "工作人员将在3个工作日内联系您。", wants_number=True)
    # which village, which community: a place of that kind, named; 村(社区)干部 names none
    cadres = "269名村(社区)干部作为主力军，有冲锋在前的“劳模”书记俞春富等。"
    assert asks.lacks_answer_type("俞春富是哪个村的书记？", cadres, wants_number=False)
    assert not asks.lacks_answer_type("俞春富是哪个村的书记？", "瓶窑镇张堰村书记俞春富", wants_number=False)
    assert not asks.lacks_answer_type("东湖街道属于杭州哪个区？", "杭州余杭区东湖街道", wants_number=False)
    # how many years: a number of years, not a year
    assert asks.lacks_answer_type("胡正荣在基层干了多少年？", "“老基层”胡正荣于2020年1月下沉一线。", wants_number=True)
    assert not asks.lacks_answer_type("胡正荣在基层干了多少年？", "胡正荣扎根基层30余年。", wants_number=True)
    assert not asks.lacks_answer_type("我在这里打工好几年了，能参保吗？", "外地人员可以参保。", wants_number=False)
    # a place is looked for within a clause; the text is normalized, so its commas are ASCII ones
    assert asks.lacks_answer_type("改造办的地址在哪里？", article_text("周海涛在会上介绍，今年全区计划改造。"),
                                  wants_number=False)
    # a sum named by what it is (票价) is asked for unless the question asks another kind of answer (a day)
    assert asks.lacks_answer_type("新线路的票价？", "新线路已开通。", wants_number=False)
    assert not asks.lacks_answer_type("票价调整的听证会是在哪天召开的？", "1月12日举行了听证会。", wants_number=False)
    # where to: 开往, 延伸至 lead to a place as 到 does; an address is a street and number
    assert not asks.lacks_answer_type("16路通往什么地方？", "16路由客运站开往城南新区的县医院。", wants_number=False)
    assert not asks.lacks_answer_type("3路延伸到了哪里？", "3路向东延伸至高铁站。", wants_number=False)
    assert asks.lacks_answer_type("医院的地址在哪里？", "终点区另设1个医疗救护中心。", wants_number=False)
    assert not asks.lacks_answer_type("分馆的地址在哪里？", "分馆位于滨河新区望江路188号。", wants_number=False)
    # 在哪次会上 asks which meeting, not where; 自出生之日起 names a day; a stretch of river is a place
    assert not asks.lacks_answer_type("最早是在哪次会上布置的？", "在总结会议上就布置了防疫工作。", wants_number=False)
    assert not asks.lacks_answer_type("医保从哪天起能用？", "自出生之日起享受医保待遇。", wants_number=False)
    assert not asks.lacks_answer_type("演练是在什么地方举行的？", "镇里在青溪河石门桥段举行了演练。", wants_number=False)
    # a rate wants a percentage, a speed a speed
    assert asks.lacks_answer_type("民办小学摇号的中签率是多少？", "民办小学报名人数超过计划数时摇号。", wants_number=True)
    assert not asks.lacks_answer_type("中签率是多少？", "去年中签率为42.6%。", wants_number=True)
    assert asks.lacks_answer_type("最高能开多快？", "电动自行车应当在非机动车道内行驶。", wants_number=False)
    assert not asks.lacks_answer_type("最高能开多快？", "最高时速不得超过25公里/小时。", wants_number=False)
    # 多快能… asks how soon: a length of time answers it, not a speed
    assert not asks.lacks_answer_type("预警多快能通知到居民？", "预警信息在30分钟内通知到户。", wants_number=False)
    # how heavy wants a weight, how large an area an area; a price per unit a sum told for that unit
    assert asks.lacks_answer_type("那口铜钟有多重？", "铜钟高1.2米，铸于清代。", wants_number=True)
    assert not asks.lacks_answer_type("那口铜钟有多重？", "铜钟高1.2米，重约300公斤。", wants_number=True)
    assert not asks.lacks_answer_type("采取了哪些多重保障措施？", "采取了三项措施。", wants_number=False)  # manifold
    assert asks.lacks_answer_type("新仓库的面积有多大？", "新仓库投资800万元，可存放粮食2000吨。", wants_number=True)
    assert not asks.lacks_answer_type("新仓库的面积有多大？", "新仓库占地1.5万平方米。", wants_number=True)
    # what brand wants a maker named, by its brand or its company
    assert asks.lacks_answer_type("电梯是什么品牌的？", "12幢2单元的电梯于6月投入使用。", wants_number=False)
    assert not asks.lacks_answer_type("电梯是什么品牌的？", "电梯由青山电梯有限公司生产。", wants_number=False)
    assert not asks.lacks_answer_type("开的是什么牌子的收割机？", "他开着一台“丰田”牌收割机。", wants_number=False)
    grapes = "合作社葡萄今年产量达到80万斤，销售收入超过600万元。"
    assert asks.lacks_answer_type("合作社的葡萄一斤卖多少钱？", grapes, wants_number=True)
    assert not asks.lacks_answer_type("合作社的葡萄一斤卖多少钱？", "葡萄每斤售价12元。", wants_number=True)
    assert not asks.lacks_answer_type("农家乐住一晚多少钱？", "标准间180元一晚，含早餐。", wants_number=True)
    assert not asks.lacks_answer_type("合作社的葡萄卖了多少钱？", grapes, wants_number=True)
    # which newspaper, which hospital, which road: a body or place of that kind, named
    byline = "通讯员 曹琪琪"
    assert asks.lacks_answer_type("曹琪琪是哪家报社的通讯员？", byline, wants_number=False)
    assert not asks.lacks_answer_type("曹琪琪是哪家报社的通讯员？", "余杭日报社通讯员 曹琪琪", wants_number=False)
    assert not asks.lacks_answer_type("实验小学在哪条路上？", "实验小学位于桂香路88号", wants_number=False)
    # a name of the kind may end as its kind's names do: 哪所学校 is answered by a 学院, 哪些国家 by 美国、日本
    assert not asks.lacks_answer_type("她是从哪所学校毕业的？", "她毕业于江屿卫生职业学院护理专业", wants_number=False)
    assert not asks.lacks_answer_type("来自哪些国家？", article_text("来自美国、日本等"), wants_number=False)
    assert asks.lacks_answer_type("来自哪些国家？", article_text("身着“中国红”化身宣讲员"), wants_number=False)
    works = "图书馆改造工程于去年完工。"
    assert asks.lacks_answer_type("图书馆改造是哪家建筑公司承建的？", works, wants_number=False)
    assert not asks.lacks_answer_type("是哪家建筑公司承建的？", "由青溪建工集团有限公司承建。", wants_number=False)
    # 企业 ends a kind of company (运营企业, 民营企业) more often than a company's name
    assert asks.lacks_answer_type("平台是哪家公司开发的？", "平台整合了全县8家运营企业的信息。", wants_number=False)
    # a fee asked for as a sum or by its rate wants a sum of money; whether it is free does not
    lot = "铁路二村把锅炉房改建成停车场，新增停车位80个。"
    assert asks.lacks_answer_type("新停车场每个月的停车费是多少？", lot, wants_number=True)
    assert asks.lacks_answer_type("改造完成后物业费按什么标准收取？", lot, wants_number=False)
    assert not asks.lacks_answer_type("停车费是多少？", "停车费每月150元。", wants_number=True)
    assert not asks.lacks_answer_type("停车场免费吗？", lot, wants_number=False)
    # 3000多块, 两万余元: a round figure and more is a sum; a sum's name beside 什么账户 asks for an account
    assert not asks.lacks_answer_type("买煤要花多少钱？", "光买煤就得3000多块钱。", wants_number=True)
    assert not asks.lacks_answer_type("补贴多少钱？", "每户补贴两万余元。", wants_number=True)
    account = "审核通过后，款项直接打入户主的社保卡账户。"
    assert not asks.lacks_answer_type("补贴资金会打到什么账户里？", account, wants_number=False)
    assert asks.lacks_answer_type("补贴资金有多少？", account, wants_number=True)
    assert asks.lacks_answer_type("补贴按什么标准发放？", account, wants_number=False)
    # 补贴怎么申请 and 能不能申请补贴 ask how and whether: the passage must name the sum, not give it;
    # 补贴怎么算 still asks for one
    steps = "户主携带身份证到村委会领取并填写补贴申请表。"
    assert not asks.lacks_answer_type("清洁取暖补贴怎么申请？", steps, wants_number=False)
    assert asks.lacks_answer_type("补贴怎么算？", steps, wants_number=False)
    assert not asks.lacks_answer_type("租房的能不能申请补贴？", "补贴由房主申请，租户不能单独申请。", wants_number=False)
    assert asks.lacks_answer_type("志愿者有没有补贴？", "志愿者每天上门排查。", wants_number=False)
    # a share of a sum (多少比例) wants a share, not a sum; 每半年…1次 tells how often; 到卫生院 is a place
    assert not asks.lacks_answer_type("补贴竣工后先拨付多少比例？", "竣工验收合格后拨付70%。", wants_number=True)
    assert not asks.lacks_answer_type("多久演练一次？", "每半年至少组织1次疏散演练。", wants_number=True)
    assert not asks.lacks_answer_type("错过了去哪里补种？", article_text("错过的可到卫生院补种。"), wants_number=False)
    # a phone number may be written in groups parted by a space
    assert not asks.lacks_answer_type("咨询电话是多少？", "专窗咨询电话8626 3150。", wants_number=True)
    # how often (多久…一次) is answered by a period, 每月…1次, which is no length of time
    often = "区市场监管局将每月对学校食堂开展至少1次不打招呼的随机抽查。"
    assert not asks.lacks_answer_type("多久抽查一次？", often, wants_number=True)
    assert asks.lacks_answer_type("多久抽查一次？", "监管局将对学校食堂开展随机抽查。", wants_number=True)
    assert asks.names_without_counting("朱家角是流动人口较多的社区。", ["流动人口"])
    # 五步, 三套 count; after 一 such a measure word makes no figure (进一步, 一道)
    assert not asks.names_without_counting("办理流程分为五步：协商、申请、审查、备案、验收。", ["步"])
    assert asks.has_figure("设备分三套安装") and not asks.has_figure("进一步加强管理，一道把关")
    assert not asks.names_without_counting("流动人口197859人。", ["流动人口"])
    assert not asks.names_without_counting("社区干部上门排查。", ["流动人口"])  # not named: not judged here
    assert not asks.names_without_counting("成绩速览：\n男子组冠军：陈立航 1小时05分32秒", ["成绩"])  # a list's lead-in
    assert list(asks.choice_sides("会议用的是钉钉还是腾讯会议？")) == [("钉钉", "腾讯会议")]
    assert asks.next_to_figure("座位由原来的620个增加到1480个", "座位")


def test_where_from_is_answered_by_the_body_that_sent_them(tmp_path: Path):
    """从哪里抽调: '各卫生服务中心抽调231名医护人员' names the source without 从 or 在."""
    from index.specificity import specificity

    library = _one_article(tmp_path, "医护力量\n\n辖区内各卫生服务中心抽调近231名医护人员跟踪落实居家观察人员健康管理。\n\n"
                                     "志愿者把守道口，测体温、查证件。\n")
    answer = library.ask("跟踪居家观察人员的医护人员是从哪里抽调的？")
    assert answer.answered and "卫生服务中心" in answer.hits[0].passage.text
    assert not library.ask("志愿者是从哪里招募的？").answered
    assert specificity("是从") == 1.0  # function words jieba glued together ask nothing


def test_a_mistyped_term_the_article_puts_in_quotes_is_corrected_whole(tmp_path: Path):
    """jieba cuts “巡查员” as 巡查 | 员; the quoted term is still one word to sound 寻查员 against."""
    library = _one_article(tmp_path, "群防群控\n\n普通志愿人员当好“巡查员”，把守道口检查关。\n\n"
                                     "社区干部开展排查，核查人员信息。\n")
    text, corrected = library.searcher.expander.correct("寻查员指的是哪些人？")
    assert "巡查员" in text and "巡查员" in corrected
    assert "巡查员" in library.ask("寻查员指的是哪些人？").hits[0].passage.text


def test_an_aspect_particle_glued_to_the_next_word_is_cut_off(seeds_library):
    """jieba cuts 出现过新冠 as 出现 | 过新冠: the 过 belongs to the verb, the article says 新冠."""
    terms = seeds_library.searcher.query("这片地方有没有出现过新冠病例？").terms
    assert "新冠" in terms and "过新冠" not in terms


def test_two_characters_inside_a_word_spelled_right_are_no_typo(tmp_path: Path):
    """一把手 is a word of its own: its 把手 is not a mistyped 把守, though they sound alike."""
    library = _one_article(tmp_path, "群防群控\n\n志愿者把守道口检查关。\n\n街道主任担任领导小组组长。\n")
    stand_ins = library.searcher.query("谁是一把手？").stand_ins["一把手"]
    assert "把守" not in stand_ins and "主任" in stand_ins
    assert library.searcher.query("志愿者在道口把手吗？").stand_ins["把手"]["把守"] == 0.6  # the whole word: a typo


def test_a_readers_estimate_is_no_figure_the_article_must_hold(tmp_path: Path):
    """过十万, 两千多, 上万: the reader guesses at a size; the article's 145056 answers it."""
    from index import asks

    library = _one_article(tmp_path, "志愿服务\n\n截至3月中旬，东湖街道志愿者超过2138人，服务超过145056小时。\n\n"
                                     "街道干部下沉一线，走访企业。\n")
    assert library.ask("志愿服务时长过十万小时了吗？").answered
    query = library.searcher.query("志愿者是不是有两千多人？")
    assert "2000" in query.words and "2000" not in query.terms and query.wants_number
    assert asks.is_estimate("上百万", "") and asks.is_estimate("400", "有400多个吗")
    assert not asks.is_estimate("1569", "湖北籍人员有1569人吗")  # a figure asked as such is asked of the article
    assert "几十万" in library.searcher.query("排查了几十万人吗").words  # several hundred thousand, not 100000


def test_the_halves_of_a_split_phrase_are_filtered_like_any_word(seeds_library):
    """多长时间 is split into 多长 | 时间 when the article lacks it; 多长 is a question word, not a term."""
    terms = seeds_library.searcher.query("从杭州坐高铁到东湖街道要多长时间？").terms
    assert "时间" in terms and "多长" not in terms


def test_another_edition_or_year_than_the_article_tells_of_is_declined(tmp_path: Path):
    """The article tells of the 第五届 festival and of 2023年; 第六届 and 2022年 are other ones."""
    library = _one_article(tmp_path, "丰收节\n\n第五届稻香丰收节明年9月在桃坞村举办，2023年全镇接待游客85万人次。\n\n"
                                     "节会设置农耕体验、美食大赛等活动。\n")
    assert library.ask("第五届稻香丰收节在哪里举办？").answered
    assert not library.ask("第六届稻香丰收节明年什么时候举办？").answered
    assert not library.ask("2022年全镇接待游客多少人次？").answered
    assert library.ask("2023年全镇接待游客多少人次？").answered


def test_another_quarter_than_the_article_tells_of_is_declined(tmp_path: Path):
    """The article counts 一季度's cases; 二季度 is another quarter, though 季度 is in the article."""
    library = _one_article(tmp_path, "反诈宣传\n\n今年一季度，辖区共接报电信诈骗案件37起，其中冒充客服类占比最高。\n\n"
                                     "派出所开展反诈宣讲142场。\n")
    assert library.ask("今年一季度接报了多少起诈骗案件？").answered
    assert not library.ask("今年二季度接报了多少起诈骗案件？").answered
    assert not library.ask("去年四季度接报了多少起诈骗案件？").answered


def test_another_season_or_the_edition_beside_the_one_told_of_is_declined(tmp_path: Path):
    """The article tells of the 第三届 fair and of its 春季 tastings: 秋季 is another season, 上一届 another
    edition. An article that speaks of 上届 itself answers it."""
    library = _one_article(tmp_path, "杨梅节\n\n第三届杨梅节6月在青山村开幕，春季品尝期间游客可免费试吃。\n\n"
                                     "本届杨梅节的一等奖由果农李明获得。\n")
    assert library.ask("春季品尝期间游客能免费试吃吗？").answered
    assert not library.ask("秋季品尝期间游客能免费试吃吗？").answered
    assert library.ask("本届杨梅节的一等奖是谁？").answered
    assert not library.ask("上一届杨梅节的一等奖是谁？").answered
    (tmp_path / "told").mkdir()
    told = _one_article(tmp_path / "told", "杨梅节\n\n第三届杨梅节6月在青山村开幕，上届一等奖得主王芳担任评委。\n")
    assert told.ask("上一届杨梅节的一等奖是谁？").answered


def test_which_days_asks_for_days_not_a_length_of_time(tmp_path: Path):
    """哪几天 is answered by 每周二、周四; 几天 alone asks how long. 这家 and 哪一年 ask nothing of the article."""
    library = _one_article(tmp_path, "特色门诊\n\n多学科联合门诊由专家共同坐诊，每周二、周四下午开诊。\n\n"
                                     "医院始建于1958年，是一所三级甲等综合医院。\n")
    assert library.ask("多学科联合门诊每周哪几天开诊？").answered
    terms = library.searcher.query("这家医院最早是哪一年建起来的？").terms
    assert "这家" not in terms and "哪一年" not in terms


def test_the_thing_counted_is_a_thing_not_the_verb_that_adds_it_up(tmp_path: Path):
    """小区加起来一共多少个: 小区 is counted (80个), not 加起来."""
    library = _one_article(tmp_path, "街道概况\n\n机关人员共计350余人下沉一线，走访辖区小区和企业。\n\n"
                                     "街道落实卡点测温，辖区共有小区80个，村级道路卡口3个。\n")
    assert library.searcher.query("辖区里的小区加起来一共多少个？").counted == {"小区": 1.0}
    assert "小区80个" in library.ask("辖区里的小区加起来一共多少个？").hits[0].passage.text


def test_words_about_the_article_itself_ask_nothing_of_its_content(seeds_library):
    """小标题, 那一小段, 名号 point at the article's text; 在哪方面 asks which aspect, not where."""
    query = seeds_library.searcher.query("讲街道干部帮企业复工那一小段，小标题叫什么？")
    assert "小标题" not in query.terms
    answer = seeds_library.ask("讲街道干部帮企业复工那一小段，小标题叫什么？")
    assert answer.answered and "“切”准脉搏" in answer.hits[0].passage.text
    aspect = seeds_library.ask("想让病毒少传开，街道在哪方面加了码？")
    assert aspect.answered and "防疫措施“+”" in aspect.hits[0].passage.text


def test_a_month_asks_about_the_days_the_article_gives_in_it(tmp_path: Path):
    """四月几号 asks the month of the article's 4月8日, not another month; 投了 is 投; 诶诶 asks nothing."""
    library = _one_article(tmp_path, "检测\n\n3月中旬起，街道开展排查。4月8日起，对重点人员开展血清及核酸检测。\n\n"
                                     "改造总投资8600万元。\n")
    assert library.ask("四月几号起开始做血清及核酸检测的？").answered
    assert library.searcher.query("改造一共投了多少钱？").terms[:1] == ["改造"]
    assert "投" in library.searcher.query("改造一共投了多少钱？").terms
    assert "诶诶" not in library.searcher.query("诶诶，检测从几号开始？").terms
    assert "超过" in library.searcher.query("检测人数超过一千了吗？").terms  # a word of its own, not 超 + 过


def test_how_long_counts_no_thing(tmp_path: Path):
    """多久能到账: 多久 asks a length of time; 到, the word after it, is no thing the article must count (a
    passage naming 到 in a sentence without a figure does not make it one that never says how long)."""
    library = _one_article(tmp_path, "取暖补贴\n\n户主带上身份证，到村委会填写申请表。\n\n"
                                     "审核通过后，补贴资金在20个工作日内打入户主账户。\n")
    assert library.searcher.query("补贴多久能到账？").counted == {}
    answer = library.ask("补贴多久能到账？")
    assert answer.answered and "20个工作日" in answer.hits[0].passage.text


def test_a_span_of_time_counts_no_thing_and_these_few_days_ask_no_span(tmp_path: Path):
    """干了几年: 几年 counts years, not 环卫工 (named elsewhere in a sentence with no figure); 这几天 and 头几天
    mean lately and at first, not how many days."""
    from index import asks

    library = _one_article(tmp_path, "清雪\n\n环卫工人杜春梅和同事们清理护栏边的积雪。她已经在这座桥上干了9年环卫。\n\n"
                                     "气象部门预计，25日至27日以晴冷天气为主，最低气温在零下15摄氏度左右。\n")
    assert library.searcher.query("环卫工杜春梅干了几年了？").counted == {}
    assert library.ask("环卫工杜春梅干了几年了？").answered
    assert asks.quantity_word("新地铁头几天是不是不要钱？") is None
    assert not asks.lacks_answer_type("这几天天气怎么样？", "以晴冷天气为主。", wants_number=False)
    assert asks.lacks_answer_type("要隔离几天？", "以晴冷天气为主。", wants_number=False)
    assert library.ask("这几天天气怎么样？").answered


def test_the_unit_of_a_money_question_is_asked_by_its_answer_not_its_words(tmp_path: Path):
    """多少钱: the article says 8600万元, never 钱; 钱 is the question's unit, not a word to find."""
    library = _one_article(tmp_path, "图书馆改造\n\n图书馆改造总投资8600万元，历时14个月。\n\n馆内新增座位1480个。\n")
    query = library.searcher.query("图书馆这次改造总共投了多少钱？")
    assert "钱" not in query.terms and "钱" in query.words
    assert library.ask("图书馆这次改造总共投了多少钱？").answered


def test_a_question_about_the_photos_that_names_nothing_in_them_gets_their_captions(tmp_path: Path):
    """第二张照片拍的是什么: no word of it is in any caption, yet the article's photos are what it asks for."""
    text = ("新线路开通\n\n本报讯 3月16日，新方案正式实施，新开4条线路。\n\n"
            "图为新投放的电动公交车在客运站整装待发。（记者 林晓岚 摄）\n\n新车全部配备空调和低地板。\n\n"
            "图为市民在站台使用手机查询车辆到站信息。（通讯员 周文博 摄）\n\n听证会采纳了34条意见。\n")
    library = _one_article(tmp_path, text)
    first = library.ask("文章配的那张照片拍的是什么场景？")
    assert first.answered and first.hits[0].passage.text.startswith("图为新投放的电动公交车")
    assert library.ask("报道里配的第一张照片拍的是哪里？").hits[0].passage.text.startswith("图为新投放的电动公交车")
    second = library.ask("第二张照片拍的是什么地方？")
    assert second.answered and second.hits[0].passage.text.startswith("图为市民在站台")
    # 张 is a surname when no photo follows it: still asked of the article
    assert library.searcher.query("张书记在照片里做什么？").terms == ["张", "书记", "做"]
    (tmp_path / "plain").mkdir()
    plain = _one_article(tmp_path / "plain", "新线路开通\n\n本报讯 3月16日，新方案正式实施，新开4条线路。\n")
    assert plain.ask("第一张照片拍的是什么？").reason == "not_in_article"  # an article without photos


def test_a_spoken_word_finds_the_written_word_news_uses_for_it(tmp_path: Path):
    """车位 where the article writes 泊位, 网上 where it writes 线上: 词林 has neither pair; data/spoken.txt does."""
    library = _one_article(tmp_path, "停车改造\n\n老城区今年新增公共泊位320个，全部接入智慧停车平台。\n\n"
                                     "缴费方式\n\n市民可通过线上平台缴纳停车费，也可现场扫码。\n\n"
                                     "施工安排\n\n改造工程分三期实施，计划年底前完工。\n")
    assert library.searcher.expander.stand_ins(["车位"], "新增了多少个车位")["车位"]["泊位"] >= 0.8
    spaces = library.ask("新增了多少个车位？")
    assert spaces.answered and "泊位320个" in spaces.hits[0].passage.text
    online = library.ask("网上能交停车费吗？")
    assert online.answered and "线上平台" in online.hits[0].passage.text
    (tmp_path / "hours").mkdir()
    hours = _one_article(tmp_path / "hours", "分馆开放\n\n分馆每天9:00至21:00开放，每周一闭馆。\n\n馆内设有少儿阅读区。\n")
    assert hours.ask("几点开门？").answered and hours.ask("几点关门？").answered  # 开门 开放, 关门 闭馆


def test_the_second_round_of_spoken_words_finds_the_written_ones(tmp_path: Path):
    """回老家 where the article writes 返乡, APP where it writes 客户端 (typed in capitals, matched in lower case)."""
    library = _one_article(tmp_path, "春运见闻\n\n春节前后，全镇共有1200余名在外务工人员返乡。\n\n"
                                     "就医服务\n\n市民可下载“健康青溪”客户端预约挂号，也可拨打热线。\n\n"
                                     "道路保障\n\n交警部门在主要路口增派警力疏导交通。\n")
    home = library.ask("回老家的有多少人？")
    assert home.answered and "1200余名" in home.hits[0].passage.text
    app = library.ask("用哪个APP可以挂号？")
    assert app.answered and "客户端" in app.hits[0].passage.text


def test_a_spoken_character_finds_the_written_words_for_it_at_a_lower_weight(tmp_path: Path):
    """卖 where the article writes 销售, 修 where it writes 维修: data/spoken_chars.txt links them; a single
    character has many senses, so each stands in at the related weight, below a same-meaning word."""
    from index.expand import RELATED_WEIGHT
    library = _one_article(tmp_path, "召回公告\n\n上述产品主要通过天猫旗舰店及217家线下门店销售。\n\n"
                                     "售后服务\n\n产品出现故障的，可到指定网点免费维修。\n\n"
                                     "其他事项\n\n公司已暂停上述产品的生产。\n")
    stand_ins = library.searcher.expander.stand_ins(["卖", "修"], "在哪卖的，坏了去哪修")
    assert stand_ins["卖"] == {"销售": RELATED_WEIGHT} and stand_ins["修"]["维修"] == RELATED_WEIGHT
    assert "天猫旗舰店" in library.ask("这些产品通过哪些渠道卖？").hits[0].passage.text
    assert "指定网点" in library.ask("东西坏了上哪修？").hits[0].passage.text


def test_a_word_the_article_has_is_searched_with_its_synonyms_there_but_decides_nothing(tmp_path: Path):
    """取消 in one passage, 撤销 in another: both are searched for 取消, the synonym well below the word itself;
    whether the article answers is still judged on the question's own words."""
    from index.search import FOUND_SYNONYM_WEIGHT

    library = _one_article(tmp_path, "线网调整\n\n票价方面，取消原来按里程分段收费的做法。\n\n"
                                     "新开的18路开往城南新区，原来的10路则被撤销。\n")
    query = library.searcher.query("哪条线路被取消了？")
    assert query.words["取消"] == 1.0 and 0 < query.words["撤销"] < FOUND_SYNONYM_WEIGHT  # 取消: in half the passages
    assert "撤销" not in query.terms and "撤销" not in query.stand_ins
    assert library.searcher.expander.synonyms_of_found("撤销") == ["取消"]
    assert library.searcher.expander.synonyms_of_found("注销") == []  # not the article's word: a stand-in's job


def test_a_place_name_is_not_found_through_words_merely_related_to_it(tmp_path: Path):
    """临江 is no word of this article; 词林 relates it, through a longer word, to 听证会 and 座谈会, which
    are. A name has no synonyms: 临江县 is another county, not this one."""
    library = _one_article(tmp_path, "公交线网优化\n\n青溪县首条夜班公交线路将于4月1日开通，发车间隔20分钟。\n\n"
                                     "今年1月12日，县交通运输局举行听证会，又召开了两场市民座谈会。\n")
    assert library.searcher.query("临江县的夜班公交线路是什么时候开通的？").found["临江"] > 0  # related words
    assert not library.ask("临江县的夜班公交线路是什么时候开通的？").answered
    assert library.ask("青溪县的夜班公交线路是什么时候开通的？").answered


def test_a_count_in_a_measure_word_no_figure_of_the_article_carries_is_declined(tmp_path: Path):
    """多少张通行证: no figure of the article counts in 张, so it never says how many were issued. 多少名民警
    is answered by 152人 (名, 人 and 位 count people), 多少辆车 by 571105车 (the thing itself after the figure)."""
    from index import asks

    library = _one_article(tmp_path, "联防联控\n\n街道为两个社区制定辖区出入通行证，派出所抽调152人参与排查。\n\n"
                                     "卡口累计检查571105车，辖区共有小区80个。\n")
    assert not library.ask("街道一共发了多少张出入通行证？").answered
    assert library.ask("派出所抽调了多少名民警？").answered
    assert library.ask("卡口一共检查了多少辆车？").answered
    assert asks.asked_units("多少名志愿者") == "名人位个志" and asks.asked_units("有多少个小区") is None
    assert asks.asked_units("哪几条公交线路要绕行？") is None  # which ones, not how many
    assert asks.figure_units("共有小区80个，抽调152人，检查571105车") == frozenset("个人车")


def test_a_typed_answer_held_only_by_the_passage_shown_first_is_judged_there(tmp_path: Path):
    """The whole-passage first names the service but gives no clock time; the passage shown first gives
    7:30至19:00 and holds as much of the question. A mere figure asked for does not move the judgement."""
    from index.records import Ranked

    library = _one_article(tmp_path, "养老服务中心\n\n服务中心提供日间照料、助餐等服务，服务对象为辖区老人。\n\n"
                                     "各中心日间照料的时间为每天7:30至19:00，全年无休。\n\n全市将增至30家中心。\n")
    searcher = library.searcher
    rows = {p.text[:4]: row for row, p in enumerate(searcher.passages)}
    prose, hours = Ranked(rows["服务中心"], 1.0, 0.6), Ranked(rows["各中心日"], 0.9, 0.6)
    timed = searcher.query("中心日间照料的服务时间是几点到几点？")
    assert searcher._typed_answer_only_shown(timed, [prose], [hours])
    assert searcher._typed_answer_only_shown(timed, [prose], [Ranked(hours.row, 0.9, 0.5)])  # holds less too
    assert not searcher._typed_answer_only_shown(timed, [hours], [prose])  # the shown one lacks it
    counted = searcher.query("中心一共有多少张床位？")
    assert not searcher._typed_answer_only_shown(counted, [prose], [Ranked(rows["全市将增"], 0.9, 0.6)])
    # holding less of the question than the whole-passage first, the shown one answers only when the
    # article holds half of the question ("ok"), not less ("partial")
    from index.records import Decision

    def judged(reason: str, shown_coverage: float) -> bool:
        searcher._best = lambda query, scores, candidates, limit: (
            [prose] if limit == 1 else [Ranked(hours.row, 0.9, shown_coverage), prose, prose])
        searcher.decide = lambda query, ranked: (Decision(ranked[0].row == hours.row, reason, 0.4))
        return searcher.search(timed, 3)[1].answered

    assert judged("ok", 0.5) and judged("partial", 0.6) and not judged("partial", 0.5)


def test_a_declined_questions_closest_passage_holds_the_kind_of_answer_asked(tmp_path: Path):
    """几点开门, declined: of the leading passages, the one with a clock time is offered first, not the one
    that only names the centre; a question asking for no kind of answer keeps the order."""
    from index.records import Ranked

    library = _one_article(tmp_path, "养老服务中心\n\n服务中心提供日间照料、助餐等服务，服务对象为辖区老人。\n\n"
                                     "各中心日间照料的时间为每天7:30至19:00，全年无休。\n\n全市将增至30家中心。\n")
    searcher = library.searcher
    rows = {p.text[:4]: row for row, p in enumerate(searcher.passages)}
    prose, hours, count = (Ranked(rows[key], 1.0, 0.5) for key in ("服务中心", "各中心日", "全市将增"))
    timed = searcher.query("中心几点开门？")
    assert searcher._of_the_kind_first(timed, [prose, count, hours]) == [hours, prose, count]
    assert searcher._of_the_kind_first(timed, [hours, prose]) == [hours, prose]  # already first
    assert searcher._of_the_kind_first(timed, [prose, count, prose, hours]) == [hours, prose, count, prose]
    assert searcher._of_the_kind_first(timed, [prose, count, prose, count, hours])[0] == prose  # too far down
    plain = searcher.query("中心提供哪些服务？")
    assert searcher._of_the_kind_first(plain, [prose, count, hours]) == [prose, count, hours]


def test_a_typed_answer_held_by_a_passage_holding_more_of_the_question_is_judged_there(tmp_path: Path):
    """The photo of the school's canteen outscores the paragraph naming its road; that paragraph holds the
    address and more of the question, so the question is judged on it. Holding as much is not enough."""
    from index.records import Ranked

    library = _one_article(tmp_path, "食堂检查\n\n记者跟随检查组来到位于柳塘路18号的实验小学。执法人员逐一查看冷藏柜，"
                                     "翻开留样记录本核对日期。\n\n执法人员在实验小学食堂检查冷藏柜。 林浩然 摄\n")
    searcher = library.searcher
    rows = {p.text[:2]: row for row, p in enumerate(searcher.passages)}
    where = searcher.query("实验小学在哪条路上？")
    photo = [Ranked(rows["执法"], 2.0, 0.6)]
    closer = searcher._typed_answer_held_by_a_closer_passage
    assert closer(where, photo, [Ranked(rows["记者"], 1.0, 0.7), photo[0]])
    assert not closer(where, photo, [Ranked(rows["记者"], 1.0, 0.6), photo[0]])  # as much, no more
    assert not closer(searcher.query("实验小学有什么特色？"), photo, [Ranked(rows["记者"], 1.0, 0.7), photo[0]])
    assert not closer(where, photo, photo)  # the first already: nothing to judge again


def test_who_holds_a_post_is_shown_first_where_someone_is_named_beside_it(tmp_path: Path):
    """负责人是谁: the passage naming 负责人郑丽娟 is shown before one that names the post alone; a question
    about a group (谁是主力军) is left in its order."""
    from index.records import Ranked

    library = _one_article(tmp_path, "快检室\n\n快检室由市场负责人统一管理，每天抽检蔬菜。\n\n"
                                     "据快检室负责人郑丽娟介绍，每天抽检不少于30批次。\n\n村社干部是主力军。\n")
    searcher = library.searcher
    rows = {p.text[:3]: row for row, p in enumerate(searcher.passages)}
    alone, named, group = (Ranked(rows[key], 1.0, 0.5) for key in ("快检室", "据快检", "村社干"))
    assert searcher._holder_named_first(searcher.query("快检室的负责人是谁？"), [alone, named]) == [named, alone]
    assert searcher._holder_named_first(searcher.query("谁是主力军？"), [alone, group]) == [alone, group]


def test_who_holds_a_post_the_article_never_fills(tmp_path: Path):
    """负责人 is in the article, but only of someone it never names: who heads the company is not said."""
    text = ("充电桩建设\n\n民营企业星驰充电科技有限公司重点布局居民小区和乡村，累计投放慢充桩530个。\n\n"
            "景区管理处负责人介绍，国庆假期充电量翻了一番。\n\n"
            "1月23日，成立以办事处主任为组长的领导小组。\n")
    library = _one_article(tmp_path, text)
    assert not library.ask("星驰充电科技有限公司的负责人是谁？").answered
    assert library.ask("领导小组的组长是谁？").answered  # 主任为组长: the holder is named by his post
    named = _one_article(tmp_path, text.replace("景区管理处负责人介绍", "景区管理处负责人王芳介绍"))
    assert named.ask("景区管理处的负责人是谁？").answered


def test_which_company_did_a_deed_the_article_never_tells(tmp_path: Path):
    """The article names companies, but never tells of 施工: which one built it is not said."""
    library = _one_article(tmp_path, "分馆开放\n\n滨河分馆由老厂房改造而成，运营由青溪文旅集团有限公司负责。\n\n"
                                     "分馆每天9点开放。\n")
    assert not library.ask("滨河分馆的改造工程是哪家公司施工的？").answered
    assert library.ask("滨河分馆是哪家公司负责运营的？").answered
    from index import asks

    assert asks.after_which_kind("改造是哪家公司施工的？") == ["施工的？"]
