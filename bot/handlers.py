"""What the bot does with each update: questions, commands, buttons, inline queries, errors.

Handlers share state through bot_data (set up by telegram_app.build_application):
  "settings"  Settings            "corpus"   Corpus (library + examples, swapped whole by /reload)
  "examples"  ExampleBook         "flood"    FloodGate
  "feedback"  FeedbackSink        "replied"  Replied
  "question_log" QuestionLog|None  "watch_seconds" float (article watcher; "watcher" its task)
and keep each answer's candidates in chat_data["views"], keyed by the answer's message id (asked
again from the question log when a press finds none there: after a restart, or for an old answer),
and the chat's last question in chat_data["last"] for /more and typed follow-ups (下一个, 还有吗).

Updates are handled concurrently, so nothing here awaits between reading and
writing shared state. Message texts are never logged at INFO.
"""

from __future__ import annotations

import asyncio
import gc
import html
import logging
import re
import sqlite3
import time
from collections import OrderedDict, deque
from dataclasses import dataclass, replace
from pathlib import Path

from telegram import (
    InlineKeyboardMarkup,
    InlineQueryResultsButton,
    LinkPreviewOptions,
    Message,
    MessageEntity,
    Update,
)
from telegram.constants import ChatType, ParseMode
from telegram.error import BadRequest, Forbidden
from telegram.ext import Application, ContextTypes

from bot.followups import is_follow_up
from bot.guards import admin_only, chat_allowed
from bot.render import has_chinese, in_latin_only
from bot.report import stats_text
from bot.replies import (
    CANDIDATES,
    Press,
    answer_html,
    answer_keyboard,
    answer_note,
    candidates,
    context_html,
    examples_keyboard,
    inline_results,
    listing,
    near_misses,
    parse_press,
    plain_html,
)
from bot.retry import is_transient
from bot.texts import REPLIES_IN_KIND, language_of, text
from index.answer import Answer, Hit
from index.documents import ArticleError, folder_fingerprint
from index.library import Library, example_questions, seeds_folder

logger = logging.getLogger(__name__)

Context = ContextTypes.DEFAULT_TYPE
VIEWS_PER_CHAT = 300  # answers per chat whose buttons still work; older ones answer "expired"
ALBUMS_KEPT = 20  # albums per chat known to have had their one reply
EXAMPLES_SHOWN = 3
INLINE_CACHE_SECONDS = 10
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)  # a URL quoted from the article should not unfurl


# -- shared state ------------------------------------------------------------------------------------


