"""Which site a browser says a request comes from (Origin, Sec-Fetch-Site)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def same_site(request: HttpRequest) -> bool | None:
    """True when the browser names this site as the sender, False when it names another,
    None when it names none (curl, the CLI, a script, an old browser)."""
    fetch_site = request.META.get("HTTP_SEC_FETCH_SITE", "").lower()
    if fetch_site == "cross-site":
        return False
    origin = request.META.get("HTTP_ORIGIN")
    if origin is None:
        return True if fetch_site == "same-origin" else None
    allowed = {f"{request.scheme}://{request.get_host()}".lower()}
    allowed.update(o.lower().rstrip("/") for o in getattr(settings, "CSRF_TRUSTED_ORIGINS", []))
    site = str(getattr(settings, "SITE_URL", "") or "")
    if site:
        allowed.add(site.lower().rstrip("/"))
    return origin.strip().lower().rstrip("/") in allowed
