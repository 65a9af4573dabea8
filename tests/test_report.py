"""The publisher's report: figures on a known log, grouping of unanswered questions, text, HTML, /stats, CLI."""

from __future__ import annotations

import time
from datetime import datetime, timezone
from html.parser import HTMLParser
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.config import ConfigError
from bot.questionlog import QuestionLog
from bot.report import format_text, group_questions, render_html, stats_text, summarize, utf16_len
from test_questionlog import answer

NOW = datetime(2024, 11, 29, 12, 0, tzinfo=timezone.utc).timestamp()
SCRIPT = "<script>alert('x')</script> & 谁写的"


def at(day: int, hour: int = 9) -> float:
    return datetime(2024, 11, day, hour, 0, tzinfo=timezone.utc).timestamp()


@pytest.fixture
def log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("LOG_SALT", raising=False)
    with QuestionLog(tmp_path / "q.sqlite3") as question_log:
        rows = [  # (day, question, passage, answered, latency)
            (22, "旧问题", 3, False, 5.0),  # the day before the window
            (22, "东湖街道有多少个小区？", 3, True, 5.0),
            (25, "文章作者是谁", None, False, 30.0),
            (25, SCRIPT, None, False, 40.0),
            (28, "东湖街道有多少个小区？", 1, True, 10.0),
            (28, "拱墅区有多少个网格？", 2, False, 20.0),
            (29, "东湖街道有多少个小区", 1, True, 10.0),
            (29, "小区有几个", 1, True, 15.0),
            (29, "志愿者有多少名？", 2, True, 25.0),
            (29, "拱墅区有多少个网格？", None, False, 50.0),
            (29, "拱墅区一共有几个网格", None, False, 60.0),
        ]
        ids = [question_log.record("private" if i % 3 else "group", i, q, answer(q, n, ok), ms, at=at(day))
               for i, (day, q, n, ok, ms) in enumerate(rows)]
        by_question = dict(zip((r[1] for r in rows), ids))
        question_log.feedback(by_question["志愿者有多少名？"], 1, -1, at=at(29, 10))
        question_log.feedback(by_question["志愿者有多少名？"], 2, -1, at=at(29, 10))
        question_log.feedback(by_question["小区有几个"], 1, -1, at=at(29, 10))
        question_log.feedback(by_question["东湖街道有多少个小区"], 2, +1, at=at(29, 10))
        question_log.feedback(ids[1], 3, -1, at=at(22, 10))  # outside the window
        yield question_log


def test_figures_of_a_known_log(log: QuestionLog):
    s = summarize(log, days=7, now=NOW)
    assert [(d.date, d.asked, d.declined) for d in s.days] == [
        ("2024-11-23", 0, 0), ("2024-11-24", 0, 0), ("2024-11-25", 2, 2), ("2024-11-26", 0, 0),
        ("2024-11-27", 0, 0), ("2024-11-28", 2, 1), ("2024-11-29", 5, 2)]
    assert (s.asked, s.answered, s.declined, s.up, s.down) == (9, 4, 5, 1, 3)
    assert s.share_declined == pytest.approx(5 / 9)
    assert s.latency_median == 25.0 and s.latency_p95 == 60.0
    assert dict(s.chat_types) == {"private": 6, "group": 3}
    assert [(g.phrasing, g.count) for g in s.unanswered] == [("拱墅区有多少个网格？", 3), ("文章作者是谁", 1), (SCRIPT, 1)]
    assert s.unanswered[0].phrasings == (("拱墅区有多少个网格？", 2), ("拱墅区一共有几个网格", 1))
    assert [(p.passage_id, p.down, p.up) for p in s.most_downvoted] == [("doc#2", 2, 0), ("doc#1", 1, 1)]
    assert [(p.passage_id, p.asked, p.example) for p in s.most_asked] == [
        ("doc#1", 3, "东湖街道有多少个小区？"), ("doc#2", 1, "志愿者有多少名？")]  # ties: the earliest
    assert s.most_asked[0].text.startswith("第1段") and s.most_asked[0].title == "东湖街道的抗疫故事"
    one_day = summarize(log, days=1, now=NOW)
    assert (one_day.asked, one_day.declined, len(one_day.days)) == (5, 2, 1)


def test_small_talk_is_left_out_of_the_figures(log: QuestionLog):
    """你好 and 谢谢 are logged, but they are no questions: no decline, no unanswered question."""
    from index.answer import Answer
    for i, (text, reason) in enumerate((("你好", "greeting"), ("谢谢！", "thanks"), ("你好", "greeting"))):
        log.record("private", 100 + i, text, Answer(text, False, (), reason), 1.0, at=at(29, 11))
    s = summarize(log, days=7, now=NOW)
    assert (s.asked, s.answered, s.declined) == (9, 4, 5)
    assert "你好" not in [g.phrasing for g in s.unanswered]


