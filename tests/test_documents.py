"""Reading article files and mending what text extraction broke."""

from __future__ import annotations

import codecs
import logging
from pathlib import Path

import pytest
from opencc import OpenCC

from core_fixtures import ROOT, seeds_library  # noqa: F401  (fixture)
from index.documents import ArticleError, article_files, decode_bytes, ends_sentence, load_documents, parse_document
from index.passages import build_passages
from index.tokens import to_simplified

ARTICLE = """

——副标题一行

某市图书馆： 阅读推广做好“加减法”

记者 张三

图书馆是一座城市的书房。

今年图书馆接待读者数量创新高，借阅图书超过十万册，志愿者参与讲解服务，读者满意度明显提升，图书馆还开展了信

息化改造工作。



馆长带领读者参观新馆

阅读服务“+”， 排队时间“-”

自助借还。全馆设置自助借还机20台，读者可以随时借还图书，平均等待时间缩短到三分钟，大大方便了读者的日常借阅和归还，

服务窗口也从原来的三个增加到六个。

夜间开放。图书馆每周五延长开放到晚上九点，周边居民可以在下班后前来阅读，深受欢迎，这也是今年新推出的便民举措之一。

数字阅读。图书馆开通电子书平台，读者可以在线阅读电子期刊和图书，覆盖本市所有街道和社区，累计访问量超过三十万人次，辖
"""

ORPHAN = "区内所有学校也接入了这个平台。"


def _doc(text: str):
    return parse_document(text, "lib")


def _kinds(text: str) -> dict[str, str]:
    return {b.text: b.kind for b in _doc(text).blocks}


def test_title_subtitle_and_byline_are_front_matter():
    doc = _doc(ARTICLE)
    kinds = {b.text: b.kind for b in doc.blocks}
    assert doc.title == "某市图书馆： 阅读推广做好“加减法”"
    assert kinds["——副标题一行"] == "subtitle"
    assert kinds["记者 张三"] == "byline"


def test_a_long_source_line_is_a_byline_not_a_broken_sentence():
    """来源：…, a date, a reporter and a correspondent run past a heading's length; no prose, so no sentence
    to mend: the lead paragraph under it is not glued on (…潘志明金秋送爽)."""
    text = ("秋冬植绿添新景 防火护林守青山——云溪县秋季义务植树工作综述\n"
            "来源：云溪县融媒体中心　2026-11-18 09:32　记者 周晓岚　通讯员 潘志明\n\n"
            "金秋送爽，正是植树护林好时节。全县累计完成秋季造林补植4860亩。\n")
    kinds = _kinds(text)
    assert kinds["来源：云溪县融媒体中心 2026-11-18 09:32 记者 周晓岚 通讯员 潘志明"] == "byline"
    assert kinds["金秋送爽，正是植树护林好时节。全县累计完成秋季造林补植4860亩。"] == "body"


TRADITIONAL_SIGNED = ("社區圖書館延長開放時間\n\n本報記者 周曉嵐 通訊員 潘志明\n\n"
                      "社區圖書館從下月起每週五晚上開放到九點，讀者可以在自助機上借還圖書。\n\n"
                      "館長表示，今後還將增加兒童閱覽區的座位。\n\n責編 張三\n")


def test_a_traditional_byline_is_a_byline_and_keeps_its_script():
    """本報記者, 通訊員, 責編 are matched in Simplified script; the reader is shown the line as written."""
    kinds = _kinds(TRADITIONAL_SIGNED)
    assert kinds["本報記者 周曉嵐 通訊員 潘志明"] == "byline"
    assert kinds["責編 張三"] == "byline"
    simplified = _kinds(to_simplified(TRADITIONAL_SIGNED))
    assert list(simplified.values()) == list(kinds.values())  # laid out as the same article in Simplified


def test_the_byline_opener_is_given_in_simplified_script_as_the_index_reads_text():
    from index.documents import byline_opener

    lines = ("記者 周曉嵐", "通訊員 潘志明", "責編 張三", "本報訊 昨天上午", "本報記者 周曉嵐", "通讯员 曹琪琪", "記錄了一天")
    assert [byline_opener(line) for line in lines] == ["记者", "通讯员", "责编", "本报讯", "本报记者", "通讯员", None]


