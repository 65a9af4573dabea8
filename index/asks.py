"""What a question asks for, read from its words, and whether a passage's text can hold it.

A question asking how many wants a figure, one asking which day wants a
date, one asking how long a length of time, one about a photo a caption, one
about who wrote the article its byline.  These rules read text only, the
question's and a passage's: they know nothing of the index, which keeps
search.py to ranking and to weighing what the article contains.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import lru_cache
from importlib import resources

from index.tokens import without_asides

_PICTURE = re.compile(r"照片|图片|相片|配图|合影|画面|镜头|出镜|入镜|上镜|图中|图里|拍")
_PHOTO_FRAME = re.compile(r"第[一二三四五六七八九十\d]+[张幅]|[这那有一两几][张幅]|最后一[张幅]|场景|内容|地方|地点|位置|配|新闻|文章|报道|文中|本文")
_PHOTO_PLACE = re.compile(r"第([一二三四五六七八九十]|\d+)[张幅]|最后一[张幅]")
# words that ask about the article as a publication (who wrote it, under what title), which its
# front matter (title, subtitle, byline) answers; a question asking anything else is answered by the body
_ABOUT_ARTICLE = re.compile(r"作者|记者|通讯员|编辑|撰稿|撰写|执笔|写的|谁写|标题|题目|出处|来源|刊登|发表|署名|报社|报纸|媒体|转载")
# of those, the ones a byline answers (通讯员 曹琪琪, 本报记者 周晓岚, 来源：…): who wrote it, where it ran
_WHO_WROTE = re.compile(r"作者|记者|通讯员|编辑|撰稿|撰写|执笔|写的|谁写|署名|出处|来源|刊登|发表|报社|报纸|媒体|转载")
# what the article is about as a whole, which its title and first paragraph (the lead) answer
_WHAT_ABOUT = re.compile(r"(?:讲|说|写|报道|介绍)(?:了|的是|的)?(?:什么|啥|些什么)|主要内容|大意|概括|总结|摘要|关于什么")
# words that name the article itself, not anything it tells of (这篇文章 is cut 这 | 篇文章)
_THE_ARTICLE = frozenset({"文章", "篇文章", "这篇", "本文", "报道", "新闻", "稿子", "全文", "主要", "内容", "写", "讲",
                          "说", "介绍", "谁写"})
_WHO = re.compile(r"谁|哪位|叫什么|什么名字|姓什么|姓名")
_NAME = re.compile(r"叫什么|叫啥|什么名字|姓什么|姓啥|名字")  # the answer is a name, not a role
_CJK = re.compile(r"[\u4e00-\u9fff]")
_CLOSING_QUOTE = re.compile(r"[”」』\"]")
TAKES_POST = ("担任", "任", "为")  # 方国栋任组长, 局长为组长: what stands before them holds the post
_DEGREES = "度(?!电)"  # 多少度, 几度: degrees; 多少度电 asks for energy, a figure in 千瓦时
# 几 asks, but not in 几乎 (almost), nor in 好几年, 前几天, 这几天, 头几天 (a few: the reader's own words)
_QUANTITY = re.compile(r"多少|(?<![哪头好前这那])几(?!乎)[个次名位人天年月日号家所条户]?|多[大长久远高重粗宽深厚]|数量|人数|比例|百分之|第几")
_FIGURE_AFTER = re.compile(r"[^。！？；，,、\d]{0,4}\d")
_FIGURE_BEFORE = re.compile(r"\d+[^\d。！？；，,、]{0,2}$")
# 3000多块, 两万余元: a round figure and more is still a sum
_MONEY = re.compile(r"\d[\d.,]*\s*(?:多|余)?\s*(?:万|亿|千)?\s*(?:多|余)?\s*(?:元|块|美元)|[一二三四五六七八九十百千万亿]+(?:多|余)?元")
# a sum named by what it is (票价, 经费): asked for unless the question asks for another kind of answer
# (票价调整的听证会是哪天开的 wants a day; 维修费用由谁承担 still speaks of a sum) or names the thing it
# asks for (补贴打到什么账户: an account; 补贴按什么标准 still asks a sum)
_MONEY_NAMED = re.compile(r"费用|资金|补贴|罚款|价格|票价|面值|工资|投资|预算|经费")
_WHAT_THING = re.compile(r"什么(?!标准|价|费|钱)[\u4e00-\u9fff]")
_SHARE = re.compile(r"比例|占比|百分比|几成|百分之")  # 补贴先拨付多少比例: a share of the sum, not a sum
# 补贴怎么申请, 能不能申请补贴: how or whether, not how much (补贴怎么算 still asks it); the passage must speak
# of the sum by its name, but need not give it
_HOW_OR_WHETHER = re.compile(r"(?:怎么|如何|怎样|咋)(?!算|计算|收)"
                             r"|能不能|能否|可不可以|可否|是否|有没有|要不要|需不需要|会不会|吗|么[？?]?$")
_ANSWER_TYPES = (  # (the question asks for…, …which a passage answering it must contain)
    (re.compile(r"哪天|哪一天|哪几天|几号|几月几日|哪一日|哪日"),  # a day: only a date answers it
     re.compile(r"\d+\s*[日号]|\d+月|[一二三四五六七八九十]+[日号]|当天|当日|同日|同一天|次日|前一天|今天|昨天|明天|周[一二三四五六日末]|星期"
                r"|之日")),  # 自出生之日起: a day named by what happens on it
    (re.compile(r"什么时候|何时|哪天|哪一天|几月|几号|什么时间|日期"),
     re.compile(r"\d+\s*[年月日号时点]|[一二三四五六七八九十]+[年月日]|今年|去年|明年|上午|下午|晚上|凌晨|期间|以来|之前|之后|以后|截至|当天|每天|每周|每月|每年|周[一二三四五六日末]"
                r"|之日")),
    (re.compile(r"哪一?年|几几年"), re.compile(r"\d{2,4}\s*年|[一二三四五六七八九十〇零]{2,4}年|今年|去年|明年|前年")),
    (re.compile(r"几点|什么时段"), re.compile(r"\d+\s*[点时:：]|[一二三四五六七八九十]+点|全天|小时")),
    (re.compile(r"多少钱|花了多少|罚多少|多少元"
                # a fee (停车费, 物业费) asked for as a sum or by its rate
                r"|(?<![免浪消])费(?:是|要|为|大概|一般|大约)?多少|多少[^，。？！,?!]{0,3}(?<![免浪消])费|(?<![免浪消])费[^，。？！,?!]{0,6}标准"),
     _MONEY),
    (re.compile(r"多少天|(?<![哪头好前这那近])几天|多久|多长时间|多快(?=[能可就会才要])|多少个?小时|几个?小时|多少分钟|几分钟|几个月|多少个月|几周|几个星期"),
     re.compile(r"(?:\d+|[一二两三四五六七八九十半]+)\s*(?:多)?(?:个多?)?(?:天|周|星期|个月|小时|分钟|秒|工作日|年来|年间)|当天|当日|全天|长期"
                # how often (多久…一次) is answered by a period: 每月…至少1次
                r"|每(?:天|日|周|星期|个?月|季度?|半年|年)[^，。；！？,;!?]{0,16}(?:\d+|[一两二三四五六七八九十])\s*[次回趟轮]")),
    # ℃ reads °C once normalized (NFKC), as the passages are
    (re.compile(rf"多少{_DEGREES}|几{_DEGREES}|气温|温度多少"),
     re.compile(r"\d+\s*(?:(?:摄氏|华氏)?度|℃|°)|[一二三四五六七八九十]+(?:摄氏|华氏)?度")),  # 零下17摄氏度
    (re.compile(r"多大年纪|几岁|多少岁|年龄|多大岁数"), re.compile(r"\d+\s*岁|[一二三四五六七八九十]+岁")),
    # 打电话给我, 接听电话 ask about a call, not a number; a number may be written in groups (0571-8888, 8626 3150)
    (re.compile(r"(?<![打来回接听通挂])(?<!打个)电话|手机号|联系方式|热线|号码"), re.compile(r"\d{5,}|\d{3,4}[- ]\d{4,}")),
    # where from: a place, or the body sending (从哪天 asks when)
    (re.compile(r"从哪里|从哪儿|从哪(?![些个种位方一天年月日号])|哪里来|哪儿来"),
     re.compile(r"(?:在|于|从|来自|由)[^，。；！？,;!?]{0,12}(?:省|市|县|区|镇|乡|村|街道|社区|中心|医院|学校|馆|所|站)"
                r"|[\u4e00-\u9fff]{2,10}(?:中心|医院|卫生院|派出所|局|委|院|校|站|公司|单位|部门|机关|社区|街道|[省市县区镇乡村])")),
    (re.compile(r"地址|在哪里|在哪儿|(?<!从)哪里(?!来)|(?<!从)哪儿(?!来)|在哪(?![些个种位方一天年月日号次届场轮期批])|什么地方|位置|位于|哪个城市|哪座城市"),
     re.compile(r"(?:在|于|位于|到|赴|从|来自|往|至)[^，。；！？,;!?]{0,12}(?:省|市|县|区|镇|乡|村|街道|社区|路|街|号|楼|层|中心|广场|大厦|酒店|医院|学校|馆|所|站|点|处|园|场|地"
                r"|段|桥|河|江|湖|山|岛|港|湾|口|岸|堤|村委会|礼堂|室|厅|院|门诊)|\d+号")),  # 到卫生院, 到门诊
    # an address (地址) is a street and number, not any place a passage names
    (re.compile(r"地址"), re.compile(r"[\u4e00-\u9fff\d](?:路|街|大道|巷|弄)|\d+\s*号")),
    # how many years: a number of years (30多年, 十余年, 多年), not a year (2020年)
    (re.compile(r"多少年(?!级)|(?<![好前这那])几年(?![级前后])|多少个年头"),
     re.compile(r"(?<![\d.])\d{1,2}\s*(?:多|余)?\s*(?:个)?年(?![级月底初末度])|[一二两三四五六七八九十百]+(?:多|余)?年(?![级月底初末度])"
                r"|多年|年来|年间|周年")),
    # a rate (中签率是多少) wants a percentage or tenths (85%, 百分之八十五 reads 85%, 七成); 多大比例 and 几成 may
    # be worked out from counts, so they are not held to one
    (re.compile(r"率(?:是|有|大概|大约|一般)?多少"),
     re.compile(r"\d+(?:\.\d+)?\s*%|[一二两三四五六七八九十\d]成|[一二三四五六七八九]+分之|\d+分之")),
    # how heavy, how large an area: a figure in a unit of weight or of area (how long and how far are not
    # held to one: a passage on a tower or a route holds lengths of other things, and a distance may be told
    # in minutes)
    (re.compile(r"有多重|多重(?=[？?啊呀呢吗]|$)|重量(?!级)|体重"),  # not 多重保障 (manifold), 重量级 (heavyweight)
     re.compile(r"\d+(?:\.\d+)?\s*(?:多|余)?\s*(?:千克|公斤|克|斤|吨|kg|g)|[一二两三四五六七八九十百千]+(?:多|余)?(?:千克|公斤|克|斤|吨)")),
    (re.compile(r"面积"),
     re.compile(r"\d+(?:\.\d+)?\s*(?:多|余)?\s*(?:万|千)?\s*(?:多|余)?\s*(?:平方|亩|公顷|m2)|[一二两三四五六七八九十百千万]+(?:多|余)?(?:平方|亩|公顷)")),
    # a brand: a maker named (XX牌, a company) or the word itself (品牌)
    (re.compile(r"(?:什么|哪个|哪一?种|啥)(?:品牌|牌子)|(?:什么|啥)牌(?![照匾])"),
     re.compile(r'品牌|牌子|[\u4e00-\u9fffA-Za-z\d”」"]牌(?![照匾])|公司|集团|厂')),
    # which bus line (坐哪路车, 几路公交): a line named by its number (12路, K7路, 地铁2号线)
    (re.compile(r"(?:哪一?|几)路(?![程上线途边口段费])|哪一?趟|几号线"),
     re.compile(r"[\dA-Za-z]+\s*路(?![口段面况线程费])|\d+\s*号线|专线|支线")),
    # a speed
    (re.compile(r"多快(?![能可就会才要])|时速|车速|速度是多少|速度多少"),
     re.compile(r"\d+(?:\.\d+)?\s*(?:公里|千米|km|米)\s*(?:/|每)\s*(?:小时|h|秒|分钟)|时速\s*\d+|\d+\s*(?:码|迈)")),
)
# 多少名, 几张, 多少吨: the measure word or unit the answer's figure must carry, and the ones that may stand for
# it (a reporter writes 队员1000余人 for 多少名队员, 8个商户 for 几家商户); 个 serves for most
_MEASURES = {
    "名": "名人位个", "人": "人名位个", "位": "位名人个", "家": "家个户", "户": "户家", "所": "所个", "座": "座个",
    "张": "张", "辆": "辆台", "台": "台辆套个", "件": "件起个", "起": "起件", "场": "场次", "条": "条个",
    "项": "项个条", "栋": "栋幢座", "幢": "幢栋座", "本": "本册", "册": "册本", "棵": "棵株", "株": "株棵",
    "吨": "吨", "亩": "亩",
}
_MEASURE_ASKED = re.compile(r"(?:多少|(?<!哪)几)(%s)([\u4e00-\u9fff]?)" % "|".join(_MEASURES))


_FIGURE_UNIT = re.compile(r"(?:\d+(?:\.\d+)?|[一二两三四五六七八九十百千万]+)\s*[万千百亿]?\s*[多余来]?\s*([\u4e00-\u9fff])")


def figure_units(text: str) -> frozenset[str]:
    """The characters written right after a figure in the text (个, 名, 吨, 车 of 3200车)."""
    return frozenset(_FIGURE_UNIT.findall(text))


def asked_units(question: str) -> str | None:
    """多少名志愿者 → the units a figure answering it may carry (名人位个, and 志 of 志愿者); None when the
    question names no measure word of its own (多少, 几个)."""
    match = _MEASURE_ASKED.search(question)
    return None if match is None else _MEASURES[match.group(1)] + match.group(2)


# which village, which hospital, which road…: a place or body of that kind, named (青山社区, 西湖区, 人民医院,
# 桂香路); kinds that end the names of places and bodies in general Chinese, each with the endings a name of
# its kind may have (哪所学校 is answered by 卫生职业学院, 哪家公司 by 建工集团)
_NAMED_KINDS = {
    "村": "村", "社区": "社区", "镇": "镇", "街道": "街道", "乡": "乡", "县": "县", "区": "区", "市": "市", "省": "省",
    "国家": "国家|国(?=[、,.;，。；和及等])", "路": "路|街|道|巷|弄", "街": "街|路|道|巷", "站": "站", "山": "山|峰|岭", "河": "河|江|溪",
    "湖": "湖|水库", "报社": "报社|报|台|媒体中心|传媒", "医院": "医院|卫生院|诊所|中心",
    "卫生院": "卫生院|医院|诊所|中心", "公司": "公司|集团|厂|商行", "工厂": "厂|公司|企业", "厂": "厂|公司|企业",
    "学校": "学校|学院|大学|中学|小学|幼儿园|职校|技校", "大学": "大学|学院", "中学": "中学|学校", "小学": "小学|学校",
    "幼儿园": "幼儿园", "银行": "银行|信用社", "酒店": "酒店|宾馆|饭店|旅馆", "宾馆": "宾馆|酒店|饭店|旅馆",
    "超市": "超市|商场|店", "商场": "商场|超市|广场|中心", "店": "店|馆|铺|行|超市", "小区": "小区|花园|苑|村|公寓",
    "公园": "公园|园", "景区": "景区|风景区|山|园", "寺": "寺|庙|观", "馆": "馆|院|中心", "派出所": "派出所",
    "法院": "法院", "机场": "机场", "院": "院",
}
_KINDS = "|".join(sorted(_NAMED_KINDS, key=len, reverse=True))  # 医院 before 院
# 哪个村, 哪家医院; 哪家建筑公司 (a word or two between, after a measure word). One pattern, and each kind's
# endings compiled when first asked for: a pattern over the whole CJK range takes milliseconds to compile
# (哪路 alone asks for a bus line, below, not a road)
_WHICH_KIND = re.compile(rf"哪(?!一?路)一?[家个所座条些]?({_KINDS})|哪一?[家个所座条][\u4e00-\u9fff]{{1,2}}?({_KINDS})")
# an edition or a time, named by its number: 第六届, 2025年, 5月1日, 23日
_EDITION = re.compile(r"(第)[\d零〇一二两三四五六七八九十百]+([届期次批轮季])|\d{2,4}(年)|\d{1,2}(月)(?:\d{1,2}(日))?|\d{1,2}(日)|第?[一二三四1-4](季度)")
_SENTENCE_END = re.compile(r"[。！？；!?;\n]")
_HEADING_LINE = re.compile(r"[^。！？；!?;：:，,]{1,20}")  # a line that heads a section: short, with no stop
# 80, 两个, 九点; after 一 fewer measure words count (进一步, 一道, 一片, 一段 are no figures), so 五步, 三套, 两份
# count only after a numeral from two up
_COUNT = re.compile(r"\d|[一二两三四五六七八九十百千万][个名位人户家条项次回遍天年月日号点时分秒周所座辆件本张台栋幢层倍成类种批支组期轮元块岁米吨]"
                    r"|[二两三四五六七八九十百千万][步份套间处部只头段句道门片趟级届场节架艘亩斤篇首幅双对副箱包袋瓶]")
_CHOICE = re.compile(r"还是|或者是|或是")
# 一斤, 每晚, 一台: a unit things are priced per (not a period or a person: 每年, 每人 sums are told without
# naming them again, 个人缴费380元)
_PER_ITEM = re.compile(r"[一每]\s*个?(斤|公斤|千克|亩|晚|吨|台|张|瓶|盒|袋|箱|件|辆|套|碗|杯|份|间)")
_ANY_FIGURE = re.compile(r"\d|[一二两三四五六七八九十百千万]")
_MAGNITUDE = re.compile(r"[上近过破超数几]?[十百千万亿]+")  # 上百万, 破万, 几十万: a size guessed, not a figure
_ESTIMATE_AROUND = re.compile(r"(?:上|近|过|超过|破|约|大约|将近|接近|不到|不足)$")
_ANSWER_UNITS = frozenset({"钱", "块钱", "岁", "度"})  # units an answer gives in figures (120元, 78岁, 26℃)
_ASKED_UNIT = re.compile(rf"(?:多少|几)(钱|块钱|岁|{_DEGREES})")
_HOW_MANY = re.compile(r"(?:多少|哪?几|哪一)[\u4e00-\u9fff]")  # 多少 or 几 with a measure word: no list holds them all


def is_photo_word(word: str) -> bool:
    """照片, 图片: a word that asks for a caption and names no content of its own."""
    return bool(_PICTURE.fullmatch(word))


def asks_for_photo(question: str) -> bool:
    return bool(_PICTURE.search(question))


def frames_a_photo(word: str, question: str) -> bool:
    """In a question about a photo, a word that says which photo (第一张, 那张), where it stands (文章配的)
    or that it is asked what it shows (场景): none names content its caption would hold."""
    if not asks_for_photo(question):
        return False
    if word in ("张", "幅"):  # a measure word before the photo (那 | 张 | 照片), not the surname in 张书记
        return re.search(f"{word}(?:{_PICTURE.pattern})", question) is not None
    return _PHOTO_FRAME.fullmatch(word.strip("里的")) is not None  # 报道|里配|的: jieba glues 里 on


def photo_ordinal(question: str) -> int | None:
    """第二张照片 asks for the article's second photo: 1; 最后一张: -1; None when it names no place."""
    match = _PHOTO_PLACE.search(question)
    if match is None:
        return None
    if match.group(0).startswith("最后"):
        return -1
    number = match.group(1)
    return int(number) - 1 if number.isdigit() else "一二三四五六七八九十".find(number)


