"""A deadline for request bodies, around the WSGI application.

A client that announces a body and then sends it slowly (or never) holds whatever reads it.
Under gunicorn this wrapper reads the whole body first, within RUNLOCAL_BODY_TIMEOUT_SECONDS
in all (not per packet), with the client socket's timeout set to what is left; a body that
is not complete by then (or whose client goes away first) answers 408 and the connection
is closed, so a slow client holds
one thread for at most that long. Bodies over the site's limit (OPS_MAX_REQUEST_BYTES) are
not read here: Django answers them 413 without reading. Outside gunicorn (runserver, tests)
there is no socket in the environ and nothing changes.

A deadline alone does not stop more slow clients than threads from taking every thread in
turn, so bodies still arriving after FAST_SECONDS are also counted: one client address has at
most PER_CLIENT of them at a time, and a process at most half its threads' worth
(RUNLOCAL_THREADS, set by `runlocal serve`); past either, the request answers 429 at once
without the rest of its body being read. A body normally arrives within milliseconds, so
only slow clients ever meet these limits, and some threads always stay free for everyone else. A
buffering reverse proxy in front (docs/configuration.md) is still the real defence: it
receives slow bodies before they ever reach a thread.
"""

from __future__ import annotations

import contextlib
import io
import os
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

DEFAULT_SECONDS = 5.0
PER_CLIENT = 2
# Bodies that arrive within this long are read without being counted.
FAST_SECONDS = 0.25
MAX_BYTES = 10 * 1024 * 1024
CHUNK = 64 * 1024

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def body_timeout() -> float:
    raw = os.environ.get("RUNLOCAL_BODY_TIMEOUT_SECONDS", "").strip()
    return float(raw) if raw else DEFAULT_SECONDS


def max_readers() -> int:
    raw = os.environ.get("RUNLOCAL_THREADS", "").strip()
    return max(1, int(raw) // 2) if raw.isdigit() else 2


def _answer(
    sock: Any, start_response: Callable[..., Any], status: str, message: bytes, **extra: str
) -> Any:
    """Answer without the body. The socket's reading side is shut first: gunicorn's gthread
    closes a connection gracefully on its main thread, reading what the client still sends
    for up to 2 seconds, and a slow client would hold the whole worker that long."""
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RD)
    start_response(
        status,
        [
            ("Content-Type", "text/plain; charset=utf-8"),
            ("Content-Length", str(len(message))),
            ("Connection", "close"),
            *extra.items(),
        ],
    )
    return [message]


class BodyDeadline:
    def __init__(self, app: WSGIApp, seconds: float | None = None) -> None:
        self.app = app
        self.seconds = body_timeout() if seconds is None else seconds
        self.max_readers = max_readers()
        self._lock = threading.Lock()
        self._reading: Counter[str] = Counter()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        sock = environ.get("gunicorn.socket")
        chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if sock is None or (length <= 0 and not chunked) or length > MAX_BYTES:
            return self.app(environ, start_response)
        body = _Body(sock, environ["wsgi.input"], length if length > 0 else None)
        started = time.monotonic()
        # Most bodies are already here: read them without counting them.
        state = body.read_until(started + min(FAST_SECONDS, self.seconds))
        if state == "slow":
            client = str(environ.get("REMOTE_ADDR") or "")
            if not self._take(client):
                message = b"too many unfinished requests; try again in a few seconds\n"
                return _answer(
                    sock, start_response, "429 Too Many Requests", message, **{"Retry-After": "5"}
                )
            try:
                state = body.read_until(started + self.seconds)
            finally:
                self._release(client)
        if state != "done":
            message = b"the request body did not arrive in time\n"
            return _answer(sock, start_response, "408 Request Timeout", message)
        data = b"".join(body.chunks)
        environ["wsgi.input"] = io.BytesIO(data)
        environ["CONTENT_LENGTH"] = str(len(data))
        return self.app(environ, start_response)

    def _take(self, client: str) -> bool:
        with self._lock:
            if (
                self._reading[client] >= PER_CLIENT
                or sum(self._reading.values()) >= self.max_readers
            ):
                return False
            self._reading[client] += 1
            return True

    def _release(self, client: str) -> None:
        with self._lock:
            self._reading[client] -= 1
            if self._reading[client] <= 0:
                del self._reading[client]


class _Body:
    """A request body read in steps, each up to a deadline."""

    def __init__(self, sock: Any, stream: Any, length: int | None) -> None:
        self.sock, self.stream, self.length = sock, stream, length
        self.chunks: list[bytes] = []
        self.got = 0

    def read_until(self, deadline: float) -> str:
        """ "done", "slow" (the deadline came first) or "gone" (the client went away)."""
        previous = self.sock.gettimeout()
        try:
            while self.length is None or self.got < self.length:
                left = deadline - time.monotonic()
                if left <= 0:
                    return "slow"
                self.sock.settimeout(left)
                want = CHUNK if self.length is None else min(CHUNK, self.length - self.got)
                chunk = self.stream.read(want)
                if not chunk:
                    break
                self.chunks.append(chunk)
                self.got += len(chunk)
                if self.got > MAX_BYTES:
                    break  # Django refuses it by its length
        except TimeoutError:
            return "slow"
        except OSError:
            return "gone"
        finally:
            with contextlib.suppress(OSError):
                self.sock.settimeout(previous)
        if self.length is not None and self.got < self.length:
            return "gone"  # the client went away before sending what it announced
        return "done"