def test_heading_and_caption_told_apart_by_the_gap_a_picture_leaves():
    kinds = _kinds(ARTICLE)
    assert kinds["馆长带领读者参观新馆"] == "caption"
    assert kinds["阅读服务“+”， 排队时间“-”"] == "heading"


def test_a_caption_in_the_flow_of_the_text_is_known_by_how_photo_lines_are_written():
    """No wide gap here: a date and a comma opening the line, 图为, or a photographer's credit say 'photo'."""
    text = ("丰收节开幕\n\n9月22日上午，丰收节在桃坞村开幕，县长宣布开幕。\n\n"
            "9月22日，游客在彩色稻田前拍照留念\n\n开幕式上，12名农户获得表彰，现场气氛热烈。\n\n"
            "图为孩子们体验踩水车\n\n农耕体验共举办42场，参与人数超过2400人。\n\n"
            "稻田音乐会 张三 摄\n\n音乐会吸引了约8000名观众。\n\n"
            "交通保障\n\n交警在节会期间投入警力126人次。\n")
    kinds = _kinds(text)
    assert kinds["9月22日，游客在彩色稻田前拍照留念"] == "caption"
    assert kinds["图为孩子们体验踩水车"] == "caption"
    assert kinds["稻田音乐会 张三 摄"] == "caption"
    assert kinds["交通保障"] == "heading"


def test_a_traditional_caption_written_with_either_form_of_wei_is_a_caption():
    """OpenCC and Taiwanese text write 图为 as 圖為 or 圖爲: both open a photo's line."""
    text = ("豐收節開幕\n\n9月22日上午，豐收節在桃塢村開幕。\n\n圖爲孩子們體驗踩水車\n\n"
            "農耕體驗共舉辦42場。\n\n圖為遊客在稻田前拍照\n\n音樂會吸引了約8000名觀眾。\n\n交通保障\n\n交警投入警力126人次。\n")
    kinds = _kinds(text)
    assert kinds["圖爲孩子們體驗踩水車"] == kinds["圖為遊客在稻田前拍照"] == "caption"
    assert kinds["交通保障"] == "heading"


def test_a_short_line_unlike_the_subheads_around_it_is_a_caption():
    """Three subheads of the form 'X：Y'; the line without their colon is where a photo stood."""
    text = ("新楼启用\n\n本报讯 门诊综合楼将于6月18日正式投入使用。\n\n"
            "新楼布局：看病少跑路\n\n门诊综合楼1层设有一站式服务中心。\n\n"
            "志愿者在服务中心引导市民使用自助机\n\n医院在每层楼保留人工窗口。\n\n"
            "夜间门诊：下班也能看病\n\n医院从6月18日起开设夜间门诊。\n\n"
            "出行指南：公交直达新大门\n\n门诊综合楼地址为松台路218号。\n")
    kinds = _kinds(text)
    assert kinds["志愿者在服务中心引导市民使用自助机"] == "caption"
    assert [t for t, k in kinds.items() if k == "heading"] == ["新楼布局：看病少跑路", "夜间门诊：下班也能看病",
                                                              "出行指南：公交直达新大门"]


def test_a_photo_credit_makes_a_caption_even_after_a_full_stop():
    """Papers write the picture's line as a sentence, then the credit: still a caption, not prose."""
    text = ("食品安全检查\n\n本报讯 此次检查覆盖全区52所中小学的食堂。\n\n"
            "执法人员在实验小学食堂检查冷藏柜内食品储存情况。 林浩然 摄\n\n"
            "检查中也发现了一些问题，已责令整改。\n\n"
            "图为列车在东站进行空载试运行。（记者 苏砚秋 摄）\n\n全线将于年底开通。\n")
    kinds = _kinds(text)
    assert kinds["执法人员在实验小学食堂检查冷藏柜内食品储存情况。 林浩然 摄"] == "caption"
    assert kinds["图为列车在东站进行空载试运行。（记者 苏砚秋 摄）"] == "caption"
    assert kinds["检查中也发现了一些问题，已责令整改。"] == "body"


