"""A fake Telegram Bot API server on 127.0.0.1 for running the real python-telegram-bot against.

Why a fake and not mocks: the bot's risky parts are the ones mocks hide — HTML that Telegram refuses,
messages over the limit, edits that change nothing, callback queries answered twice, lost responses,
429s and outages. This server speaks the Bot API over HTTP (JSON, form-encoded and multipart bodies,
as PTB's httpx client sends them), refuses what Telegram refuses with Telegram's error bodies, and
records everything so tests can assert on what a user would see.

    with FakeTelegram() as tg:
        app = ApplicationBuilder().token(tg.token).base_url(tg.base_url).build()
        ...
        tg.send_text(42, "你好")
        tg.wait_for_messages(42, 1)

The server runs in a background thread with its own event loop; every public method is synchronous
and thread-safe, so plain pytest tests, in-process PTB applications and bot subprocesses can all use it.
"""

from __future__ import annotations

import asyncio
import copy
import itertools
import json
import random
import re
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

DEFAULT_TOKEN = "123456789:AAFakeTelegramTestToken0123456789ab"
BOT_USERNAME = "article_qa_bot"
MAX_TEXT_UTF16 = 4096
MAX_CALLBACK_DATA_BYTES = 64
MAX_INLINE_RESULTS = 50
FAULT_KINDS = ("429", "500", "502", "timeout", "drop", "badjson")
TOKEN_SHAPE = re.compile(r"^\d+:[A-Za-z0-9_-]+$")
CHAT_ACTIONS = frozenset({
    "typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice",
    "upload_document", "choose_sticker", "find_location", "record_video_note", "upload_video_note",
})
# Form fields Telegram reads as plain strings; every other form value is JSON-decoded when it parses
# (PTB sends str values raw and everything else json.dumps'd, see telegram/request/_requestparameter.py).
RAW_STRING_FIELDS = frozenset({
    "text", "caption", "parse_mode", "callback_query_id", "inline_query_id", "next_offset", "url",
    "action", "language_code", "secret_token", "ip_address", "business_connection_id",
    "message_effect_id", "inline_message_id", "switch_pm_text", "switch_pm_parameter", "description",
    "short_description", "name", "emoji", "title", "question", "explanation", "address",
    "first_name", "last_name", "phone_number", "vcard", "game_short_name", "sticker", "photo",
    "document", "voice", "audio", "video", "animation", "file_id",
})
TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a content and reply markup of the current message"
)
NGINX_502 = (
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx/1.18.0</center>\r\n</body>\r\n</html>\r\n"
)


