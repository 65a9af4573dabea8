"""The Telegram channel: `python -m bot serve` and the Application the tests drive in-process.

build_application() wires handlers and shared state without touching the
network, so tests run the real Application against a fake Bot API server;
serve() adds what only a real run needs: settings, logging, loading the
article before the first update, and a clean one-line exit for a bad token.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import ipaddress
import logging
import re
import signal
import sys
from urllib.parse import urlsplit

from telegram import Bot, BotCommand, Update, User
from telegram.error import InvalidToken, NetworkError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    Defaults,
    InlineQueryHandler,
    MessageHandler,
    filters,
)

from bot import handlers
from bot.config import ConfigError, Settings, telegram_settings, watch_interval
from bot.feedback import FeedbackSink, MemoryFeedback
from bot.guards import FloodGate
from bot.inbox import Inbox, InboxQueue, open_inbox
from bot.questionlog import QuestionLog, log_path, open_question_log, retention_days
from bot.retry import RetryingRateLimiter
from bot.texts import text
from bot.transport import AiohttpRequest
from bot.update_processor import FairUpdateProcessor
from bot.webhook import cap_request_bodies
from index.library import Library

logger = logging.getLogger(__name__)

COMMANDS = ("start", "help", "about", "ask", "more", "forget")
SECRET_PATTERN = r"^[A-Za-z0-9_-]{1,256}$"  # what Telegram accepts as a webhook secret_token
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")  # where a webhook may be plain http: a fake Bot API in tests
WEBHOOK_LISTEN = "127.0.0.1"  # --listen and --port when not given: behind a reverse proxy on this machine
WEBHOOK_PORT = 8443
WEBHOOK_ONLY = ("port", "listen")  # serve's options that only a webhook uses: long polling opens no port
# one dot-separated part of a host name (RFC 1123), with the _ resolvers take too (a container's my_bot)
HOST_LABEL = re.compile(r"(?!-)[A-Za-z0-9_-]{1,63}(?<!-)")


CONCURRENT_UPDATES = 32  # updates handled at a time, each with its own connection to Telegram
GET_UPDATES_CONNECTIONS = 4  # spare connections for the long poll, see application_builder


def application_builder(settings: Settings, read_timeout: float = 5.0, inbox: Inbox | None = None) -> ApplicationBuilder:
    """python-telegram-bot's options for this bot: where Telegram is, timeouts, retries, concurrency.

    CONCURRENT_UPDATES updates are handled at a time (a slow reader never holds up the others), at most
    PER_CHAT of them from one chat (bot/update_processor.py: a busy group waiting on Telegram's limit for
    groups cannot take every slot), with as many HTTP connections, so no answer waits for a free one.
    Telegram allows about 30 messages a second anyway, and 32 answers in flight cover its round trip of up
    to a second at that rate. HTTP goes over aiohttp (bot/transport.py): on PTB's default httpx, the
    connection pool's bookkeeping was most of the CPU an answer cost.

    getUpdates has connections of its own, GET_UPDATES_CONNECTIONS rather than PTB's one: a long poll
    cancelled mid-flight (on stop, or when the network drops) can hold its connection for a while, and
    with a single one the next poll, or the last getUpdates that confirms the fetched updates on
    shutdown, would wait for it and fail (seen in CI with httpx; python-telegram-bot users report the
    same). Confirmation failing means the next start answers those updates a second time.

    With an inbox (bot/inbox.py), every question is written down as it is queued and marked once
    handled, so a crash loses none.

    The throughput benchmark builds its echo bot with this too, so both bots run on the same options.
    """
    processor = FairUpdateProcessor(CONCURRENT_UPDATES, on_done=inbox.done if inbox is not None else None)
    builder = (
        ApplicationBuilder()
        .token(settings.token)
        .rate_limiter(RetryingRateLimiter())  # Telegram's outgoing limits; transient failures retried
        .request(AiohttpRequest(CONCURRENT_UPDATES, read_timeout=read_timeout))
        .get_updates_request(AiohttpRequest(GET_UPDATES_CONNECTIONS, read_timeout=read_timeout,  # + the poll's
                                            on_result=inbox.fetched if inbox is not None else None))
        .concurrent_updates(processor)  # and at most PER_CHAT of one chat's
        .defaults(Defaults(allow_sending_without_reply=True))  # a deleted question still gets its answer
    )
    if inbox is not None:
        builder = builder.update_queue(InboxQueue(inbox))
    if settings.base_url:
        builder = builder.base_url(settings.base_url)
    if settings.base_file_url:
        builder = builder.base_file_url(settings.base_file_url)
    return builder


def build_application(settings: Settings, library: Library, feedback: FeedbackSink | None = None,
                      question_log: QuestionLog | None = None, watch_seconds: float = 0,
                      read_timeout: float = 5.0, inbox: Inbox | None = None) -> Application:
    """A ready-to-start Application answering from `library`; no network is used until it starts.

    With a question log, every answer is logged and 👍/👎 go to it; with
    watch_seconds > 0, the article folder is checked that often and a changed
    article is swapped in while the bot keeps answering. read_timeout is how long
    a Bot API call may go unanswered before it counts as failed (and is retried):
    Telegram answers in well under a second, and tests with lost responses shorten it. With an inbox,
    questions a crashed run left unanswered are answered first.
    """
    builder = (application_builder(settings, read_timeout, inbox).post_init(set_commands)
               .post_stop(handlers.stop_watching))
    application = builder.build()
    application.bot_data.update(
        settings=settings,
        corpus=handlers.make_corpus(library, settings.answer_cache),
        examples=handlers.ExampleBook(),
        flood=FloodGate(settings.flood_limit),
        feedback=feedback if feedback is not None else (question_log.feedback_sink if question_log else MemoryFeedback()),
        question_log=question_log,
        replied=handlers.Replied(),
        watch_seconds=watch_seconds,
    )
    add_handlers(application)
    return application


def add_handlers(application: Application) -> None:
    """Commands first (they win over plain text), then text by chat type, then everything else."""
    private, groups = filters.ChatType.PRIVATE, filters.ChatType.GROUPS
    application.add_handlers([
        CommandHandler("start", handlers.on_start),
        CommandHandler("help", handlers.on_help),
        CommandHandler("about", handlers.on_about),
        CommandHandler("ask", handlers.on_ask),
        CommandHandler("more", handlers.on_more),
        CommandHandler("reload", handlers.on_reload),
        CommandHandler("stats", handlers.on_stats),
        CommandHandler("forget", handlers.on_forget),
        MessageHandler(filters.COMMAND & private, handlers.on_unknown_command),
        MessageHandler(filters.TEXT & ~filters.COMMAND & private, handlers.on_private_text),
        MessageHandler(filters.TEXT & ~filters.COMMAND & groups, handlers.on_group_text),
        MessageHandler(filters.CAPTION & ~filters.TEXT & groups, handlers.on_group_text),  # a photo asking
        MessageHandler(~filters.TEXT & ~filters.StatusUpdate.ALL & private, handlers.on_non_text),
        CallbackQueryHandler(handlers.on_button),
        InlineQueryHandler(handlers.on_inline_query),
    ])
    application.add_error_handler(handlers.on_error)


async def set_commands(application: Application) -> None:
    """The command menu, in Chinese by default and in English for English-language clients; the article
    watcher, which must run on the application's own event loop; then the questions a crashed run left."""
    handlers.start_watching(application)
    for lang, code in (("zh", None), ("en", "en")):
        commands = [BotCommand(name, text(f"cmd_{name}", lang)) for name in COMMANDS]
        await application.bot.set_my_commands(commands, language_code=code)
    if isinstance(application.update_queue, InboxQueue):  # queued before the first new update is fetched
        application.update_queue.take_over(application.bot)


