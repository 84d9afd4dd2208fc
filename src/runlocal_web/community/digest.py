"""The monthly digest: what entered the catalog since the previous issue, and one month of
Pulse (catalog Change rows) summed up per entry.

New entries are the records whose own `added` date (docs/catalog-format.md) falls after the
month of the last digest sent and before the end of this one, newest first; a record without
an `added` date counts as new when the log shows it first added in the period. An entry
changed several times appears once, by its net effect: removed is removed (unless it was also
added in the period, then it is left out); otherwise it is updated, with every field that
changed.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from django.template.loader import render_to_string
from django.urls import reverse

from runlocal.catalog import KINDS, Catalog
from runlocal_web.catalogdb.models import Change
from runlocal_web.catalogdb.store import current_catalog
from runlocal_web.community.models import DigestIssue
from runlocal_web.lib.dates import as_date
from runlocal_web.reference.additions import additions
from runlocal_web.reference.content import KIND_LABELS, entity_url

MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")
SINGULAR = {
    "models": "Model",
    "hardware": "Hardware",
    "benchmarks": "Benchmark",
    "runtimes": "Tool",
    "prices": "Price",
    "glossary": "Glossary term",
    "errors": "Error",
    "guides": "Buyer guide",
    "learn": "Course",
    "kits": "Prompting kit",
    "answers": "Quick answer",
    "pages": "Editorial page",
}


class BadMonth(ValueError):
    pass


def parse_month(text: str) -> dt.date:
    """'2026-03' → 1 March 2026; BadMonth with a one-line reason otherwise."""
    m = MONTH_RE.match(text.strip())
    if m:
        year, month = int(m.group(1)), int(m.group(2))
        if 1 <= month <= 12 and year >= 2000:
            return dt.date(year, month, 1)
    raise BadMonth(f"--month {text!r}: expected a month as YYYY-MM, e.g. 2026-03")


def next_month(first: dt.date) -> dt.date:
    return dt.date(first.year + first.month // 12, first.month % 12 + 1, 1)


def month_bounds(first: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The month in UTC (the site's TIME_ZONE), start inclusive, end exclusive."""
    start = dt.datetime(first.year, first.month, 1, tzinfo=dt.UTC)
    end_day = next_month(first)
    return start, dt.datetime(end_day.year, end_day.month, 1, tzinfo=dt.UTC)


def previous_issue_end(first: dt.date) -> dt.date | None:
    """The first day after the month of the last digest sent for a month before ``first``'s
    (None when none was): where the next issue's news starts."""
    last = (
        DigestIssue.objects.filter(sent_at__isnull=False, month__lt=f"{first:%Y-%m}")
        .order_by("-month")
        .values_list("month", flat=True)
        .first()
    )
    if last is None:
        return None
    try:
        return next_month(parse_month(last))
    except BadMonth:
        return None


@dataclass
class Item:
    kind: str
    entity_id: str
    name: str
    url: str | None  # absolute; None for removed entries and kinds without pages
    fields: list[str] = field(default_factory=list)
    added: dt.date | None = None  # new entries: the record's `added` (else the log's date)

    @property
    def kind_label(self) -> str:
        return SINGULAR.get(self.kind, KIND_LABELS.get(self.kind, self.kind))

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "kind_label": self.kind_label,
            "entity_id": self.entity_id,
            "name": self.name,
            "url": self.url,
            "fields": self.fields,
            "added": self.added.isoformat() if self.added else None,
        }