class AnswerCache:
    """The library's answers to the last `size` distinct questions (0: none kept), most recently asked kept.

    An answer depends only on the question, k and the library, and the library of a Corpus never
    changes (/reload makes a new Corpus, with a new cache), so a repeated question (an example
    button, a question going round a group, the same thing asked again) skips the search.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self._answers: OrderedDict[tuple[str, int], Answer] = OrderedDict()

    def ask(self, library: Library, question: str, k: int) -> Answer:
        if self.size <= 0:
            return library.ask(question, k=k)
        key = (question, k)
        answer = self._answers.get(key)
        if answer is not None:
            self._answers.move_to_end(key)
            return answer
        answer = self._answers[key] = library.ask(question, k=k)
        if len(self._answers) > self.size:
            self._answers.popitem(last=False)
        return answer

    def __len__(self) -> int:
        return len(self._answers)


@dataclass(frozen=True)
class Corpus:
    """The library, the example questions made from it and its answers so far: /reload swaps all in one
    assignment."""

    library: Library
    examples: tuple[str, ...]
    answers: AnswerCache

    def ask(self, question: str, k: int) -> Answer:
        return self.answers.ask(self.library, question, k)


def make_corpus(library: Library, cache_size: int = 0) -> Corpus:
    return Corpus(library, tuple(example_questions(library, EXAMPLES_SHOWN)), AnswerCache(cache_size))


class ExampleBook:
    """Example questions under stable numbers for "q:<n>" buttons. A press asks the question its button
    shows (Telegram sends the keyboard back with it); the number is the fallback for a press without it.

    It only grows by distinct example questions (a handful per reload).
    """

    def __init__(self) -> None:
        self._questions: list[str] = []

    def number(self, question: str) -> int:
        if question not in self._questions:
            self._questions.append(question)
        return self._questions.index(question)

    def get(self, number: int) -> str | None:
        return self._questions[number] if 0 <= number < len(self._questions) else None

    def numbered(self, questions: tuple[str, ...] | list[str]) -> list[tuple[int, str]]:
        return [(self.number(q), q) for q in questions]


class Replied:
    """Updates that already got their reply (or, for button presses and inline queries, their one answer
    attempt), so the error handler never sends a second one."""

    def __init__(self, keep: int = 5000) -> None:
        self._order: deque[int] = deque()
        self._ids: set[int] = set()
        self._keep = keep

    def add(self, update_id: int) -> None:
        if update_id in self._ids:
            return
        self._order.append(update_id)
        self._ids.add(update_id)
        if len(self._order) > self._keep:
            self._ids.discard(self._order.popleft())

    def __contains__(self, update_id: object) -> bool:
        return update_id in self._ids


@dataclass(frozen=True)
class View:
    """The candidates behind one answer message, in the asker's language, with the caveat shown above
    them (replies.answer_note): for a declined question they are its near misses, shown on request.
    A follow-up (/more, 下一个) shows them in a message of its own, sent as a reply to the answer message
    the question log keys them by: `root`."""

    hits: tuple[Hit, ...]
    lang: str
    truncated: bool
    note: str | None = None
    root: int | None = None  # the answer message, when this view is shown by a follow-up message


@dataclass(frozen=True)
class LastQuestion:
    """The chat's last question, for /more and typed follow-ups: its answer message, its candidates (none for
    a reply that showed no passage and has none to show) and the one last shown (-1: none yet, a decline)."""

    root: int
    view: View
    shown: int


def _corpus(context: Context) -> Corpus:
    return context.bot_data["corpus"]


def _chat_data(context: Context) -> dict:
    return context.chat_data if context.chat_data is not None else {}


def _views(context: Context) -> OrderedDict[int, View]:
    return _chat_data(context).setdefault("views", OrderedDict())


def _lang(update: Update) -> str:
    user = update.effective_user
    return language_of(user.language_code if user else None)


def _titles(library: Library, lang: str) -> str:
    return listing(library.titles, lang)


# -- sending -----------------------------------------------------------------------------------------


async def _reply(update: Update, context: Context, body: str, markup: InlineKeyboardMarkup | None = None,
                 *, quote: bool | None = None) -> Message | None:
    """Reply in HTML to the update's message; once sent, the error handler adds nothing for this update."""
    message = update.effective_message
    if message is None:
        return None
    sent = await message.reply_text(body, parse_mode=ParseMode.HTML, reply_markup=markup, do_quote=quote,
                                    link_preview_options=NO_PREVIEW)
    context.bot_data["replied"].add(update.update_id)
    return sent


def _admit(update: Update, context: Context) -> tuple[bool, str | None]:
    """Allowlist, then flood control, for an update already known to be meant for the bot.

    Returns (admitted, key of the notice to show if not). Synchronous on purpose:
    concurrent updates of one user cannot slip between the count and its update.
    """
    settings = context.bot_data["settings"]
    chat = update.effective_chat
    if chat is not None and not chat_allowed(settings.allowed_chat_ids, chat.id):
        logger.info("update %s: chat %s is not in ALLOWED_CHAT_IDS", update.update_id, chat.id)
        return False, "not_allowed"
    user = update.effective_user
    if user is None:
        return True, None
    verdict = context.bot_data["flood"].check(user.id)
    if verdict == "ok":
        return True, None
    if verdict == "notice":
        logger.info("update %s: user %s is over the flood limit", update.update_id, user.id)
        return False, "flood"
    return False, None


async def _admitted(update: Update, context: Context) -> bool:
    """_admit for message updates, telling the reader why when they are turned away."""
    admitted, notice = _admit(update, context)
    if not admitted and notice:
        await _reply(update, context, plain_html(notice, _lang(update)))
    return admitted


def _ask(context: Context, update: Update, question: str) -> Answer:
    answer = _corpus(context).ask(question, k=CANDIDATES)  # about a millisecond: fine on the event loop
    best = answer.hits[0].passage.id if answer.answered else "-"
    logger.info("update %s: reason=%s passage=%s truncated=%s", update.update_id, answer.reason, best,
                answer.truncated)
    return answer


