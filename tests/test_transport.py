"""bot/transport.py: PTB's errors for aiohttp's failures, JSON and multipart bodies, proxies from the environment."""

from __future__ import annotations

import asyncio
import json
import logging
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import pytest
from aiohttp import web
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile
from telegram.error import NetworkError, TimedOut
from telegram.request import RequestData
from telegram.request._requestparameter import RequestParameter

from bot.transport import AiohttpRequest, _environment_proxy

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@asynccontextmanager
async def serving(handler: Handler) -> AsyncIterator[str]:
    """A one-route HTTP server on 127.0.0.1; yields its base URL."""
    app = web.Application()
    app.router.add_post("/{method}", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


def request_data(**values: object) -> RequestData:
    return RequestData([RequestParameter.from_input(k, v) for k, v in values.items()])


async def post(url: str, data: RequestData | None = None, **timeouts: float) -> tuple[int, bytes]:
    async with AiohttpRequest(2, read_timeout=timeouts.pop("read", 5.0), connect_timeout=1.0) as request:
        return await request.do_request(url, "POST", data, **timeouts)


def test_parameters_go_as_utf8_json_and_the_answer_comes_back() -> None:
    async def handler(request: web.Request) -> web.Response:
        raw = await request.read()
        return web.json_response({"method": request.match_info["method"], "type": request.content_type,
                                  "fields": json.loads(raw), "raw": raw.decode("utf-8"),
                                  "agent": request.headers["User-Agent"]})

    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("换一个", callback_data="n:1")]])

    async def run() -> tuple[int, bytes]:
        async with serving(handler) as base:
            return await post(f"{base}/sendMessage",
                              request_data(chat_id=7, text="<b>问</b> & 答", reply_markup=keyboard))

    status, body = asyncio.run(run())
    got = json.loads(body)
    assert status == 200 and got["method"] == "sendMessage"
    assert got["type"] == "application/json"
    assert got["fields"] == {"chat_id": 7, "text": "<b>问</b> & 答",
                             "reply_markup": {"inline_keyboard": [[{"text": "换一个", "callback_data": "n:1"}]]}}
    assert "问" in got["raw"] and "\\u" not in got["raw"]  # UTF-8, not escapes: a third of the bytes
    assert got["agent"].startswith("python-telegram-bot")


def test_files_go_as_multipart() -> None:
    async def handler(request: web.Request) -> web.Response:
        form = await request.post()
        upload = form["document"]
        return web.json_response({"type": request.content_type, "chat_id": form["chat_id"],
                                  "file": [upload.filename, upload.file.read().decode()]})  # type: ignore[union-attr]

    async def run() -> tuple[int, bytes]:
        async with serving(handler) as base:
            data = request_data(chat_id=7, document=InputFile(b"hello", filename="a.txt"))
            return await post(f"{base}/sendDocument", data)

    status, body = asyncio.run(run())
    assert status == 200
    assert json.loads(body) == {"type": "multipart/form-data", "chat_id": "7", "file": ["a.txt", "hello"]}


def test_on_result_sees_each_successful_result_as_telegram_sent_it() -> None:
    answers = iter([(200, {"ok": True, "result": [{"update_id": 5, "message": {"text": "问"}, "new_field": 1}]}),
                    (400, {"ok": False, "error_code": 400, "description": "Bad Request"})])

    async def handler(request: web.Request) -> web.Response:
        status, body = next(answers)
        return web.json_response(body, status=status)

    seen: list[object] = []

    async def run() -> object:
        async with serving(handler) as base, AiohttpRequest(1, on_result=seen.append) as request:
            got = await request.post(f"{base}/getUpdates")
            with pytest.raises(Exception, match="Bad Request"):
                await request.post(f"{base}/getUpdates")
            return got

    got = asyncio.run(run())
    assert seen == [got] == [[{"update_id": 5, "message": {"text": "问"}, "new_field": 1}]]  # errors are not results


def test_an_error_status_is_returned_for_ptb_to_read() -> None:
    async def handler(request: web.Request) -> web.Response:
        return web.json_response({"ok": False, "error_code": 400, "description": "Bad Request"}, status=400)

    async def run() -> tuple[int, bytes]:
        async with serving(handler) as base:
            return await post(f"{base}/sendMessage")

    status, body = asyncio.run(run())
    assert status == 400 and json.loads(body)["description"] == "Bad Request"


def test_a_server_that_does_not_answer_in_time_is_timed_out() -> None:
    async def handler(request: web.Request) -> web.Response:
        await asyncio.sleep(1)  # well past the read timeout; the server waits for it when it closes
        return web.json_response({})

    async def run() -> None:
        async with serving(handler) as base:
            await post(f"{base}/getMe", read=0.2)

    with pytest.raises(TimedOut):
        asyncio.run(run())


def test_a_closed_port_and_a_dropped_connection_are_network_errors() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again when the block ends: nobody listens there
    with pytest.raises(NetworkError, match="aiohttp"):
        asyncio.run(post(f"http://127.0.0.1:{port}/getMe"))

    async def handler(request: web.Request) -> web.StreamResponse:
        assert request.transport is not None
        request.transport.close()  # the answer is lost on the way
        return web.Response()

    async def run() -> None:
        async with serving(handler) as base:
            await post(f"{base}/getMe")

    with pytest.raises(NetworkError):
        asyncio.run(run())


def test_it_must_be_initialized_first() -> None:
    with pytest.raises(RuntimeError):
        asyncio.run(AiohttpRequest(1).do_request("http://127.0.0.1:9/getMe", "POST"))


def test_the_proxy_comes_from_the_environment_and_no_proxy_is_honoured(monkeypatch: pytest.MonkeyPatch,
                                                                       caplog: pytest.LogCaptureFixture) -> None:
    for name in ("http_proxy", "https_proxy", "all_proxy", "no_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY",
                 "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
    assert _environment_proxy("https", "api.telegram.org") is None
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    assert _environment_proxy("https", "api.telegram.org") == "http://proxy.example:3128"
    assert _environment_proxy("http", "127.0.0.1") is None
    request = AiohttpRequest(1)
    assert request._proxy("https://api.telegram.org/bot1:x/getMe") == "http://proxy.example:3128"
    monkeypatch.setenv("HTTPS_PROXY", "socks5://proxy.example:1080")
    assert request._proxy("https://api.telegram.org/bot1:x/sendMessage") == "http://proxy.example:3128"  # read once
    with caplog.at_level(logging.WARNING, logger="bot.transport"):
        assert _environment_proxy("https", "api.telegram.org") is None  # aiohttp speaks HTTP proxies only
    assert "not an HTTP proxy" in caplog.text and "proxy.example" not in caplog.text  # no host (or password) logged