class ApiError(Exception):
    """A refusal the way Telegram words it: HTTP status = error_code, plus the description."""

    def __init__(self, code: int, description: str, parameters: dict[str, Any] | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"ok": False, "error_code": self.code, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def copy_json(value: Any) -> Any:
    """A deep copy of JSON-shaped data (dicts, lists and immutable leaves), several times faster than
    copy.deepcopy, which matters on the paths every message takes."""
    if isinstance(value, dict):
        return {key: copy_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [copy_json(item) for item in value]
    return value


def bad_request(detail: str) -> ApiError:
    return ApiError(400, f"Bad Request: {detail}")


def utf16_len(text: str) -> int:
    """Telegram measures text and entity offsets in UTF-16 code units (an emoji outside the BMP is 2)."""
    return len(text.encode("utf-16-le")) // 2


# ---------------------------------------------------------------------------------------------------
# HTML parse mode, mirroring tdlib's parse_html (td/telegram/MessageEntity.cpp) and its error texts.
# ---------------------------------------------------------------------------------------------------

HTML_TAGS = {
    "b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline", "ins": "underline",
    "s": "strikethrough", "strike": "strikethrough", "del": "strikethrough", "tg-spoiler": "spoiler",
    "span": "spoiler", "a": "text_link", "code": "code", "pre": "pre", "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
HTML_SPACES = " \t\r\n\v\f"
HTML_ENTITY = re.compile(r"&(?:#([0-9]{1,8})|#[xX]([0-9a-fA-F]{1,8})|(lt|gt|amp|quot));")
NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
HTML_SPECIAL = re.compile(r"[&<]")


def decode_html_entity(text: str, pos: int) -> tuple[str, int] | None:
    """The character an entity at text[pos] ('&') stands for and the index after it, or None."""
    match = HTML_ENTITY.match(text, pos)
    if not match:
        return None
    decimal, hexadecimal, name = match.groups()
    if name:
        return NAMED_ENTITIES[name], match.end()
    code = int(decimal) if decimal else int(hexadecimal, 16)
    if not 0 < code <= 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return None
    return chr(code), match.end()


@dataclass
class _OpenTag:
    name: str
    argument: str
    offset: int  # UTF-16 offset of the tag's content in the visible text
    entity_count: int  # entities closed before this tag opened (to spot <pre><code class=…>)
    sequence: int  # opening order: outer entities come first among equal spans


class HtmlParser:
    """One pass over Telegram-HTML: visible text plus entities, or ApiError with tdlib's wording.

    strict_ampersand: tdlib keeps a bare '&' literally; we refuse it by default because Telegram's docs
    require escaping and a bot that escapes properly never sends one (set False for tdlib leniency).
    """

    def __init__(self, text: str, strict_ampersand: bool = True) -> None:
        self.text = text
        self.strict_ampersand = strict_ampersand
        self.pos = 0
        self.out: list[str] = []
        self.utf16 = 0
        self.stack: list[_OpenTag] = []
        self.entities: list[dict[str, Any]] = []
        self.opened = 0

    def error(self, detail: str) -> ApiError:
        return bad_request(f"can't parse entities: {detail}")

    def byte_offset(self, pos: int) -> int:
        return len(self.text[:pos].encode("utf-8", "surrogatepass"))

    def emit(self, chars: str) -> None:
        self.out.append(chars)
        self.utf16 += utf16_len(chars)

    def at_space(self, pos: int) -> bool:
        return pos >= len(self.text) or self.text[pos] in HTML_SPACES

    def parse(self) -> tuple[str, list[dict[str, Any]]]:
        text = self.text
        while self.pos < len(text):
            char = text[self.pos]
            if char == "&":
                self.ampersand()
            elif char == "<":
                self.tag()
            else:  # plain text up to the next entity or tag, in one piece
                special = HTML_SPECIAL.search(text, self.pos)
                end = special.start() if special else len(text)
                self.emit(text[self.pos:end])
                self.pos = end
        if self.stack:
            raise self.error(f'Can\'t find end tag corresponding to start tag "{self.stack[-1].name}"')
        self.entities.sort(key=lambda e: (e["offset"], -e["length"], e["_sequence"]))
        for entity in self.entities:
            entity.pop("_language", None)
            entity.pop("_sequence", None)
        return "".join(self.out), self.entities

    def ampersand(self) -> None:
        decoded = decode_html_entity(self.text, self.pos)
        if decoded:
            self.emit(decoded[0])
            self.pos = decoded[1]
            return
        if self.strict_ampersand:
            raise self.error(
                f'Character "&" is reserved and must be escaped as "&amp;" at byte offset {self.byte_offset(self.pos)}'
            )
        self.emit("&")
        self.pos += 1

    def tag(self) -> None:
        if self.pos + 1 < len(self.text) and self.text[self.pos + 1] == "/":
            self.end_tag()
        else:
            self.start_tag()

    def start_tag(self) -> None:
        text, begin = self.text, self.pos
        i = begin + 1
        while not self.at_space(i) and text[i] != ">":
            i += 1
        if i >= len(text):
            raise self.error(f"Unclosed start tag at byte offset {self.byte_offset(begin)}")
        name = text[begin + 1 : i].lower()
        if name not in HTML_TAGS:
            raise self.error(f'Unsupported start tag "{name}" at byte offset {self.byte_offset(begin)}')
        argument = ""
        while True:
            while i < len(text) and text[i] in HTML_SPACES:
                i += 1
            if i >= len(text):
                raise self.error(f"Unclosed start tag at byte offset {self.byte_offset(begin)}")
            if text[i] == ">":
                break
            i, attribute, value = self.attribute(name, begin, i)
            argument = tag_argument(name, attribute, value, argument)
        if name == "span" and argument != "spoiler":
            raise self.error(f'Tag "span" must have class "tg-spoiler" at byte offset {self.byte_offset(begin)}')
        if name == "tg-emoji" and not argument.isdigit():
            raise self.error("Invalid custom emoji identifier specified")
        self.opened += 1
        self.stack.append(_OpenTag(name, argument, self.utf16, len(self.entities), self.opened))
        self.pos = i + 1

    def attribute(self, tag: str, begin: int, i: int) -> tuple[int, str, str]:
        """Parse one name=value attribute starting at i; return the index after it, name and value."""
        text = self.text
        name_begin = i
        while not self.at_space(i) and text[i] not in "=>":
            i += 1
        name = text[name_begin:i].lower()
        if not name:
            raise self.error(f'Empty attribute name in the tag "{tag}" at byte offset {self.byte_offset(begin)}')
        while i < len(text) and text[i] in HTML_SPACES:
            i += 1
        if i >= len(text) or text[i] != "=":
            if tag == "blockquote" and name == "expandable":
                return i, name, ""  # the one boolean attribute Telegram documents
            raise self.error(
                f'Expected equal sign in declaration of an attribute of the tag "{tag}" '
                f"at byte offset {self.byte_offset(begin)}"
            )
        i += 1
        while i < len(text) and text[i] in HTML_SPACES:
            i += 1
        if i >= len(text):
            raise self.error(f'Unclosed start tag "{tag}" at byte offset {self.byte_offset(begin)}')
        if text[i] not in "'\"":
            token_begin = i
            while i < len(text) and (text[i].isascii() and text[i].isalnum() or text[i] in ".-"):
                i += 1
            if not self.at_space(i) and text[i] != ">":
                raise self.error(f"Unexpected end of name token at byte offset {self.byte_offset(token_begin)}")
            return i, name, text[token_begin:i].lower()
        return self.quoted_value(i, name)

    def quoted_value(self, i: int, name: str) -> tuple[int, str, str]:
        text, quote, value = self.text, self.text[i], []
        i += 1
        while i < len(text) and text[i] != quote:
            decoded = decode_html_entity(text, i) if text[i] == "&" else None
            if decoded:
                value.append(decoded[0])
                i = decoded[1]
            else:
                value.append(text[i])
                i += 1
        if i < len(text):
            i += 1
        return i, name, "".join(value)

    def end_tag(self) -> None:
        text, begin = self.text, self.pos
        if not self.stack:
            raise self.error(f"Unexpected end tag at byte offset {self.byte_offset(begin)}")
        i = begin + 2
        while not self.at_space(i) and text[i] != ">":
            i += 1
        end_name = text[begin + 2 : i].lower()
        while i < len(text) and text[i] in HTML_SPACES:
            i += 1
        if i >= len(text) or text[i] != ">":
            raise self.error(f"Unclosed end tag at byte offset {self.byte_offset(begin)}")
        open_tag = self.stack.pop()
        if end_name and end_name != open_tag.name:
            raise self.error(
                f'Unmatched end tag at byte offset {self.byte_offset(begin)}, '
                f'expected "</{open_tag.name}>", found "</{end_name}>"'
            )
        self.pos = i + 1
        self.close_entity(open_tag)

    def close_entity(self, tag: _OpenTag) -> None:
        length = self.utf16 - tag.offset
        if length <= 0:
            return
        entity: dict[str, Any] = {"type": HTML_TAGS[tag.name], "offset": tag.offset, "length": length,
                                  "_sequence": tag.sequence}
        if tag.name == "a":
            if not tag.argument:
                return
            entity["url"] = tag.argument
        elif tag.name == "tg-emoji":
            entity["custom_emoji_id"] = tag.argument
        elif tag.name == "blockquote" and tag.argument:
            entity["type"] = "expandable_blockquote"
        elif tag.name == "pre":
            self.merge_code_into_pre(tag, entity)
        elif tag.name == "code" and tag.argument:
            entity["_language"] = tag.argument  # merged into an enclosing <pre>, dropped otherwise
        self.entities.append(entity)

    def merge_code_into_pre(self, tag: _OpenTag, pre: dict[str, Any]) -> None:
        """<pre><code class="language-x">…</code></pre> is one pre entity with a language."""
        inner = self.entities[tag.entity_count :]
        for entity in inner:
            same_span = entity["offset"] == pre["offset"] and entity["length"] == pre["length"]
            if entity["type"] == "code" and same_span:
                if entity.get("_language"):
                    pre["language"] = entity["_language"]
                self.entities.remove(entity)
                return


def tag_argument(tag: str, attribute: str, value: str, current: str) -> str:
    """What an attribute contributes to a tag, as tdlib reads it; unknown attributes are ignored."""
    if tag == "a" and attribute == "href":
        return value
    if tag == "code" and attribute == "class" and value.startswith("language-"):
        return value[len("language-") :]
    if tag == "span" and attribute == "class" and value.startswith("tg-"):
        return value[len("tg-") :]
    if tag == "tg-emoji" and attribute == "emoji-id":
        return value
    if tag == "blockquote" and attribute == "expandable":
        return "1"
    return current


def parse_html(text: str, strict_ampersand: bool = True) -> tuple[str, list[dict[str, Any]]]:
    """Visible text and entities of Telegram-HTML, or ApiError "can't parse entities: …"."""
    return HtmlParser(text, strict_ampersand).parse()


def trim(text: str, entities: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """Telegram strips leading/trailing whitespace from message text and clips entities to match."""
    stripped = text.strip(HTML_SPACES)
    lead = utf16_len(text[: len(text) - len(text.lstrip(HTML_SPACES))])
    total = utf16_len(stripped)
    kept = []
    for entity in entities:
        start = max(0, entity["offset"] - lead)
        end = min(total, entity["offset"] + entity["length"] - lead)
        if end > start:
            kept.append({**entity, "offset": start, "length": end - start})
    kept.sort(key=lambda e: (e["offset"], -e["length"]))
    return stripped, kept


def render_text(
    text: Any, parse_mode: Any, entities: Any, strict_ampersand: bool = True, *, inline: bool = False
) -> tuple[str, list[dict[str, Any]]]:
    """Visible text and entities of a message as Telegram would store it, or the refusal.

    inline=True words the length/empty refusals like answerInlineQuery does (MTProto error names).
    """
    text = "" if text is None else str(text)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise bad_request("text must be encoded in UTF-8") from None
    mode = (parse_mode or "").lower()
    if isinstance(entities, list) and entities:
        visible, found = text, [dict(e) for e in entities if isinstance(e, dict)]
    elif mode == "html":
        visible, found = parse_html(text, strict_ampersand)
    elif mode in ("", "markdown", "markdownv2"):
        visible, found = text, []  # Markdown is passed through unvalidated
    else:
        raise bad_request("unsupported parse_mode")
    visible, found = trim(visible, found)
    if not visible:
        raise bad_request("MESSAGE_EMPTY" if inline else "message text is empty")
    if utf16_len(visible) > MAX_TEXT_UTF16:
        raise bad_request("MESSAGE_TOO_LONG" if inline else "message is too long")
    return visible, found


def check_reply_markup(markup: Any) -> dict[str, Any] | None:
    """The inline keyboard Telegram would echo back in the Message, after Telegram's checks.

    Reply keyboards, ReplyKeyboardRemove and ForceReply are accepted but never echoed (Telegram
    only puts InlineKeyboardMarkup in Message.reply_markup).
    """
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" not in markup:
        return None
    rows = markup["inline_keyboard"]
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays')
    for row in rows:
        for button in row:
            check_inline_button(button)
    return copy_json(markup)


def check_inline_button(button: Any) -> None:
    if not isinstance(button, dict) or not isinstance(button.get("text"), str):
        raise bad_request("can't parse inline keyboard button: Field \"text\" must be of type String")
    actions = set(button) - {"text"}
    if not actions:
        raise bad_request("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard")
    if "callback_data" in button:
        data = button["callback_data"]
        if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= MAX_CALLBACK_DATA_BYTES:
            raise bad_request("BUTTON_DATA_INVALID")
    if "url" in button and not re.match(r"^(https?|tg)://\S+$", str(button["url"])):
        raise bad_request("BUTTON_URL_INVALID")


# ---------------------------------------------------------------------------------------------------
# Fault injection
# ---------------------------------------------------------------------------------------------------


@dataclass
class FaultPlan:
    """Which Bot API calls to break and how; assign to FakeTelegram.faults at any time.

    Each call (getUpdates included) draws once from a seeded RNG: with probability `rate` it gets a
    fault of a kind chosen from `kinds`. `methods` (names, case-insensitive) limits which calls are
    eligible — use it for deterministic tests, since the number of getUpdates calls depends on timing.
    By default a faulted call is NOT processed (Telegram never saw it); with process_then_fail=True it
    is processed and only the response is lost/broken (never for "429", which Telegram refuses).
    max_faults stops injecting after that many faults ("fail the first sendMessage once").
    """

    rate: float = 0.2
    kinds: tuple[str, ...] = FAULT_KINDS
    seed: int | None = 1
    methods: Collection[str] | None = None
    retry_after: int = 1
    timeout_seconds: float = 15.0
    process_then_fail: bool = False
    max_faults: int | None = None
    injected: int = field(default=0, init=False)
    _rng: random.Random = field(init=False, repr=False)
    _lock: threading.Lock = field(init=False, repr=False, default_factory=threading.Lock)

    def __post_init__(self) -> None:
        unknown = set(self.kinds) - set(FAULT_KINDS)
        if unknown or not self.kinds:
            raise ValueError(f"fault kinds must be among {FAULT_KINDS}, got {self.kinds}")
        if not 0.0 <= self.rate <= 1.0:
            raise ValueError("rate must be between 0 and 1")
        self.kinds = tuple(self.kinds)
        self._rng = random.Random(self.seed)

    def pick(self, method: str) -> str | None:
        """The fault for this call, or None to answer normally."""
        with self._lock:
            if self.methods is not None and method.lower() not in {m.lower() for m in self.methods}:
                return None
            if self.max_faults is not None and self.injected >= self.max_faults:
                return None
            if self._rng.random() >= self.rate:
                return None
            self.injected += 1
            return self._rng.choice(self.kinds)


# ---------------------------------------------------------------------------------------------------
# Chat state
# ---------------------------------------------------------------------------------------------------


@dataclass
class BotMessage:
    """A message the bot sent, as it currently stands in the chat (edits applied)."""

    chat_id: int
    message_id: int
    text: str  # what the user sees: entities parsed, whitespace trimmed
    entities: list[dict[str, Any]]
    raw_text: str  # exactly what the bot sent (e.g. the HTML source)
    parse_mode: str | None
    reply_markup: dict[str, Any] | None  # the inline keyboard, if any
    date: int
    chat: dict[str, Any] = field(repr=False, default_factory=dict)
    sender: dict[str, Any] = field(repr=False, default_factory=dict)
    reply_to: dict[str, Any] | None = field(repr=False, default=None)
    edit_date: int | None = None
    edits: int = 0

    @property
    def reply_to_message_id(self) -> int | None:
        return self.reply_to["message_id"] if self.reply_to else None

    def buttons(self) -> list[dict[str, Any]]:
        """Inline buttons in reading order."""
        rows = (self.reply_markup or {}).get("inline_keyboard", [])
        return [button for row in rows for button in row]

    def callback_data(self) -> list[str]:
        return [b["callback_data"] for b in self.buttons() if "callback_data" in b]

    def to_api(self) -> dict[str, Any]:
        """The Message object Telegram returns for it."""
        api: dict[str, Any] = {
            "message_id": self.message_id, "from": self.sender, "chat": self.chat, "date": self.date,
            "text": self.text,
        }
        if self.entities:
            api["entities"] = copy_json(self.entities)
        if self.reply_markup:
            api["reply_markup"] = copy_json(self.reply_markup)
        if self.edit_date:
            api["edit_date"] = self.edit_date
        if self.reply_to:
            api["reply_to_message"] = copy_json(self.reply_to)
        return api


@dataclass
class _Chat:
    info: dict[str, Any]
    next_message_id: int = 1
    user_messages: dict[int, dict[str, Any]] = field(default_factory=dict)
    bot_messages: dict[int, BotMessage] = field(default_factory=dict)

    def new_message_id(self) -> int:
        self.next_message_id += 1
        return self.next_message_id - 1


@dataclass
class _Query:
    user_id: int
    answered: bool = False


# ---------------------------------------------------------------------------------------------------
# The server
# ---------------------------------------------------------------------------------------------------


class FakeTelegram:
    """A Bot API server for one bot; see the module docstring. Use as a context manager."""

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        username: str = BOT_USERNAME,
        first_name: str = "Article QA",
        port: int = 0,
        privacy_mode: bool = True,
        strict_ampersand: bool = True,
        first_update_id: int = 1,
        inline_mode: bool = True,
    ) -> None:
        self.token = token
        self.inline_mode = inline_mode  # /setinline done at @BotFather: getMe's supports_inline_queries
        self.username = username
        self.bot_id = int(token.split(":", 1)[0]) if token.split(":", 1)[0].isdigit() else 123456789
        self.first_name = first_name
        self.privacy_mode = privacy_mode
        self.strict_ampersand = strict_ampersand
        self.host = "127.0.0.1"
        self.port = port
        self.faults: FaultPlan | None = None
        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)
        self._update_ids = itertools.count(first_update_id)
        self._query_ids = itertools.count(4_300_000_000_000_000_001)
        self._file_ids = itertools.count(1)
        self._pending: list[dict[str, Any]] = []
        self._updates: dict[int, dict[str, Any]] = {}
        self._chats: dict[int, _Chat] = {}
        self._callbacks: dict[str, _Query] = {}
        self._inline: dict[str, _Query] = {}
        self._commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self._blocked: set[int] = set()
        self._sent: list[dict[str, Any]] = []
        self._errors: list[dict[str, Any]] = []
        self._faulted: list[dict[str, Any]] = []
        self._fault_counts: Counter[str] = Counter()
        self._callback_answers: list[dict[str, Any]] = []
        self._inline_answers: list[dict[str, Any]] = []
        self._undelivered: list[dict[str, Any]] = []
        self._stubs: dict[str, Any] = {}
        self._confirmed_offset = 0
        self._poll_generation = 0
        self.poll_count = 0
        self.webhook: dict[str, Any] | None = None
        self._outage_until = 0.0
        self._outage_kind = "502"
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._poll_event: asyncio.Event | None = None
        self._closing: asyncio.Event | None = None
        self._stop_requested: asyncio.Event | None = None
        self._methods: dict[str, Callable[[dict[str, Any]], Any]] = {
            name.lower(): handler for name, handler in self._handlers().items()
        }
        self._names = {name.lower(): name for name in [*self._handlers(), "getUpdates"]}

    # -- lifecycle ------------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """What to pass to ApplicationBuilder().base_url(); PTB appends f"{token}/{method}"."""
        return f"http://{self.host}:{self.port}/bot"

    @property
    def api_url(self) -> str:
        """base_url with this bot's token: f"{tg.api_url}/sendMessage" for raw HTTP calls."""
        return f"{self.base_url}{self.token}"

    def __enter__(self) -> FakeTelegram:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> FakeTelegram:
        """Bind 127.0.0.1 (a free port unless one was given) and serve from a daemon thread."""
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # restart on the same port
        sock.bind((self.host, self.port))
        self.port = sock.getsockname()[1]
        ready = threading.Event()
        failure: list[BaseException] = []
        self._thread = threading.Thread(
            target=self._run, args=(sock, ready, failure), name=f"FakeTelegram:{self.port}", daemon=True
        )
        self._thread.start()
        if not ready.wait(10) or failure:
            raise RuntimeError(f"FakeTelegram did not start: {failure}")
        return self

    def stop(self) -> None:
        """Answer pending long polls with [], release held requests, close sockets, join the thread."""
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        try:
            loop.call_soon_threadsafe(self._begin_stop)
        except RuntimeError:
            pass  # the loop already ended
        thread.join(10)
        self._loop = self._thread = None

    def _run(self, sock: socket.socket, ready: threading.Event, failure: list[BaseException]) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        try:
            loop.run_until_complete(self._serve(sock, ready))
        except BaseException as exc:  # noqa: BLE001 — reported to start()
            failure.append(exc)
            ready.set()
        finally:
            loop.close()

    async def _serve(self, sock: socket.socket, ready: threading.Event) -> None:
        self._poll_event = asyncio.Event()
        self._closing = asyncio.Event()
        self._stop_requested = asyncio.Event()
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/{path:.*}", self._handle)
        # handler_cancellation: a long poll whose client went away stops waiting (PTB cancels its
        # in-flight getUpdates on shutdown) instead of lingering and tripping the 409 conflict check.
        runner = web.AppRunner(app, access_log=None, handler_cancellation=True, shutdown_timeout=1.0)
        await runner.setup()
        # A deep accept queue: aiohttp's default (128) overflows when a bot opens its whole connection pool
        # at once in a burst; the kernel then drops the attempts and clients retry a second later.
        await web.SockSite(runner, sock, backlog=4096).start()
        ready.set()
        try:
            await self._stop_requested.wait()
        finally:
            await runner.cleanup()
            await cancel_leftover_tasks()

    def _begin_stop(self) -> None:
        assert self._closing and self._stop_requested
        self._closing.set()
        self._wake_pollers()
        self._stop_requested.set()

    def _wake_pollers(self) -> None:
        """Runs in the server loop: wake every waiting getUpdates so it re-checks the queue."""
        if self._poll_event is not None:
            self._poll_event.set()
            self._poll_event = asyncio.Event()

    def _notify(self) -> None:
        """Wake test-thread waiters and (from any thread) the server's long polls."""
        with self._changed:
            self._changed.notify_all()
        loop = self._loop
        if loop is not None and not loop.is_closed():
            try:
                loop.call_soon_threadsafe(self._wake_pollers)
            except RuntimeError:
                pass  # loop closed between the check and the call

    # -- HTTP ---------------------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        match = re.fullmatch(r"/bot([^/]*)/([^/]+)/?", request.path)
        if not match:
            return json_response(ApiError(404, "Not Found").body(), 404)
        token, method = match.groups()
        method = self._canonical(method)
        fault, process_first = self._pick_fault(method)
        if fault and not process_first:
            return await self._fault_response(request, fault, method, processed=False)
        response = await self._answer(request, token, method)
        if fault:
            return await self._fault_response(request, fault, method, processed=True)
        return response

    async def _answer(self, request: web.Request, token: str, method: str) -> web.StreamResponse:
        params: dict[str, Any] = {}
        try:
            params = await read_params(request)
            self._check_token(token)
            result = await self._dispatch(request, method, params)
        except ApiError as exc:
            self._record_error(method, params, exc)
            return json_response(exc.body(), exc.code)
        except Exception as exc:  # a bug in this fake: make it loud in tg.errors, not just a log line
            error = ApiError(500, f"Internal Server Error: FakeTelegram failed: {exc!r}")
            self._record_error(method, params, error)
            return json_response(error.body(), 500)
        return json_response({"ok": True, "result": result})

    async def _dispatch(self, request: web.Request, method: str, params: dict[str, Any]) -> Any:
        """getUpdates long-polls unrecorded; other methods run under the lock and land in sent."""
        if method == "getUpdates" and method.lower() not in self._stubs:
            return await self._get_updates(request, params)
        handler = self._methods.get(method.lower())
        with self._lock:
            if method.lower() in self._stubs:
                result = copy.deepcopy(self._stubs[method.lower()])
            elif handler is None:
                raise ApiError(404, "Not Found: method not found")
            else:
                result = handler(params)
        self._record_call(method, params, result)
        return result

    def _canonical(self, method: str) -> str:
        """Telegram method names are case-insensitive; record them in their documented spelling."""
        return self._names.get(method.lower(), method)

    def _check_token(self, token: str) -> None:
        if token == self.token:
            return
        if TOKEN_SHAPE.match(token):
            raise ApiError(401, "Unauthorized")
        raise ApiError(404, "Not Found")

    # -- faults -------------------------------------------------------------------------------------

    def _pick_fault(self, method: str) -> tuple[str | None, bool]:
        """(fault kind or None, whether the call is processed before the fault hits the response)."""
        with self._lock:
            if time.monotonic() < self._outage_until:
                self._fault_counts["outage"] += 1
                return self._outage_kind, False
        plan = self.faults
        kind = plan.pick(method) if plan else None
        return kind, bool(kind and plan and plan.process_then_fail and kind != "429")

    async def _fault_response(
        self, request: web.Request, kind: str, method: str, processed: bool
    ) -> web.StreamResponse:
        plan = self.faults or FaultPlan(rate=0.0)
        with self._changed:
            self._fault_counts[kind] += 1
            self._faulted.append({"method": method, "kind": kind, "processed": processed, "time": time.time()})
            self._changed.notify_all()
        if kind == "429":
            seconds = plan.retry_after
            error = ApiError(429, f"Too Many Requests: retry after {seconds}", {"retry_after": seconds})
            return json_response(error.body(), 429)
        if kind == "500":
            return json_response(ApiError(500, "Internal Server Error").body(), 500)
        if kind == "502":
            return web.Response(status=502, text=NGINX_502, content_type="text/html")
        if kind == "badjson":
            return web.Response(status=200, text="<html><body>upstream hiccup</body></html>", content_type="text/html")
        if kind == "timeout":
            await self._hold(plan.timeout_seconds)
        return drop_connection(request)

    async def _hold(self, seconds: float) -> None:
        """Keep a request unanswered for `seconds`, or until the server stops."""
        assert self._closing is not None
        try:
            await asyncio.wait_for(self._closing.wait(), seconds)
        except asyncio.TimeoutError:
            pass

    # -- recording ----------------------------------------------------------------------------------

    def _record_call(self, method: str, params: dict[str, Any], result: Any) -> None:
        with self._changed:
            self._sent.append({"method": method, "params": params, "result": copy_json(result), "time": time.time()})
            self._changed.notify_all()

    def _record_error(self, method: str, params: dict[str, Any], error: ApiError) -> None:
        with self._changed:
            self._errors.append({
                "method": method, "params": params, "error_code": error.code,
                "description": error.description, "time": time.time(),
            })
            self._changed.notify_all()

    # -- Bot API methods ----------------------------------------------------------------------------

    def _handlers(self) -> dict[str, Callable[[dict[str, Any]], Any]]:
        return {
            "getMe": self._get_me,
            "sendMessage": self._send_message, "editMessageText": self._edit_message_text,
            "editMessageReplyMarkup": self._edit_message_reply_markup, "deleteMessage": self._delete_message,
            "answerCallbackQuery": self._answer_callback_query, "answerInlineQuery": self._answer_inline_query,
            "setMyCommands": self._set_my_commands, "getMyCommands": self._get_my_commands,
            "deleteMyCommands": self._delete_my_commands, "sendChatAction": self._send_chat_action,
            "deleteWebhook": self._delete_webhook, "setWebhook": self._set_webhook,
            "getWebhookInfo": self._get_webhook_info, "close": self._ok, "logOut": self._ok,
        }

    def _ok(self, params: dict[str, Any]) -> bool:
        return True

    def bot_user(self) -> dict[str, Any]:
        return {"id": self.bot_id, "is_bot": True, "first_name": self.first_name, "username": self.username}

    def _get_me(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            **self.bot_user(), "can_join_groups": True, "can_read_all_group_messages": not self.privacy_mode,
            "supports_inline_queries": self.inline_mode, "can_connect_to_business": False, "has_main_web_app": False,
        }

    async def _get_updates(self, request: web.Request, params: dict[str, Any]) -> list[dict[str, Any]]:
        """Long polling: confirm < offset, then answer as soon as updates exist or timeout passes."""
        assert self._closing is not None
        offset, limit, timeout = poll_arguments(params)
        with self._changed:
            if self.webhook:
                raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active; "
                                    "use deleteWebhook to delete the webhook first")
            self._confirm(offset)
            self._poll_generation += 1
            generation = self._poll_generation
            self.poll_count += 1
        self._wake_pollers()  # an older poll still waiting now learns it was superseded
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            with self._lock:
                superseded = generation != self._poll_generation
                batch = copy_json(self._pending[:limit])
            if superseded:
                return await self._superseded(request)
            remaining = deadline - asyncio.get_running_loop().time()
            if batch or remaining <= 0 or self._closing.is_set():
                return batch
            assert self._poll_event is not None
            try:
                await asyncio.wait_for(self._poll_event.wait(), remaining)
            except asyncio.TimeoutError:
                pass

    async def _superseded(self, request: web.Request) -> list[dict[str, Any]]:
        """A newer getUpdates arrived while this one waited: Telegram answers the older one 409.

        PTB cancels its in-flight poll when stopping and then polls once more; the cancelled poll's
        disconnect may reach us just after the new poll, so give it a moment to be noticed (aiohttp
        then cancels this handler) before calling it a real conflict between two bot instances.
        """
        await asyncio.sleep(0.05)
        if request.transport is None or request.transport.is_closing():
            return []
        raise ApiError(409, "Conflict: terminated by other getUpdates request; "
                            "make sure that only one bot instance is running")

    def _confirm(self, offset: int) -> None:
        if offset > 0:
            self._pending = [u for u in self._pending if u["update_id"] >= offset]
            self._confirmed_offset = max(self._confirmed_offset, offset)
        elif offset < 0:
            self._pending = self._pending[offset:]
        self._changed.notify_all()

    def _chat_for_send(self, params: dict[str, Any]) -> _Chat:
        chat_id = params.get("chat_id")
        if chat_id is None or chat_id == "":
            raise bad_request("chat_id is empty")
        chat = self._chats.get(chat_id if isinstance(chat_id, int) else as_int_or_none(chat_id))
        if chat is None:
            raise bad_request("chat not found")
        if chat.info["type"] == "private" and chat.info["id"] in self._blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        return chat

    def _render(self, text: Any, params: dict[str, Any], *, inline: bool = False) -> tuple[str, list[dict[str, Any]]]:
        return render_text(text, params.get("parse_mode"), params.get("entities"), self.strict_ampersand, inline=inline)

    def _send_message(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat_for_send(params)
        text, entities = self._render(params.get("text"), params)
        markup = check_reply_markup(params.get("reply_markup"))
        reply_to = self._reply_target(chat, params)
        message = BotMessage(
            chat_id=chat.info["id"], message_id=chat.new_message_id(), text=text, entities=entities,
            raw_text=str(params.get("text")), parse_mode=params.get("parse_mode"), reply_markup=markup,
            date=int(time.time()), chat=chat.info, sender=self.bot_user(), reply_to=reply_to,
        )
        chat.bot_messages[message.message_id] = message
        return message.to_api()

    def _reply_target(self, chat: _Chat, params: dict[str, Any]) -> dict[str, Any] | None:
        """The replied-to Message (PTB 22 sends reply_parameters; older clients reply_to_message_id)."""
        reply = params.get("reply_parameters")
        if not isinstance(reply, dict):
            reply = {"message_id": params.get("reply_to_message_id"),
                     "allow_sending_without_reply": params.get("allow_sending_without_reply")}
        if reply.get("message_id") in (None, ""):
            return None
        message_id = as_int(reply["message_id"])
        target = chat.user_messages.get(message_id)
        if target is None and message_id in chat.bot_messages:
            target = chat.bot_messages[message_id].to_api()
        if target is None:
            if reply.get("allow_sending_without_reply") in (True, "true"):
                return None
            raise bad_request("message to be replied not found")
        target = dict(target)
        target.pop("reply_to_message", None)  # Telegram nests only one level
        return target

    def _bot_message(self, params: dict[str, Any], verb: str) -> BotMessage:
        chat = self._chats.get(as_int(params.get("chat_id") or 0))
        if chat is None:
            raise bad_request("chat not found")
        message_id = as_int(params.get("message_id") or 0)
        message = chat.bot_messages.get(message_id)
        if message is None:
            if message_id in chat.user_messages and verb == "edit":
                raise bad_request("message can't be edited")
            raise bad_request(f"message to {verb} not found")
        return message

    def _edit_message_text(self, params: dict[str, Any]) -> dict[str, Any] | bool:
        if params.get("inline_message_id"):
            self._render(params.get("text"), params)
            check_reply_markup(params.get("reply_markup"))
            return True
        message = self._bot_message(params, "edit")
        text, entities = self._render(params.get("text"), params)
        markup = check_reply_markup(params.get("reply_markup"))  # omitted = keyboard removed
        self._apply_edit(message, text, entities, markup, params)
        return message.to_api()

    def _edit_message_reply_markup(self, params: dict[str, Any]) -> dict[str, Any] | bool:
        if params.get("inline_message_id"):
            check_reply_markup(params.get("reply_markup"))
            return True
        message = self._bot_message(params, "edit")
        markup = check_reply_markup(params.get("reply_markup"))
        self._apply_edit(message, message.text, message.entities, markup, {"text": message.raw_text,
                                                                           "parse_mode": message.parse_mode})
        return message.to_api()

    def _apply_edit(
        self, message: BotMessage, text: str, entities: list[dict[str, Any]],
        markup: dict[str, Any] | None, params: dict[str, Any],
    ) -> None:
        if (text, entities, markup) == (message.text, message.entities, message.reply_markup):
            raise bad_request(NOT_MODIFIED.removeprefix("Bad Request: "))
        message.text, message.entities, message.reply_markup = text, entities, markup
        message.raw_text, message.parse_mode = str(params.get("text")), params.get("parse_mode")
        message.edit_date = int(time.time())
        message.edits += 1

    def _delete_message(self, params: dict[str, Any]) -> bool:
        chat = self._chats.get(as_int(params.get("chat_id") or 0))
        if chat is None:
            raise bad_request("chat not found")
        message_id = as_int(params.get("message_id") or 0)
        if chat.bot_messages.pop(message_id, None) is None and chat.user_messages.pop(message_id, None) is None:
            raise bad_request("message to delete not found")
        return True

    def _answer_callback_query(self, params: dict[str, Any]) -> bool:
        query = self._callbacks.get(str(params.get("callback_query_id") or ""))
        if query is None or query.answered:
            raise bad_request(TOO_OLD.removeprefix("Bad Request: "))
        query.answered = True
        self._callback_answers.append(dict(params))
        return True

    def _answer_inline_query(self, params: dict[str, Any]) -> bool:
        query = self._inline.get(str(params.get("inline_query_id") or ""))
        if query is None or query.answered:
            raise bad_request(TOO_OLD.removeprefix("Bad Request: "))
        results = params.get("results")
        if not isinstance(results, list):
            raise bad_request("can't parse inline query results JSON object")
        if len(results) > MAX_INLINE_RESULTS:
            raise bad_request("RESULTS_TOO_MUCH")
        self._check_inline_results(results)
        query.answered = True
        self._inline_answers.append(dict(params))
        return True

    def _check_inline_results(self, results: list[Any]) -> None:
        seen: set[str] = set()
        for result in results:
            if not isinstance(result, dict):
                raise bad_request("can't parse inline query result")
            result_id = str(result.get("id", ""))
            if not 1 <= len(result_id.encode("utf-8")) <= 64:
                raise bad_request("RESULT_ID_INVALID")
            if result_id in seen:
                raise bad_request("RESULT_ID_DUPLICATE")
            seen.add(result_id)
            content = result.get("input_message_content")
            if result.get("type") == "article" and not isinstance(content, dict):
                raise bad_request("can't parse InputMessageContent: Field \"message_text\" must be of type String")
            if isinstance(content, dict) and "message_text" in content:
                self._render(content.get("message_text"), content, inline=True)
            check_reply_markup(result.get("reply_markup"))

    def _set_my_commands(self, params: dict[str, Any]) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise bad_request("can't parse commands JSON object")
        for command in commands:
            if not isinstance(command, dict) or not re.fullmatch(r"[a-z0-9_]{1,32}", str(command.get("command", ""))):
                raise bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", "")).strip()) <= 256:
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        self._commands[commands_key(params)] = copy.deepcopy(commands)
        return True

    def _get_my_commands(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        return copy.deepcopy(self._commands.get(commands_key(params), []))

    def _delete_my_commands(self, params: dict[str, Any]) -> bool:
        self._commands.pop(commands_key(params), None)
        return True

    def _send_chat_action(self, params: dict[str, Any]) -> bool:
        self._chat_for_send(params)
        if params.get("action") not in CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        return True

    def _delete_webhook(self, params: dict[str, Any]) -> bool:
        self.webhook = None
        if params.get("drop_pending_updates") in (True, "true"):
            self._pending.clear()
        return True

    def _set_webhook(self, params: dict[str, Any]) -> bool:
        url = str(params.get("url") or "")
        if params.get("drop_pending_updates") in (True, "true"):
            self._pending.clear()
        self.webhook = {k: v for k, v in params.items() if k != "certificate"} if url else None
        return True

    def _get_webhook_info(self, params: dict[str, Any]) -> dict[str, Any]:
        url = (self.webhook or {}).get("url", "")
        return {"url": url, "has_custom_certificate": False, "pending_update_count": len(self._pending)}

    # -- test side: queueing updates ----------------------------------------------------------------

    def send_update(self, update: dict[str, Any]) -> int:
        """Queue a raw update body (without update_id); returns the update_id it got."""
        with self._changed:
            update_id = next(self._update_ids)
            full = {"update_id": update_id, **copy_json(update)}
            self._pending.append(full)
            self._updates[update_id] = full
        self._notify()
        return update_id

    def add_chat(self, chat_id: int, chat_type: str = "private", *, title: str | None = None,
                 language_code: str | None = "zh-hans") -> dict[str, Any]:
        """Make a chat known (Telegram refuses sendMessage to chats the bot has never seen)."""
        with self._lock:
            return self._chat(chat_id, chat_type, title, chat_id, language_code).info

    def block_user(self, user_id: int, blocked: bool = True) -> None:
        """The user blocks (or unblocks) the bot: sends to their private chat get 403."""
        with self._lock:
            (self._blocked.add if blocked else self._blocked.discard)(user_id)

    def send_text(
        self, chat_id: int, text: str, user_id: int | None = None, chat_type: str = "private",
        language_code: str | None = "zh-hans", entities: list[dict[str, Any]] | None = None,
        reply_to_message_id: int | None = None,
    ) -> int | None:
        """A user's text message. Returns the update_id, or None when privacy mode hides it
        (a group message that is no command, no @mention of the bot and no reply to the bot).

        entities=None lets the server detect bot_command/mention/url entities as Telegram does
        (so "/start" triggers PTB's CommandHandler); pass [] for none.
        """
        content: dict[str, Any] = {"text": text}
        found = detect_entities(text) if entities is None else entities
        if found:
            content["entities"] = found
        return self._user_message(chat_id, user_id, chat_type, language_code, content, reply_to_message_id)

    def send_group_text(
        self, chat_id: int, text: str, user_id: int | None = None, *, chat_type: str = "group",
        language_code: str | None = "zh-hans", entities: list[dict[str, Any]] | None = None,
        reply_to_message_id: int | None = None,
    ) -> int | None:
        """A message in a group (chat_id must be negative); None if privacy mode hides it."""
        return self.send_text(chat_id, text, user_id, chat_type, language_code, entities, reply_to_message_id)

    def send_mention(
        self, chat_id: int, question: str, user_id: int | None = None, *, chat_type: str = "group",
        language_code: str | None = "zh-hans",
    ) -> int | None:
        """"@article_qa_bot <question>" with the "mention" entity Telegram adds."""
        mention = f"@{self.username}"
        entity = {"type": "mention", "offset": 0, "length": utf16_len(mention)}
        return self.send_text(chat_id, f"{mention} {question}".rstrip(), user_id, chat_type, language_code, [entity])

    def send_command(
        self, chat_id: int, command: str, args: str = "", user_id: int | None = None, *,
        chat_type: str = "private", language_code: str | None = "zh-hans", with_username: bool = False,
    ) -> int | None:
        """"/command[@bot] args" with the "bot_command" entity Telegram adds."""
        head = "/" + command.lstrip("/") + (f"@{self.username}" if with_username else "")
        entity = {"type": "bot_command", "offset": 0, "length": utf16_len(head)}
        text = f"{head} {args}".rstrip()
        return self.send_text(chat_id, text, user_id, chat_type, language_code, [entity])

    def reply_to_bot(
        self, chat_id: int, message_id: int, text: str, user_id: int | None = None, *,
        language_code: str | None = "zh-hans",
    ) -> int | None:
        """A user replies to one of the bot's messages (always delivered, even in privacy mode)."""
        with self._lock:
            chat = self._chats.get(chat_id)
            if chat is None or message_id not in chat.bot_messages:
                raise ValueError(f"no bot message {message_id} in chat {chat_id}")
            chat_type = chat.info["type"]
        return self.send_text(chat_id, text, user_id, chat_type, language_code, None, message_id)

    def edit_message(self, chat_id: int, message_id: int, text: str) -> int | None:
        """The user edits one of their text messages: an edited_message update."""
        with self._lock:
            chat = self._chats.get(chat_id)
            original = chat.user_messages.get(message_id) if chat else None
            if original is None:
                raise ValueError(f"no user message {message_id} in chat {chat_id}")
            edited = {**original, "text": text, "edit_date": int(time.time())}
            edited.pop("entities", None)
            chat.user_messages[message_id] = edited
            if not self._visible_to_bot(edited):
                self._undelivered.append(edited)
                return None
        return self.send_update({"edited_message": edited})

    def send_photo(self, chat_id: int, caption: str | None = None, user_id: int | None = None, *,
                   chat_type: str = "private", language_code: str | None = "zh-hans") -> int | None:
        sizes = [self._file(width=w, height=w * 3 // 4, file_size=w * 40) for w in (90, 320, 1280)]
        return self._media(chat_id, user_id, chat_type, language_code, {"photo": sizes}, caption)

    def send_sticker(self, chat_id: int, emoji: str = "👍", user_id: int | None = None, *,
                     chat_type: str = "private", language_code: str | None = "zh-hans") -> int | None:
        sticker = self._file(type="regular", width=512, height=512, is_animated=False, is_video=False,
                             emoji=emoji, set_name="FakeStickers")
        return self._media(chat_id, user_id, chat_type, language_code, {"sticker": sticker}, None)

    def send_voice(self, chat_id: int, duration: int = 3, user_id: int | None = None, *,
                   chat_type: str = "private", language_code: str | None = "zh-hans") -> int | None:
        voice = self._file(duration=duration, mime_type="audio/ogg", file_size=duration * 4000)
        return self._media(chat_id, user_id, chat_type, language_code, {"voice": voice}, None)

    def send_document(
        self, chat_id: int, file_name: str = "notes.pdf", mime_type: str = "application/pdf",
        caption: str | None = None, user_id: int | None = None, *, chat_type: str = "private",
        language_code: str | None = "zh-hans",
    ) -> int | None:
        document = self._file(file_name=file_name, mime_type=mime_type, file_size=12345)
        return self._media(chat_id, user_id, chat_type, language_code, {"document": document}, caption)

    def press_button(self, chat_id: int, message_id: int, callback_data: str, user_id: int | None = None,
                     *, check: bool = True) -> str:
        """The user presses an inline button on a bot message; returns the callback query id.

        check=True insists the message currently shows a button with that callback_data, since a
        real user can only press what is there (pass check=False to forge stale/unknown data).
        """
        with self._lock:
            chat = self._chats.get(chat_id)
            message = chat.bot_messages.get(message_id) if chat else None
            if message is None:
                raise ValueError(f"no bot message {message_id} in chat {chat_id}")
            if check and callback_data not in message.callback_data():
                raise ValueError(f"message {message_id} has no button {callback_data!r}: {message.callback_data()}")
            assert chat is not None
            query_id = str(next(self._query_ids))
            uid = self._default_user(chat_id, user_id)
            self._callbacks[query_id] = _Query(uid)
            body = {
                "id": query_id, "from": self._user(uid, "zh-hans"), "message": message.to_api(),
                "chat_instance": str(-(abs(chat_id) * 1_000_003 + 7)), "data": callback_data,
            }
        self.send_update({"callback_query": body})
        return query_id

    def inline_query(self, user_id: int, query: str, offset: str = "", *, chat_type: str | None = "sender",
                     language_code: str | None = "zh-hans") -> str:
        """A user types "@article_qa_bot <query>" in any chat; returns the inline query id."""
        with self._lock:
            query_id = str(next(self._query_ids))
            self._inline[query_id] = _Query(user_id)
        body: dict[str, Any] = {"id": query_id, "from": self._user(user_id, language_code), "query": query,
                                "offset": offset}
        if chat_type:
            body["chat_type"] = chat_type
        self.send_update({"inline_query": body})
        return query_id

    # -- test side: internals of queueing -----------------------------------------------------------

    def _default_user(self, chat_id: int, user_id: int | None) -> int:
        if user_id is not None:
            return user_id
        return chat_id if chat_id > 0 else 10_001

    def _user(self, user_id: int, language_code: str | None) -> dict[str, Any]:
        user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": f"用户{user_id}",
                                "username": f"user{user_id}"}
        if language_code:
            user["language_code"] = language_code
        return user

    def _chat(self, chat_id: int, chat_type: str, title: str | None, user_id: int,
              language_code: str | None) -> _Chat:
        chat = self._chats.get(chat_id)
        if chat is not None:
            return chat
        if chat_type == "private":
            if chat_id <= 0 or user_id != chat_id:
                raise ValueError("a private chat's id is its user's id (positive)")
            info = {"id": chat_id, "type": "private", "first_name": f"用户{chat_id}", "username": f"user{chat_id}"}
        elif chat_type in ("group", "supergroup"):
            if chat_id >= 0:
                raise ValueError("group chat ids are negative (supergroups look like -100…)")
            info = {"id": chat_id, "type": chat_type, "title": title or f"测试群 {chat_id}"}
        else:
            raise ValueError(f"unsupported chat type {chat_type!r}")
        chat = self._chats[chat_id] = _Chat(info)
        return chat

    def _file(self, **fields: Any) -> dict[str, Any]:
        number = next(self._file_ids)
        return {"file_id": f"FAKEFILE{number:06d}AgAD", "file_unique_id": f"FAKEU{number:06d}", **fields}

    def _media(self, chat_id: int, user_id: int | None, chat_type: str, language_code: str | None,
               content: dict[str, Any], caption: str | None) -> int | None:
        if caption:
            content["caption"] = caption
            if entities := detect_entities(caption):
                content["caption_entities"] = entities
        return self._user_message(chat_id, user_id, chat_type, language_code, content, None)

    def _user_message(
        self, chat_id: int, user_id: int | None, chat_type: str, language_code: str | None,
        content: dict[str, Any], reply_to_message_id: int | None,
    ) -> int | None:
        with self._lock:
            uid = self._default_user(chat_id, user_id)
            chat = self._chat(chat_id, chat_type, None, uid, language_code)
            message: dict[str, Any] = {
                "message_id": chat.new_message_id(), "from": self._user(uid, language_code),
                "chat": chat.info, "date": int(time.time()), **copy_json(content),
            }
            if reply_to_message_id is not None:
                try:
                    message["reply_to_message"] = self._reply_target(chat, {"reply_to_message_id": reply_to_message_id})
                except ApiError:
                    raise ValueError(f"no message {reply_to_message_id} in chat {chat_id} to reply to") from None
            chat.user_messages[message["message_id"]] = message
            if not self._visible_to_bot(message):
                self._undelivered.append(message)
                return None
        return self.send_update({"message": message})

    def _visible_to_bot(self, message: dict[str, Any]) -> bool:
        """Privacy mode: in groups the bot sees commands, @mentions and replies to itself only."""
        if not self.privacy_mode or message["chat"]["type"] not in ("group", "supergroup"):
            return True
        text = message.get("text") or message.get("caption") or ""
        replied = message.get("reply_to_message") or {}
        return (
            text.startswith("/")
            or f"@{self.username}".lower() in text.lower()
            or replied.get("from", {}).get("id") == self.bot_id
        )

    # -- test side: reading results -----------------------------------------------------------------

    @property
    def sent(self) -> list[dict[str, Any]]:
        """Every successful Bot API call except getUpdates: {"method", "params", "result", "time"}."""
        with self._lock:
            return list(self._sent)

    def calls(self, method: str | None = None) -> list[dict[str, Any]]:
        """Successful calls of one method (case-insensitive), or all of them."""
        with self._lock:
            return [c for c in self._sent if method is None or c["method"].lower() == method.lower()]

    @property
    def errors(self) -> list[dict[str, Any]]:
        """Calls the server refused on their merits: {"method", "params", "error_code", "description"}."""
        with self._lock:
            return list(self._errors)

    @property
    def faulted(self) -> list[dict[str, Any]]:
        """Calls broken by fault injection or outage: {"method", "kind", "processed", "time"}."""
        with self._lock:
            return list(self._faulted)

    @property
    def fault_counts(self) -> dict[str, int]:
        """Injected faults per kind; requests hit by an outage also count under "outage"."""
        with self._lock:
            return dict(self._fault_counts)

    @property
    def callback_answers(self) -> list[dict[str, Any]]:
        with self._lock:
            return copy.deepcopy(self._callback_answers)

    @property
    def inline_answers(self) -> list[dict[str, Any]]:
        with self._lock:
            return copy.deepcopy(self._inline_answers)

    @property
    def commands(self) -> list[dict[str, Any]]:
        """setMyCommands for the default scope and no language_code."""
        with self._lock:
            return copy.deepcopy(self._commands.get(("default", ""), []))

    def commands_for(self, scope: dict[str, Any] | None = None, language_code: str = "") -> list[dict[str, Any]]:
        with self._lock:
            return copy.deepcopy(self._commands.get(commands_key({"scope": scope, "language_code": language_code}), []))

    @property
    def confirmed_offset(self) -> int:
        """The highest offset the bot passed to getUpdates (all update_ids below it are confirmed)."""
        with self._lock:
            return self._confirmed_offset

    @property
    def undelivered(self) -> list[dict[str, Any]]:
        """User messages that privacy mode kept from the bot."""
        with self._lock:
            return copy.deepcopy(self._undelivered)

    def pending_updates(self) -> list[dict[str, Any]]:
        """Queued updates the bot has not confirmed yet (delivered or not)."""
        with self._lock:
            return copy.deepcopy(self._pending)

    def update(self, update_id: int) -> dict[str, Any]:
        """A queued update by id (e.g. to learn the message_id a user message got)."""
        with self._lock:
            return copy.deepcopy(self._updates[update_id])

    def messages(self, chat_id: int) -> list[BotMessage]:
        """The bot's messages in a chat as they now stand (edits applied, deletions removed)."""
        with self._lock:
            chat = self._chats.get(chat_id)
            return copy.deepcopy(list(chat.bot_messages.values())) if chat else []

    def mark(self) -> int:
        """An index into sent, for wait_for(..., since=mark) to ignore earlier calls."""
        with self._lock:
            return len(self._sent)

    def wait_for(self, predicate: Callable[[dict[str, Any]], bool], timeout: float = 10.0,
                 since: int = 0) -> dict[str, Any]:
        """Block until a recorded call (sent[since:]) satisfies predicate; return it.

        Raises TimeoutError listing the last calls and errors, so a failing test says why.
        """
        def found() -> dict[str, Any] | None:
            return next((c for c in self._sent[since:] if predicate(c)), None)

        return self._wait(found, timeout, "a matching call")

    def wait_for_call(self, method: str, timeout: float = 10.0, since: int = 0) -> dict[str, Any]:
        return self.wait_for(lambda c: c["method"].lower() == method.lower(), timeout, since)

    def wait_for_messages(self, chat_id: int, n: int, timeout: float = 10.0) -> list[BotMessage]:
        """Block until the bot has at least n messages in the chat; return them all."""
        def found() -> list[BotMessage] | None:
            messages = self.messages(chat_id)
            return messages if len(messages) >= n else None

        return self._wait(found, timeout, f"{n} bot messages in chat {chat_id}")

    def wait_for_offset(self, update_id: int, timeout: float = 10.0) -> int:
        """Block until the bot confirmed update_id (called getUpdates with a higher offset)."""
        def found() -> int | None:
            return self._confirmed_offset if self._confirmed_offset > update_id else None

        return self._wait(found, timeout, f"confirmation of update {update_id}")

    def _wait(self, found: Callable[[], Any], timeout: float, what: str) -> Any:
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                result = found()
                if result is not None:
                    return result
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"waited {timeout}s for {what}; {self._summary()}")
                self._changed.wait(remaining)

    def _summary(self) -> str:
        calls = [(c["method"], c["params"].get("text")) for c in self._sent[-5:]]
        errors = [(e["method"], e["description"]) for e in self._errors[-5:]]
        return f"last calls {calls}, errors {errors}, faults {dict(self._fault_counts)}"

    # -- test side: behaviour -----------------------------------------------------------------------

    def outage(self, seconds: float, kind: str = "502") -> None:
        """Every call fails with `kind` (502 by default, or "drop"/"500"/...) for `seconds`."""
        if kind not in FAULT_KINDS:
            raise ValueError(f"kind must be one of {FAULT_KINDS}")
        with self._lock:
            self._outage_until = time.monotonic() + seconds
            self._outage_kind = kind

    def end_outage(self) -> None:
        with self._lock:
            self._outage_until = 0.0

    def stub(self, method: str, result: Any) -> None:
        """Answer a method this fake does not implement (e.g. sendPhoto) with a fixed result."""
        with self._lock:
            self._stubs[method.lower()] = result


# ---------------------------------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------------------------------


async def cancel_leftover_tasks() -> None:
    """Cancel handlers still running after shutdown so the loop closes without warnings."""
    others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
    for task in others:
        task.cancel()
    await asyncio.gather(*others, return_exceptions=True)


def json_response(body: dict[str, Any], status: int = 200) -> web.Response:
    return web.Response(status=status, text=json.dumps(body, ensure_ascii=False), content_type="application/json")


def drop_connection(request: web.Request) -> web.Response:
    """Close the socket with no response at all; aiohttp then skips writing the returned response."""
    if request.transport is not None:
        request.transport.close()
    return web.Response(status=502)


async def read_params(request: web.Request) -> dict[str, Any]:
    """Parameters from the query string plus a JSON, form-encoded or multipart body.

    PTB 22 posts application/x-www-form-urlencoded (multipart when uploading files) with each
    non-string value JSON-encoded; other clients post JSON. Uploaded files become
    {"filename", "content_type", "size"} placeholders.
    """
    params: dict[str, Any] = {key: decode_form_value(key, value) for key, value in request.query.items()}
    if not request.body_exists:
        return params
    if request.content_type == "application/json":
        try:
            body = await request.json()
        except ValueError:
            raise bad_request("can't parse JSON object") from None
        if not isinstance(body, dict):
            raise bad_request("can't parse JSON object")
        params.update(body)
        return params
    form = await request.post()
    for key, value in form.items():
        if isinstance(value, web.FileField):
            size = len(value.file.read())
            params[key] = {"filename": value.filename, "content_type": value.content_type, "size": size}
        else:
            params[key] = decode_form_value(key, str(value))
    return params


def decode_form_value(key: str, value: str) -> Any:
    """A form field the way Telegram types it: strings stay strings, the rest is JSON."""
    if key in RAW_STRING_FIELDS:
        return value
    try:
        decoded = json.loads(value)
    except ValueError:
        return value
    return value if isinstance(decoded, str) else decoded


def as_int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise bad_request(f"invalid integer value {value!r}") from None


def as_int_or_none(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None  # e.g. "@channelname": not a chat this fake knows


AUTO_ENTITIES = (
    ("bot_command", re.compile(r"(?<!\S)/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{5,32})?(?![^\s])")),
    ("mention", re.compile(r"(?<!\S)@[A-Za-z0-9_]{5,32}(?![A-Za-z0-9_])")),
    ("url", re.compile(r"https?://[^\s<>\"]+")),
)


def detect_entities(text: str) -> list[dict[str, Any]]:
    """The entities Telegram adds to a user's text by itself: commands, @mentions, links."""
    entities = [
        {"type": kind, "offset": utf16_len(text[: m.start()]), "length": utf16_len(m.group())}
        for kind, pattern in AUTO_ENTITIES
        for m in pattern.finditer(text)
    ]
    return sorted(entities, key=lambda e: (e["offset"], -e["length"]))


def poll_arguments(params: dict[str, Any]) -> tuple[int, int, float]:
    """offset, limit (1..100, default 100) and timeout seconds (≥ 0) of a getUpdates call."""
    offset = as_int(params.get("offset") or 0)
    limit = min(100, max(1, as_int(params.get("limit") or 100)))
    try:
        timeout = max(0.0, float(params.get("timeout") or 0))
    except (TypeError, ValueError):
        raise bad_request("invalid timeout") from None
    return offset, limit, timeout


def commands_key(params: dict[str, Any]) -> tuple[str, str]:
    """Commands are stored per (scope, language_code); the scope's JSON identifies it."""
    scope = params.get("scope") or {"type": "default"}
    scope_key = "default" if scope == {"type": "default"} else json.dumps(scope, sort_keys=True)
    return scope_key, str(params.get("language_code") or "")


def iter_entities(message: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """(type, covered text) for each entity of a Message dict — handy in assertions."""
    text = message.get("text") or message.get("caption") or ""
    units = text.encode("utf-16-le")
    for entity in message.get("entities") or message.get("caption_entities") or []:
        start, length = entity["offset"] * 2, entity["length"] * 2
        yield entity["type"], units[start : start + length].decode("utf-16-le")
