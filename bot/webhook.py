"""Webhook mode: refuse request bodies too large to be a Telegram update, before reading them.

PTB's webhook server is tornado's HTTPServer, which buffers bodies of up to
100 MB before PTB even looks at the secret token. Telegram updates are a few
kilobytes (a 4096-character message with entities and a quoted reply stays far
below 100 KB), so anything over MAX_BODY_BYTES is refused with 413 as soon as
its headers arrive, and the connection closed; a chunked body that grows past
the limit is cut off by tornado itself (400).

PTB builds that HTTPServer internally, so the cap goes in through tornado's
own switch for it: HTTPServer is Configurable, and HTTPServer.configure()
chooses the class and default arguments of every server the process creates
afterwards. The bot process creates no other tornado server.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable

from tornado import httputil
from tornado.httpserver import HTTPServer

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 1024 * 1024
TOO_LARGE = b"HTTP/1.1 413 Payload Too Large\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"


class RefuseLargeBodies(httputil.HTTPMessageDelegate):
    """Passes a request on to PTB's handler unless its Content-Length is over the limit."""

    def __init__(self, inner: httputil.HTTPMessageDelegate, connection: httputil.HTTPConnection, limit: int) -> None:
        self.inner = inner
        self.connection = connection
        self.limit = limit

    def headers_received(self, start_line: httputil.RequestStartLine | httputil.ResponseStartLine,
                         headers: httputil.HTTPHeaders) -> Awaitable[None] | None:
        length = headers.get("Content-Length", "").strip()
        if length.isdigit() and int(length) > self.limit:
            logger.warning("webhook: refused a %s-byte request body (limit %d)", length, self.limit)
            return self.refuse()
        return self.inner.headers_received(start_line, headers)

    async def refuse(self) -> None:
        """Answer 413 and close, without reading the body (detach() ends tornado's HTTP handling)."""
        stream = self.connection.detach()  # type: ignore[attr-defined]
        try:
            await stream.write(TOO_LARGE)
        finally:
            stream.close()

    def data_received(self, chunk: bytes) -> Awaitable[None] | None:
        return self.inner.data_received(chunk)

    def finish(self) -> None:
        self.inner.finish()

    def on_connection_close(self) -> None:
        self.inner.on_connection_close()


class CappedHTTPServer(HTTPServer):
    """tornado's HTTPServer with every request going through RefuseLargeBodies."""

    def start_request(self, server_conn: object, request_conn: httputil.HTTPConnection) -> httputil.HTTPMessageDelegate:
        inner = super().start_request(server_conn, request_conn)
        return RefuseLargeBodies(inner, request_conn, self.conn_params.max_body_size or MAX_BODY_BYTES)


def cap_request_bodies(limit: int = MAX_BODY_BYTES) -> None:
    """Make every tornado HTTPServer created from now on (PTB's webhook server) refuse bodies over `limit`."""
    HTTPServer.configure(CappedHTTPServer, max_body_size=limit)