def asks_who(question: str) -> bool:
    """谁, 叫什么, 哪位: the answer is a person."""
    return who_asked(question) is not None


def who_asked(question: str) -> re.Match[str] | None:
    """谁, 哪位, 叫什么: where the question asks who (of whatever is named just before it)."""
    return _WHO.search(question)


def asked_name(question: str) -> re.Match[str] | None:
    """叫什么名字, 姓什么: where the question asks for a name (of whatever is named just before it)."""
    return _NAME.search(question)


@lru_cache(maxsize=1)
def _surnames() -> frozenset[str]:
    text = resources.files("index").joinpath("data/surnames.txt").read_text(encoding="utf-8")
    return frozenset(ch for line in text.splitlines() if not line.startswith("#") for ch in line.strip())


def names_holder(text: str, role: str) -> bool:
    """The text gives a name right beside the role: 书记王建国, 李文华馆长.

    A name is two or three characters opening with a common surname,
    after the role or before it (where nothing else runs into the name).
    A deputy's title (副局长) does not name the holder of the post itself.
    """
    surnames = _surnames()
    for match in re.finditer(re.escape(role), text):
        start, end = match.span()
        if start and text[start - 1] == "副" and not role.startswith("副"):
            continue
        after = text[end:end + 2]
        if len(after) == 2 and after[0] in surnames and _CJK.match(after[1]):
            return True
        link = next((w for w in TAKES_POST if text.endswith(w, 0, start)), "")
        start -= len(link)  # 方国栋任组长: the name, then 任 and the post
        for size in (2, 3):
            name = text[max(start - size, 0):start]
            if (len(name) == size and name[0] in surnames and all(map(_CJK.match, name))
                    and (start - size == 0 or not _CJK.match(text[start - size - 1]) or link)):
                return True
    return False