# -- logging ---------------------------------------------------------------------------------------------


class RedactSecrets(logging.Filter):
    """Replace the token (and webhook secret) with [REDACTED] in every record: message, args, traceback.

    Defense in depth: httpx logs request URLs, which contain the token, so its
    loggers are also held at WARNING; this catches whatever else might slip.
    """

    def __init__(self, secrets: list[str | None]) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s]

    def clean(self, value: str) -> str:
        for secret in self.secrets:
            value = value.replace(secret, "[REDACTED]")
        return value

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 — a malformed record still gets logged, just unformatted
            message = str(record.msg)
        record.msg, record.args = self.clean(message), ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.clean(record.exc_text)
        if record.stack_info:
            record.stack_info = self.clean(record.stack_info)
        return True


def configure_logging(settings: Settings) -> None:
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger().setLevel(settings.log_level)
    for noisy in ("httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    redact = RedactSecrets([settings.token, settings.webhook_secret])
    for handler in logging.getLogger().handlers:
        handler.addFilter(redact)


# -- serving ---------------------------------------------------------------------------------------------


def refuse_webhook_only_options(args: argparse.Namespace) -> None:
    """--port or --listen without --webhook-url: long polling listens on nothing, so the option would be
    silently ignored, and whoever gave it most likely meant a webhook and forgot its URL."""
    if getattr(args, "webhook_url", None):
        return
    given = [f"--{name}" for name in WEBHOOK_ONLY if getattr(args, name, None) is not None]
    if given:
        names = " 和 ".join(given)
        raise ConfigError(f"{names} 只用于 webhook 模式：请同时给出 --webhook-url URL，或去掉 {names}"
                          f"（长轮询不监听端口）(webhook mode only: add --webhook-url, or leave out {' '.join(given)})")


def webhook_options(args: argparse.Namespace, settings: Settings) -> dict[str, object] | None:
    """run_webhook's arguments for --webhook-url, or None for long polling."""
    url = getattr(args, "webhook_url", None)
    if not url:
        return None
    if not settings.webhook_secret:
        raise ConfigError("--webhook-url 需要设置 WEBHOOK_SECRET：Telegram 每次推送更新都带着它 "
                          "(WEBHOOK_SECRET is required with --webhook-url)")
    if not re.match(SECRET_PATTERN, settings.webhook_secret):
        raise ConfigError("WEBHOOK_SECRET 应为 1 到 256 个字符，只能用 A-Z、a-z、0-9、_ 和 - "
                          "(WEBHOOK_SECRET must be 1-256 characters of A-Z a-z 0-9 _ -)")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError("--webhook-url 应为完整的网址，如 https://bot.example.com/telegram "
                          "(--webhook-url must be a full URL)")
    if parts.scheme == "http" and parts.hostname not in LOCAL_HOSTS:
        raise ConfigError("--webhook-url 应以 https:// 开头：Telegram 只通过 HTTPS 推送更新（http:// 只用于 "
                          "127.0.0.1 和 localhost 上的本地测试服务器）(--webhook-url must start with https://)")
    port = WEBHOOK_PORT if getattr(args, "port", None) is None else args.port
    if not 1 <= port <= 65535:
        raise ConfigError(f"--port 应在 1 到 65535 之间，不能是 {port} (--port must be between 1 and 65535)")
    listen = WEBHOOK_LISTEN if getattr(args, "listen", None) is None else args.listen
    if not is_listen_address(listen):
        raise ConfigError(f"--listen “{listen}” 不是 IP 地址或主机名：应形如 127.0.0.1、0.0.0.0、::1 或 localhost，"
                          "IPv6 地址不加方括号 (--listen must be an IP address or host name)")
    return {
        "listen": listen, "port": port, "url_path": parts.path.strip("/"),
        "webhook_url": url, "secret_token": settings.webhook_secret,
    }


def is_listen_address(value: str) -> bool:
    """An IP address (IPv6 without brackets, as a socket takes it) or a host name: anything else fails only
    when the webhook server binds, after setWebhook and the article's loading, with a traceback.

    A name whose last part is all digits is an IPv4 address written wrong or short (256.0.0.1, 127.1), not a
    host name: refused, to be written out.
    """
    try:
        ipaddress.ip_address(value)
        return True
    except ValueError:
        pass
    labels = value.removesuffix(".").split(".")  # a fully qualified name may end in a dot
    return (len(value) <= 253 and all(HOST_LABEL.fullmatch(label) for label in labels)
            and not labels[-1].isdigit())


def base_url_hint(base_url: str | None) -> tuple[str, str]:
    """A hint, and its English gloss, for a failure to reach Telegram when TELEGRAM_API_BASE_URL does not end in /bot.

    PTB appends the token to the URL as it is, so http://127.0.0.1:8081 asks for
    http://127.0.0.1:8081123456789:AA…/getMe (unreachable) and http://127.0.0.1:8081/ for /123456789:AA…
    (a 404, which PTB reports as a rejected token). The URL is not rewritten: a server may serve the Bot API
    under another path, or place the token itself with PTB's {token}.
    """
    if not base_url or "{" in base_url or urlsplit(base_url).path.endswith("/bot"):
        return "", ""
    return ("；TELEGRAM_API_BASE_URL 应以 /bot 结尾，如 http://127.0.0.1:8081/bot（令牌原样接在它后面）",
            "; TELEGRAM_API_BASE_URL should end in /bot")


def start_up_error(message: str, gloss: str, base_url: str | None) -> str:
    """One line in the house form (Chinese, then the English gloss), the base URL hint inside each half:
    a hint after the gloss would leave the Chinese reader without it."""
    hint, hint_gloss = base_url_hint(base_url)
    return f"error: {message}{hint} ({gloss}{hint_gloss})"


async def check_token(settings: Settings) -> User:
    """getMe with a throwaway Bot: a rejected token fails here, before the article is loaded.

    Application.initialize would find out too, but only after seconds of loading,
    and PTB logs that failure with a traceback of its own.
    """
    options = {"base_url": settings.base_url, "base_file_url": settings.base_file_url}
    async with Bot(settings.token, request=AiohttpRequest(1), get_updates_request=AiohttpRequest(1),
                   **{k: v for k, v in options.items() if v}) as bot:
        return bot.bot


STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGABRT)  # what PTB itself stops on


