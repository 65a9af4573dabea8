"""HTTP to the Bot API on aiohttp, through PTB's interface for networking backends (BaseRequest).

PTB's default backend is httpx. Under a burst its connection pool was most of
the bot's CPU: on every request httpcore walks all its connections, checks
each idle one's socket with system calls, and for each idle one counts all of
them again. benchmarks/throughput.py (fake server in its own process, 1,000
questions, invocations alternated): the article bot answered 204 a second on
httpx and 511 on this, using 1.95 ms of CPU per answer instead of 5.5.
aiohttp is already what the tests' fake Bot API server runs on.

Timeouts keep PTB's meaning: `read` bounds each wait for data, `connect` a
new connection, `pool` the wait for a free one (aiohttp counts that wait and
the connecting together). aiohttp has no write timeout: requests are small
JSON posts, so `write` is not used. A timeout becomes PTB's TimedOut and any
other failure on the way its NetworkError, as with httpx, so retries and
error messages behave the same.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from urllib.parse import urlsplit
from urllib.request import getproxies, proxy_bypass

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import JSONDict
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

logger = logging.getLogger(__name__)


class AiohttpRequest(BaseRequest):
    """At most `connections` requests at once over kept-alive connections; an HTTP proxy from the environment.

    `on_result`, if given, sees the result of every successful call, as Telegram sent it (decoded JSON,
    before PTB makes objects of it): the inbox keeps the updates getUpdates fetched in that form.
    """

    __slots__ = ("_connections", "_read", "_connect", "_pool", "_session", "_proxies", "_on_result")

    def __init__(self, connections: int, read_timeout: float | None = 5.0, connect_timeout: float | None = 5.0,
                 pool_timeout: float | None = 1.0, on_result: Callable[[object], None] | None = None) -> None:
        self._connections = connections
        self._read, self._connect, self._pool = read_timeout, connect_timeout, pool_timeout
        self._session: aiohttp.ClientSession | None = None
        self._proxies: dict[str, str | None] = {}  # scheme://host → the proxy to use, looked up once
        self._on_result = on_result

    @property
    def read_timeout(self) -> float | None:
        """The default read timeout: PTB adds a long poll's own timeout to it."""
        return self._read

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=self._connections))

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: float | None | DefaultValue[None] = BaseRequest.DEFAULT_NONE,
        write_timeout: float | None | DefaultValue[None] = BaseRequest.DEFAULT_NONE,
        connect_timeout: float | None | DefaultValue[None] = BaseRequest.DEFAULT_NONE,
        pool_timeout: float | None | DefaultValue[None] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("AiohttpRequest is not initialized")
        read = self._read if isinstance(read_timeout, DefaultValue) else read_timeout
        connect = self._connect if isinstance(connect_timeout, DefaultValue) else connect_timeout
        pool = self._pool if isinstance(pool_timeout, DefaultValue) else pool_timeout
        timeout = aiohttp.ClientTimeout(total=None, sock_read=read, sock_connect=connect,
                                        connect=None if pool is None or connect is None else pool + connect)
        try:
            body, headers = _body(request_data)
            async with self._session.request(method, url, data=body, timeout=timeout, headers=headers,
                                             proxy=self._proxy(url), allow_redirects=False) as response:
                return response.status, await response.read()
        except asyncio.TimeoutError as error:  # aiohttp's own timeouts are TimeoutErrors too
            raise TimedOut from error
        except (aiohttp.ClientError, OSError) as error:
            raise NetworkError(f"aiohttp.{type(error).__name__}: {error}") from error

    def parse_json_payload(self, payload: bytes) -> JSONDict:  # type: ignore[override]  # PTB's documented hook
        data = BaseRequest.parse_json_payload(payload)
        if self._on_result is not None and isinstance(data, dict) and data.get("ok") is True:
            self._on_result(data.get("result"))
        return data

    def _proxy(self, url: str) -> str | None:
        """HTTPS_PROXY / HTTP_PROXY / ALL_PROXY and NO_PROXY, as httpx honoured them, read once per host.

        Not aiohttp's trust_env, which reads the environment again on every request (0.6 ms each).
        """
        parts = urlsplit(url)
        key = f"{parts.scheme}://{parts.netloc}"
        if key not in self._proxies:
            self._proxies[key] = _environment_proxy(parts.scheme, parts.hostname or "")
        return self._proxies[key]


def _environment_proxy(scheme: str, host: str) -> str | None:
    if proxy_bypass(host):
        return None
    proxies = getproxies()
    proxy = proxies.get(scheme) or proxies.get("all")
    if proxy and not proxy.lower().startswith(("http://", "https://")):
        logger.warning("proxy %s is not an HTTP proxy, which is all this bot can use: connecting directly",
                       urlsplit(proxy).scheme + "://…")
        return None
    return proxy


_PLAIN = {"User-Agent": BaseRequest.USER_AGENT}
_JSON = {**_PLAIN, "Content-Type": "application/json"}


def _body(request_data: RequestData | None) -> tuple[bytes | aiohttp.FormData | None, dict[str, str]]:
    """A JSON body, or multipart when files are sent (the bot sends none, but PTB may be asked to).

    The Bot API takes application/json for every method but uploads. PTB's own
    form encoding writes each Chinese character as a JSON escape and then
    percent-encodes that (18 bytes for one character, against 3 in UTF-8 JSON),
    and urlencode was a tenth of the bot's CPU under a burst.
    """
    if request_data is None:
        return None, _PLAIN
    if not request_data.contains_files:
        return json.dumps(request_data.parameters, ensure_ascii=False, separators=(",", ":")).encode(), _JSON
    form = aiohttp.FormData()
    for name, value in request_data.json_parameters.items():
        form.add_field(name, value)
    for name, part in (request_data.multipart_data or {}).items():
        filename, content, mime = part if len(part) == 3 else (*part, None)
        form.add_field(name, content, filename=filename, content_type=mime)
    return form, _PLAIN