def gives_a_name(text: str, question: str = "") -> bool:
    """A name right after a closing quote (“老黄牛”陈志明): how reports name the people they praise.

    A name the question itself gives is not the one it asks for (张秀英的老伴叫什么名字, where the
    passage quotes 张秀英).
    """
    surnames = _surnames()
    return any(text[m.end()] in surnames and _CJK.match(text[m.end() + 1:m.end() + 2] or " ")
               and text[m.end():m.end() + 2] not in question
               for m in _CLOSING_QUOTE.finditer(text[:-1]))


def asks_about_article(question: str) -> bool:
    """Who wrote it, under what title: the front matter's to answer, not the body's."""
    return bool(_ABOUT_ARTICLE.search(question))


# a whole message that greets, thanks, takes leave or only acknowledges: no question about the article
_GREETING = (r"你好|您好|你们好|大家好|哈喽|嗨|hi|hello|hey|在|在不在|有人|你是谁|你是什么|你叫什么"
             r"|你能做什么|你会做什么|你会什么|你可以做什么|你能干什么|你能干啥|怎么用|如何使用|帮助|help|测试|test")
_THANKS = r"谢谢你?|谢谢啦|多谢|感谢|谢啦|辛苦了|thanks|thankyou|thx"
_FAREWELL = r"再见|拜拜|回头见|下次见|晚安|byebye|bye"
_OK = r"好的|好滴|好嘞|好吧|好|ok|okay|嗯+|哦+|噢+|知道了|明白了?|懂了|收到|了解"
# the kinds of small talk (records.SMALL_TALK), in the order one decides a mixed message by (好的谢谢 thanks,
# 谢谢再见 takes leave)
_SMALL_TALK = {"farewell": re.compile(_FAREWELL), "thanks": re.compile(_THANKS), "greeting": re.compile(_GREETING),
               "acknowledged": re.compile(_OK)}
