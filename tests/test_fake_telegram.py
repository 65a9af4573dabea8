"""The fake Bot API server refuses what Telegram refuses, long-polls for real and breaks on demand.

Driven over HTTP with httpx (as PTB does), plus one real PTB Application end to end.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from fake_telegram import FAULT_KINDS, FakeTelegram, FaultPlan, iter_entities

TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"


@pytest.fixture
def tg(fake_telegram: FakeTelegram) -> FakeTelegram:
    return fake_telegram


@pytest.fixture(scope="module")
def http() -> Iterator[httpx.Client]:
    """One client for the module: building an httpx client loads certificates (~0.1 s)."""
    with httpx.Client(timeout=5) as client:
        yield client


def call(http: httpx.Client, tg: FakeTelegram, method: str, **params: Any) -> httpx.Response:
    return http.post(f"{tg.api_url}/{method}", json=params)


def result(http: httpx.Client, tg: FakeTelegram, method: str, **params: Any) -> Any:
    response = call(http, tg, method, **params)
    assert response.status_code == 200, response.text
    return response.json()["result"]


def refusal(http: httpx.Client, tg: FakeTelegram, method: str, **params: Any) -> str:
    response = call(http, tg, method, **params)
    body = response.json()
    assert response.status_code == body["error_code"] and body["ok"] is False, body
    return body["description"]


def eventually(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    """Wait for another thread's request to reach the server, without guessing a sleep."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not reached"
        time.sleep(0.01)


def keyboard(*callback_data: str) -> dict[str, Any]:
    return {"inline_keyboard": [[{"text": f"b{i}", "callback_data": d} for i, d in enumerate(callback_data)]]}


# -- tokens, methods ------------------------------------------------------------------------------


def test_get_me_describes_the_bot(tg: FakeTelegram, http: httpx.Client) -> None:
    me = result(http, tg, "getMe")
    assert me["is_bot"] and me["username"] == "article_qa_bot" and me["id"] == int(tg.token.split(":")[0])
    assert me["can_read_all_group_messages"] is False and me["supports_inline_queries"] is True


def test_wrong_token_is_unauthorized_and_unknown_method_not_found(tg: FakeTelegram, http: httpx.Client) -> None:
    response = http.post(f"{tg.base_url}123456:WRONG-token/getMe")
    assert response.status_code == 401
    assert response.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}
    response = http.post(f"{tg.api_url}/sendTelepathy")
    assert response.status_code == 404
    assert response.json() == {"ok": False, "error_code": 404, "description": "Not Found: method not found"}
    assert [e["error_code"] for e in tg.errors] == [401, 404]


def test_method_names_are_case_insensitive(tg: FakeTelegram, http: httpx.Client) -> None:
    assert result(http, tg, "getme")["username"] == "article_qa_bot"
    assert tg.sent[-1]["method"] == "getMe"


# -- HTML -----------------------------------------------------------------------------------------

ACCEPTED_HTML = [
    "a &lt; b", "<b>x</b>", "&amp;", "<b><i>x</i></b>", "a > b", "&#20320;&#x597D;", "&quot;q&quot;",
    '<a href="https://example.com/?a=1&amp;b=2">link</a>', '<span class="tg-spoiler">s</span>',
    "<tg-spoiler>s</tg-spoiler>", '<pre><code class="language-python">x = 1</code></pre>',
    "<blockquote expandable>quote</blockquote>", "<strong>s</strong><em>e</em><ins>i</ins><del>d</del>",
    '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>', "<B>upper</B>", "<b>x</>",
]
REJECTED_HTML = [
    ("a < b", 'Unsupported start tag "" at byte offset 2'),
    ("<b>x", 'Can\'t find end tag corresponding to start tag "b"'),
    ("<div>x</div>", 'Unsupported start tag "div" at byte offset 0'),
    ("AT&T", 'Character "&" is reserved'),
    ("&nbsp;", 'Character "&" is reserved'),
    ("<b><i>x</b></i>", 'Unmatched end tag at byte offset 7, expected "</i>", found "</b>"'),
    ("x</b>", "Unexpected end tag at byte offset 1"),
    ("<b", "Unclosed start tag at byte offset 0"),
    ("<span>x</span>", 'Tag "span" must have class "tg-spoiler"'),
    ("<a href=https://x.y>x</a>", "Unexpected end of name token"),
    ("中文<br>", 'Unsupported start tag "br" at byte offset 6'),
]


