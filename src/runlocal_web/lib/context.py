"""Template context on every page: navigation and the catalog's footer line."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import SimpleLazyObject

NAV = (
    ("Will it run?", "checker:will_it_run"),
    ("Models", "catalogdb:model_list"),
    ("Hardware", "catalogdb:hardware_list"),
    ("About", "pages:about"),
)


def site(request: HttpRequest) -> dict[str, Any]:
    from runlocal_web.catalogdb.store import current_state

    nav = []
    for label, name in NAV:
        url = reverse(name)
        nav.append({"label": label, "url": url, "active": request.path.startswith(url)})
    # Lazy: queried only when a template shows it, so error pages need no database.
    return {"nav": nav, "catalog_state": SimpleLazyObject(current_state)}