_SMALL_TALK_ONLY = re.compile(rf"(?:{_FAREWELL}|{_THANKS}|{_GREETING}|{_OK})+")
_MARKS = re.compile(r"[\s\W_]+")  # punctuation, emoji, spaces
_PARTICLES = re.compile(r"[呀啊吖呢吗嘛哈啦哇喔]+")  # what ends small talk, or joins its pieces (好的呀谢谢)


def small_talk(question: str) -> str | None:
    """The kind of small talk the whole message is: "greeting" (你好, 你能做什么), "thanks" (谢谢, 好的谢谢),
    "farewell" (再见, 谢谢拜拜) or "acknowledged" (好的, 嗯嗯, 知道了); None for anything else.

    A greeting with a question (你好，东湖街道有多少个小区) is a question: only
    the whole message counts, and 你好 is a stopword besides. A message of
    several pieces is taken by the one that asks most of a reply: leave-taking,
    then thanks, then a greeting.
    """
    bare = _PARTICLES.sub("", _MARKS.sub("", question.lower()))
    if not bare or not _SMALL_TALK_ONLY.fullmatch(bare):
        return None
    return next(kind for kind, piece in _SMALL_TALK.items() if piece.search(bare))


def asks_who_wrote(question: str) -> bool:
    """Who wrote it, where it ran: a byline answers, and an article without one does not say."""
    return bool(_WHO_WROTE.search(question))