def test_unanswered_questions_are_grouped_by_shared_words():
    groups = group_questions(["拱墅区有多少个网格？", "拱墅区一共有几个网格", "拱墅區網格有幾個", "拱墅区有多少个网格？",
                              "杭州市有多少个网格？", "东湖街道有多少个志愿者", "东湖街道有多少个小区", "？？", "！！", "？？", " "])
    assert [(g.phrasing, g.count) for g in groups] == [
        ("拱墅区有多少个网格？", 4), ("？？", 2), ("杭州市有多少个网格？", 1), ("东湖街道有多少个志愿者", 1),
        ("东湖街道有多少个小区", 1), ("！！", 1)]  # ties: first asked first
    assert dict(groups[0].phrasings) == {"拱墅区有多少个网格？": 2, "拱墅区一共有几个网格": 1, "拱墅區網格有幾個": 1}


def test_text_report(log: QuestionLog):
    out = format_text(summarize(log, days=7, now=NOW))
    assert "2024-11-23 至 2024-11-29" in out
    assert "问题 9 · 已回答 4 · 未回答 5（55.6%）" in out and "👍 1 · 👎 3" in out
    assert "   3×  拱墅区有多少个网格？  （另有 1 种问法）" in out
    assert "11-29     5" in out and "[doc#2]" in out


def test_stats_text_is_short_and_fits_a_message(log: QuestionLog):
    out = stats_text(log, now=NOW)
    assert out.startswith("问答报告 · 2024-11-23 至 2024-11-29") and "未回答 5（55.6%）" in out
    assert "3× 拱墅区有多少个网格？" in out and utf16_len(out) < 1500
    english = stats_text(log, now=NOW, lang="en")
    assert "9 questions · 4 answered · 5 declined (55.6%)" in english
    for i in range(60):  # a flood of long, distinct unanswered questions over three months
        log.record("private", i, f"问题{i}" + "😀长" * 200, answer("q", None, answered=False), 1.0, at=NOW - i * 120000)
    long = stats_text(log, days=90, now=NOW)
    assert utf16_len(long) <= 4096
    empty = stats_text(log, days=1, now=NOW + 30 * 86400)
    assert "没有记录到问题" in empty


class Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs.extend(attrs)

    def handle_data(self, data):
        self.text.append(data)


def test_html_report_is_self_contained_with_charts_and_escaped_text(log: QuestionLog, tmp_path: Path):
    page_html = render_html(summarize(log, days=7, now=NOW))
    page = Page()
    page.feed(page_html)
    text = " ".join(page.text)
    assert "script" not in page.tags and SCRIPT not in page_html  # the reader's text is escaped ...
    assert SCRIPT in text  # ... and reads back as written
    assert page.tags.count("svg") >= 1 + 3 + 2 + 2  # the day chart, a bar per group and per passage
    assert not [v for k, v in page.attrs if k in ("src", "href")]  # nothing to fetch
    assert 'lang="zh-CN"' in page_html and "Noto Sans CJK SC" in page_html and 'charset="utf-8"' in page_html
    for figure in ("9", "4", "5", "55.6%"):
        assert figure in page.text
    assert "拱墅区有多少个网格？" in text and "第1段：东湖街道共有80个小区" in text
    assert "2024-11-29: 5 问题, 未回答 2 (40.0%)" in text  # the tooltip of the last day's bar
    assert page_html.count('fill="#f58518"') >= 2 + 3  # declined segments on two days and three group bars


def test_report_command(log: QuestionLog, tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    now = time.time()
    log.record("private", 1, "今天的问题", answer("q", 1), 3.0, at=now)
    out_file = tmp_path / "report.html"
    assert main(["report", "--days", "3", "--log", str(log.path), "--html", str(out_file)]) == 0
    printed = capsys.readouterr().out
    assert "问题 1 · 已回答 1 · 未回答 0（0.0%）" in printed and str(out_file) in printed
    assert "<svg" in out_file.read_text(encoding="utf-8")
    missing = tmp_path / "missing.sqlite3"
    assert main(["report", "--log", str(missing)]) == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    assert line.startswith(f"error: 没有找到问答日志 {missing}：") and "（路径由 --log 给出）" in line
    assert "QUESTION_LOG" not in line  # it was --log that named the file
    assert line.endswith("(no question log there: the bot writes it while serving)")
    assert not missing.exists()
    assert main(["report", "--days", "0", "--log", str(log.path)]) == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    assert line == "error: --days 至少为 1 (--days must be at least 1)"


@pytest.mark.parametrize(("where", "source"), [
    ("--log", "（路径由 --log 给出）"),
    ("QUESTION_LOG", "（路径由 QUESTION_LOG 设定）"),
    ("default", "（默认路径；另一个日志用 QUESTION_LOG 或 --log PATH）"),
])
def test_a_missing_log_names_whichever_chose_its_path(where: str, source: str, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]):
    """It said QUESTION_LOG set the path even when --log had: the reader would look for the mistake in the wrong
    place. --log wins over QUESTION_LOG, so with both set it is --log that is named."""
    missing = tmp_path / "missing.sqlite3"
    monkeypatch.setenv("QUESTION_LOG", str(tmp_path / "elsewhere.sqlite3") if where == "--log" else str(missing))
    if where == "default":
        monkeypatch.delenv("QUESTION_LOG")
        monkeypatch.setattr("bot.questionlog.DEFAULT_PATH", missing)
    assert main(["report", *(["--log", str(missing)] if where == "--log" else [])]) == 2
    captured = capsys.readouterr()
    [line] = captured.err.strip().splitlines()
    assert captured.out == "" and line.startswith(f"error: 没有找到问答日志 {missing}：机器人运行时才写它")
    assert source in line and line.endswith("(no question log there: the bot writes it while serving)")