def test_short_lines_right_under_a_lead_in_line_are_its_list():
    """活动安排： over dated lines, 联系人： over name-and-number lines: items of one list, not headings."""
    text = ("社区通知\n\n下周停水，请大家提前储水。\n\n活动安排：\n7月15日（周二）上午9:30 绘本故事会（4至6岁）\n"
            "8月2日（周六）全天 亲子跳蚤市场（不限年龄）\n\n联系人：\n社区居委会 周晓岚 138 5712 4406\n"
            "施工负责人 杜志强 139 0671 2283\n\n另外，施工期间东门要开挖，请从北门进出。\n\n二、报名规则\n\n名额有限，报满为止。\n")
    blocks = _doc(text).blocks
    kinds = {b.text: b.kind for b in blocks}
    assert "heading" not in [kinds[t] for t in kinds if "跳蚤市场" in t or "杜志强" in t]
    assert any(t.startswith("活动安排：\n7月15日") and t.endswith("（不限年龄）") for t in kinds)  # one paragraph
    assert kinds["二、报名规则"] == "heading"
    assert kinds["另外，施工期间东门要开挖，请从北门进出。"] == "body"


def test_steps_counted_in_words_are_one_list_with_the_line_that_leads_into_them():
    """居民可按以下步骤办理： with 第一步，… 第二步，… each in a paragraph of its own: one passage, so the
    answer to 怎么申请 is the steps, not the line that announces them."""
    text = ("补贴发放\n\n本报讯 今年的取暖补贴开始受理。\n\n申请补贴怎么办\n\n居民申请补贴可按以下步骤办理：\n\n第一步，户主到村委会领取申请表。\n\n"
            "第二步，村里核实后公示7天。\n\n第三步，补贴资金打入户主账户。\n\n申请截止日期为12月31日。\n")
    passages = build_passages([_doc(text)])
    steps = next(p for p in passages if "以下步骤" in p.text)
    assert steps.text.endswith("第三步，补贴资金打入户主账户。") and "第一步" in steps.text
    assert steps.section == "申请补贴怎么办"
    assert not any("以下步骤" in p.text for p in passages if p is not steps)
    assert any(p.text == "申请截止日期为12月31日。" for p in passages)  # no step: a paragraph of its own


def test_a_regulation_reads_as_chapters_with_numbered_items_under_their_article():
    """第一章 总则 right under the title is a chapter, not a subtitle; （一）…； lines under 下列区域： are one list."""
    text = ("某市电动自行车停放充电管理办法\n\n某市人民政府令第87号　2024年4月2日公布\n\n第一章　总则\n\n"
            "第一条　为了规范电动自行车停放和充电行为，制定本办法。\n\n第二章　停放规范\n\n"
            "第九条　禁止在下列区域停放电动自行车：\n（一）建筑物的楼道、楼梯间和安全出口；\n（二）电梯轿厢和电梯前室；\n"
            "（三）其他影响安全疏散的公共区域。\n\n第十条　禁止携带蓄电池进入电梯轿厢。\n")
    blocks = _doc(text).blocks
    kinds = {b.text: b.kind for b in blocks}
    assert kinds["第一章 总则"] == kinds["第二章 停放规范"] == "heading"  # the ideographic space read as a space
    listed = next(t for t in kinds if t.startswith("第九条"))
    assert listed.endswith("（三）其他影响安全疏散的公共区域。") and kinds[listed] == "body"
    assert kinds["第十条 禁止携带蓄电池进入电梯轿厢。"] == "body"


