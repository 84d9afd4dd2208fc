"""A deadline for every PostgreSQL query, even when the server stops answering.

`statement_timeout` (settings.py) makes a live server give up on a slow query. A server that
hangs (stopped, or behind a network path that swallows packets while the kernel still
acknowledges them) answers nothing at all, not even the cancel, so the client would wait
forever. One watchdog thread per process looks at the queries in flight; one still running
DEADLINE seconds after it started gets its connection's socket shut down, so psycopg returns
at once with an OperationalError, which the site answers with a 503
(ops.middleware.ServiceUnavailableMiddleware). Django then drops that connection.

Connecting is bounded by libpq's own connect_timeout (settings.py).
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.signals import connection_created

log = logging.getLogger("runlocal.ops")

_lock = threading.Lock()
_in_flight: dict[int, tuple[float, int]] = {}  # ticket → (deadline, socket fd)
_tickets = itertools.count()
_watchdog: threading.Thread | None = None
TICK_SECONDS = 0.25


def _sever(fd: int) -> None:
    with contextlib.suppress(OSError):
        dup = socket.socket(fileno=os.dup(fd))
        try:
            dup.shutdown(socket.SHUT_RDWR)
        finally:
            dup.close()


def _watch() -> None:
    while True:
        time.sleep(TICK_SECONDS)
        now = time.monotonic()
        with _lock:
            late = [(t, fd) for t, (deadline, fd) in _in_flight.items() if deadline <= now]
            for ticket, _ in late:
                del _in_flight[ticket]
        for _, fd in late:
            log.warning("database query past its deadline: connection closed")
            _sever(fd)


def _ensure_watchdog() -> None:
    global _watchdog
    with _lock:
        if _watchdog is None or not _watchdog.is_alive():
            _watchdog = threading.Thread(target=_watch, name="db-deadline", daemon=True)
            _watchdog.start()


def deadline_wrapper(
    execute: Callable[..., Any], sql: Any, params: Any, many: bool, context: Any
) -> Any:
    """A Django execute wrapper: the query is watched for QUERY_DEADLINE_SECONDS."""
    wrapper = context["connection"]
    seconds = wrapper.settings_dict.get("QUERY_DEADLINE_SECONDS")
    try:
        fd = wrapper.connection.pgconn.socket
    except Exception:  # closed, or not psycopg: nothing to watch
        fd = None
    if not seconds or fd is None:
        return execute(sql, params, many, context)
    ticket = next(_tickets)
    with _lock:
        _in_flight[ticket] = (time.monotonic() + float(seconds), fd)
    try:
        return execute(sql, params, many, context)
    finally:
        with _lock:
            _in_flight.pop(ticket, None)


def _on_connect(sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    if connection.vendor != "postgresql":
        return
    _ensure_watchdog()
    if deadline_wrapper not in connection.execute_wrappers:
        connection.execute_wrappers.append(deadline_wrapper)


def connect() -> None:
    connection_created.connect(_on_connect, dispatch_uid="runlocal_ops_db_deadline")
