"""What one GET or HEAD request has worked out once for all the parts of its page that ask
(ops.middleware.OneCatalogPerRequestMiddleware opens it, catalogdb.store fills it)."""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

# None outside such a request: every call then works its answer out afresh.
request_memo: ContextVar[dict[str, Any] | None] = ContextVar("request_memo", default=None)
