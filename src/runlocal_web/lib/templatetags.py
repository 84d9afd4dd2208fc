"""Template filters for values: bytes as GiB, rates, parameter counts, JSON, safe URLs; and
`escape`, which the markup written in Python (`markuptags`) shares."""

from __future__ import annotations

import html
import json
import math
from functools import lru_cache
from typing import Any

from django import template
from django.template.base import render_value_in_context

from runlocal.units import GIB

register = template.Library()


def escape(text: Any) -> str:
    """django.utils.html.escape's text (html.escape of str(text)) without its lazy-string
    wrapper, which cost as much as the escaping in the rows written below; short strings
    (ids, names, labels: the same few hundred on every table) escaped once. The unit
    filters below write digits, commas, points and units only: nothing to escape."""
    if type(text) is str and len(text) <= 120:
        return _escaped(text)
    return html.escape(str(text))


@lru_cache(maxsize=8192)
def _escaped(text: str) -> str:
    return html.escape(text)


def show(context: template.Context, value: Any) -> str:
    """`{{ value }}` in `context` (django.template.base.render_value_in_context), for the
    markup written in Python. A plain str, under autoescape, is what the template language
    makes of it without its steps: local time and localize leave a str as it is (Django's
    localize returns strings first), and conditional_escape of a str that is not safe is
    html.escape of it, which `escape` writes without the lazy-string wrapper (~2 µs of the
    ~2.5 a value cost, a few hundred values a detail page). Anything else takes the
    template language's own path. tests/web/test_markup_in_python.py compares the two."""
    if type(value) is str and context.autoescape:
        return escape(value)
    return str(render_value_in_context(value, context))


def _finite(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


@register.filter
def gib(value: Any) -> str:
    """Bytes → '4.31 GiB' (two decimals under 10 GiB, one above)."""
    number = _finite(value)
    if number is None:
        return "—"
    g = number / GIB
    return f"{g:,.2f} GiB" if abs(g) < 10 else f"{g:,.1f} GiB"


@register.filter
def num(value: Any, digits: int = 0) -> str:
    """1234.5 → '1,234' (or with `digits` decimals); '—' for unknown."""
    number = _finite(value)
    if number is None:
        return "—"
    return f"{number:,.{int(digits)}f}"


@register.filter
def g(value: Any) -> str:
    """A number in its shortest form: 24.0 → '24', 1008.5 → '1,008.5'."""
    number = _finite(value)
    if number is None:
        return "—"
    if number.is_integer():
        return f"{int(number):,}"
    return f"{number:,.2f}".rstrip("0").rstrip(".")


@register.filter
def params_b(value: Any) -> str:
    """8.03 → '8B', 30.5 → '30.5B', 0.6 → '0.6B', 235 → '235B'."""
    number = _finite(value)
    if number is None:
        return "—"
    if number >= 100:
        return f"{number:,.0f}B"
    return f"{number:.1f}".rstrip("0").rstrip(".") + "B"


@register.filter
def compact_json(value: Any) -> str:
    if isinstance(value, dict | list):
        return json.dumps(value, separators=(", ", ": "), ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@register.filter
def pct(value: Any) -> str:
    number = _finite(value)
    return "—" if number is None else f"{number * 100:.0f}%"


@register.filter
def join_g(values: Any) -> str:
    """[36.0, 48.0] → '36, 48'; strings are joined as they are."""
    if not isinstance(values, list | tuple):
        return g(values) if _finite(values) is not None else str(values)
    return ", ".join(g(v) if _finite(v) is not None else str(v) for v in values)


@register.filter
def http_url(value: Any) -> str:
    """The URL if it is http(s), else '' (catalog data never becomes a javascript: link)."""
    text = str(value or "")
    return text if text.startswith(("https://", "http://")) else ""


@register.simple_tag
def url_of(name: str, *args: Any) -> str:
    """`{% url name args %}` through pages.url_for: reverse() remembered per script prefix,
    name and arguments (~20 µs a call otherwise, a few on every model and hardware page).
    Escaped as {% url %} escapes (simple_tag's output under autoescape)."""
    from runlocal_web.lib.pages import url_for

    return url_for(name, *(str(a) for a in args))
