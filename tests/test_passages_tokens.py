"""Passages (sentence-aware, bounded) and tokens (one normalization for article and question)."""

from __future__ import annotations

from core_fixtures import seeds_library  # noqa: F401  (fixture)
from index.documents import parse_document
from index.passages import MAX_CHARS, build_passages, split_sentences, windows
from index.tokens import bigrams, cn_to_int, normalize, numerals_to_digits, question_text, tokenize, words


def test_sentences_keep_their_punctuation_and_closing_quotes():
    assert split_sentences("第一句。第二句！他说：“第三句？”最后；") == ["第一句。", "第二句！", "他说：“第三句？”", "最后；"]
    assert split_sentences("没有句号的尾巴") == ["没有句号的尾巴"]


def test_long_paragraph_becomes_balanced_sentence_windows():
    paragraph = "".join(f"这是第{i}个比较长的句子，用来测试窗口的切分是否均衡。" for i in range(30))
    parts = windows(paragraph)
    assert "".join(parts) == paragraph
    assert all(len(p) <= MAX_CHARS for p in parts)
    assert all(p.endswith("。") for p in parts)
    assert max(map(len, parts)) - min(map(len, parts)) < 60


def test_a_single_huge_sentence_is_still_bounded():
    sentence = "，".join(["很长的分句"] * 200) + "。"
    assert all(len(p) <= MAX_CHARS for p in windows(sentence))
    assert "".join(windows(sentence)) == sentence


def test_passages_have_ids_sections_and_bounded_text(seeds_library):
    passages = seeds_library.passages
    assert len({p.id for p in passages}) == len(passages)
    assert all(len(p.text) <= MAX_CHARS for p in passages)
    heading = next(p for p in passages if p.section == "组织力度“+”， 疫情恐慌“-”")
    assert heading.text.startswith("组织力度“+”， 疫情恐慌“-”\n")
    captions = [p for p in passages if p.kind == "caption"]
    assert any("健康码" in p.text for p in captions)


def test_passage_ids_are_stable_across_loads(seeds_library):
    from index.library import Library
    again = Library.load(seeds_library.documents[0].path.rsplit("/", 1)[0])
    assert [p.id for p in again.passages] == [p.id for p in seeds_library.passages]


def test_short_paragraphs_stay_whole():
    doc = parse_document("标题\n\n第一段很短。\n\n第二段也很短。", "d")
    texts = [p.text for p in build_passages([doc]) if p.kind == "body"]
    assert texts == ["第一段很短。", "第二段也很短。"]


def test_normalize_full_width_case_and_traditional():
    assert normalize("ＡＢＣ１２３") == "abc123"
    assert normalize("進出檢查過的人次總共多少") == "进出检查过的人次总共多少"
    assert normalize("a\u200bb\u202ec") == "abc"  # zero-width and bidi marks dropped


def test_skipping_opencc_for_text_it_cannot_change_gives_what_opencc_gives():
    """to_simplified skips OpenCC for text without a character it replaces; OpenCC must agree on such
    text, including the characters that only appear inside its phrase entries (乾隆, 覆盖)."""
    import random

    from index.tokens import _T2S, _changed_by_t2s, to_simplified

    changing = _changed_by_t2s()
    assert changing is not None and {"們", "這", "說"} <= changing and "们" not in changing
    in_entries = sorted({ch for group in _T2S._dict_chain_data for _, _, entries in group for key in entries
                         for ch in key} - changing)
    common = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说"
    rng = random.Random(7)
    texts = ["".join(rng.choice(in_entries + list(common)) for _ in range(rng.randint(1, 12))) for _ in range(3000)]
    texts += ["乾隆年间", "覆盖", "反覆", "東湖街道", "东湖街道防疫", "後來", "后来", "干部", "乾淨", "頭髮", "头发"]
    for text in texts:
        assert to_simplified(text) == _T2S.convert(text), text
    assert any(changing.isdisjoint(t) for t in texts)  # the fast path was taken


def test_numbers_and_dates_stay_whole():
    tokens = tokenize("工作人员累计检查571105车1263436人，4月8日起开展检测")
    assert "571105" in tokens and "1263436" in tokens and "4月8日" in tokens
    assert "5" not in tokens


def test_chinese_numerals_in_questions_become_digits():
    assert cn_to_int("八十") == 80
    assert cn_to_int("一百五十二") == 152
    assert cn_to_int("二〇二〇") == 2020
    assert cn_to_int("三万零五") == 30005
    assert numerals_to_digits("有八十个小区吗") == "有80个小区吗"
    assert numerals_to_digits("一心为民的一把手") == "一心为民的一把手"  # a lone 一 is part of a word
    assert numerals_to_digits("孩子才五六岁") == "孩子才五六岁"  # five or six, not 56
    assert numerals_to_digits("充个十分钟能跑多远") == "充个10分钟能跑多远"  # 十 before a unit of time
    assert numerals_to_digits("十分重要") == "十分重要"  # 十分 alone is 'very'