@pytest.mark.parametrize("text", ACCEPTED_HTML, ids=range(len(ACCEPTED_HTML)))
def test_valid_html_is_accepted(tg: FakeTelegram, http: httpx.Client, text: str) -> None:
    tg.add_chat(42)
    message = result(http, tg, "sendMessage", chat_id=42, text=text, parse_mode="HTML")
    assert "<" not in message["text"] or text == "a &lt; b"


@pytest.mark.parametrize(("text", "detail"), REJECTED_HTML, ids=range(len(REJECTED_HTML)))
def test_invalid_html_is_refused(tg: FakeTelegram, http: httpx.Client, text: str, detail: str) -> None:
    tg.add_chat(42)
    description = refusal(http, tg, "sendMessage", chat_id=42, text=text, parse_mode="HTML")
    assert description.startswith("Bad Request: can't parse entities: ") and detail in description
    assert tg.messages(42) == [] and tg.errors[-1]["description"] == description


def test_html_becomes_visible_text_and_utf16_entities(tg: FakeTelegram, http: httpx.Client) -> None:
    tg.add_chat(42)
    text = "  😀 <b>东湖</b> &amp; <i>街道</i>\n"
    message = result(http, tg, "sendMessage", chat_id=42, text=text, parse_mode="html")
    assert message["text"] == "😀 东湖 & 街道"
    assert list(iter_entities(message)) == [("bold", "东湖"), ("italic", "街道")]
    assert message["entities"][0]["offset"] == 3  # the emoji counts 2 UTF-16 units
    assert tg.messages(42)[0].raw_text == text


def test_without_parse_mode_tags_are_plain_text(tg: FakeTelegram, http: httpx.Client) -> None:
    tg.add_chat(42)
    assert result(http, tg, "sendMessage", chat_id=42, text="a < b & <div>")["text"] == "a < b & <div>"


# -- length, emptiness, buttons -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "ok"),
    [("a" * 4096, True), ("a" * 4097, False), ("😀" * 2048, True), ("😀" * 2049, False),
     ("<b>" + "汉" * 4096 + "</b>", True), ("a" * 4096 + "&amp;", False), (" " * 10 + "a" * 4096 + "\n", True)],
    ids=["4096", "4097", "emoji-4096", "emoji-4098", "tags-not-counted", "entity-counts-1", "trimmed"],
)
def test_length_limit_counts_visible_utf16_units(tg: FakeTelegram, http: httpx.Client, text: str, ok: bool) -> None:
    tg.add_chat(42)
    response = call(http, tg, "sendMessage", chat_id=42, text=text, parse_mode="HTML")
    if ok:
        assert response.status_code == 200, response.text
    else:
        assert response.json()["description"] == "Bad Request: message is too long"


@pytest.mark.parametrize("text", ["", "   \n", "<b> </b>", None])
def test_empty_text_is_refused(tg: FakeTelegram, http: httpx.Client, text: str | None) -> None:
    tg.add_chat(42)
    params = {"chat_id": 42, "parse_mode": "HTML"} | ({} if text is None else {"text": text})
    assert refusal(http, tg, "sendMessage", **params) == "Bad Request: message text is empty"


def test_callback_data_limit_is_64_bytes(tg: FakeTelegram, http: httpx.Client) -> None:
    tg.add_chat(42)
    assert call(http, tg, "sendMessage", chat_id=42, text="x", reply_markup=keyboard("a" * 64)).status_code == 200
    for data in ("a" * 65, "问" * 22, ""):  # 22 Chinese characters are 66 bytes
        assert refusal(http, tg, "sendMessage", chat_id=42, text="x", reply_markup=keyboard(data)) == (
            "Bad Request: BUTTON_DATA_INVALID"
        )
    text_only = {"inline_keyboard": [[{"text": "no action"}]]}
    assert "Text buttons are unallowed" in refusal(http, tg, "sendMessage", chat_id=42, text="x", reply_markup=text_only)


def test_unknown_chat_blocked_user_and_bad_chat_action(tg: FakeTelegram, http: httpx.Client) -> None:
    assert refusal(http, tg, "sendMessage", chat_id=777, text="x") == "Bad Request: chat not found"
    tg.add_chat(42)
    tg.block_user(42)
    assert refusal(http, tg, "sendMessage", chat_id=42, text="x") == "Forbidden: bot was blocked by the user"
    tg.block_user(42, blocked=False)
    assert result(http, tg, "sendChatAction", chat_id=42, action="typing") is True
    assert refusal(http, tg, "sendChatAction", chat_id=42, action="dancing") == (
        "Bad Request: wrong parameter action in request"
    )