async def _send_answer(update: Update, context: Context, anchor: Message, answer: Answer, lang: str,
                       quote: bool, started: float | None = None) -> None:
    """The answer as a reply to `anchor`'s chat: the passage with buttons, or why there is none."""
    corpus = _corpus(context)
    hits: tuple[Hit, ...] = ()
    markup: InlineKeyboardMarkup | None = None
    if answer.reason == "empty":
        body = plain_html("empty", lang)
    elif answer.reason in REPLIES_IN_KIND:  # no words, only question words, small talk: no passage to show
        body = plain_html(answer.reason, lang, example=corpus.examples[0] if corpus.examples else "……")
    elif not (hits := candidates(answer)):
        body = plain_html("not_in_article", lang)
        if in_latin_only(answer.question):  # the article is searched in Chinese: say so
            body = f"<i>{plain_html('ask_in_chinese', lang)}</i>\n\n{body}"
        if answer.truncated:
            body = f"<i>{plain_html('truncated', lang)}</i>\n\n{body}"
        hits = near_misses(answer)
        markup = examples_keyboard(context.bot_data["examples"].numbered(corpus.examples[:EXAMPLES_SHOWN]),
                                   nearest_in=lang if hits else None)
    else:
        body = answer_html(hits[0], lang, truncated=answer.truncated, note=answer_note(answer))
        markup = answer_keyboard(0, lang)
    sent = await anchor.reply_text(body, parse_mode=ParseMode.HTML, reply_markup=markup, do_quote=quote,
                                   link_preview_options=NO_PREVIEW)
    context.bot_data["replied"].add(update.update_id)
    _log_answer(update, context, answer, sent, started)
    view = View(hits, lang, answer.truncated, answer_note(answer))
    if hits:
        _remember(context, sent.message_id, view)
    if _is_question(answer.reason):  # small talk (谢谢, 你好) leaves /more to the question before it
        _chat_data(context)["last"] = LastQuestion(sent.message_id, view, 0 if answer.answered else -1)


def _is_question(reason: str) -> bool:
    """Whether an answer of this reason answered a question (with a passage or a decline), not small talk,
    an empty message or one of no words."""
    return reason != "empty" and reason not in REPLIES_IN_KIND


def _remember(context: Context, message_id: int, view: View) -> None:
    views = _views(context)
    views[message_id] = view
    while len(views) > VIEWS_PER_CHAT:
        views.popitem(last=False)


def _log_answer(update: Update, context: Context, answer: Answer, sent: Message, started: float | None) -> None:
    """Queued for the question log, if there is one (written within a second, off the event loop); a log that
    fails (full disk) never costs the reader an answer."""
    question_log = context.bot_data.get("question_log")
    user, chat = update.effective_user, update.effective_chat
    if question_log is None or user is None or chat is None:
        return
    latency = (time.perf_counter() - started) * 1000 if started is not None else 0.0
    try:
        question_log.record_soon(chat.type, user.id, answer.question, answer, latency,
                                 message_key=(sent.chat_id, sent.message_id))
    except sqlite3.Error as error:
        logger.warning("update %s: question log write failed: %s", update.update_id, error)


async def _answer_message(update: Update, context: Context, question: str, *, admitted: bool = False) -> None:
    """Answer a question a reader sent as (or in) a message; a follow-up (下一个, 还有吗) as /more does.
    `admitted`: the update already passed _admitted (and counted against the flood limit)."""
    message = update.effective_message
    assert message is not None
    if not (admitted or await _admitted(update, context)):
        return
    if is_follow_up(question):
        await _follow_up(update, context)
        return
    # Quote in groups (several people ask) and for edits (which version is answered); not otherwise.
    quote = message.chat.type != ChatType.PRIVATE or update.edited_message is not None
    started = time.perf_counter()
    await _send_answer(update, context, message, _ask(context, update, question), _lang(update), quote, started)


# -- follow-ups: /more, 下一个, 还有吗 ---------------------------------------------------------------------


