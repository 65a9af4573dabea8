"""python -m bot [repl | ask | eval | serve | report]: with no command, serve when a token is set, else the REPL."""

from __future__ import annotations

import argparse
import logging
import os
import sys

from bot.config import ConfigError, load_dotenv
from index.documents import ArticleError
from index.evaluation import EvalFileError


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(prog="python -m bot", description="Answer questions about an article.")
    main.add_argument("--seeds", help="folder of article files (default: ARTICLE_DIR or the bundled seeds/)")
    commands = main.add_subparsers(dest="command")
    repl = commands.add_parser("repl", help="ask questions at a local prompt")
    ask = commands.add_parser("ask", help="answer one question, or one per stdin line")
    ask.add_argument("question", nargs="?", help="the question (default: read one per line from stdin)")
    ask.add_argument("--json", action="store_true", help="one JSON object per answer")
    ask.add_argument("-k", type=int, default=3, help="passages per answer (default 3)")
    evaluate = commands.add_parser("eval", help="measure answer quality on a JSONL question file")
    evaluate.add_argument("file")
    evaluate.add_argument("-k", type=int, default=3)
    serve = commands.add_parser("serve", help="run the Telegram bot")
    serve.add_argument("--webhook-url", help="use a webhook at this public URL instead of long polling")
    serve.add_argument("--listen", default="127.0.0.1", help="webhook listen address (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8443, help="webhook port (default 8443)")
    report = commands.add_parser("report", help="what readers asked: figures from the question log")
    report.add_argument("--days", type=int, default=30, help="the last N days, today included (default 30)")
    report.add_argument("--html", metavar="FILE", help="also write a self-contained HTML report with charts")
    report.add_argument("--log", metavar="PATH", help="the question log (default: QUESTION_LOG or data/questions.sqlite3)")
    for sub in (repl, ask, evaluate, serve):
        sub.add_argument("--seeds", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
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


def main(argv: list[str] | None = None) -> int:
    load_dotenv()
    args = parser().parse_args(argv)
    command = args.command or ("serve" if os.environ.get("TELEGRAM_BOT_TOKEN") else "repl")
    try:
        if command == "serve":
            from bot.telegram_app import serve
            return serve(args)
        if command == "report":
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
            if args.k < 1:
                raise ConfigError("-k must be at least 1")
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