def raise_system_exit() -> None:
    """What PTB's own signal handler does: run_polling/run_webhook catch it and stop the bot cleanly."""
    raise SystemExit


def stop_on_signals(application: Application) -> None:
    """Stop on SIGINT/SIGTERM the way PTB does, but also when the signal comes while the bot is starting.

    PTB's own handler raises SystemExit wherever the event loop is. Once the bot
    runs that is a clean stop, but during start-up (post_init, the first
    getUpdates, start()) it breaks start-up half-way: the shutdown that follows
    fails ("Event loop stopped before Future completed"), the process exits 1
    with a traceback, and background tasks die pending. A service manager that
    stops the bot right after starting it hits that window. Here a signal only
    records the request; as soon as the bot runs, SystemExit is raised the way
    PTB's handler does: what was fetched is answered and confirmed, and serve
    exits 0. Not stop_running(): its loop.stop() is swallowed when it lands in
    the same loop iteration as the end of start(), and the bot never stops.
    """
    loop = asyncio.new_event_loop()  # PTB's run_polling/run_webhook pick this loop up
    asyncio.set_event_loop(loop)
    requested = asyncio.Event()
    for sig in STOP_SIGNALS:
        loop.add_signal_handler(sig, requested.set)
    post_init = application.post_init

    async def stop_when_requested() -> None:
        await requested.wait()
        while not application.running:
            await asyncio.sleep(0.02)
        loop.call_soon(raise_system_exit)

    async def post_init_then_watch(app: Application) -> None:
        if post_init is not None:
            await post_init(app)
        app.bot_data["stop_on_signal"] = loop.create_task(stop_when_requested())

    application.post_init = post_init_then_watch