async def _follow_up(update: Update, context: Context) -> None:
    """What 换一个 does, for the chat's last question, in a new message sent as a reply to its answer: the
    candidate after the one last shown (after a decline, the closest passage first, under its caveat).
    Before any question, or after the last candidate, it says so."""
    message = update.effective_message
    assert message is not None
    lang = _lang(update)
    last = _last_question(context, message.chat.id, lang)
    if last is None:
        await _reply(update, context, plain_html("more_ask_first", lang))
        return
    index = last.shown + 1
    if index >= len(last.view.hits):
        await _reply(update, context, plain_html("more_none", lang))
        return
    view = replace(last.view, lang=lang, root=last.root)
    body = answer_html(view.hits[index], lang, truncated=view.truncated, note=view.note)
    sent = await message.reply_text(body, parse_mode=ParseMode.HTML, reply_markup=answer_keyboard(index, lang),
                                    reply_to_message_id=last.root, link_preview_options=NO_PREVIEW)
    context.bot_data["replied"].add(update.update_id)
    logger.info("update %s: follow-up of message %s, candidate %d", update.update_id, last.root, index)
    _remember(context, sent.message_id, view)
    _chat_data(context)["last"] = replace(last, shown=index)


def _last_question(context: Context, chat_id: int, lang: str) -> LastQuestion | None:
    """The chat's last question: kept in memory, or after a restart asked again from the question log,
    as the buttons are. Which candidate the reader last saw is not logged: the best one is assumed."""
    last = _chat_data(context).get("last")
    if last is not None:
        return last
    question_log = context.bot_data.get("question_log")
    if question_log is None:
        return None
    try:
        logged = question_log.last_answer(chat_id, skip_reasons=("empty", *sorted(REPLIES_IN_KIND)))
    except sqlite3.Error as error:
        logger.warning("question log read failed: %s", error)
        return None
    if logged is None:
        return None
    message_id, question = logged
    answer = _corpus(context).ask(question, k=CANDIDATES)
    hits = candidates(answer) or near_misses(answer)
    view = View(hits, lang, answer.truncated, answer_note(answer))
    last = LastQuestion(message_id, view, 0 if answer.answered else -1)
    _chat_data(context)["last"] = last
    return last


def _shown(context: Context, message: Message, view: View, index: int) -> None:
    """A button showed candidate `index`: a follow-up of the chat's last question goes on from there."""
    chat_data = _chat_data(context)
    last = chat_data.get("last")
    if last is not None and last.root == (view.root if view.root is not None else message.message_id):
        chat_data["last"] = replace(last, shown=index)


async def on_more(update: Update, context: Context) -> None:
    """/more: the next passage for the chat's last question, as typing 下一个 does."""
    if update.effective_message is None or not await _admitted(update, context):
        return
    await _follow_up(update, context)


# -- questions in messages -----------------------------------------------------------------------------


def _bot_mention(username: str) -> re.Pattern[str]:
    return re.compile(rf"@{re.escape(username)}(?![A-Za-z0-9_])", re.IGNORECASE)


def strip_mentions(value: str, username: str, names: tuple[str, ...] = ()) -> tuple[str, bool]:
    """The text without the bot's @mentions (and name mentions `names`), and whether it had any."""
    pattern = _bot_mention(username)
    mentioned = bool(pattern.search(value))
    value = pattern.sub(" ", value)
    for name in names:
        mentioned = True
        value = value.replace(name, " ", 1)
    return value.strip(), mentioned


def _name_mentions(message: Message, bot_id: int) -> tuple[str, ...]:
    """Mentions of the bot by name (text_mention entities) rather than by @username, in the text or caption."""
    kinds = [MessageEntity.TEXT_MENTION]
    found = message.parse_entities(kinds) if message.text is not None else message.parse_caption_entities(kinds)
    return tuple(shown for entity, shown in found.items() if entity.user and entity.user.id == bot_id)


def _words(message: Message, context: Context) -> tuple[str, bool]:
    """What the message says (its text, or the caption of a photo or file) without the bot's mentions, and
    whether it mentioned the bot."""
    said = message.text if message.text is not None else (message.caption or "")
    return strip_mentions(said, context.bot.username, _name_mentions(message, context.bot.id))


def _from_bot(message: Message, context: Context) -> bool:
    """Whether the bot itself sent the message."""
    return message.from_user is not None and message.from_user.id == context.bot.id


def _from_this_bot(message: Message, context: Context) -> bool:
    """Our own inline answers sent into a chat come back as messages via us; they are not questions."""
    return message.via_bot is not None and message.via_bot.id == context.bot.id