def asks_what_about(question: str) -> bool:
    """这篇文章讲了什么: the article as a whole, which its title and lead tell."""
    return bool(_WHAT_ABOUT.search(question))


def names_only_the_article(terms: Iterable[str]) -> bool:
    """作者是谁, 这篇文章讲了什么: every word is about the article itself (its author, title, content), so
    nothing in it is to be searched for; 东湖街道防疫报道的通讯员是谁 names what the article tells of too."""
    return all(term in _THE_ARTICLE or _ABOUT_ARTICLE.search(term) for term in terms)


def is_how_many_word(word: str, question: str = "") -> bool:
    """多少辆, 几点: a question word with its measure word, searched but not asked of the article.

    So is the unit of the answer asked for when jieba cuts it off (多少 | 钱, 几 | 岁): the article
    says 120元 or 78岁, never 钱.
    """
    return bool(_HOW_MANY.fullmatch(word)) or (word in _ANSWER_UNITS and word in _ASKED_UNIT.findall(question))


def is_estimate(term: str, question: str) -> bool:
    """四百多, 上百万, 过十万: the reader's guess at a figure, which the article need not contain.

    A magnitude word (上百万, 破万), or a figure the question hedges: 多, 余,
    来 or 左右 after it, 上, 近, 约, 超过 or 不到 before it.
    """
    if _MAGNITUDE.fullmatch(term):
        return True
    if not term.replace(".", "").isdigit():
        return False
    at = question.find(term)
    while at >= 0:
        after = question[at + len(term):at + len(term) + 2]
        if after[:1] in ("多", "余", "来") or after == "左右" or _ESTIMATE_AROUND.search(question[max(0, at - 2):at]):
            return True
        at = question.find(term, at + 1)
    return False