def test_a_question_over_its_answer_heads_it():
    """问：… then 答：…: the answer's passage carries the question, which says what it is about."""
    text = ("医保参保问答\n\n市医保局整理了群众最关心的问题，解答如下。\n\n"
            "问：哪些人可以参加城乡居民医保？\n\n答：本市户籍居民均可参加。持有居住证的外地户籍人员也可参保。\n\n"
            "问：可以通过哪些渠道缴费？\n\n答：线上可用手机App缴费。\n\n线下可到银行网点缴费。\n\n"
            "问：这一行后面没有答案？\n\n其他事项请咨询热线。\n")
    kinds = _kinds(text)
    assert kinds["问：哪些人可以参加城乡居民医保？"] == kinds["问：可以通过哪些渠道缴费？"] == "heading"
    assert kinds["问：这一行后面没有答案？"] == "body"  # no 答： after it: a question in the prose
    passages = build_passages([_doc(text)])
    answer = next(p for p in passages if "手机App" in p.text)
    assert answer.section == "问：可以通过哪些渠道缴费？" and answer.text.startswith("问：可以通过哪些渠道缴费？")
    assert next(p for p in passages if "银行网点" in p.text).section == "问：可以通过哪些渠道缴费？"
    interview = ("访急救中心主任\n\n急救中心今年3月启用。\n\n记者：床位和人员配置情况如何？\n\n"
                 "孟主任：中心现有床位96张，医护人员142名。\n\n记者：设备呢？我听说很贵。\n\n孟主任：主要设备投入4200万元。\n")
    kinds = _kinds(interview)
    assert kinds["记者：床位和人员配置情况如何？"] == "heading"  # one speaker asks, the other replies
    assert kinds["记者：设备呢？我听说很贵。"] == "body"  # not a question line: it ends otherwise


def test_a_label_with_a_figure_is_a_fact_not_a_heading():
    """热线：0578-6612345 and 地址：迎宾路1号 under 【咨询与投诉】 are its content, each whole; a subhead's
    colon leads to words (夜间门诊：下班也能看病)."""
    text = ("公告\n\n景区国庆期间正常开放，欢迎游客前来。\n\n【咨询与投诉】\n\n游客服务热线：0578-6612345（每日7:00—20:00）\n\n"
            "景区地址：云溪县青岚镇迎宾路1号\n\n祝您假期愉快，平安出游！\n")
    blocks = _doc(text).blocks
    kinds = {b.text: b.kind for b in blocks}
    assert kinds["【咨询与投诉】"] == "heading"
    assert kinds["游客服务热线：0578-6612345（每日7:00—20:00）"] == kinds["景区地址：云溪县青岚镇迎宾路1号"] == "body"
    assert "景区地址：云溪县青岚镇迎宾路1号" in [b.text for b in blocks]  # not glued to the next line


def test_mid_word_break_is_joined():
    texts = [b.text for b in _doc(ARTICLE).blocks]
    assert any("开展了信息化改造工作。" in t for t in texts)
    assert not any(t.startswith("息化改造") for t in texts)


def test_break_between_words_is_joined_when_the_next_block_does_not_open_a_paragraph():
    texts = [b.text for b in _doc(ARTICLE).blocks]
    assert any("归还，服务窗口也从原来的三个增加到六个。" in t for t in texts)


def test_a_few_characters_and_a_stop_under_an_unfinished_line_end_its_sentence():
    """'公交服务。' alone under '…便捷、实惠的' closes that sentence; a lead-in ('夜间开放。') has more after it."""
    text = ("线网调整\n\n首日客运量增长了约18%。\n\n"
            "据了解，下一步，县里还计划在年底前开通县城至各乡镇的城乡公交线路，推动城乡公交一体化，让乡镇居民也能享受到便捷、实惠的\n公交服务。\n")
    texts = [b.text for b in _doc(text).blocks]
    assert texts[-1].endswith("让乡镇居民也能享受到便捷、实惠的公交服务。")


def test_subheads_in_two_parts_are_told_by_their_space_not_their_quotes():
    """Subheads built as 'X Y'; two happen to quote a name. Those without quotes are subheads all the same."""
    text = ("公交线网优化\n\n本报讯 3月16日，新方案正式实施。\n\n"
            "新开4条线路 覆盖城南新区\n\n本次新开通的4条线路分别为16路至19路。\n\n"
            "夜班公交下月开通 票价实行“一元一票”\n\n首条夜班公交线路将于4月1日开通。\n\n"
            "电动公交车上路 “出行”App上线\n\n今年购置88辆纯电动公交车。\n\n"
            "听证会上听民意 21个站点迁移\n\n今年1月12日举行了听证会。\n")
    kinds = _kinds(text)
    assert kinds["新开4条线路 覆盖城南新区"] == kinds["听证会上听民意 21个站点迁移"] == "heading"


