"""A local prompt that answers like the bot, for trying an article without Telegram."""

from __future__ import annotations

import sys
from typing import TextIO

from bot import render
from bot.cli import print_answer
from bot.texts import text
from index.answer import Answer
from index.library import Library

PAGE = 10  # candidates kept per question for /more


def _enable_history() -> None:
    """Arrow-key history and line editing where the platform has readline."""
    try:
        import readline  # noqa: F401  (importing it is what turns editing on for input())
    except ImportError:
        pass


def run(library: Library, stdin: TextIO = sys.stdin, out: TextIO = sys.stdout) -> int:
    interactive = stdin.isatty() and out.isatty()
    if interactive:
        _enable_history()
    print(text("repl_banner", passages=len(library.passages), titles="、".join(library.titles)), file=out)
    last: Answer | None = None
    shown = 0
    while True:
        try:
            line = input(text("repl_prompt")) if interactive else _read(stdin, out)
        except (EOFError, KeyboardInterrupt):
            print(file=out)
            return 0
        if line is None:
            return 0
        command = line.strip()
        if command in ("/quit", "/exit"):
            return 0
        if command == "/help":
            print(text("repl_help"), file=out)
            continue
        if command == "/more":
            if last is None or not _pages(last) or shown >= len(last.hits):
                print(text("repl_no_more"), file=out)
                continue
            hit = last.hits[shown]
            if not last.answered and shown == 0:
                print(text("nearest_note"), file=out)
            shown += 1
            print(render.passage_ansi(hit) if out.isatty() else render.passage_plain(hit), file=out)
            print(f"—— {text('source')}：{render.source_line(hit)}", file=out)
            continue
        last = library.ask(line, k=PAGE)
        shown = 1 if last.answered else 0
        print_answer(library, _only_best(last), out, color=out.isatty(), partial_note="repl_partial_note")
        if not last.answered and _pages(last):
            print(text("repl_nearest_hint"), file=out)
        out.flush()


def _read(stdin: TextIO, out: TextIO) -> str | None:
    out.write(text("repl_prompt"))
    out.flush()
    line = stdin.readline()
    if not line:
        out.write("\n")
        return None
    return line.rstrip("\n")


def _pages(answer: Answer) -> bool:
    """Whether /more has passages to show: the candidates, or for a declined question the near misses
    (the ranking declines some questions the article does answer)."""
    return bool(answer.hits) and (answer.answered or answer.reason == "not_in_article")


def _only_best(answer: Answer) -> Answer:
    """The REPL shows one passage at a time; /more walks the rest."""
    return Answer(question=answer.question, answered=answer.answered, hits=answer.hits[:1],
                  reason=answer.reason, truncated=answer.truncated)