@dataclass
class Digest:
    month: dt.date
    site_url: str
    since: dt.date | None = None  # first day covered, when before the month (issues skipped)
    new_models: list[Item] = field(default_factory=list)
    new_hardware: list[Item] = field(default_factory=list)
    new_other: list[Item] = field(default_factory=list)
    updated: list[Item] = field(default_factory=list)
    removed: list[Item] = field(default_factory=list)

    @property
    def key(self) -> str:
        return f"{self.month:%Y-%m}"

    @property
    def label(self) -> str:
        return f"{self.month:%B %Y}"

    @property
    def period(self) -> str:
        """What the issue covers: the month, or from the day after the previous issue."""
        if self.since is None or self.since >= self.month:
            return self.label
        last = next_month(self.month) - dt.timedelta(days=1)
        return f"{self.since.day} {self.since:%B %Y} to {last.day} {last:%B %Y}"

    @property
    def subject(self) -> str:
        return f"runlocal monthly digest: {self.label}"

    @property
    def count(self) -> int:
        return sum(len(s["items"]) for s in self.sections())

    @property
    def is_empty(self) -> bool:
        return self.count == 0

    @property
    def pulse_url(self) -> str:
        return self.site_url + reverse("reference:pulse")

    def sections(self) -> list[dict[str, Any]]:
        """Non-empty groups in reading order, each {key, title, items}."""
        groups = [
            ("new_models", "New models", self.new_models),
            ("new_hardware", "New hardware", self.new_hardware),
            ("new_other", "Also new", self.new_other),
            ("updated", "Updated", self.updated),
            ("removed", "Removed", self.removed),
        ]
        return [{"key": k, "title": t, "items": items} for k, t, items in groups if items]

    def summary(self) -> str:
        """'2 new models, 1 new hardware entry, 3 updates and 1 removal'."""
        parts = []
        n_new = len(self.new_models)
        if n_new:
            parts.append(f"{n_new} new model{'s' if n_new != 1 else ''}")
        n_hw = len(self.new_hardware)
        if n_hw:
            parts.append(f"{n_hw} new hardware entr{'ies' if n_hw != 1 else 'y'}")
        n_other = len(self.new_other)
        if n_other:
            parts.append(f"{n_other} other new entr{'ies' if n_other != 1 else 'y'}")
        n_up = len(self.updated)
        if n_up:
            parts.append(f"{n_up} update{'s' if n_up != 1 else ''}")
        n_rm = len(self.removed)
        if n_rm:
            parts.append(f"{n_rm} removal{'s' if n_rm != 1 else ''}")
        if not parts:
            return "no catalog changes"
        return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]

    def to_dict(self) -> dict[str, Any]:
        return {
            "month": self.key,
            "period": self.period,
            "subject": self.subject,
            "summary": self.summary(),
            "sections": [
                {"key": s["key"], "title": s["title"], "items": [i.to_dict() for i in s["items"]]}
                for s in self.sections()
            ],
        }


def compose(first: dt.date, site_url: str, catalog: Catalog | None = None) -> Digest:
    since = previous_issue_end(first) or first
    _, end = month_bounds(first)
    start = dt.datetime(since.year, since.month, since.day, tzinfo=dt.UTC)
    catalog = current_catalog() if catalog is None else catalog
    digest = Digest(month=first, site_url=site_url, since=since)
    announced: set[tuple[str, str]] = set()

    def new(item: Item) -> None:
        if item.kind == "models":
            digest.new_models.append(item)
        elif item.kind == "hardware":
            digest.new_hardware.append(item)
        else:
            digest.new_other.append(item)

    for a in additions(catalog, since, next_month(first)):
        announced.add((a.kind, a.entity_id))
        new(Item(a.kind, a.entity_id, a.name, site_url + a.path if a.path else None, added=a.added))

    def dated(kind: str, eid: str) -> bool:
        entry = catalog.entries(kind).get(eid) if kind in KINDS else None
        return entry is not None and as_date(entry.get("added")) is not None

    rows = Change.objects.filter(at__gte=start, at__lt=end).order_by("at", "pk")
    history: dict[tuple[str, str], list[Change]] = {}
    for c in rows:
        history.setdefault((c.kind, c.entity_id), []).append(c)
    for (kind, eid), changes in history.items():
        first_action, last = changes[0].action, changes[-1]
        if last.action == Change.DELETED:
            if first_action == Change.ADDED:
                continue  # came and went within the period
            digest.removed.append(Item(kind, eid, last.name, None))
            continue
        if (kind, eid) in announced:
            continue  # new (and perhaps edited since): announced once, as new
        path = entity_url(kind, eid)
        item = Item(kind, eid, last.name, site_url + path if path else None)
        if first_action == Change.ADDED:
            if not dated(kind, eid):  # no `added` in the record: the log's date stands
                item.added = changes[0].at.date()
                new(item)
            continue  # the record dates itself outside the period: a re-sync, not news
        fields: list[str] = []
        for c in changes:
            for f in c.fields if isinstance(c.fields, list) else []:
                if str(f) not in fields:
                    fields.append(str(f))
        item.fields = sorted(fields)
        digest.updated.append(item)
    order = list(SINGULAR)
    for items in (digest.updated, digest.removed):
        items.sort(key=lambda i: (order.index(i.kind) if i.kind in order else 99, i.name.lower()))
    for items in (digest.new_models, digest.new_hardware, digest.new_other):
        items.sort(key=lambda i: i.name.lower())
        items.sort(key=lambda i: i.added or dt.date.min, reverse=True)  # newest first
    return digest


def render(digest: Digest, unsubscribe_url: str) -> tuple[str, str]:
    """(plain text, HTML) of the digest for one reader."""
    context = {"digest": digest, "unsubscribe_url": unsubscribe_url}
    text = render_to_string("community/email/digest.txt", context)
    html = render_to_string("community/email/digest.html", context)
    return text, html
