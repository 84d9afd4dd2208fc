"""Template tags that write the detail pages' spec sheets (the model page's facts and
architecture, the hardware page's specifications), the model page's size tables and every
page's breadcrumbs in Python; the tables' rows and the form fields are in `markuptags`.

Each replaced a loop or an if/elif chain of the template language; tests/web/
test_markup_in_python.py holds each to the markup it replaced. Values go through the same
filters as the templates' (`templatetags`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe

from runlocal_web.lib.templatetags import (
    compact_json,
    g,
    gib,
    http_url,
    join_g,
    num,
    params_b,
    show,
)
from runlocal_web.reference.templatetags.reference_tags import stale_mark

from .markuptags import field_of as _field

register = template.Library()


# --- the detail pages' spec sheets -------------------------------------------------------
# The model page's facts and architecture and the hardware page's specifications: a dozen
# to thirty rows a page, each through an if/elif chain in the template language. Written
# here with the template's own rendering of every value (render_value_in_context: its
# localisation and escaping); tests/web/test_markup_in_python.py holds each to the markup it
# replaced, on every catalog entry.

PRICE_KEYS = ("launch_price_usd", "street_price_usd")


def _show(context: template.Context, value: Any) -> str:
    """`{{ value }}` in `context`: localised and escaped as the template language does."""
    return show(context, value)


@register.simple_tag(takes_context=True)
def spec_value(context: template.Context, s: dict[str, Any], h: dict[str, Any]) -> SafeString:
    """What hardware_detail.html's <dd> holds for one specification `s` of hardware `h`."""

    def show(value: Any) -> str:
        return _show(context, value)

    key, value, unit = _field(s, "key"), _field(s, "value"), _field(s, "unit")
    if key == "street_prices":
        out = ""
        for i, p in enumerate(value):
            out += "<br>" if i else ""
            out += (
                f"{show(_field(p, 'condition'))}, about ${show(num(_field(p, 'usd')))}, as of "
                f"{show(_field(p, 'date'))}{stale_mark(_field(p, 'date'))} "
                f'(<a href="{show(_field(p, "source"))}" rel="nofollow noopener">source</a>)'
            )
            if _field(p, "note"):
                out += f' <span class="muted">{show(_field(p, "note"))}</span>'
    elif key in ("backends", "memory_configs_gib"):
        out = show(join_g(value))
    elif key in PRICE_KEYS:
        out = "$" + show(num(value))
    elif unit:
        out = show(g(value))
    else:
        out = show(value)
    if unit and key not in PRICE_KEYS:
        out += " " + show(unit)
    elif key == "street_price_usd" and _field(h, "street_price_date"):
        day = _field(h, "street_price_date")
        out += f" ({show(day)}){stale_mark(day)}"
    return SafeString(out)


@register.simple_tag(takes_context=True)
def fact_value(context: template.Context, f: dict[str, Any]) -> SafeString:
    """What model_detail.html's <dd> holds for one fact `f`."""
    key = _field(f, "key")
    value = _show(
        context,
        params_b(_field(f, "value"))
        if key in ("params_total_b", "params_active_b")
        else _field(f, "value"),
    )
    if key == "hf_repo":
        return SafeString(
            f'<a href="https://huggingface.co/{value}" rel="nofollow noopener">{value}</a>'
        )
    if key == "ollama_tag":
        return SafeString(f"<code>{value}</code>")
    return mark_safe(value)


@register.simple_tag(takes_context=True)
def spec_rows(context: template.Context, specs: Any, h: dict[str, Any]) -> SafeString:
    """hardware_detail.html's specification list: its loop over `specs`, whitespace included,
    each a <dt> with the label and a <dd> by spec_value."""
    return _definition_rows(
        specs,
        "    ",
        lambda s: _show(context, _field(s, "label")),
        lambda s: spec_value(context, s, h),
    )


@register.simple_tag(takes_context=True)
def fact_rows(context: template.Context, facts: Any) -> SafeString:
    """model_detail.html's facts list: its loop over `facts`, whitespace included, each a
    <dt> with the label and a <dd> by fact_value."""
    return _definition_rows(
        facts, "  ", lambda f: _show(context, _field(f, "label")), lambda f: fact_value(context, f)
    )


def _definition_rows(
    items: Any, indent: str, label: Callable[[Any], str], value: Callable[[Any], str]
) -> SafeString:
    """A template's loop of <dt>/<dd> pairs, each on its own line at ``indent``, whitespace
    as the loop wrote it."""
    return SafeString(
        "".join(
            f"\n{indent}<dt>{label(x)}</dt>\n{indent}<dd>{value(x)}</dd>\n{indent}"
            for x in items or ()
        )
    )


@register.simple_tag(takes_context=True)
def arch_rows(context: template.Context, rows: Any) -> SafeString:
    """model_detail.html's architecture rows (key, value as compact JSON, meaning)."""
    out = ""
    for a in rows or ():
        key = _show(context, _field(a, "key"))
        value = _show(context, compact_json(_field(a, "value")))
        meaning = _show(context, _field(a, "meaning"))
        out += f'<tr><th scope="row"><code>{key}</code></th><td>{value}</td><td>{meaning}</td></tr>'
    return SafeString(out)


# --- the model page's size tables and every page's breadcrumbs ----------------------------
# Loops of the template language over a handful of rows, each value through a variable
# lookup, a filter or two and a test: written here with the template's own rendering of
# every value (render_value_in_context); tests/web/test_markup_in_python.py holds each to
# the markup it replaced.


@register.simple_tag(takes_context=True)
def quant_size_rows(context: template.Context, sizes: Any, files_listed: Any) -> SafeString:
    """model_detail.html's rows of "Files and sizes by quantization" (insights.quant_sizes):
    the weights, the quality loss and, when the catalog lists files, the published file."""
    out = ""
    for q in sizes or ():
        weights = _field(q, "weights_bytes")
        loss = _field(q, "quant_loss_label")
        out += (
            f'<tr><th scope="row">{_show(context, _field(q, "quant"))}</th><td class="num">'
            f"{_show(context, gib(weights)) if weights else '—'}</td>"
            f"<td>{_show(context, loss if loss else '—')}</td>"
        )
        if files_listed:
            file_bytes = _field(q, "file_bytes")
            if file_bytes:
                cell = _show(context, gib(file_bytes))
                url = http_url(_field(q, "file_url"))
                if url:
                    cell += (
                        f' · <a href="{_show(context, url)}" rel="nofollow noopener">download</a>'
                    )
            else:
                cell = "not listed"
            out += f"<td>{cell}</td>"
        out += "</tr>"
    return SafeString(out)


@register.simple_tag(takes_context=True)
def file_rows(context: template.Context, files: Any) -> SafeString:
    """model_detail.html's rows of "Every published file": quantization, size, download."""
    out = ""
    for f in files or ():
        url = http_url(_field(f, "url"))
        link = (
            f'<a href="{_show(context, url)}" rel="nofollow noopener">download</a>' if url else "—"
        )
        out += (
            f'<tr><th scope="row">{_show(context, _field(f, "quant"))}</th>'
            f'<td class="num">{_show(context, gib(_field(f, "size_bytes")))}</td>'
            f"<td>{link}</td></tr>"
        )
    return SafeString(out)