def test_reply_to_message_checks_the_target(tg: FakeTelegram, http: httpx.Client) -> None:
    tg.send_text(42, "问题")
    asked = result(http, tg, "getUpdates")[0]["message"]["message_id"]
    reply = result(http, tg, "sendMessage", chat_id=42, text="答", reply_parameters={"message_id": asked})
    assert reply["reply_to_message"]["text"] == "问题" and tg.messages(42)[0].reply_to_message_id == asked
    assert refusal(http, tg, "sendMessage", chat_id=42, text="答", reply_parameters={"message_id": 999}) == (
        "Bad Request: message to be replied not found"
    )


# -- edits, callback queries, inline queries ------------------------------------------------------


def test_edit_message_text_rules(tg: FakeTelegram, http: httpx.Client) -> None:
    tg.add_chat(42)
    sent = result(http, tg, "sendMessage", chat_id=42, text="<b>1</b>", parse_mode="HTML", reply_markup=keyboard("more"))
    edit = {"chat_id": 42, "message_id": sent["message_id"], "parse_mode": "HTML"}
    same = refusal(http, tg, "editMessageText", text="<b>1</b>", reply_markup=keyboard("more"), **edit)
    assert same.startswith("Bad Request: message is not modified: specified new message content")
    assert result(http, tg, "editMessageText", text="<b>1</b>", reply_markup=keyboard("less"), **edit)["edit_date"]
    edited = result(http, tg, "editMessageText", text="<i>2</i>", **edit)  # no markup: keyboard removed
    assert edited["text"] == "2" and "reply_markup" not in edited
    [message] = tg.messages(42)
    assert (message.text, message.reply_markup, message.edits) == ("2", None, 2)
    assert refusal(http, tg, "editMessageText", chat_id=42, message_id=999, text="x") == (
        "Bad Request: message to edit not found"
    )


def test_callback_query_is_answered_once(tg: FakeTelegram, http: httpx.Client) -> None:
    tg.add_chat(42)
    sent = result(http, tg, "sendMessage", chat_id=42, text="q", reply_markup=keyboard("next:1"))
    query_id = tg.press_button(42, sent["message_id"], "next:1")
    [update] = result(http, tg, "getUpdates")
    assert update["callback_query"]["data"] == "next:1" and update["callback_query"]["message"]["text"] == "q"
    assert result(http, tg, "answerCallbackQuery", callback_query_id=query_id, text="ok") is True
    assert refusal(http, tg, "answerCallbackQuery", callback_query_id=query_id) == TOO_OLD
    assert refusal(http, tg, "answerCallbackQuery", callback_query_id="12345") == TOO_OLD
    assert tg.callback_answers == [{"callback_query_id": query_id, "text": "ok"}]
    with pytest.raises(ValueError):
        tg.press_button(42, sent["message_id"], "not-a-button")


def test_inline_query_results_are_checked(tg: FakeTelegram, http: httpx.Client) -> None:
    def article(i: int, text: str = "<b>ok</b>") -> dict[str, Any]:
        content = {"message_text": text, "parse_mode": "HTML"}
        return {"type": "article", "id": str(i), "title": f"t{i}", "input_message_content": content}

    query_id = tg.inline_query(42, "东湖")
    assert result(http, tg, "getUpdates")[0]["inline_query"]["query"] == "东湖"
    too_many = [article(i) for i in range(51)]
    assert refusal(http, tg, "answerInlineQuery", inline_query_id=query_id, results=too_many) == (
        "Bad Request: RESULTS_TOO_MUCH"
    )
    bad_html = [article(1), article(2, "<b>unclosed")]
    assert "can't parse entities" in refusal(http, tg, "answerInlineQuery", inline_query_id=query_id, results=bad_html)
    assert result(http, tg, "answerInlineQuery", inline_query_id=query_id, results=too_many[:50]) is True
    assert refusal(http, tg, "answerInlineQuery", inline_query_id=query_id, results=[]) == TOO_OLD
    assert len(tg.inline_answers[0]["results"]) == 50