async def on_private_text(update: Update, context: Context) -> None:
    """In a private chat any text is a question."""
    message = update.effective_message
    if message is None or _from_this_bot(message, context):
        return
    question, _ = _words(message, context)
    await _answer_message(update, context, question)


async def on_group_text(update: Update, context: Context) -> None:
    """In groups, answer only what is addressed to the bot: an @mention or a reply to one of its messages
    (in a text, or in the caption of a photo or file)."""
    message = update.effective_message
    if message is None or _from_this_bot(message, context):
        return
    question, mentioned = _words(message, context)
    replied_to = message.reply_to_message
    to_bot = replied_to is not None and _from_bot(replied_to, context)
    if not (mentioned or to_bot):
        return  # chatter between people
    if mentioned and not question:  # a bare @bot: say where the question goes
        if await _admitted(update, context):
            examples = _corpus(context).examples
            await _reply(update, context, plain_html("mention_usage", _lang(update), username=context.bot.username,
                                                     example=examples[0] if examples else text("question_word")))
        return
    await _answer_message(update, context, question)


def _first_of_album(context: Context, message: Message) -> bool:
    """Whether the message is the first of its album (photos or files sent together, each its own update)
    to be replied to; one not in an album is. Synchronous: the album's updates are handled concurrently."""
    album = message.media_group_id
    if not album:
        return True
    chat_data = context.chat_data if context.chat_data is not None else {}
    seen: deque[str] = chat_data.setdefault("albums", deque(maxlen=ALBUMS_KEPT))
    if album in seen:
        return False
    seen.append(album)
    return True


async def on_non_text(update: Update, context: Context) -> None:
    """Photos, stickers, voice, files, locations…: say that only text questions work, once for an album of
    them. A photo or file with a caption in words is a question: its caption is answered."""
    message = update.effective_message
    if message is None:
        return
    if message.caption and not _from_this_bot(message, context):
        question, _ = _words(message, context)
        if question:
            _first_of_album(context, message)  # the album's other photos need no reply of their own
            await _answer_message(update, context, question)
            return
    if not _first_of_album(context, message):
        return  # one hint (or the caption's answer) per album, not one per photo
    if await _admitted(update, context):
        await _reply(update, context, plain_html("non_text", _lang(update)))


# -- commands ------------------------------------------------------------------------------------------


async def on_start(update: Update, context: Context) -> None:
    """The welcome; /start 问题 then answers the question. A deep link's payload (/start inline) holds no
    Chinese character (Telegram allows only A-Z a-z 0-9 _ - there): it is no question, and is ignored."""
    message = update.effective_message
    if message is None or not await _admitted(update, context):
        return
    lang = _lang(update)
    corpus = _corpus(context)
    body = plain_html("start", lang, title=_titles(corpus.library, lang))
    await _reply(update, context, body, examples_keyboard(context.bot_data["examples"].numbered(corpus.examples)))
    question = _after_command(message, context)
    if has_chinese(question):
        await _answer_message(update, context, question, admitted=True)


async def on_help(update: Update, context: Context) -> None:
    if not await _admitted(update, context):
        return
    lang = _lang(update)
    # Inline mode works only once the publisher has turned it on with @BotFather (getMe says whether)
    inline = text("help_inline", lang, username=context.bot.username) if context.bot.supports_inline_queries else ""
    await _reply(update, context, plain_html("help", lang, inline=inline))


async def on_about(update: Update, context: Context) -> None:
    if not await _admitted(update, context):
        return
    lang = _lang(update)
    library = _corpus(context).library
    sources = listing([Path(d.path).name if d.path else d.name for d in library.documents], lang, ", ")
    await _reply(update, context, plain_html("about", lang, titles=_titles(library, lang), sources=sources,
                                             passages=len(library.passages)))


def _after_command(message: Message, context: Context) -> str:
    """What follows a command (/ask 问题, /ask@bot 问题), line breaks kept, without mentions of the bot."""
    command = message.entities[0] if message.entities else None
    said = (message.text or "")[command.length:] if command and command.offset == 0 else " ".join(context.args or [])
    return strip_mentions(said, context.bot.username)[0]