def quantity_word(question: str) -> re.Match[str] | None:
    """Where the question asks how many or how much (多少, 几个, 多大...); None when it does not."""
    return _QUANTITY.search(question)


def is_date(term: str) -> bool:
    """2025年, 5月1日: a year or a day, as specific to what is asked as a name is."""
    shape = instance_shape(term)
    return shape is not None and not shape.startswith("第")


def month_of(term: str) -> str | None:
    """4月8日 → 4月: the month a day is in; None for anything else."""
    return term[:term.index("月") + 1] if instance_shape(term) == "#月#日" else None


def instance_shape(term: str) -> str | None:
    """第六届 → 第#届, 2025年 → #年, 5月1日 → #月#日, 二季度 → #季度: which edition or time a word names,
    without its number."""
    match = _EDITION.fullmatch(term)
    if match is None:
        return None
    first, unit, year, month, day, day_alone, quarter = match.groups()
    if first:
        return "第#" + unit
    if quarter:
        return "#季度"
    if year:
        return "#年"
    if day_alone:
        return "#日"
    return "#月#日" if day else "#月"


def lacks_answer_type(question: str, text: str, wants_number: bool) -> bool:
    """The question asks for a kind of answer (a figure, a day, a length of time, a sum of money,
    an age, a phone number, a place) that the text does not hold: it cannot be the answer."""
    if wants_number and not _ANY_FIGURE.search(text):
        return True
    return any(not holds.search(text) for holds in _answer_kinds(question))


