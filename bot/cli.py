"""The command line: ask (for people and, with --json, for other tools) and eval."""

from __future__ import annotations

import json
import sys
from typing import TextIO

from bot import render
from bot.texts import REPLIES_IN_KIND, text
from index.answer import Answer, Hit
from index.evaluation import OUT_OF_SCOPE, Report, evaluate, load_cases
from index.library import Library, example_questions

ALTERNATIVE_CHARS = 40  # of a passage with no sentence marked, shown in the list of other candidates


def print_answer(library: Library, answer: Answer, out: TextIO, color: bool = False,
                 partial_note: str = "cli_partial_note") -> None:
    """The answer for a person: passage with its best sentence marked, source, alternatives; above it,
    `partial_note` when less than half of the question was found in the article."""
    if answer.reason == "empty":
        print(text("empty"), file=out)
        return
    if answer.reason in REPLIES_IN_KIND:  # no words, only question words, small talk: no passage to show
        examples = example_questions(library, 1)
        print(text(answer.reason, example=examples[0] if examples else "……"), file=out)
        return
    if answer.truncated:
        print(text("truncated"), file=out)
    if not answer.answered:
        if render.in_latin_only(answer.question):
            print(text("ask_in_chinese"), file=out)
        print(text("not_in_article"), file=out)
        for example in example_questions(library):
            print(f"  · {example}", file=out)
        return
    best = answer.hits[0]
    if answer.reason == "partial":
        print(text(partial_note), file=out)
    print(render.passage_ansi(best) if color else render.passage_plain(best), file=out)
    print(f"—— {text('source')}：{render.source_line(best)}", file=out)
    if len(answer.hits) > 1:
        print(f"\n{text('alternatives')}：", file=out)
        for hit in answer.hits[1:]:
            print(f"  · {alternative_line(hit)}", file=out)


def alternative_line(hit: Hit) -> str:
    """Another candidate as a person can tell it apart: its best sentence and where it stands (the section, or
    the title of an article without sections). Passage ids are for tools; the JSON output keeps them."""
    where = hit.passage.section or f"《{hit.passage.title}》"
    return f"{hit.sentence or hit.passage.text[:ALTERNATIVE_CHARS]}（{where}）"


def ask_command(library: Library, question: str | None, k: int, as_json: bool, out: TextIO = sys.stdout,
                stdin: TextIO = sys.stdin, err: TextIO = sys.stderr) -> int:
    """One question from the arguments, or one per stdin line (answered in order, flushed per line).

    Reading a terminal, a hint on stderr says so, since the command would otherwise wait in silence; a pipe
    gets none, so scripts see only answers. For a person, each stdin question is printed above its answer,
    so that answers to a file of questions can be told apart."""
    if question is None and stdin.isatty():
        print(text("ask_stdin_hint"), file=err)
    questions = [question] if question is not None else (line.rstrip("\n") for line in stdin)
    for q in questions:
        answer = library.ask(q, k=k)
        if as_json:
            out.write(json.dumps(render.answer_json(answer), ensure_ascii=False) + "\n")
        else:
            if question is None:
                print(text("cli_question", question=q.strip()), file=out)
            print_answer(library, answer, out, color=render.use_color(out))
            if question is None:
                out.write("\n")
        out.flush()
    return 0


def format_report(report: Report) -> str:
    lines = [f"{'kind':<14}{'n':>4}{'hit@1':>8}{'hit@3':>8}{'MRR':>8}{'declined':>10}"]
    for kind in sorted(report.kinds):
        s = report.kinds[kind]
        if kind == OUT_OF_SCOPE:
            lines.append(f"{kind:<14}{s.questions:>4}{'':>8}{'':>8}{'':>8}{s.declined / s.questions:>10.3f}")
        else:
            lines.append(f"{kind:<14}{s.questions:>4}{s.hit1 / s.questions:>8.3f}{s.hit3 / s.questions:>8.3f}"
                         f"{s.reciprocal / s.questions:>8.3f}{s.declined / s.questions:>10.3f}")
    if report.missed:
        lines.append("missed: " + "; ".join(report.missed))
    inside, outside = report.total(True), report.total(False)
    if inside.questions:
        lines.append(f"in scope ({inside.questions}): hit@1 {inside.hit1 / inside.questions:.3f}  "
                     f"hit@3 {inside.hit3 / inside.questions:.3f}  MRR {inside.reciprocal / inside.questions:.3f}  "
                     f"wrongly declined {inside.declined / inside.questions:.3f}  "
                     f"answered and right {inside.answered_right / inside.questions:.3f}")
    if outside.questions:
        lines.append(f"out of scope ({outside.questions}): declined {outside.declined / outside.questions:.3f}")
    return "\n".join(lines)


def eval_command(library: Library, path: str, k: int = 3, out: TextIO = sys.stdout) -> int:
    report = evaluate(library, load_cases(path), k=k)
    print(format_report(report), file=out)
    return 0
