"""A deadline for request bodies, around the WSGI application.

A client that announces a body and then sends it slowly (or never) holds whatever reads it.
Under gunicorn this wrapper reads the whole body first, within RUNLOCAL_BODY_TIMEOUT_SECONDS
in all (not per packet), with the client socket's timeout set to what is left; a body that
is not complete by then (or whose client goes away first) answers 408 and the connection
is closed, so a slow client holds
one thread for at most that long. Bodies over the site's limit (OPS_MAX_REQUEST_BYTES) are
not read here: Django answers them 413 without reading. Outside gunicorn (runserver, tests)
there is no socket in the environ and nothing changes.
"""

from __future__ import annotations

import contextlib
import io
import os
import time
from collections.abc import Callable, Iterable
from typing import Any

DEFAULT_SECONDS = 5.0
MAX_BYTES = 10 * 1024 * 1024
CHUNK = 64 * 1024

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def body_timeout() -> float:
    raw = os.environ.get("RUNLOCAL_BODY_TIMEOUT_SECONDS", "").strip()
    return float(raw) if raw else DEFAULT_SECONDS


class BodyDeadline:
    def __init__(self, app: WSGIApp, seconds: float | None = None) -> None:
        self.app = app
        self.seconds = body_timeout() if seconds is None else seconds

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        sock = environ.get("gunicorn.socket")
        chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if sock is None or (length <= 0 and not chunked) or length > MAX_BYTES:
            return self.app(environ, start_response)
        body = self._read(sock, environ["wsgi.input"], length if length > 0 else None)
        if body is None:
            message = b"the request body did not arrive in time\n"
            start_response(
                "408 Request Timeout",
                [
                    ("Content-Type", "text/plain; charset=utf-8"),
                    ("Content-Length", str(len(message))),
                    ("Connection", "close"),
                ],
            )
            return [message]
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        return self.app(environ, start_response)

    def _read(self, sock: Any, stream: Any, length: int | None) -> bytes | None:
        """The body, or None when the deadline passed first."""
        deadline = time.monotonic() + self.seconds
        chunks: list[bytes] = []
        got = 0
        previous = sock.gettimeout()
        try:
            while length is None or got < length:
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                sock.settimeout(left)
                want = CHUNK if length is None else min(CHUNK, length - got)
                chunk = stream.read(want)
                if not chunk:
                    break
                chunks.append(chunk)
                got += len(chunk)
                if got > MAX_BYTES:
                    break  # Django refuses it by its length
        except OSError:  # the socket's timeout (TimeoutError) or a dropped client
            return None
        finally:
            with contextlib.suppress(OSError):
                sock.settimeout(previous)
        if length is not None and got < length:
            return None  # the client went away before sending what it announced
        return b"".join(chunks)