async def on_ask(update: Update, context: Context) -> None:
    """/ask 问题 (or /ask@bot 问题): the question is everything after the command, line breaks kept."""
    message = update.effective_message
    if message is None or not message.text:
        return
    question = _after_command(message, context)
    if not question:
        if await _admitted(update, context):
            await _reply(update, context, plain_html("ask_usage", _lang(update)))
        return
    await _answer_message(update, context, question)


async def on_unknown_command(update: Update, context: Context) -> None:
    """A command this bot does not have, in a private chat: show what it does have."""
    await on_help(update, context)


async def _refuse_non_admin(update: Update, context: Context) -> None:
    await _reply(update, context, plain_html("admin_only", _lang(update)))


def _article_folder(library: Library) -> Path:
    """Reload from where the running library came from (all documents share one folder)."""
    paths = [d.path for d in library.documents if d.path]
    return Path(paths[0]).parent if paths else seeds_folder()


async def reload_corpus(application: Application) -> Corpus:
    """Load the article folder again, off the event loop, and swap the new library in with one assignment.

    Questions already being answered finish on the library they started with;
    a folder that fails to load leaves the running library in place (the error is raised).
    """
    folder = _article_folder(application.bot_data["corpus"].library)
    fingerprint = folder_fingerprint(folder)
    cache_size = application.bot_data["settings"].answer_cache
    corpus = await asyncio.to_thread(lambda: make_corpus(Library.load(folder), cache_size))
    application.bot_data["corpus"] = corpus
    application.bot_data["fingerprint"] = fingerprint
    gc.unfreeze()  # serve() froze the first library out of the collector's sight; the replaced one may be garbage now
    logger.info("loaded %s again: %d passages from %d article(s)", folder, len(corpus.library.passages),
                len(corpus.library.documents))
    return corpus


@admin_only(_refuse_non_admin)
async def on_reload(update: Update, context: Context) -> None:
    """Re-read the article folder and swap the new library in; answers in flight finish on the old one."""
    lang = _lang(update)
    try:
        corpus = await reload_corpus(context.application)
    except (ArticleError, OSError) as error:
        logger.warning("reload failed: %s", error)
        await _reply(update, context, plain_html("reload_failed", lang, reason=error))
        return
    body = plain_html("reloaded", lang, titles=_titles(corpus.library, lang), passages=len(corpus.library.passages))
    skipped = corpus.library.skipped  # files of the folder that are no article: the admin should hear of them
    if skipped:
        body += "\n" + plain_html("reload_skipped", lang, count=len(skipped), files=listing(skipped, lang, "；"))
    await _reply(update, context, body)


async def watch_articles(application: Application, seconds: float) -> None:
    """Every `seconds`, compare the article folder's fingerprint; reload when an article changed or was added.

    A broken article (say, half written) is logged and retried at the next
    change; readers keep getting answers from the library already loaded.
    """
    folder = _article_folder(application.bot_data["corpus"].library)
    application.bot_data.setdefault("fingerprint", folder_fingerprint(folder))
    while True:
        await asyncio.sleep(seconds)
        fingerprint = await asyncio.to_thread(folder_fingerprint, folder)
        if fingerprint == application.bot_data["fingerprint"]:
            continue
        try:
            await reload_corpus(application)
        except (ArticleError, OSError) as error:
            application.bot_data["fingerprint"] = fingerprint  # wait for the next change before trying again
            logger.warning("articles changed but could not be loaded (keeping the previous ones): %s", error)


def start_watching(application: Application) -> None:
    seconds = application.bot_data.get("watch_seconds") or 0
    if seconds > 0 and "watcher" not in application.bot_data:
        application.bot_data["watcher"] = asyncio.get_running_loop().create_task(watch_articles(application, seconds))


async def stop_watching(application: Application) -> None:
    watcher = application.bot_data.pop("watcher", None)
    if watcher is not None:
        watcher.cancel()
    question_log = application.bot_data.get("question_log")
    if question_log is not None:
        question_log.close()


@admin_only(_refuse_non_admin)
async def on_stats(update: Update, context: Context) -> None:
    """A short summary of what readers asked, for admins; plain text, since it quotes readers' questions."""
    lang = _lang(update)
    question_log = context.bot_data.get("question_log")
    message = update.effective_message
    if message is None:
        return
    if message.chat.type != ChatType.PRIVATE:  # readers asked the bot, not the group: their questions stay private
        await _reply(update, context, plain_html("stats_private", lang))
        return
    body = stats_text(question_log, lang=lang) if question_log is not None else text("log_off", lang)
    await message.reply_text(body, link_preview_options=NO_PREVIEW)
    context.bot_data["replied"].add(update.update_id)


