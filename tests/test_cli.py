"""The command line as other tools and people use it: python -m bot ask / eval."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot import repl
from bot.texts import text
from core_fixtures import seeds_library  # noqa: F401  (fixture)
from index.library import Library

ROOT = Path(__file__).resolve().parent.parent


def run_bot(*args: str, stdin: str = "", env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    import os
    environment = {k: v for k, v in os.environ.items() if k not in ("TELEGRAM_BOT_TOKEN", "ARTICLE_DIR")}
    environment.update(env or {})
    return subprocess.run([sys.executable, "-m", "bot", *args], input=stdin, capture_output=True, text=True,
                          cwd=ROOT, env=environment, timeout=60)


def test_ask_json_reads_stdin_lines_in_order_with_the_documented_shape():
    result = run_bot("ask", "--json", "-k", "2", stdin="东湖街道有多少个志愿者？\n拱墅区有多少个网格？\n？？\n")
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["question"] for r in rows] == ["东湖街道有多少个志愿者？", "拱墅区有多少个网格？", "？？"]
    first = rows[0]
    assert set(first) == {"question", "answered", "passages"}
    assert first["answered"] is True and 1 <= len(first["passages"]) <= 2
    passage = first["passages"][0]
    assert set(passage) == {"id", "document", "section", "text", "sentence", "score"}
    assert "2138" in passage["text"] and passage["sentence"] in passage["text"]
    assert isinstance(passage["score"], float)
    assert rows[1]["answered"] is False
    assert rows[2] == {"question": "？？", "answered": False, "passages": []}


def test_ask_for_a_person_marks_the_sentence_and_names_the_source():
    result = run_bot("ask", "东湖街道有多少个小区")
    assert result.returncode == 0
    assert "【" in result.stdout and "80个" in result.stdout and "出处" in result.stdout


def test_out_of_scope_question_is_declined_with_examples():
    result = run_bot("ask", "番茄炒蛋怎么做")
    assert result.returncode == 0
    assert "没有找到" in result.stdout and "文章里怎么说" in result.stdout


def test_bad_questions_get_clear_messages_not_tracebacks():
    for question, expected in (("", "请输入"), ("？？！", "没有可以查找的文字"), ("🙂" * 50, "没有可以查找的文字"),
                               ("为什么？", "太笼统"), ("你好", "直接把问题发给我")):
        result = run_bot("ask", question)
        assert result.returncode == 0 and expected in result.stdout and "Traceback" not in result.stderr
    long = run_bot("ask", "志愿者服务了多少小时" + "。" * 10_000)
    assert long.returncode == 0 and "145056" in long.stdout and "太长" in long.stdout


def test_article_problems_exit_2_with_one_clear_line(tmp_path: Path):
    empty = tmp_path / "empty"
    empty.mkdir()
    result = run_bot("ask", "问题", "--seeds", str(empty))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.strip().count("\n") == 0 and "没有" in result.stderr
    binary = tmp_path / "binary"
    binary.mkdir()
    (binary / "a.txt").write_bytes(b"\x00\xff" * 1000)
    result = run_bot("ask", "问题", env={"ARTICLE_DIR": str(binary)})
    assert result.returncode == 2 and "a.txt" in result.stderr and "Traceback" not in result.stderr


def test_a_binary_file_beside_an_article_is_one_warning_on_stderr_and_the_json_is_unchanged(tmp_path: Path):
    (tmp_path / "zoo.txt").write_text("动物园新闻\n\n动物园今年新来了三只大熊猫，分别叫团团、圆圆和欢欢。", encoding="utf-8")
    (tmp_path / "fake.txt").write_bytes(b"\x00\xff" * 1000)
    for _ in range(2):  # built, then from the index cache
        result = run_bot("ask", "--json", "大熊猫叫什么名字", "--seeds", str(tmp_path))
        assert result.returncode == 0 and "Traceback" not in result.stderr
        [row] = [json.loads(line) for line in result.stdout.splitlines()]
        assert row["answered"] and row["passages"][0]["document"] == "zoo"
        [warning] = result.stderr.splitlines()
        assert warning.startswith("warning: fake.txt: ") and "二进制" in warning and "skipped" in warning


def test_seeds_option_and_article_dir_choose_the_article(tmp_path: Path):
    (tmp_path / "zoo.txt").write_text("动物园新闻\n\n动物园今年新来了三只大熊猫，分别叫团团、圆圆和欢欢。", encoding="utf-8")
    by_option = run_bot("ask", "--json", "大熊猫叫什么名字", "--seeds", str(tmp_path))
    by_env = run_bot("ask", "--json", "大熊猫叫什么名字", env={"ARTICLE_DIR": str(tmp_path)})
    for result in (by_option, by_env):
        row = json.loads(result.stdout)
        assert row["answered"] and "团团" in row["passages"][0]["text"] and row["passages"][0]["document"] == "zoo"


def test_eval_prints_figures_per_kind_and_rejects_malformed_files(tmp_path: Path):
    good = tmp_path / "q.jsonl"
    good.write_text('{"id": "a", "question": "东湖街道有多少个小区", "answers": ["小区80个"], "kind": "number"}\n'
                    '{"id": "b", "question": "番茄炒蛋怎么做", "answers": [], "kind": "out_of_scope"}\n', encoding="utf-8")
    result = run_bot("eval", str(good))
    assert result.returncode == 0
    assert "number" in result.stdout and "hit@1 1.000" in result.stdout and "declined 1.000" in result.stdout
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "a", "question": "x", "answers": []}\nnot json\n', encoding="utf-8")
    result = run_bot("eval", str(bad))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("error: ") and "bad.jsonl:2: 不是合法的 JSON（第 1 列）" in line and line.endswith(
        "(not valid JSON: Expecting value at column 1)")


def test_repl_answers_pages_with_more_and_leaves_on_eof():
    result = run_bot("repl", stdin="志愿者服务了多少小时\n/more\n/help\n")
    assert result.returncode == 0
    assert "145056" in result.stdout and "/more" in result.stdout
    assert result.stdout.count("出处") >= 2


def test_repl_more_after_a_decline_shows_the_closest_passages_with_a_caveat():
    result = run_bot("repl", stdin="拱墅区有多少个网格？\n/more\n/more\n")
    assert result.returncode == 0
    declined, first, second = (turn.split("\n", 1)[1] for turn in result.stdout.split("\n问> ")[1:4])
    assert declined.startswith(text("not_in_article")) and text("repl_nearest_hint") in declined
    assert "出处" not in declined
    assert first.startswith(text("nearest_note")) and "出处" in first
    assert text("nearest_note") not in second and "出处" in second


def test_a_partial_answer_is_printed_under_a_caveat(tmp_path: Path):
    (tmp_path / "a.txt").write_text("健康讲座\n\n街道每周三在社区服务中心举办健康讲座，由卫生院医生主讲，居民可以免费参加。\n\n"
                                    "社区还组织志愿者上门看望独居老人。\n", encoding="utf-8")
    partial = run_bot("ask", "--seeds", str(tmp_path), "讲座是哪个医生讲的，讲得好不好？")
    assert partial.returncode == 0 and partial.stdout.startswith(text("cli_partial_note"))
    plain = run_bot("ask", "--seeds", str(tmp_path), "讲座免费吗？")
    assert plain.returncode == 0 and text("cli_partial_note") not in plain.stdout


class Terminal(io.StringIO):
    """A stream that says it is a terminal, as sys.stdin and sys.stdout do at a prompt."""

    def isatty(self) -> bool:
        return True


def run_repl(library: Library, lines: str) -> str:
    out = io.StringIO()
    assert repl.run(library, stdin=io.StringIO(lines), out=out) == 0
    return out.getvalue()


def test_repl_says_an_unknown_command_is_none_and_lists_the_commands(seeds_library):
    out = run_repl(seeds_library, "/foo\n/Foo bar\n/东湖街道有多少个小区\n")
    unknown = [line for line in out.splitlines() if "不是命令" in line]
    assert [line.split()[0] for line in unknown] == ["/foo", "/Foo"]
    assert all("/more" in line and "/help" in line and "/quit" in line for line in unknown)
    assert "80个" in out  # a slash before Chinese is a typo in a question, not a command


def test_repl_more_before_any_question_asks_for_one(seeds_library):
    out = run_repl(seeds_library, "/more\n东湖街道有多少个小区\n/more\n")
    assert text("repl_ask_first") in out and text("repl_no_more") not in out
    assert out.count("出处") == 2


def test_repl_takes_typed_follow_ups_as_more_as_telegram_does(seeds_library):
    """下一个 and 还有吗？ ask for the next passage of the last question, not a search for their words."""
    out = run_repl(seeds_library, "下一个\n东湖街道有多少个小区\n下一个\n还有吗？\n")
    assert text("repl_ask_first") in out
    assert out.count("出处") == 3  # the answer, then two more passages of the same question


def test_piped_repl_output_is_a_transcript_ending_in_a_newline(seeds_library):
    questions = ["东湖街道有多少个小区", "/more", "番茄炒蛋怎么做"]
    out = run_repl(seeds_library, "\n".join(questions))  # no newline after the last line either
    lines = out.splitlines()
    assert [line for line in lines if text("repl_prompt") in line] == [text("repl_prompt") + q for q in questions]
    assert out.endswith("\n") and not out.endswith(text("repl_prompt") + "\n")


def type_at_prompt(monkeypatch: pytest.MonkeyPatch, *typed: str | type[BaseException]) -> Terminal:
    """The REPL at a terminal where `typed` is entered (an exception class: that key, e.g. KeyboardInterrupt
    for Ctrl-C), then Ctrl-D; returns the terminal its output goes to."""
    keys = iter([*typed, EOFError])

    def fake_input(prompt: str) -> str:
        key = next(keys)
        if isinstance(key, type):
            raise key()
        return key

    monkeypatch.setattr("builtins.input", fake_input)
    monkeypatch.setattr(repl, "_enable_history", lambda: None)
    return Terminal()


def test_ctrl_c_at_the_prompt_clears_the_line_and_ctrl_d_leaves(seeds_library, monkeypatch: pytest.MonkeyPatch):
    out = type_at_prompt(monkeypatch, KeyboardInterrupt, "东湖街道有多少个小区", KeyboardInterrupt, "/more")
    assert repl.run(seeds_library, stdin=Terminal(), out=out) == 0
    assert out.getvalue().count("出处") == 2


@pytest.mark.parametrize(("env", "colour"), [({}, True), ({"NO_COLOR": "1"}, False), ({"TERM": "dumb"}, False)])
def test_colour_only_on_a_terminal_that_wants_it(seeds_library, monkeypatch: pytest.MonkeyPatch,
                                                 env: dict[str, str], colour: bool):
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    out = type_at_prompt(monkeypatch, "东湖街道有多少个小区", "/more")
    assert repl.run(seeds_library, stdin=Terminal(), out=out) == 0
    assert out.getvalue().count("\033[1m") == (2 if colour else 0) and ("\033[" in out.getvalue()) == colour


def subcommand_help(name: str, capsys: pytest.CaptureFixture[str]) -> str:
    from bot.__main__ import parser

    with pytest.raises(SystemExit):
        parser().parse_args([name, "--help"])
    return capsys.readouterr().out


@pytest.mark.parametrize("name", ["repl", "ask", "eval", "serve", "report"])
def test_every_subcommand_and_option_is_described(name: str, capsys: pytest.CaptureFixture[str]):
    from bot.__main__ import parser

    sub = next(a for a in parser()._actions if a.dest == "command").choices[name]
    assert sub.description
    assert all(action.help and action.help != "==SUPPRESS==" for action in sub._actions), name
    page = subcommand_help(name, capsys)
    assert sub.description.split()[0] in page
    assert ("--seeds DIR" in page) == (name != "report")  # it works after the command, so it is listed there


def test_eval_help_explains_the_file_and_k(capsys: pytest.CaptureFixture[str]):
    page = subcommand_help("eval", capsys)
    for words in ("FILE", "-k K", "one question per line", '"answers"', "empty list", "out_of_scope", "kind"):
        assert words in page, words


def test_ask_hints_on_stderr_only_when_a_person_types_the_questions(seeds_library):
    from bot.cli import ask_command

    for stdin, hinted in ((Terminal("东湖街道有多少个小区\n"), True), (io.StringIO("东湖街道有多少个小区\n"), False)):
        out, err = io.StringIO(), io.StringIO()
        assert ask_command(seeds_library, None, 3, True, out=out, stdin=stdin, err=err) == 0
        assert err.getvalue() == (text("ask_stdin_hint") + "\n" if hinted else "")
        assert json.loads(out.getvalue())["answered"]  # stdout holds only the answer


def test_ask_from_stdin_prints_each_question_above_its_answer(seeds_library):
    from bot.cli import ask_command

    out = io.StringIO()
    ask_command(seeds_library, None, 3, False, out=out, stdin=io.StringIO("东湖街道有多少个小区\n番茄炒蛋怎么做\n"))
    turns = out.getvalue().split("\n\n" + text("cli_question", question=""))
    assert turns[0].startswith(text("cli_question", question="东湖街道有多少个小区") + "\n") and "80个" in turns[0]
    assert turns[1].startswith("番茄炒蛋怎么做\n" + text("not_in_article"))


def test_a_question_in_english_is_declined_with_a_hint_to_ask_in_chinese(seeds_library):
    from bot.cli import ask_command

    out = io.StringIO()
    ask_command(seeds_library, None, 3, False, out=out,
                stdin=io.StringIO("What time does the library open?\n番茄炒蛋怎么做\n"))
    english, chinese = out.getvalue().split("\n\n" + text("cli_question", question=""))
    assert english.splitlines()[1:3] == [text("ask_in_chinese"), text("not_in_article")]
    assert text("ask_in_chinese") not in chinese
    assert text("ask_in_chinese") in run_repl(seeds_library, "What time does the library open?\n")


def test_other_candidates_are_named_by_section_not_by_id(seeds_library, monkeypatch: pytest.MonkeyPatch):
    from bot.cli import ask_command

    monkeypatch.setenv("NO_COLOR", "1")
    out = Terminal()
    ask_command(seeds_library, "东湖街道有多少个志愿者", 3, False, out=out)
    answer = seeds_library.ask("东湖街道有多少个志愿者", k=3)
    listed = out.getvalue().split(text("alternatives"))[1]
    assert all(hit.passage.id not in listed and "#" not in listed for hit in answer.hits)
    assert "主体密度“+”， 防疫漏洞“-”" in listed and answer.hits[1].sentence in listed
    assert "\033[" not in out.getvalue()  # NO_COLOR on a terminal


def test_eval_refuses_k_0_as_ask_does(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    from bot.__main__ import main

    for command in (["eval", str(tmp_path / "q.jsonl")], ["ask", "问题"]):
        assert main([*command, "-k", "0"]) == 2
        assert capsys.readouterr().err == "error: -k 至少为 1 (-k must be at least 1)\n"


def test_a_question_file_with_a_byte_order_mark_loads(tmp_path: Path):
    from index.evaluation import load_cases

    path = tmp_path / "bom.jsonl"
    path.write_text('{"id": "a", "question": "东湖街道有多少个小区", "answers": ["小区80个"]}\n', encoding="utf-8-sig")
    assert [case.question for case in load_cases(path)] == ["东湖街道有多少个小区"]


@pytest.mark.parametrize(("line", "message"), [
    ("not json", '不是合法的 JSON（第 1 列）(not valid JSON: Expecting value at column 1)'),
    ('{"id": "b", "question": "x"', '不是合法的 JSON（第 28 列）(not valid JSON: '),
    ('["东湖", []]', '应为含 "question" 和 "answers" 的 JSON 对象，却是列表 '
                   '(expected a JSON object with "question" and "answers", found a list)'),
    ('{"id": "b", "answers": []}', '缺少 "question" 字段 (no "question" field)'),
    ('{"id": "b", "question": "番茄炒蛋怎么做"}', '缺少 "answers" 字段（正确答案的列表；[] 表示文章答不了的问题）'
                                            '(no "answers" field)'),
    ('{"id": "b", "question": 7, "answers": []}',
     '"question" 应为字符串，却是数字 ("question" must be a string, found a number)'),
    ('{"id": "b", "question": true, "answers": []}', '却是布尔值（true 或 false）('),
    ('{"id": "b", "question": "x", "answers": "80个"}', '"answers" 应为字符串列表，却是字符串 '
                                                     '("answers" must be a list of strings, found a string)'),
    ('{"id": "b", "question": "x", "answers": [null]}', '"answers" 应为字符串列表，其中却有空值（null）'
                                                     '("answers" must be a list of strings, found null in it)'),
])
def test_a_malformed_question_file_is_named_by_line_in_plain_words(tmp_path: Path, line: str, message: str):
    from index.evaluation import EvalFileError, load_cases

    path = tmp_path / "q.jsonl"
    path.write_text('{"id": "a", "question": "东湖街道有多少个小区", "answers": ["小区80个"]}\n\n' + line + "\n",
                    encoding="utf-8")
    with pytest.raises(EvalFileError) as error:
        load_cases(path)
    assert str(error.value).startswith(f"{path}:3: ") and message in str(error.value)


def test_a_question_file_that_cannot_be_read_or_holds_no_questions_says_so(tmp_path: Path):
    from index.evaluation import EvalFileError, load_cases

    blank, gbk, missing = tmp_path / "blank.jsonl", tmp_path / "gbk.jsonl", tmp_path / "missing.jsonl"
    blank.write_text("\n  \n", encoding="utf-8")
    gbk.write_bytes('{"id": "a", "question": "东湖街道有多少个小区", "answers": []}\n'.encode("gbk"))
    expected = [(blank, f"{blank}: 文件里一个问题也没有", "(no questions in the file)"),
                (gbk, f"无法读取 {gbk}：不是 UTF-8 文本（字节位置 25），请另存为 UTF-8", "(not UTF-8 text)"),
                (missing, f"无法读取 {missing}：", "(cannot read the question file)")]  # then the system's reason
    for path, message, gloss in expected:
        with pytest.raises(EvalFileError) as error:
            load_cases(path)
        assert str(error.value).startswith(message) and str(error.value).endswith(gloss)
