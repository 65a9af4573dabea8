"""python -m bot [repl | ask | eval | serve | report]: with no command, serve when a token is set, else the REPL."""

from __future__ import annotations

import argparse
import logging
import os
import sys

from bot.config import ConfigError, load_dotenv
from index.documents import ArticleError
from index.evaluation import EvalFileError


SEEDS_HELP = "folder of article files, .txt/.md in UTF-8 or GBK (default: ARTICLE_DIR or the bundled seeds/)"
EVAL_FORMAT = """question file format: JSON Lines in UTF-8, one question per line (blank lines skipped), e.g.
  {"id": "q1", "question": "东湖街道有多少个小区", "answers": ["小区80个"], "kind": "number"}
  {"id": "q2", "question": "明天会下雨吗", "answers": [], "kind": "out_of_scope"}
  id        a name for the question, shown when it is missed (default: its line number)
  question  the question, a string (required)
  answers   list of strings, any one of which in a passage makes it right (required);
            an empty list marks a question the article does not answer: right when declined
  kind      a label the figures are grouped by (default "fact"; with no answers: out_of_scope)"""


def parser() -> argparse.ArgumentParser:
    """Every command with a line of help, and a description on its own --help page."""
    main = argparse.ArgumentParser(prog="python -m bot", description="Answer questions about an article. "
                                   "With no command: serve when TELEGRAM_BOT_TOKEN is set, else the REPL.")
    main.add_argument("--seeds", metavar="DIR", help=SEEDS_HELP)
    commands = main.add_subparsers(dest="command", metavar="COMMAND")
    repl = _command(commands, "repl", "ask questions at a local prompt",
                    "Ask questions at a prompt in Chinese, answered as the bot answers them: /more shows the next "
                    "passage, /help the commands, Ctrl-D leaves.")
    ask = _command(commands, "ask", "answer one question, or one per stdin line",
                   "Answer QUESTION, or with none, each line of stdin in order (flushed per answer).")
    ask.add_argument("question", nargs="?", metavar="QUESTION",
                     help="the question (default: read one per line from stdin)")
    ask.add_argument("--json", action="store_true", help='one JSON object per answer, for other tools: {"question", '
                     '"answered", "passages": [{"id", "document", "section", "text", "sentence", "score"}]}')
    ask.add_argument("-k", type=int, default=3, metavar="K", help="passages per answer, best first (default 3)")
    evaluate = _command(commands, "eval", "measure answer quality on a JSONL question file",
                        "Ask every question of FILE and print hit@1, hit@3, MRR and the share declined,\n"
                        "per kind and over all.", epilog=EVAL_FORMAT)
    evaluate.add_argument("file", metavar="FILE", help="the question file (JSON Lines, format below)")
    evaluate.add_argument("-k", type=int, default=3, metavar="K", help="passages ranked per question: a right "
                          "passage below the first K counts as missed in hit@3 and MRR (default 3)")
    serve = _command(commands, "serve", "run the Telegram bot",
                     "Run the Telegram bot: long polling, or a webhook with --webhook-url. Needs "
                     "TELEGRAM_BOT_TOKEN (and WEBHOOK_SECRET for a webhook); stops cleanly on SIGINT or SIGTERM.")
    serve.add_argument("--webhook-url", metavar="URL", help="use a webhook at this public https:// URL "
                       "instead of long polling (http:// only for 127.0.0.1 or localhost)")
    serve.add_argument("--listen", metavar="ADDRESS",  # None: not given, and refused without --webhook-url
                       help="webhook listen address (default 127.0.0.1); only with --webhook-url")
    serve.add_argument("--port", type=int, help="webhook port, 1-65535 (default 8443); only with --webhook-url")
    report = _command(commands, "report", "what readers asked: figures from the question log",
                      "What readers asked: questions per day, the share declined, frequent unanswered questions "
                      "and the passages voted down, from the question log.")
    report.add_argument("--days", type=int, default=30, help="the last N days, today included (default 30)")
    report.add_argument("--html", metavar="FILE", help="also write a self-contained HTML report with charts")
    report.add_argument("--log", metavar="PATH", help="the question log (default: QUESTION_LOG or data/questions.sqlite3)")
    for sub in (repl, ask, evaluate, serve):  # also after the command; SUPPRESS keeps one given before it
        sub.add_argument("--seeds", default=argparse.SUPPRESS, metavar="DIR", help=SEEDS_HELP)
    return main


class _OneLine(logging.Formatter):
    """'warning: …', as errors read 'error: …'."""

    def format(self, record: logging.LogRecord) -> str:
        return f"{record.levelname.lower()}: {record.getMessage()}"


def warnings_on_stderr() -> None:
    """Warnings (an article file skipped) reach a person at the prompt as a line each on stderr, where
    stdout stays the answers, JSON or not. The bot (serve) has a log of its own for them."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_OneLine())
    logging.basicConfig(level=logging.WARNING, handlers=[handler])  # no-op when logging is already set up


def _command(commands: argparse._SubParsersAction, name: str, summary: str, description: str,
             epilog: str | None = None) -> argparse.ArgumentParser:
    """A subcommand: `summary` in the list of commands, `description` (and `epilog`) on its --help page.
    An epilog is an example and a table: printed as written, so its description is broken by hand too."""
    formatter = argparse.RawDescriptionHelpFormatter if epilog else argparse.HelpFormatter
    return commands.add_parser(name, help=summary, description=description, epilog=epilog,
                               formatter_class=formatter)


def main(argv: list[str] | None = None) -> int:
    load_dotenv()
    args = parser().parse_args(argv)
    command = args.command or ("serve" if os.environ.get("TELEGRAM_BOT_TOKEN") else "repl")
    try:
        if command in ("ask", "eval") and args.k < 1:  # before the article is loaded: nothing waits for a typo
            raise ConfigError("-k 至少为 1 (-k must be at least 1)")
        if command == "serve":
            from bot.telegram_app import serve
            return serve(args)
        if command == "report":
            if args.seeds:  # accepted before any command, but the report reads no article
                raise ConfigError("report 读的是问答日志，不读文章：请去掉 --seeds（另一个日志用 --log PATH）"
                                  "(report reads the question log, not articles: leave out --seeds)")
            from bot.report import report_command
            return report_command(args)
        from index.library import Library
        warnings_on_stderr()
        library = Library.load(args.seeds)
        if command == "repl":
            from bot import repl
            return repl.run(library)
        from bot import cli
        if command == "ask":
            return cli.ask_command(library, args.question, args.k, args.json)
        return cli.eval_command(library, args.file, args.k)
    except (ArticleError, ConfigError, EvalFileError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