def test_commands_are_recorded_per_scope(tg: FakeTelegram, http: httpx.Client) -> None:
    commands = [{"command": "start", "description": "开始"}, {"command": "help", "description": "帮助"}]
    assert result(http, tg, "setMyCommands", commands=commands) is True
    assert tg.commands == commands and result(http, tg, "getMyCommands") == commands
    assert refusal(http, tg, "setMyCommands", commands=[{"command": "Start", "description": "x"}]) == (
        "Bad Request: BOT_COMMAND_INVALID"
    )
    assert result(http, tg, "deleteMyCommands") is True and tg.commands == []


# -- request encodings ----------------------------------------------------------------------------


def test_form_and_multipart_bodies_are_decoded_like_telegram(tg: FakeTelegram, http: httpx.Client) -> None:
    tg.add_chat(-100123, "supergroup")
    form = {"chat_id": "-100123", "text": "123", "reply_markup": '{"inline_keyboard": [[{"text": "a", "callback_data": "x"}]]}'}
    message = http.post(f"{tg.api_url}/sendMessage", data=form).json()["result"]
    assert message["text"] == "123" and message["chat"]["id"] == -100123
    assert tg.messages(-100123)[0].callback_data() == ["x"]
    multipart = http.post(f"{tg.api_url}/sendMessage", data={"chat_id": "-100123", "text": "<b>m</b>", "parse_mode": "HTML"},
                          files={"unused": ("a.txt", b"abc", "text/plain")})
    assert multipart.json()["result"]["text"] == "m"
    query = http.get(f"{tg.api_url}/sendMessage", params={"chat_id": -100123, "text": "get"})
    assert query.json()["result"]["text"] == "get"


# -- long polling ---------------------------------------------------------------------------------


def test_long_poll_waits_for_timeout_when_idle(tg: FakeTelegram, http: httpx.Client) -> None:
    start = time.monotonic()
    assert result(http, tg, "getUpdates", timeout=1) == []
    # the lower bound is the point (it waited); upper bounds only tell waiting from not waiting, and are
    # wide because a loaded machine (CI, three suites at once) can stall a thread for a second
    assert 0.9 <= time.monotonic() - start < 5.0
    start = time.monotonic()
    assert result(http, tg, "getUpdates", timeout=0) == []
    assert time.monotonic() - start < 0.9


def test_long_poll_returns_promptly_when_an_update_arrives(tg: FakeTelegram, http: httpx.Client) -> None:
    threading.Timer(0.2, tg.send_text, args=(42, "来了")).start()
    start = time.monotonic()
    updates = result(http, tg, "getUpdates", timeout=10)
    assert [u["message"]["text"] for u in updates] == ["来了"]
    assert time.monotonic() - start < 5.0  # well short of the 10 s poll: the update ended it


def test_offset_confirms_and_limit_caps(tg: FakeTelegram, http: httpx.Client) -> None:
    ids = [tg.send_text(42, f"m{i}") for i in range(3)]
    assert [u["update_id"] for u in result(http, tg, "getUpdates")] == ids  # unconfirmed: stays queued
    assert [u["update_id"] for u in result(http, tg, "getUpdates", limit=1)] == ids[:1]
    assert [u["update_id"] for u in result(http, tg, "getUpdates", offset=ids[1])] == ids[1:]
    assert tg.confirmed_offset == ids[1] and [u["update_id"] for u in tg.pending_updates()] == ids[1:]
    assert result(http, tg, "getUpdates", offset=ids[2] + 1) == []
    assert tg.pending_updates() == [] and tg.wait_for_offset(ids[2], timeout=0.1) == ids[2] + 1


def test_newer_poll_terminates_older_with_conflict(tg: FakeTelegram, http: httpx.Client) -> None:
    outcome: list[int] = []
    def poll() -> None:
        with httpx.Client(timeout=5) as client:
            outcome.append(call(client, tg, "getUpdates", timeout=5).status_code)

    thread = threading.Thread(target=poll)
    thread.start()
    eventually(lambda: tg.poll_count == 1)
    assert result(http, tg, "getUpdates", timeout=0) == []
    thread.join(2)
    assert outcome == [409] and "terminated by other getUpdates" in tg.errors[-1]["description"]


