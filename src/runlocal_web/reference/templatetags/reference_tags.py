"""Filters of the reference pages: {% load reference_tags %}."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe

from runlocal_web.reference import markup

register = template.Library()


@register.filter
def markdown(value: Any) -> SafeString:
    """Catalog Markdown (trusted editorial text) as HTML; headings start at <h2>."""
    if not isinstance(value, str) or not value.strip():
        return mark_safe("")
    return mark_safe(markup.render(value))  # catalog text only, never user input


@register.filter
def markdown3(value: Any) -> SafeString:
    """As `markdown`, with headings from <h3> (inside a section that has its own <h2>)."""
    if not isinstance(value, str) or not value.strip():
        return mark_safe("")
    return mark_safe(markup.render(value, 3))


@register.filter
def markdown_inline(value: Any) -> SafeString:
    """One short Markdown item (a step, a caveat) without its wrapping paragraph."""
    if not isinstance(value, str) or not value.strip():
        return mark_safe("")
    return mark_safe(markup.render_inline(value))


@register.filter
def plain(value: Any, limit: Any = 300) -> str:
    """Catalog Markdown as plain text, clipped at a word: for summaries in lists."""
    from runlocal_web.reference.content import clip

    if not isinstance(value, str) or not value.strip():
        return ""
    try:
        n = int(limit)
    except (TypeError, ValueError):
        n = 300
    return clip(value, n)


@register.filter
def get(mapping: Any, key: Any) -> Any:
    """mapping[key] in a template, or None."""
    if isinstance(mapping, dict):
        return mapping.get(key)
    return None


@register.simple_tag
def written_page_url(page_id: str) -> str:
    """The address of an editorial page when its catalog file exists, else ''."""
    from runlocal_web.reference.content import EDITORIAL, catalog

    if page_id not in EDITORIAL:
        return ""
    _digest, cat = catalog()
    return EDITORIAL[page_id][0] if page_id in cat.entries("pages") else ""
