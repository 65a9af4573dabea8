"""Measure answer quality on a question set (the JSONL format of shared/eval/dev.jsonl).

A passage is right when it contains one of the gold answer strings (white
space ignored, since the article's line breaks are not the reader's).
Out-of-scope questions (no gold answers) are right when the bot declines.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from index.library import Library
from index.tokens import normalize

_SPACE = re.compile(r"\s+")
OUT_OF_SCOPE = "out_of_scope"  # the kind of a question the article does not answer, as in dev.jsonl
MISSING = {"question": "", "answers": "（正确答案的列表；[] 表示文章答不了的问题）"}
JSON_TYPES = ((bool, "布尔值（true 或 false）", "true or false"), (str, "字符串", "a string"), (int, "数字", "a number"),
              (float, "数字", "a number"), (list, "列表", "a list"),
              (dict, "对象", "an object"))  # bool before int: True is an int to Python, not to a JSON file's author
JSON_NULL = ("空值（null）", "null")


class EvalFileError(Exception):
    """The question file cannot be read; the message names the line (path:N), in Chinese with an English gloss."""


@dataclass(frozen=True)
class Case:
    id: str
    question: str
    answers: tuple[str, ...]
    kind: str


@dataclass
class KindScore:
    questions: int = 0
    hit1: int = 0
    hit3: int = 0
    reciprocal: float = 0.0
    declined: int = 0  # in scope: wrongly declined; out of scope: rightly declined
    answered_right: int = 0  # in scope: answered, and with the gold passage first (hit@1 counts it declined too)


@dataclass
class Report:
    kinds: dict[str, KindScore] = field(default_factory=lambda: defaultdict(KindScore))
    missed: list[str] = field(default_factory=list)  # "id: why"

    def total(self, in_scope: bool) -> KindScore:
        out = KindScore()
        for kind, score in self.kinds.items():
            if (kind != OUT_OF_SCOPE) == in_scope:
                out.questions += score.questions
                out.hit1 += score.hit1
                out.hit3 += score.hit3
                out.reciprocal += score.reciprocal
                out.declined += score.declined
                out.answered_right += score.answered_right
        return out


def load_cases(path: str | Path) -> list[Case]:
    """The questions of a JSONL file, one object per line: {"id", "question", "answers", "kind"}.

    A file saved with a byte-order mark (as some Windows editors do) reads the same. A line that is not such
    a record stops the evaluation with a message naming the line and what is wrong with it, since
    figures over a silently misread file would mislead.
    """
    try:
        lines = Path(path).read_text(encoding="utf-8-sig").splitlines()
    except OSError as error:
        raise _error(f"无法读取 {path}：{error.strerror or error}", "cannot read the question file") from None
    except UnicodeDecodeError as error:
        raise _error(f"无法读取 {path}：不是 UTF-8 文本（字节位置 {error.start}），请另存为 UTF-8",
                     "not UTF-8 text") from None
    cases = [_case(line, f"{path}:{number}", number) for number, line in enumerate(lines, 1) if line.strip()]
    if not cases:
        raise _error(f"{path}: 文件里一个问题也没有", "no questions in the file")
    return cases


def _case(line: str, where: str, number: int) -> Case:
    """One line as a Case, or EvalFileError saying in plain words what is wrong with it."""
    try:
        row = json.loads(line)
    except json.JSONDecodeError as error:
        raise _error(f"{where}: 不是合法的 JSON（第 {error.colno} 列）",
                     f"not valid JSON: {error.msg} at column {error.colno}") from None
    if not isinstance(row, dict):
        zh, en = _json_type(row)
        raise _error(f"{where}: 应为含 \"question\" 和 \"answers\" 的 JSON 对象，却是{zh}",
                     f"expected a JSON object with \"question\" and \"answers\", found {en}")
    for name, hint in MISSING.items():
        if name not in row:
            raise _error(f"{where}: 缺少 \"{name}\" 字段{hint}", f"no \"{name}\" field")
    question, answers = row["question"], row["answers"]
    if not isinstance(question, str):
        zh, en = _json_type(question)
        raise _error(f"{where}: \"question\" 应为字符串，却是{zh}", f"\"question\" must be a string, found {en}")
    if not isinstance(answers, list):
        zh, en = _json_type(answers)
        raise _error(f"{where}: \"answers\" 应为字符串列表，却是{zh}", f"\"answers\" must be a list of strings, found {en}")
    odd = [a for a in answers if not isinstance(a, str)]
    if odd:
        zh, en = _json_type(odd[0])
        raise _error(f"{where}: \"answers\" 应为字符串列表，其中却有{zh}",
                     f"\"answers\" must be a list of strings, found {en} in it")
    return Case(id=str(row.get("id", number)), question=question, answers=tuple(answers),
                kind=_kind(row.get("kind"), answers))


def _error(message: str, gloss: str) -> EvalFileError:
    """The house form: the Chinese message, then its short English gloss in parentheses."""
    return EvalFileError(f"{message}{'' if message.endswith('）') else ' '}({gloss})")


def _json_type(value: object) -> tuple[str, str]:
    """What a JSON value is, in the words of the file format, in Chinese and English ("列表", "a list")."""
    return next(((zh, en) for kind, zh, en in JSON_TYPES if isinstance(value, kind)), JSON_NULL)


def _kind(label: object, answers: list) -> str:
    """A question with no gold answer is out of scope whatever its label ("oos", "near_miss"): it is
    right when declined, and counting it in scope would score every decline of it as a miss."""
    if not answers:
        return OUT_OF_SCOPE
    return str(label or "fact")


def is_correct(text: str, answers: tuple[str, ...]) -> bool:
    """A gold answer string is in the passage, whatever the script or width of either (an article in
    Traditional characters is judged with the same gold answers)."""
    flat = _SPACE.sub("", normalize(text))
    return any(_SPACE.sub("", normalize(a)) in flat for a in answers if a.strip())


def evaluate(library: Library, cases: list[Case], k: int = 3) -> Report:
    report = Report()
    for case in cases:
        answer = library.ask(case.question, k=k)
        score = report.kinds[case.kind]
        score.questions += 1
        if not case.answers:
            if not answer.answered:
                score.declined += 1
            else:
                report.missed.append(f"{case.id}: answered an out-of-scope question with {answer.hits[0].passage.id}")
            continue
        rank = next((i for i, h in enumerate(answer.hits) if is_correct(h.passage.text, case.answers)), None)
        if not answer.answered:
            score.declined += 1
        if rank is not None:
            score.hit1 += rank == 0  # the ranking's first passage, shown as the closest one when declined
            score.answered_right += rank == 0 and answer.answered
            score.hit3 += rank < 3
            score.reciprocal += 1 / (rank + 1)
        if rank != 0 or not answer.answered:
            why = "declined" if not answer.answered else f"gold at rank {rank + 1 if rank is not None else '>' + str(k)}"
            report.missed.append(f"{case.id}: {why}")
    return report