def test_webhook_blocks_get_updates_until_deleted(tg: FakeTelegram, http: httpx.Client) -> None:
    assert result(http, tg, "setWebhook", url="https://example.com/hook") is True
    assert "webhook is active" in refusal(http, tg, "getUpdates")
    tg.send_text(42, "x")
    assert result(http, tg, "deleteWebhook", drop_pending_updates=True) is True
    assert result(http, tg, "getUpdates") == [] and tg.webhook is None


def test_stop_ends_long_polls_promptly() -> None:
    tg = FakeTelegram().start()
    statuses: list[int] = []
    def poll() -> None:
        with httpx.Client(timeout=10) as client:
            statuses.append(call(client, tg, "getUpdates", timeout=30).status_code)

    poller = threading.Thread(target=poll)
    poller.start()
    eventually(lambda: tg.poll_count == 1)
    start = time.monotonic()
    tg.stop()
    poller.join(10)
    assert statuses == [200] and time.monotonic() - start < 5.0  # well short of the 30 s poll


# -- test-side helpers ----------------------------------------------------------------------------


def test_privacy_mode_hides_plain_group_chatter(tg: FakeTelegram, http: httpx.Client) -> None:
    assert tg.send_group_text(-5, "大家好") is None and len(tg.undelivered) == 1
    mention = tg.send_mention(-5, "东湖有几个小区")
    command = tg.send_command(-5, "ask", "小区", with_username=True, chat_type="group")
    updates = result(http, tg, "getUpdates")
    assert [u["update_id"] for u in updates] == [mention, command]
    first = updates[0]["message"]
    assert list(iter_entities(first)) == [("mention", "@article_qa_bot")]
    assert list(iter_entities(updates[1]["message"])) == [("bot_command", "/ask@article_qa_bot")]
    answer = result(http, tg, "sendMessage", chat_id=-5, text="答", reply_parameters={"message_id": first["message_id"]})
    reply = tg.reply_to_bot(-5, answer["message_id"], "谢谢")
    assert tg.update(reply)["message"]["reply_to_message"]["from"]["is_bot"] is True


def test_media_and_edited_messages(tg: FakeTelegram, http: httpx.Client) -> None:
    tg.send_photo(42, caption="看图")
    tg.send_sticker(42)
    tg.send_voice(42)
    tg.send_document(42, file_name="a.pdf")
    asked = tg.send_text(42, "原文")
    edited = tg.edit_message(42, tg.update(asked)["message"]["message_id"], "改过")
    updates = result(http, tg, "getUpdates")
    kinds = [next(k for k in ("photo", "sticker", "voice", "document", "text") if k in u.get("message", {}))
             for u in updates[:5]]
    assert kinds == ["photo", "sticker", "voice", "document", "text"]
    assert updates[-1]["update_id"] == edited and updates[-1]["edited_message"]["text"] == "改过"


def test_restart_keeps_state_and_port_with_connection_refused_between(tg: FakeTelegram, http: httpx.Client) -> None:
    tg.send_text(42, "排队")
    port = tg.port
    tg.stop()
    with pytest.raises(httpx.ConnectError):
        call(http, tg, "getMe")
    tg.start()
    assert tg.port == port and [u["message"]["text"] for u in result(http, tg, "getUpdates")] == ["排队"]


def test_wait_for_times_out_with_a_summary(tg: FakeTelegram) -> None:
    with pytest.raises(TimeoutError, match="last calls"):
        tg.wait_for(lambda c: c["method"] == "sendMessage", timeout=0.1)


# -- faults ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", FAULT_KINDS)
def test_each_fault_kind_breaks_the_call_and_skips_processing(tg: FakeTelegram, kind: str) -> None:
    tg.add_chat(42)
    tg.faults = FaultPlan(rate=1.0, kinds=(kind,), retry_after=3, timeout_seconds=5)
    # only the timeout fault needs the client to give up early; a dropped connection under a loaded machine
    # may take longer than half a second to be seen as dropped (it once read as a timeout)
    with httpx.Client(timeout=0.5 if kind == "timeout" else 5.0) as client:
        try:
            response: httpx.Response | None = call(client, tg, "sendMessage", chat_id=42, text="x")
        except (httpx.ReadTimeout, httpx.RemoteProtocolError) as exc:
            response = None
            assert (kind, type(exc)) in {("timeout", httpx.ReadTimeout), ("drop", httpx.RemoteProtocolError)}
    if kind == "429":
        assert response is not None and response.status_code == 429
        assert response.json() == {"ok": False, "error_code": 429, "description": "Too Many Requests: retry after 3",
                                   "parameters": {"retry_after": 3}}
    elif kind in ("500", "502"):
        assert response is not None and response.status_code == int(kind)
    elif kind == "badjson":
        assert response is not None and response.status_code == 200
        with pytest.raises(ValueError):
            response.json()
    else:
        assert response is None
    assert tg.messages(42) == [] and tg.sent == [] and tg.fault_counts == {kind: 1}


