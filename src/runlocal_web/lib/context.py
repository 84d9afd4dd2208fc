"""Template context on every page: navigation and the catalog's footer line."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject
from django.utils.safestring import SafeString

# (label, path): the header, as on the seed site. Paths, not URL names, because the pages
# live in several apps; tests/web check that every one resolves.
NAV = (
    ("Will it run?", "/will-it-run/"),
    ("Best GPU", "/choose-my-gpu/"),
    ("Compare", "/compare/"),
    ("Troubleshoot", "/troubleshoot/"),
    ("Start", "/start/"),
    ("Learn", "/learn/"),
    ("Pulse", "/pulse/"),
    ("Models", "/models/"),
    ("Hardware", "/hardware/"),
    ("Tools", "/tools/"),
    ("Bench", "/benchmarks/"),
    ("Run check", "/run-check/"),
)

FOOTER = (
    (
        "Directory",
        (
            ("Models", "/models/"),
            ("Hardware", "/hardware/"),
            ("Tools", "/tools/"),
            ("Benchmarks", "/benchmarks/"),
        ),
    ),
    (
        "Tools",
        (
            ("Will it run?", "/will-it-run/"),
            ("Compare hardware", "/compare/"),
            ("Cost vs cloud", "/cost/"),
            ("Choose my GPU", "/choose-my-gpu/"),
            ("Prompting kits", "/prompting-kits/"),
            ("Quick answers", "/answers/"),
        ),
    ),
    (
        "Reference",
        (
            ("All buyer guides", "/guides/"),
            ("Learn local AI", "/learn/"),
            ("Methodology", "/methodology/"),
            ("Glossary", "/glossary/"),
            ("Quantization types", "/quants/"),
            ("Errors KB", "/errors/"),
            ("Trust", "/trust/"),
            ("API", "/api/v1/docs"),
        ),
    ),
    (
        "Editor",
        (
            ("About", "/about/"),
            ("Author", "/author/"),
            ("How we make money", "/how-we-make-money/"),
            ("Editorial policy", "/editorial-policy/"),
            ("Contact", "/contact/"),
        ),
    ),
    ("Legal", (("Privacy", "/privacy/"), ("Terms", "/terms/"), ("Sitemap", "/sitemap.xml"))),
)


class Nav(tuple[dict[str, Any], ...]):
    """The header's links ({"label", "url", "active"}) with their markup (`html`, written by
    frametags.nav_html): one per current section, kept."""

    html: SafeString


@lru_cache(maxsize=len(NAV) + 2)
def _nav(active: tuple[bool, ...]) -> Nav:
    from runlocal_web.lib.frametags import nav_html

    nav = Nav(
        {"label": label, "url": url, "active": on}
        for (label, url), on in zip(NAV, active, strict=True)
    )
    nav.html = nav_html(nav)
    return nav


def site(request: HttpRequest) -> dict[str, Any]:
    from runlocal_web.catalogdb.store import current_state

    path = request.path
    nav = _nav(tuple(path.startswith(url) for _label, url in NAV))
    # Lazy: queried only when a template shows it, so error pages need no database.
    return {"nav": nav, "footer": FOOTER, "catalog_state": SimpleLazyObject(current_state)}
