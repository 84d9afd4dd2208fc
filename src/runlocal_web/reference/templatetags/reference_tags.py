"""Filters of the reference pages: {% load reference_tags %}."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe

from runlocal_web.lib.dates import as_date as as_date_value
from runlocal_web.lib.templatetags import show as show_value
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


STALE_AFTER_MONTHS = 6


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved ``months`` calendar months on, clamped to the month's end (Aug 31 + 6 is
    Feb 28)."""
    import calendar

    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


@register.filter
def is_stale(value: Any, today: Any = None) -> bool:
    """True when a record's last check (a date or ISO string) is more than six months ago."""
    when = as_date_value(value)
    if when is None:
        return False
    now = as_date_value(today) or dt.date.today()
    return now > add_months(when, STALE_AFTER_MONTHS)


# Beside a dated observation (a street, cloud, API or electricity price) older than
# STALE_AFTER_MONTHS: the record's own "Last reviewed" date says when a person checked it
# against its sources, not when the price was seen, and a recent review once hid that most
# prices were observed more than six months before.
STALE_OBSERVATION = ' <span class="stale">(over six months old)</span>'


@register.filter
def stale_mark(value: Any, today: Any = None) -> str:
    """STALE_OBSERVATION when ``value`` (a date or ISO string) is over six months old, else ''."""
    return mark_safe(STALE_OBSERVATION) if is_stale(value, today) else ""


@register.filter
def street_date(basis: Any) -> dt.date | None:
    """The date a street price was seen, from its basis ("street, used, 2025-03-01",
    "street, 2025-03-01": runlocal.recommend.hardware_price's labels), for stale_mark; None for
    a launch price, whose date is the release, not an observation of what it costs now."""
    kind, _, rest = str(basis or "").partition(", ")
    if not kind.endswith("street") or not rest:  # the Cost page's "catalog price: street, …"
        return None
    return as_date_value(rest.rsplit(", ", 1)[-1].strip())


@register.filter
def as_date(value: Any) -> dt.date | None:
    """A date or an ISO date string as a date (catalog data keeps dates as strings)."""
    return as_date_value(value)


def _ymd(value: Any) -> str:
    """`{{ value|date:"Y-m-d" }}` of a plain date (the catalog's review and addition dates),
    or '' for anything else (left to the date filter): the template's local time leaves a
    date as it is, and Django's Y, m and d are the zero-padded year, month and day of the ISO
    form; the date filter's formatter costs ~15 µs a call, four or five a detail page."""
    return value.isoformat() if type(value) is dt.date else ""


@register.simple_tag(takes_context=True)
def byline_html(
    context: template.Context, who: Any, when: Any, added: Any, evidence: Any, note: Any
) -> SafeString:
    """includes/byline.html's markup (the byline under a page's h1 and its stale notice),
    written here: every model and hardware page shows one, and through the template
    language it took ~0.3 ms. Each value is rendered by the template's own
    render_value_in_context, dates by its date filter at the template's local time.
    tests/web/test_markup_in_python.py holds it to the markup it replaced."""
    from django.template.defaultfilters import date as date_filter
    from django.utils.timezone import template_localtime

    def show(value: Any) -> str:
        return show_value(context, value)

    def ymd(value: Any) -> str:
        return _ymd(value) or show(date_filter(template_localtime(value, context.use_tz), "Y-m-d"))

    author_url, trust_url = written_page_url("author"), written_page_url("trust")
    name = show(who or "the runlocal editors")
    out = '\n<p class="byline muted">By '
    out += f'<a href="{show(author_url)}" rel="author">{name}</a>' if author_url else name
    if when:
        out += f' · Last reviewed <time datetime="{ymd(when)}">{ymd(when)}</time>'
    if added:
        day = as_date_value(added)
        out += f' · Added <time datetime="{ymd(day)}">{ymd(day)}</time>'
    if evidence:
        title = f' title="{show(note)}"' if note else ""
        out += f' · <span class="badge badge-evidence"{title}>{show(evidence)}</span>'
        if note:
            out += f' <span class="visually-hidden">({show(note)})</span>'
        if trust_url:
            out += f' <a href="{show(trust_url)}">how we label evidence</a>'
    out += "</p>\n"
    if is_stale(when):
        out += (
            f'<p class="stale-notice" role="note">This data was last checked on {ymd(when)}, '
            "more than six months ago: versions, prices and speeds may have changed since.</p>"
        )
    return mark_safe(out)


@register.simple_tag(takes_context=True)
def provenance_html(context: template.Context, entry: Any) -> SafeString:
    """includes/provenance.html's list of sources and its "Last verified" line for a model or
    hardware entry, written here (a dozen template nodes per source on every model and
    hardware page). tests/web/test_markup_in_python.py holds it to the markup it replaced."""
    from django.template.defaultfilters import date as date_filter
    from django.template.defaultfilters import join
    from django.utils.timezone import template_localtime

    from runlocal_web.lib.templatetags import http_url

    def show(value: Any) -> str:
        return show_value(context, value)

    def field(key: str) -> Any:
        return entry.get(key, "") if isinstance(entry, dict) else getattr(entry, key, "")

    items = ""
    for u in field("sources") or ():
        link = http_url(u)
        items += (
            f'<li><a href="{show(link)}" rel="nofollow noopener">{show(u)}</a></li>'
            if link
            else f"<li>{show(u)}</li>"
        )
    verified = _ymd(field("last_verified")) or show(
        date_filter(template_localtime(field("last_verified"), context.use_tz), "Y-m-d")
    )
    line = f"Last verified {verified} by {show(field('reviewed_by'))}"
    author_url = written_page_url("author")
    if author_url:
        line += f' (<a href="{show(author_url)}" rel="author">about the editors</a>)'
    line += "."
    aliases = field("aliases")
    if aliases:
        line += f" Also known as: {show(join(aliases, ', ', autoescape=context.autoescape))}."
    return mark_safe(f'<ul class="sources">{items}</ul>\n  <p class="muted">{line}</p>')