def test_report_with_the_log_off_says_so(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
    monkeypatch.setenv("QUESTION_LOG", "off")
    assert main(["report"]) == 2
    captured = capsys.readouterr()
    [line] = captured.err.strip().splitlines()
    assert captured.out == "" and line.startswith("error: 问答日志已关闭（QUESTION_LOG=off）") and "--log" in line
    assert line.endswith("(the question log is off: QUESTION_LOG=off)")


@pytest.mark.parametrize("where", ["missing", "off"])
def test_a_bad_days_is_named_before_a_missing_log(where: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]):
    """The command line is checked first: fixing the log and then hearing of --days would take two runs."""
    monkeypatch.setenv("QUESTION_LOG", "off" if where == "off" else str(tmp_path / "missing.sqlite3"))
    assert main(["report", "--days", "0"]) == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    assert line == "error: --days 至少为 1 (--days must be at least 1)"
    assert not (tmp_path / "missing.sqlite3").exists()


def test_an_html_file_that_cannot_be_written_is_one_line_not_a_traceback(log: QuestionLog, tmp_path: Path,
                                                                          capsys: pytest.CaptureFixture[str]):
    for target in (tmp_path / "no such folder" / "report.html", tmp_path):
        assert main(["report", "--log", str(log.path), "--html", str(target)]) == 2
        captured = capsys.readouterr()
        assert "问答报告" in captured.out  # the text report was made; only the file failed
        [line] = captured.err.strip().splitlines()
        assert line.startswith(f"error: --html 无法写入 {target}：")


def test_seeds_before_report_is_refused_not_ignored(log: QuestionLog, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]):
    """The report is the question log's, whatever folder of articles is named: --seeds would change nothing."""
    assert main(["--seeds", str(tmp_path), "report", "--log", str(log.path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    [line] = captured.err.strip().splitlines()
    assert line.startswith("error: report 读的是问答日志") and "--seeds" in line and "--log" in line


def test_days_reaching_before_1970_are_refused_in_one_line(log: QuestionLog, capsys: pytest.CaptureFixture[str]):
    """--days 100000000 reached a year Python cannot name: a traceback. The log starts no earlier than 1970."""
    most = round(NOW // 86400) + 1  # 1970-01-01 to the day of NOW, both included
    assert summarize(log, days=most, now=NOW).days[0].date == "1970-01-01"
    with pytest.raises(ConfigError, match=f"^--days 最多为 {most}"):
        summarize(log, days=most + 1, now=NOW)
    assert main(["report", "--days", "100000000", "--log", str(log.path)]) == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    assert line.startswith("error: --days 最多为 ") and "1970-01-01" in line


def test_declines_whose_closest_passage_readers_liked_are_pointed_out(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch):
    """A 👍 on the passage shown by 看看最接近的一段 is a vote on a declined question: the decline may be wrong."""
    monkeypatch.delenv("LOG_SALT", raising=False)
    with QuestionLog(tmp_path / "q.sqlite3") as question_log:
        for i, question in enumerate(["外地人有多少？", "外地人一共有多少", "拱墅区有多少个网格？"]):
            question_log.record("private", i, question, answer(question, 2, answered=False), 5.0,
                                message_key=(100 + i, 7), at=at(29))
        question_log.feedback((100, 7), 1, +1, "doc#2", at=at(29, 10))
        question_log.feedback((101, 7), 2, +1, "doc#2", at=at(29, 10))
        question_log.feedback((102, 7), 3, -1, "doc#2", at=at(29, 10))  # not liked: no note
        s = summarize(question_log, days=7, now=NOW)
        liked = {g.phrasing: g.liked for g in s.unanswered}
        assert liked == {"外地人有多少？": 2, "拱墅区有多少个网格？": 0} or liked == {"外地人一共有多少": 2, "拱墅区有多少个网格？": 0}
        note = "最接近的一段得到 2 个👍"
        assert note in format_text(s) and note in render_html(s) and note in stats_text(question_log, now=NOW)
        assert "得到 0 个" not in format_text(s)