def asks_a_typed_answer(question: str) -> bool:
    """A day, a clock time, a sum, a place, a named kind…: more than a figure of any kind."""
    return bool(_answer_kinds(question))


@lru_cache(maxsize=1024)  # the same question is held against several passages in a row
def _answer_kinds(question: str) -> tuple[re.Pattern[str], ...]:
    """What a passage answering the question must contain, one pattern for each kind of answer it asks for.

    A sum named by what it is (票价) counts only when no other kind, and no other thing, is asked, and
    only its name when the question asks how or whether (补贴怎么申请, 能不能申请补贴);
    each named kind asked (哪个村, 哪家医院) wants a name of that kind.
    """
    kinds = [holds for asks, holds in _ANSWER_TYPES if asks.search(question)]
    named = _MONEY_NAMED.search(question)
    if not kinds and named and not _WHAT_THING.search(question) and not _SHARE.search(question):
        kinds = [re.compile(re.escape(named.group(0))) if _HOW_OR_WHETHER.search(question) else _MONEY]
    kinds += [_named(match.group(1) or match.group(2)) for match in _WHICH_KIND.finditer(question)]
    per_item = _PER_ITEM.search(question)
    if per_item and _MONEY in kinds:  # 一斤多少钱, 住一晚要多少钱: a price for that unit
        kinds.append(_priced_per(per_item.group(1)))
    return tuple(kinds)