def test_misplaced_tail_is_moved_to_the_dangling_last_paragraph():
    # the continuation of the last paragraph stands near the top, as in the bundled article
    head, _, rest = ARTICLE.partition("图书馆是一座城市的书房。")
    text = head + "图书馆是一座城市的书房。\n\n\n\n馆长在开馆仪式上致辞\n\n" + ORPHAN + rest
    blocks = _doc(text).blocks
    last = [b for b in blocks if b.kind == "body"][-1]
    assert last.text.endswith("累计访问量超过三十万人次，辖区内所有学校也接入了这个平台。")
    assert sum(ORPHAN in b.text for b in blocks) == 1


def test_bundled_article_repairs(seeds_library):
    texts = [p.text for p in seeds_library.passages]
    joined = "".join(texts)
    assert "疫情信息防控网" in joined
    assert "东湖派出所抽调152人" in joined
    assert "传播风险“-”\n“点面结合”测底数" in joined and "辖区共有小区80个" in joined


def test_the_bundled_article_in_traditional_script_repairs_as_in_simplified():
    """s2t of the seed: the same joins (疫情信|息, the last block's 轄 with 區共有小區… from the top), so the
    same passages, in the article's own characters."""
    simplified = next((ROOT / "seeds").glob("*.txt")).read_text(encoding="utf-8")
    traditional = OpenCC("s2t").convert(simplified)
    assert traditional != simplified
    expected = build_passages([parse_document(simplified, "a")])
    passages = build_passages([parse_document(traditional, "a")])
    assert [(p.id, len(p.text), p.kind) for p in passages] == [(p.id, len(p.text), p.kind) for p in expected]
    assert [to_simplified(p.text) for p in passages] == [p.text for p in expected]
    assert "轄區共有小區80個" in "".join(p.text for p in passages)
    from index.documents import _straddles_word
    assert _straddles_word("轄", "區內所有學校") and _straddles_word("開展了信", "息化改造") and not _straddles_word("工作。", "精密")


def test_sentence_end_detection():
    assert ends_sentence("一句话。")
    assert ends_sentence("他说：“好。”")
    assert not ends_sentence("疫情信")
    assert not ends_sentence("组织力度“+”， 疫情恐慌“-”")


def test_gbk_file_is_decoded(tmp_path: Path):
    (tmp_path / "gbk.txt").write_bytes("标题\n\n这是一篇用GBK编码保存的文章，内容完整。".encode("gbk"))
    doc = load_documents(tmp_path)[0]
    assert "GBK编码" in doc.blocks[-1].text


@pytest.mark.parametrize("content, message", [
    (b"", "空"),
    (b"   \n\n\t  \n", "空"),
    (b"\x00\x01\x02binary\x00" * 100, "二进制"),
])
def test_bad_files_give_clear_errors(tmp_path: Path, content: bytes, message: str):
    (tmp_path / "a.txt").write_bytes(content)
    with pytest.raises(ArticleError, match=message):
        load_documents(tmp_path)


def test_empty_or_missing_folder(tmp_path: Path):
    with pytest.raises(ArticleError, match="没有"):
        load_documents(tmp_path)
    with pytest.raises(ArticleError, match="找不到"):
        load_documents(tmp_path / "nope")


def test_undecodable_text_names_the_file(tmp_path: Path):
    (tmp_path / "latin.txt").write_bytes(bytes(range(0x80, 0x100)) * 50)
    with pytest.raises(ArticleError, match="latin.txt"):
        load_documents(tmp_path)


def test_decode_prefers_utf8_with_bom():
    assert decode_bytes("\ufeff你好".encode("utf-8"), "x") == "你好"


OUTLINE = """青溪市老旧小区改造工作方案
为改善居民居住条件，制定本方案。
一、总体目标
全市计划改造老旧小区42个，总投资约9.6亿元。
二、改造内容
（一）完善类改造
1.有条件的楼栋加装电梯，财政按每台20万元给予补助；
2.每个小区新增停车位不少于30个；
3.建设电动自行车集中充电棚。
"""