async def on_forget(update: Update, context: Context) -> None:
    """/forget: delete everything the log keeps about this reader."""
    if not await _admitted(update, context):
        return
    lang = _lang(update)
    question_log = context.bot_data.get("question_log")
    if question_log is None:  # QUESTION_LOG=off: not "deleted 0 records", as if some might have been kept
        await _reply(update, context, plain_html("forget_nothing_kept", lang))
        return
    user = update.effective_user
    removed = 0
    if user is not None:
        removed = await asyncio.to_thread(question_log.forget, user.id)
    await _reply(update, context, plain_html("forgotten", lang, rows=removed))


# -- buttons -------------------------------------------------------------------------------------------


async def on_button(update: Update, context: Context) -> None:
    """Every callback query is answered exactly once: with a short notice, or silently after acting."""
    query = update.callback_query
    assert query is not None
    lang = language_of(query.from_user.language_code)
    try:
        notice = await _press(update, context, lang)
    except Exception:
        context.bot_data["replied"].add(update.update_id)
        await query.answer(text("error", lang))
        raise
    context.bot_data["replied"].add(update.update_id)
    await query.answer(notice)


async def _press(update: Update, context: Context, lang: str) -> str | None:
    """Do what the button asks; return the notice to show, if any."""
    query = update.callback_query
    assert query is not None
    press = parse_press(query.data)
    message = query.message
    if press is None or not isinstance(message, Message):
        return text("expired", lang)
    admitted, notice = _admit(update, context)
    if not admitted:
        return text(notice, lang) if notice else None
    if press.action == "example":
        # The button shows its question: ask that. This run's numbers are known only for examples it has
        # shown, and after a restart or a reload the same number may name another question.
        question = _button_text(message, query.data) or context.bot_data["examples"].get(press.index)
        if question is None:
            return text("expired", lang)
        await _send_answer(update, context, message, _ask(context, update, question), lang, quote=False)
        return None
    view = _views(context).get(message.message_id) or _view_from_log(context, message, press, lang)
    if view is None or press.index >= len(view.hits):
        return text("expired", lang)
    if press.action == "nearest":
        await _show(message, view, 0)
        _shown(context, message, view, 0)
        return None
    if press.action == "next":
        if len(view.hits) < 2:
            return text("no_more", view.lang)
        index = (press.index + 1) % len(view.hits)  # after the last, the best again
        await _show(message, view, index)
        _shown(context, message, view, index)
        return None
    hit = view.hits[press.index]
    if press.action == "context":
        await message.reply_text(context_html(_corpus(context).library, hit, view.lang), parse_mode=ParseMode.HTML,
                                 do_quote=True, link_preview_options=NO_PREVIEW)
        return None
    # a vote on a follow-up counts for the answer it continues, the one the question log keeps
    answer_message = view.root if view.root is not None else message.message_id
    context.bot_data["feedback"].record(message.chat.id, query.from_user.id, answer_message, hit.passage.id,
                                        press.vote)
    return text("feedback_thanks", lang)


def _button_text(message: Message, data: str | None) -> str | None:
    """The text of the message's button that carries `data`, as Telegram sends the pressed message back."""
    markup = message.reply_markup
    for row in markup.inline_keyboard if markup is not None else ():
        for button in row:
            if button.callback_data == data and button.text:
                return button.text
    return None


def _view_from_log(context: Context, message: Message, press: Press, lang: str) -> View | None:
    """The candidates behind an answer the bot no longer holds in memory (it restarted, or the answer is
    older than VIEWS_PER_CHAT), asked again from the question the log kept for that message, or for a
    follow-up's, for the answer message it replies to.

    Only when the candidate the buttons name is still the passage the message shows: after the article
    changed, a vote or 上下文 must not land on another passage. (A decline shows no passage yet: its
    button asks for the closest one as the article has it now.)
    """
    question_log = context.bot_data.get("question_log")
    if question_log is None:
        return None
    replied = message.reply_to_message
    root = replied.message_id if replied is not None and _from_bot(replied, context) else None
    try:
        question = question_log.question_for(message.chat.id, message.message_id)
        if question is None and root is not None:
            question = question_log.question_for(message.chat.id, root)
        else:
            root = None
    except sqlite3.Error as error:
        logger.warning("question log read failed: %s", error)
        return None
    if question is None:
        return None
    answer = _corpus(context).ask(question, k=CANDIDATES)
    hits = candidates(answer) or near_misses(answer)
    if press.index >= len(hits) or (press.action != "nearest" and not _shows(message, hits[press.index])):
        return None
    view = View(hits, lang, answer.truncated, answer_note(answer), root)
    _remember(context, message.message_id, view)
    return view


