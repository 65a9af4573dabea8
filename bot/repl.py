"""A local prompt that answers like the bot, for trying an article without Telegram."""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from typing import TextIO

from bot import render
from bot.cli import print_answer
from bot.followups import is_follow_up
from bot.texts import text
from index.answer import Answer
from index.library import Library

PAGE = 10  # candidates kept per question for /more
COMMAND = re.compile(r"/[A-Za-z0-9_]+")  # a command word as Telegram spells them; "/东湖…" stays a question
QUIT = ("/quit", "/exit")


@dataclass
class Pages:
    """The last question's candidates, and how many of them have been shown (for /more)."""

    answer: Answer | None = None
    shown: int = 0


def _enable_history() -> None:
    """Arrow-key history and line editing where the platform has readline."""
    try:
        import readline  # noqa: F401  (importing it is what turns editing on for input())
    except ImportError:
        pass


def run(library: Library, stdin: TextIO = sys.stdin, out: TextIO = sys.stdout) -> int:
    """Answer lines until Ctrl-D or /quit. At a terminal, Ctrl-C clears the line as in a shell; from a pipe
    or file, each question is echoed after the prompt so that the output reads as a transcript."""
    interactive = stdin.isatty() and out.isatty()
    if interactive:
        _enable_history()
    print(text("repl_banner", passages=len(library.passages), titles="、".join(library.titles)), file=out)
    pages = Pages()
    while True:
        try:
            line = _read_terminal(out) if interactive else _read_piped(stdin, out)
            if line is None or not _handle(library, line, pages, out):
                return 0
        except KeyboardInterrupt:
            if not interactive:
                raise
            print(file=out)  # Ctrl-C drops what was typed (or the answer being found); only Ctrl-D leaves
        out.flush()


def _read_terminal(out: TextIO) -> str | None:
    """A line typed at the prompt (with history), or None on Ctrl-D."""
    try:
        return input(text("repl_prompt"))
    except EOFError:
        print(file=out)
        return None


def _read_piped(stdin: TextIO, out: TextIO) -> str | None:
    """A line from a pipe or file, or None at its end. It is written after the prompt with a newline, so each
    answer starts on a line of its own under its question; a person typing into a redirected output gets
    the prompt on stderr."""
    if stdin.isatty():
        sys.stderr.write(text("repl_prompt"))
        sys.stderr.flush()
    line = stdin.readline()
    if not line:
        return None
    line = line.rstrip("\r\n")
    out.write(f"{text('repl_prompt')}{line}\n")
    return line


def command_of(line: str) -> str | None:
    """The command word a line starts with ("/more", "/foo"), as typed, or None when the line is a question."""
    words = line.split(maxsplit=1)
    return words[0] if words and COMMAND.fullmatch(words[0]) else None


def _handle(library: Library, line: str, pages: Pages, out: TextIO) -> bool:
    """Answer a question or run a command; False when the line asks to leave."""
    command = command_of(line)
    name = command.lower() if command else None
    if command is None and is_follow_up(line):  # 下一个, 还有吗: as in Telegram, more of the last answer
        _more(pages, out)
    elif command is None:
        _answer(library, line, pages, out)
    elif name in QUIT:
        return False
    elif name == "/help":
        print(text("repl_help"), file=out)
    elif name == "/more":
        _more(pages, out)
    else:  # a mistyped command must not be searched as a question
        print(text("repl_unknown_command", command=command), file=out)
    return True


def _answer(library: Library, question: str, pages: Pages, out: TextIO) -> None:
    """The best passage, or the decline with a pointer to /more when near misses wait behind it."""
    answer = library.ask(question, k=PAGE)
    pages.answer, pages.shown = answer, 1 if answer.answered else 0
    print_answer(library, _only_best(answer), out, color=render.use_color(out), partial_note="repl_partial_note")
    if not answer.answered and _pages(answer):
        print(text("repl_nearest_hint"), file=out)


def _more(pages: Pages, out: TextIO) -> None:
    """The next candidate of the last question; before any question there is nothing to page through."""
    answer = pages.answer
    if answer is None:
        print(text("repl_ask_first"), file=out)
        return
    if not _pages(answer) or pages.shown >= len(answer.hits):
        print(text("repl_no_more"), file=out)
        return
    hit = answer.hits[pages.shown]
    if not answer.answered and pages.shown == 0:
        print(text("nearest_note"), file=out)
    pages.shown += 1
    print(render.passage_terminal(hit, out), file=out)
    print(f"—— {text('source')}：{render.source_line(hit)}", file=out)


def _pages(answer: Answer) -> bool:
    """Whether /more has passages to show: the candidates, or for a declined question the near misses
    (the ranking declines some questions the article does answer)."""
    return bool(answer.hits) and (answer.answered or answer.reason == "not_in_article")


def _only_best(answer: Answer) -> Answer:
    """The REPL shows one passage at a time; /more walks the rest."""
    return Answer(question=answer.question, answered=answer.answered, hits=answer.hits[:1],
                  reason=answer.reason, truncated=answer.truncated)