def serve(args: argparse.Namespace) -> int:
    """Run the bot until SIGINT/SIGTERM; returns the exit status (2 for configuration problems)."""
    refuse_webhook_only_options(args)  # a mistyped command line first: no token is needed to see it
    # then every setting that can be checked here, before Telegram is asked anything and the article is
    # loaded: a typo costs neither a round trip nor the wait for loading
    settings = telegram_settings()
    webhook = webhook_options(args, settings)
    watch_seconds = watch_interval()
    if log_path() is not None:  # LOG_RETENTION_DAYS (unused with the log off); read again when the log opens
        retention_days()
    configure_logging(settings)
    inbox = None
    try:
        inbox = open_inbox(settings.token)  # an UPDATE_INBOX that cannot be opened
        me = asyncio.run(check_token(settings))
        logger.info("the token belongs to @%s", me.username)
        library = Library.load(getattr(args, "seeds", None))  # before any update: nobody waits for loading
        logger.info("loaded %d passages from %d article(s)", len(library.passages), len(library.documents))
        gc.freeze()  # the library lives as long as the bot: the cyclic collector need not walk it again and again
        application = build_application(settings, library, question_log=open_question_log(),
                                        watch_seconds=watch_seconds, inbox=inbox)
        stop_on_signals(application)
        if webhook:
            cap_request_bodies()  # updates are small; a huge body is refused before it is read
            application.run_webhook(allowed_updates=Update.ALL_TYPES, stop_signals=None,  # see stop_on_signals
                                    **webhook)  # type: ignore[arg-type]
        else:
            application.run_polling(allowed_updates=Update.ALL_TYPES, drop_pending_updates=False, stop_signals=None)
    except InvalidToken:
        print(start_up_error("Telegram 拒绝了 TELEGRAM_BOT_TOKEN（401 Unauthorized）：请核对 @BotFather 给的令牌",
                             "Telegram rejected the token", settings.base_url), file=sys.stderr)
        return 2
    except NetworkError as error:
        where = settings.base_url or "https://api.telegram.org"
        print(start_up_error(f"连不上 {where} 的 Telegram Bot API（{type(error).__name__}）",
                             "cannot reach the Telegram Bot API", settings.base_url), file=sys.stderr)
        return 1
    finally:
        if inbox is not None:
            inbox.close()
    return 0