@lru_cache(maxsize=None)
def _priced_per(unit: str) -> re.Pattern[str]:
    """A sum in a clause that names the unit it is for (每斤12元, 12元/斤, 一晚收费300块): the price of one
    斤 or one night, where a passage giving sums of other things (产量80万斤，收入600万元) does not say it."""
    return re.compile(rf"{unit}[^。！？；，,\n]*?(?:{_MONEY.pattern})|(?:{_MONEY.pattern})[^。！？；，,\n]*?{unit}")


def after_which_kind(question: str) -> list[str]:
    """What follows each named kind asked for: 施工的 in 哪家公司施工的."""
    return [question[match.end():] for match in _WHICH_KIND.finditer(question)]


@lru_cache(maxsize=None)
def _named(kind: str) -> re.Pattern[str]:
    """A name of the kind: two or more Chinese characters, then an ending its kind's names take."""
    return re.compile(rf"[\u4e00-\u9fff]{{2,10}}(?:{_NAMED_KINDS[kind]})")


def has_figure(text: str) -> bool:
    """A figure that counts or dates something: 80, 两个, 九点 (not the 一 of 一方面)."""
    return _COUNT.search(text) is not None


def names_without_counting(text: str, counted: Iterable[str], units: str | None = None) -> bool:
    """The text names the counted thing, but in no sentence with a figure (80, 两个, 九点); when the question
    counts in a measure word (多少家企业: asked_units gives 家个户企), in none with a figure in one of those.

    It talks about the thing without saying how many: 200余人下沉…帮企业复产 counts people, not
    企业. A text that does not name the thing at all is not judged here (the reader may have used other words).
    """
    present = [t for t in counted if t in text]
    if not present:
        return False
    counts = has_figure if not units else lambda sentence: any(unit in units for unit in figure_units(sentence))
    return not any(any(t in sentence for t in present) and counts(sentence) for sentence in _sentences(text))


def is_heading_line(line: str) -> bool:
    """门票, 开放时间: a short line with no stop, which heads what stands under it."""
    return bool(_HEADING_LINE.fullmatch(line))


def _sentences(text: str) -> Iterator[str]:
    """Sentences, a line that leads into a list (成绩速览：) joined to the line under it, and a heading
    (the passage's first line, short and unpunctuated: 门票) to every sentence under it."""
    lines = text.split("\n")
    heading = lines[0] if len(lines) > 1 and is_heading_line(lines[0]) else ""
    lead = ""
    for line in lines[1:] if heading else lines:
        line = heading + line
        if line.rstrip().endswith(("：", ":")):
            lead += line
            continue
        for sentence in _SENTENCE_END.split(line):
            yield lead + sentence
        lead = ""
    if lead:
        yield lead


def next_to_figure(text: str, term: str) -> bool:
    """Does a figure stand within four characters after (由原来的620个), or right before, the term?
    An aside inside it is read past (269名村(社区)干部 counts 村干部)."""
    if term not in text and "(" in text:
        text = without_asides(text)
    start = text.find(term)
    while start >= 0:
        if figure_by(text, start, start + len(term)):
            return True
        start = text.find(term, start + 1)
    return False


def figure_by(text: str, start: int, end: int) -> bool:
    """Does a figure stand within four characters after text[start:end], or right before it?"""
    return bool(_FIGURE_AFTER.match(text, end) or _FIGURE_BEFORE.search(text[max(0, start - 5):start]))


def choice_sides(question: str) -> Iterator[tuple[str, str]]:
    """The two sides of each 'A还是B' in the question.

    A side is what stands between 还是 and the nearest 是, comma or question
    particle, at most 8 characters; a choice missing a side is skipped.
    """
    for match in _CHOICE.finditer(question):
        left = re.split(r"[是用，,、\s]", question[:match.start()])[-1][-8:]
        right = re.split(r"[的吗呢呀？?，,。\s]", question[match.end():])[0][:8]
        if left and right:
            yield left, right