def _shows(message: Message, hit: Hit) -> bool:
    """Whether the message displays this passage (its text, whitespace aside, as Telegram returns it)."""
    shown = re.sub(r"\s+", "", message.text or "")
    return re.sub(r"\s+", "", hit.passage.text)[:40] in shown


async def _show(message: Message, view: View, index: int) -> None:
    """Edit the message to show candidate `index` with its buttons."""
    body = answer_html(view.hits[index], view.lang, truncated=view.truncated, note=view.note)
    try:
        await message.edit_text(body, parse_mode=ParseMode.HTML, reply_markup=answer_keyboard(index, view.lang),
                                link_preview_options=NO_PREVIEW)
    except BadRequest as error:
        if "not modified" not in error.message.lower():
            raise
        # A double press: the first press already showed this candidate.


# -- inline mode -----------------------------------------------------------------------------------------


async def on_inline_query(update: Update, context: Context) -> None:
    """@bot 问题 in any chat: the top passages, ready to send; a hint for an empty query."""
    query = update.inline_query
    assert query is not None
    lang = language_of(query.from_user.language_code)
    allowed = context.bot_data["settings"].allowed_chat_ids
    context.bot_data["replied"].add(update.update_id)
    if not chat_allowed(allowed, query.from_user.id):  # inline has no chat: the user's private chat decides
        await query.answer([], cache_time=INLINE_CACHE_SECONDS, is_personal=True)
        return
    question = query.query.strip()
    if not question:
        button = InlineQueryResultsButton(text=text("inline_hint", lang), start_parameter="inline")
        await query.answer([], cache_time=INLINE_CACHE_SECONDS, is_personal=True, button=button)
        return
    answer = _ask(context, update, question)
    await query.answer(inline_results(answer, lang), cache_time=INLINE_CACHE_SECONDS, is_personal=True)


# -- errors ------------------------------------------------------------------------------------------------


def _worth_telling(error: BaseException | None) -> bool:
    """Whether a user-facing "error" message could help: not when Telegram itself is unreachable or refuses us."""
    return error is None or not (isinstance(error, Forbidden) or is_transient(error))


async def on_error(update: object, context: Context) -> None:
    """Log each failure once, with the update id and never the message text (a refusal to deliver, 403
    Forbidden, as one warning line without traceback); tell the user only if their update got no reply at all."""
    error = context.error
    if update is None and error is not None and is_transient(error):
        # getUpdates failing while Telegram is unreachable: PTB retries; one line per failure is enough.
        logger.warning("fetching updates failed: %s: %s", type(error).__name__, error)
        return
    update_id = update.update_id if isinstance(update, Update) else None
    if isinstance(error, Forbidden):
        # The reader blocked the bot, or it was removed from the group: Telegram's refusal, not a fault of
        # the bot's, and the same for every answer to that chat. One line says it; a traceback adds nothing.
        logger.warning("update %s: not delivered: %s", update_id, error.message)
    else:
        logger.error("update %s failed: %s", update_id, type(error).__name__, exc_info=error)
    if not isinstance(update, Update) or update.update_id in context.bot_data["replied"]:
        return
    context.bot_data["replied"].add(update.update_id)
    if not _worth_telling(error):
        return
    lang = _lang(update)
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(text("error", lang))
        elif update.effective_message is not None and update.effective_chat is not None:
            await update.effective_message.reply_text(html.escape(text("error", lang)), parse_mode=ParseMode.HTML)
    except Exception as second:  # noqa: BLE001 — nothing more to do for this user
        logger.debug("update %s: could not tell the user about the error: %s", update_id, type(second).__name__)