def test_outline_numbers_make_headings_and_numbered_lines_one_list():
    from index.passages import build_passages
    doc = parse_document(OUTLINE, "plan")
    kinds = {b.text: b.kind for b in doc.blocks}
    assert kinds["二、改造内容"] == kinds["（一）完善类改造"] == "heading"  # a heading over a heading: no caption
    numbered = parse_document("方案\n\n前言写完了。\n\n1. 保障措施\n\n市政府成立改造工作领导小组。\n", "p")
    assert [b.kind for b in numbered.blocks][2:] == ["heading", "body"]  # a numbered line alone over its prose
    passages = {p.section: p.text for p in build_passages([doc])}
    assert passages["（一）完善类改造"] == ("二、改造内容\n（一）完善类改造\n1.有条件的楼栋加装电梯，财政按每台20万元给予补助；\n"
                                      "2.每个小区新增停车位不少于30个；\n3.建设电动自行车集中充电棚。")
    assert passages["一、总体目标"] == "一、总体目标\n全市计划改造老旧小区42个，总投资约9.6亿元。"  # 42个 is no list


def test_the_quick_dictionary_check_agrees_with_jiebas_cut():
    """_some_word_across is the cheap necessary condition checked before a segmentation."""
    from index.documents import _some_word_across, _straddles_word
    for tail, head, across in (("辖", "区共有小区", True), ("疫情信", "息防控网", True), ("派出所抽", "调152人", True),
                               ("工作。", "精密智控", False), ("二十个汉字", "另起一段", False)):
        assert _straddles_word(tail, head) is across
        assert _some_word_across(tail[-4:], head[:4]) or not across


def test_hidden_files_are_no_articles(tmp_path: Path):
    """.a.txt (an editor's or a sync tool's copy) and ._a.txt (macOS's resource fork) are not read."""
    (tmp_path / "a.txt").write_text("标题\n\n这是文章的正文。", encoding="utf-8")
    (tmp_path / ".a.txt").write_text("隐藏\n\n这是隐藏文件的内容。", encoding="utf-8")
    (tmp_path / "._a.txt").write_bytes(b"\x00\x05\x16\x07Mac OS X")
    (tmp_path / ".hidden.md").mkdir()
    assert [p.name for p in article_files(tmp_path)] == ["a.txt"]
    assert [d.name for d in load_documents(tmp_path)] == ["a"]
    (tmp_path / "a.txt").unlink()
    with pytest.raises(ArticleError, match="没有"):
        load_documents(tmp_path)


@pytest.mark.parametrize("codec, bom", [("utf-16-le", codecs.BOM_UTF16_LE), ("utf-16-be", codecs.BOM_UTF16_BE),
                                        ("utf-8", codecs.BOM_UTF8)])
def test_unicode_text_with_a_byte_order_mark_is_decoded(tmp_path: Path, codec: str, bom: bytes):
    """Windows Notepad saves "Unicode" as UTF-16 with a mark; its NUL bytes do not make it a binary file."""
    (tmp_path / "a.txt").write_bytes(bom + "标题\n\n这是一篇用Unicode保存的文章。".encode(codec))
    doc = load_documents(tmp_path)[0]
    assert doc.title == "标题" and doc.blocks[-1].text == "这是一篇用Unicode保存的文章。"


def test_broken_utf16_names_the_file():
    with pytest.raises(ArticleError, match="x.txt.*UTF-16"):
        decode_bytes(codecs.BOM_UTF16_LE + "文章".encode("utf-16-le") + b"\x00", "x.txt")  # an odd length
    with pytest.raises(ArticleError, match="二进制"):
        decode_bytes(codecs.BOM_UTF16_LE + b"\x01\x00\x02\x00" * 100, "x.txt")


GOOD = "图书馆\n\n图书馆每天上午九点开放。\n"


