"""Template tags of base.html, the frame of every page: the navigation, the breadcrumbs,
the footer's link lists and catalog line, the style sheet's and htmx's addresses.

Each is written in Python (or kept once written) because the frame is rendered on every page
view; tests/web/test_markup_in_python.py holds each to the markup it replaced.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django import template
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.templatetags.static import static
from django.utils import timezone
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django_htmx.jinja import htmx_script as django_htmx_script

from runlocal_web.lib.context import Nav
from runlocal_web.lib.templatetags import escape, show

register = template.Library()


def _field(row: Any, key: str) -> Any:
    """The template's `row.key` for the dicts these rows come in: '' when it is missing."""
    return row.get(key, "") if isinstance(row, dict) else getattr(row, key, "")


@register.simple_tag
def static_url(path: str) -> str:
    """`{% static path %}`, remembered per path until a setting changes: Django's tag asks
    `apps.is_installed` (a walk over the installed apps) and the storage each time, ~50 µs of
    every page's frame for its style sheet."""
    return _static(str(path))


@lru_cache(maxsize=64)
def _static(path: str) -> str:
    return static(path)


@register.simple_tag(takes_context=True)
def htmx_script(context: template.Context) -> SafeString:
    """django_htmx's `{% htmx_script %}` (htmx 2, minified, no extensions): its script element
    with the address remembered (`_static`) and the nonce the template gives it, in the same
    markup (format_html's escaping of both). Its own tag checks its arguments, looks the file
    up and formats the element on every page, ~0.1 ms; with DEBUG on, its own tag as it is
    (it adds its debug script)."""
    nonce = context.get("csp_nonce")
    if settings.DEBUG:
        return django_htmx_script(nonce=nonce)
    src = conditional_escape(_static("django_htmx/htmx-2.min.js"))
    if nonce is None:
        return SafeString(f'<script src="{src}" defer></script>')
    return SafeString(f'<script src="{src}" defer nonce="{conditional_escape(nonce)}"></script>')


@receiver(setting_changed)
def _forget_frame(**kwargs: Any) -> None:
    _static.cache_clear()  # STORAGES, STATIC_URL, INSTALLED_APPS
    _catalog_line.cache_clear()  # USE_TZ, formats


@register.simple_tag
def footer_navs(footer: Any, json_url: str = "") -> SafeString:
    """base.html's footer link lists (lib/context.FOOTER), with "This page as JSON" in the first.

    The same on every page but for that one link, and some sixty template nodes: about half of
    what the site's frame costs to render on every page view. The markup before and after the
    link is written once per footer. tests/web/test_markup_in_python.py holds it to the
    template markup it replaced."""
    before, after = _footer_parts(tuple(footer))
    if not json_url:
        return SafeString(before + after)
    return SafeString(f'{before}<li><a href="{escape(json_url)}">This page as JSON</a></li>{after}')


@lru_cache(maxsize=4)
def _footer_parts(footer: tuple[Any, ...]) -> tuple[str, str]:
    """The footer's markup before and after the JSON link (the end of the first list)."""
    out = [
        f'\n    <nav aria-label="{escape(group)}">\n      <h2>{escape(group)}</h2>\n      <ul>'
        f"{links}" + ("\0" if i == 0 else "") + "</ul>\n    </nav>\n    "
        for i, (group, links) in enumerate(_footer_groups(footer))
    ]
    before, _, after = "".join(out).partition("\0")
    return before, after


@register.simple_tag
def nav_links(nav: Any) -> SafeString:
    """base.html's main navigation (lib/context.site's `nav`): a dozen links on every page,
    the current section's marked; a lib.context.Nav carries its markup, written once per
    current section. tests/web/test_markup_in_python.py holds it to the template markup it
    replaced."""
    if type(nav) is Nav:
        return nav.html
    return nav_html(nav)


def nav_html(nav: Any) -> SafeString:
    out = ""
    for item in nav or ():
        current = ' aria-current="page"' if _field(item, "active") else ""
        out += (
            f'<li><a href="{escape(_field(item, "url"))}"{current}>'
            f"{escape(_field(item, 'label'))}</a></li>"
        )
    return SafeString(out)


@lru_cache(maxsize=4)
def _footer_groups(footer: tuple[Any, ...]) -> tuple[tuple[str, str], ...]:
    return tuple(
        (
            str(group),
            "".join(
                f'<li><a href="{escape(url)}">{escape(label)}</a></li>' for label, url in links
            ),
        )
        for group, links in footer
    )


# base.html's footer line about the catalog, rendered once per catalog state by the template
# language itself (so it reads exactly as it did), then kept.
CATALOG_LINE = (
    "<p>Catalog: {{ s.n_models }} model{{ s.n_models|pluralize }}, {{ s.n_hardware }} "
    'hardware entr{{ s.n_hardware|pluralize:"y,ies" }}, {{ s.n_benchmarks }} benchmark '
    'set{{ s.n_benchmarks|pluralize }} · last changed {{ s.changed_at|date:"Y-m-d" }}</p>'
)


@register.simple_tag
def catalog_line(state: Any) -> SafeString:
    """The footer's "Catalog: N models, … · last changed DATE": the same on every page until
    a sync, and its filters (three plurals and a date in the current time zone) cost ~0.1 ms
    of every page's frame."""
    key = (
        state.n_models,
        state.n_hardware,
        state.n_benchmarks,
        state.changed_at,
        timezone.get_current_timezone_name(),
    )
    return _catalog_line(key)


@lru_cache(maxsize=16)
def _catalog_line(key: tuple[Any, ...]) -> SafeString:
    from django.template import engines

    names = ("n_models", "n_hardware", "n_benchmarks", "changed_at")
    state = dict(zip(names, key, strict=False))
    return mark_safe(engines["django"].from_string(CATALOG_LINE).render({"s": state}))


@register.simple_tag(takes_context=True)
def breadcrumb_items(context: template.Context, crumbs: Any) -> SafeString:
    """base.html's breadcrumb list items (Page.breadcrumbs, (name, url) pairs): the last is
    the current page, unlinked."""
    items = list(crumbs or ())
    out = ""
    for i, (name, url) in enumerate(items):
        if i == len(items) - 1:
            out += f'<li><span aria-current="page">{show(context, name)}</span></li>'
        else:
            out += f'<li><a href="{show(context, url)}">{show(context, name)}</a></li>'
    return SafeString(out)