def test_process_then_fail_records_the_message_but_loses_the_answer(tg: FakeTelegram, http: httpx.Client) -> None:
    tg.add_chat(42)
    tg.faults = FaultPlan(rate=1.0, kinds=("drop",), process_then_fail=True, methods={"sendMessage"})
    assert result(http, tg, "getMe")["is_bot"]  # other methods unaffected
    with pytest.raises(httpx.RemoteProtocolError):
        call(http, tg, "sendMessage", chat_id=42, text="once")
    assert [m.text for m in tg.messages(42)] == ["once"] and tg.faulted[0]["processed"] is True


def test_max_faults_fails_only_the_first_calls(tg: FakeTelegram, http: httpx.Client) -> None:
    tg.faults = FaultPlan(rate=1.0, kinds=("500",), max_faults=2)
    assert [call(http, tg, "getMe").status_code for _ in range(3)] == [500, 500, 200]


def test_outage_fails_everything_for_a_while(tg: FakeTelegram, http: httpx.Client) -> None:
    tg.outage(60, kind="drop")
    with pytest.raises(httpx.RemoteProtocolError):
        call(http, tg, "getMe")
    tg.end_outage()
    tg.outage(0.2)
    response = call(http, tg, "getMe")
    assert response.status_code == 502 and "Bad Gateway" in response.text
    time.sleep(0.25)
    assert call(http, tg, "getMe").status_code == 200
    assert tg.fault_counts == {"outage": 2, "drop": 1, "502": 1}


def test_stop_releases_a_held_timeout_fault() -> None:
    tg = FakeTelegram().start()
    tg.faults = FaultPlan(rate=1.0, kinds=("timeout",), timeout_seconds=30)
    errors: list[Exception] = []

    def stuck() -> None:
        try:
            with httpx.Client(timeout=10) as client:
                call(client, tg, "getMe")
        except httpx.HTTPError as exc:
            errors.append(exc)

    thread = threading.Thread(target=stuck)
    thread.start()
    eventually(lambda: tg.fault_counts == {"timeout": 1})
    start = time.monotonic()
    tg.stop()
    thread.join(10)
    assert len(errors) == 1 and time.monotonic() - start < 5.0  # well short of the 30 s fault


# -- the real PTB ---------------------------------------------------------------------------------


def test_real_ptb_application_echoes_through_the_fake(tg: FakeTelegram) -> None:
    from telegram import Update
    from telegram.constants import ParseMode
    from telegram.ext import ApplicationBuilder, CommandHandler, ContextTypes, MessageHandler, filters

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None and update.message.text is not None
        await update.message.reply_text(f"<b>{update.message.text}</b>", parse_mode=ParseMode.HTML)

    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None
        await update.message.reply_text("welcome")

    async def main() -> int | None:
        app = ApplicationBuilder().token(tg.token).base_url(tg.base_url).build()
        app.add_handler(CommandHandler("start", start))
        app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
        async with app:
            await app.start()
            await app.updater.start_polling(poll_interval=0, timeout=1)  # type: ignore[union-attr]
            tg.send_text(42, "/start")  # the server adds the bot_command entity CommandHandler needs
            update_id = tg.send_text(42, "你好")
            await asyncio.to_thread(tg.wait_for_messages, 42, 2, 5)
            await app.updater.stop()  # type: ignore[union-attr]
            await app.stop()
        return update_id

    update_id = asyncio.run(main())
    welcome, echoed = tg.messages(42)
    assert welcome.text == "welcome"
    assert (echoed.text, echoed.entities) == ("你好", [{"type": "bold", "offset": 0, "length": 2}])
    assert [c["method"] for c in tg.sent] == ["getMe", "deleteWebhook", "sendMessage", "sendMessage"]
    assert update_id is not None and tg.confirmed_offset == update_id + 1 and tg.pending_updates() == []
    assert tg.errors == []