def test_a_file_that_is_no_text_is_skipped_with_one_warning_when_another_article_loads(
        tmp_path: Path, caplog: pytest.LogCaptureFixture):
    """fake.txt beside a good article: the article loads, and one warning names the file and why."""
    (tmp_path / "a.txt").write_text(GOOD, encoding="utf-8")
    (tmp_path / "fake.txt").write_bytes(b"\x00\x01\x02binary" * 100)
    (tmp_path / "latin.txt").write_bytes(bytes(range(0x80, 0x100)) * 50)
    with caplog.at_level(logging.WARNING):
        assert [d.name for d in load_documents(tmp_path)] == ["a"]
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 2
    assert warnings[0].startswith("fake.txt: ") and "二进制" in warnings[0] and "skipped" in warnings[0]
    assert warnings[1].startswith("latin.txt: ") and "UTF-8" in warnings[1]


def test_a_file_that_cannot_be_read_is_skipped_like_one_that_is_no_text(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture):
    (tmp_path / "a.txt").write_text(GOOD, encoding="utf-8")
    (tmp_path / "locked.txt").write_text(GOOD, encoding="utf-8")
    read_bytes = Path.read_bytes

    def refusing(path: Path) -> bytes:
        if path.name == "locked.txt":
            raise PermissionError(13, "Permission denied")
        return read_bytes(path)

    monkeypatch.setattr(Path, "read_bytes", refusing)
    with caplog.at_level(logging.WARNING):
        assert [d.name for d in load_documents(tmp_path)] == ["a"]
    assert [r.getMessage() for r in caplog.records] == ["locked.txt: 无法读取 (Permission denied)；已跳过此文件 (skipped)"]
    (tmp_path / "a.txt").unlink()
    with pytest.raises(ArticleError, match="locked.txt: 无法读取"):
        load_documents(tmp_path)


def test_when_no_article_loads_the_first_unreadable_file_is_the_error(tmp_path: Path):
    (tmp_path / "a.txt").write_bytes(b"")
    (tmp_path / "b.txt").write_bytes(b"\x00\x01" * 100)
    with pytest.raises(ArticleError, match=r"^b.txt: .*二进制.*\(binary file, not text\)$"):
        load_documents(tmp_path)
    (tmp_path / "c.txt").write_bytes(b"\x00\x02" * 100)
    with pytest.raises(ArticleError, match=r"^b.txt: .*另有 1 个文件也被跳过 \(1 more skipped\)$"):
        load_documents(tmp_path)


def test_files_skipped_for_different_reasons_are_counted_as_skipped_not_unreadable(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A binary or oversized file was read well enough to be refused: "无法读取" would send the person looking
    for a permission problem."""
    monkeypatch.setattr("index.documents.MAX_FILE_BYTES", 1000)
    (tmp_path / "a.txt").write_bytes(b"\x00\x01" * 100)
    (tmp_path / "b.txt").write_text("图书馆" * 200, encoding="utf-8")
    with pytest.raises(ArticleError) as error:
        load_documents(tmp_path)
    assert str(error.value).startswith("a.txt: 这是二进制文件") and "无法读取" not in str(error.value)
    assert str(error.value).endswith("另有 1 个文件也被跳过 (1 more skipped)")


def test_a_file_over_the_size_limit_is_skipped_with_its_size_and_fails_only_alone(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture):
    """A dump left beside the articles must not silence them; it is named, with its size and the limit."""
    monkeypatch.setattr("index.documents.MAX_FILE_BYTES", 100)
    (tmp_path / "a.txt").write_text(GOOD, encoding="utf-8")
    (tmp_path / "big.txt").write_text("图书馆" * 200, encoding="utf-8")  # 1,800 bytes
    with caplog.at_level(logging.WARNING):
        assert [d.name for d in load_documents(tmp_path)] == ["a"]
    assert [r.getMessage() for r in caplog.records] == [
        "big.txt: 文件过大 (1.8 KB)，上限 100 B (file over the size limit)；已跳过此文件 (skipped)"]
    (tmp_path / "a.txt").unlink()
    with pytest.raises(ArticleError, match=r"^big.txt: 文件过大 \(1.8 KB\)，上限 100 B"):
        load_documents(tmp_path)


def test_sizes_read_at_a_glance():
    from index.documents import size_text

    assert [size_text(n) for n in (10, 2048, 20 * 1024 * 1024, 50 * 1024 * 1024 + 300_000)] == [
        "10 B", "2 KB", "20 MB", "50.3 MB"]