def test_a_figure_meets_the_article_however_it_is_written():
    """168万, 一百六十八万 and 1680000 are one figure; so are 百分之八十五 and 85%, 197,859 and 197859."""
    same = [("藏书168万册", "藏书一百六十八万册"), ("藏书168万册", "藏书1680000册"), ("总投资1.26亿元", "总投资一点二六亿元"),
            ("达到85%以上", "达到百分之八十五以上"), ("流动人口197,859人", "流动人口197859人"), ("共有十个小区", "共有10个小区")]
    for article, asked in same:
        assert tokenize(article) == tokenize(asked), (article, asked)
    assert tokenize("每年发电26万千瓦时") == ["每年", "发电", "260000", "千瓦时"]  # 26万 | 千瓦时, not 26 | 万千
    assert numerals_to_digits("千万不要大意，万一有事十分麻烦") == "千万不要大意，万一有事十分麻烦"  # words, not figures
    assert tokenize("1.2345万")[0] == "12345" and tokenize("1.23456万")[0] == "1.23456"  # kept when not whole


def test_a_number_that_names_a_line_or_a_building_is_one_word():
    """4号线 and 8号楼 are names: jieba should not glue 线 to the next word (线用) after cutting 4号."""
    assert tokenize("4号线用的是什么车型") == ["4号线", "用", "车型"]
    assert tokenize("地铁4号线一期工程")[:2] == ["地铁", "4号线"]
    assert tokenize("1月23号") == ["1月23日"]  # a day, not a name


def test_a_date_meets_the_article_however_the_reader_writes_it():
    """一月二十三日, 1月23号 and 2020年1月23日 all ask about the article's 1月23日."""
    article = tokenize("1月23日，又成立防疫领导小组")
    for asked in ("一月二十三日", "1月23号", "一月二十三号", "2020年1月23日"):
        assert "1月23日" in tokenize(asked), asked
    assert tokenize("2020年1月23日") == ["2020年", "1月23日"]  # the year, then the day of it
    assert "1月23日" in article and tokenize("三月中旬") == ["3月", "中旬"]
    assert tokenize("十二月五号") == ["12月5日"]


def test_stopwords_and_question_words_dropped():
    assert words(question_text("请问东湖街道有多少个志愿者呢？")) == ["东湖", "街道", "志愿者"]


def test_a_question_word_jieba_splits_is_still_a_question_word():
    """是从哪天: jieba glues 是从 and leaves 哪 | 天; 天 alone would be asked of the article as content."""
    assert words(question_text("这次专项检查是从哪天持续到哪天的？")) == ["专项", "检查", "是从", "持续", "到"]


def test_punctuation_only_question_has_no_words():
    assert words(question_text("？？！！……")) == []
    assert words(question_text("😀🎉")) == []


def test_bigrams_bridge_different_segmentations():
    assert bigrams("疫情防控") == ["疫情", "情防", "防控"]


def test_latin_words_with_a_hyphen_are_one_word_however_spelt():
    from index.tokens import question_text, tokenize, words
    assert "wifi" in tokenize("馆内实现Wi-Fi全覆盖，读者可以发E-mail。") and "email" in tokenize("发E-mail。")
    assert words(question_text("有WiFi吗")) == words(question_text("有wi-fi吗")) == ["wifi"]
    assert tokenize("COVID-19防疫")[:2] == ["covid", "19"]  # a letter and a digit stay apart, as the question has them


def test_a_bracketed_aside_inside_a_word_leaves_the_word_it_interrupts():
    """村(社区)干部 is also 村干部, 学校（含幼儿园）食堂 also 学校食堂; the words around it stay as they were."""
    assert "村干部" in tokenize("269名村（社区）干部作为主力军")
    assert "村干" in bigrams(numerals_to_digits(normalize("269名村（社区）干部作为主力军")))
    found = tokenize("检查学校（含幼儿园）食堂86家")
    assert "学校食堂" in found and {"学校", "幼儿园", "食堂", "86"} <= set(found)
    assert tokenize("（一）组织领导") == words(numerals_to_digits(normalize("（一）组织领导")))  # nothing interrupted


def test_the_index_holds_each_passage_s_own_tokens(seeds_library):
    searcher = seeds_library.searcher
    for row, text in enumerate(searcher.norm_texts):
        assert searcher.word_tokens[row] == tokenize(text, read=True)
        assert searcher.gram_tokens[row] == bigrams(text)
        assert searcher.token_sets[row] == frozenset(tokenize(text, read=True))
        assert searcher.gram_sets[row] == frozenset(bigrams(text))
