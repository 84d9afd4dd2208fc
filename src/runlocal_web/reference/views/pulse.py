"""Pulse: what is new in the catalog since the last digest (each record's own `added` date),
then the dated log of catalog changes (every sync records what it added, updated or
removed), grouped by day, newest first, and the same as an Atom feed."""

from __future__ import annotations

import datetime as dt
from typing import Any
from xml.sax.saxutils import escape

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Count, QuerySet
from django.db.models.functions import TruncDate
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone

from runlocal_web.catalogdb.models import Change
from runlocal_web.catalogdb.store import current_catalog
from runlocal_web.community.digest import next_month, previous_issue_end
from runlocal_web.lib.pages import Page, page_of, path_with_query, respond

from ..additions import additions
from ..content import KIND_LABELS, entity_url
from ..forms import PulseFilterForm

PER_PAGE = 200
FEED_ENTRIES = 50
ACTION_LABELS = {"added": "Added", "updated": "Updated", "deleted": "Removed"}
# Without a digest sent yet, "new" means added in the last NEW_DAYS days.
NEW_DAYS = 30
NEW_SHOWN = 100


def new_since(today: dt.date) -> tuple[dt.date, str]:
    """Where "new" starts: the day after the month of the last digest sent (what the next
    issue will announce), else NEW_DAYS ago; and how to say so."""
    since = previous_issue_end(next_month(today.replace(day=1)))
    if since is not None:
        last = since - dt.timedelta(days=1)
        return since, f"Since the {last:%B %Y} digest"
    return today - dt.timedelta(days=NEW_DAYS), f"In the last {NEW_DAYS} days"


def _new_entries(form: PulseFilterForm) -> dict[str, Any]:
    """Records the catalog says were added since new_since(), newest first."""
    since, basis = new_since(timezone.localdate())
    kinds: tuple[str, ...] | None = None
    if form.is_bound and form.is_valid():
        if form.cleaned_data.get("action") not in (None, "", Change.ADDED):
            kinds = ()
        elif form.cleaned_data.get("kind"):
            kinds = (form.cleaned_data["kind"],)
    found = additions(current_catalog(), since, **({} if kinds is None else {"kinds": kinds}))
    return {
        "since": since,
        "basis": basis,
        "count": len(found),
        "entries": [a.to_dict() for a in found[:NEW_SHOWN]],
    }


def _changes(form: PulseFilterForm) -> QuerySet[Change]:
    qs = Change.objects.order_by("-at", "kind", "entity_id", "-pk")
    if form.is_bound and form.is_valid():
        if form.cleaned_data.get("kind"):
            qs = qs.filter(kind=form.cleaned_data["kind"])
        if form.cleaned_data.get("action"):
            qs = qs.filter(action=form.cleaned_data["action"])
    return qs


def change_dict(c: Change) -> dict[str, Any]:
    url = entity_url(c.kind, c.entity_id) if c.action != Change.DELETED else None
    return {
        "id": c.pk,
        "at": c.at,
        "kind": c.kind,
        "kind_label": KIND_LABELS.get(c.kind, c.kind),
        "entity_id": c.entity_id,
        "name": c.name,
        "action": c.action,
        "action_label": ACTION_LABELS.get(c.action, c.action),
        "fields": [str(f) for f in c.fields] if isinstance(c.fields, list) else [],
        "url": url,
    }


def pulse(request: HttpRequest) -> HttpResponse:
    path = reverse("reference:pulse")
    form = PulseFilterForm(request.GET or None)
    status = 400 if form.is_bound and not form.is_valid() else 200
    paginator = Paginator(_changes(form), PER_PAGE)
    page_obj = page_of(paginator, request)
    filters = form.active()
    days: dict[dt.date, list[dict[str, Any]]] = {}
    for c in page_obj.object_list:
        days.setdefault(timezone.localtime(c.at).date(), []).append(change_dict(c))
    counts = _day_counts(_changes(form), list(days))
    pagination: dict[str, Any] = {"page": page_obj.number, "pages": paginator.num_pages}
    if page_obj.has_previous():
        pagination["previous"] = path_with_query(
            path, {**filters, "page": page_obj.previous_page_number()}
        )
    if page_obj.has_next():
        pagination["next"] = path_with_query(path, {**filters, "page": page_obj.next_page_number()})
    feed = path_with_query(reverse("reference:pulse_feed"), filters)
    page = Page(
        title="Pulse: what changed in the runlocal catalog",
        description=(
            "What is new in the catalog, then every change, newest first: models, hardware, "
            "benchmarks, tools, glossary terms, errors and guides added, updated or removed."
        ),
        breadcrumbs=[("Home", "/"), ("Pulse", path)],
        canonical_path=path,
        noindex=bool(filters) or page_obj.number > 1 or status != 200,
    )
    data: dict[str, Any] = {
        "filters": filters,
        "new": _new_entries(form) if page_obj.number == 1 else None,
        "count": paginator.count,
        "pagination": pagination,
        "feed_url": feed,
        "days": [
            {
                "date": day,
                "counts": counts.get(day, {}),
                "changes": changes,
            }
            for day, changes in days.items()
        ],
    }
    if status != 200:
        data["errors"] = {k: list(v) for k, v in form.errors.items()}
    context = {"form": form}
    return respond(request, "reference/pulse.html", page, data, context=context, status=status)


def _day_counts(qs: QuerySet[Change], days: list[dt.date]) -> dict[dt.date, dict[str, int]]:
    """Changes per day and action over the whole day, even when a page holds part of it."""
    out: dict[dt.date, dict[str, int]] = {d: {"added": 0, "updated": 0, "deleted": 0} for d in days}
    if not days:
        return out
    rows = (
        qs.annotate(day=TruncDate("at"))
        .filter(day__in=days)
        .order_by()
        .values("day", "action")
        .annotate(n=Count("pk"))
    )
    for row in rows:
        if row["day"] in out:
            out[row["day"]][row["action"]] = row["n"]
    return out


def _base(request: HttpRequest) -> str:
    return settings.SITE_URL or request.build_absolute_uri("/").rstrip("/")


def _tag_authority(base: str) -> str:
    host = base.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]
    return host or "localhost"


def _iso(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def pulse_feed(request: HttpRequest) -> HttpResponse:
    """Atom 1.0 (RFC 4287): every entry has a permanent tag: id and an updated date."""
    form = PulseFilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        message = "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items())
        return HttpResponse(message + "\n", status=400, content_type="text/plain; charset=utf-8")
    base = _base(request)
    authority = _tag_authority(base)
    filters = form.active()
    changes = list(_changes(form)[:FEED_ENTRIES])
    self_url = base + path_with_query(reverse("reference:pulse_feed"), filters)
    pulse_url = base + path_with_query(reverse("reference:pulse"), filters)
    updated = changes[0].at if changes else _epoch()
    what = KIND_LABELS.get(filters.get("kind", ""), "")
    title = "runlocal Pulse" + (f": {what}" if what else "")
    out = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom">',
        f"<title>{escape(title)}</title>",
        "<subtitle>Changes to the runlocal catalog, newest first.</subtitle>",
        f"<id>tag:{authority},2026:runlocal/pulse{escape(_suffix(filters))}</id>",
        f'<link rel="self" type="application/atom+xml" href="{escape(self_url)}"/>',
        f'<link rel="alternate" type="text/html" href="{escape(pulse_url)}"/>',
        f"<updated>{_iso(updated)}</updated>",
        "<author><name>runlocal editors</name></author>",
    ]
    for c in changes:
        d = change_dict(c)
        href = base + (d["url"] or f"{reverse('reference:pulse')}#change-{c.pk}")
        entry_title = f"{d['action_label']}: {d['name']} ({d['kind_label']})"
        summary = entry_title
        if d["fields"]:
            summary += " — changed: " + ", ".join(d["fields"][:12])
        out += [
            "<entry>",
            f"<title>{escape(entry_title)}</title>",
            f"<id>tag:{authority},{c.at.astimezone(dt.UTC):%Y-%m-%d}:runlocal/change/{c.pk}</id>",
            f'<link rel="alternate" type="text/html" href="{escape(href)}"/>',
            f"<updated>{_iso(c.at)}</updated>",
            f'<category term="{escape(c.kind)}" label="{escape(d["kind_label"])}"/>',
            f"<summary>{escape(summary)}</summary>",
            "</entry>",
        ]
    out.append("</feed>")
    return HttpResponse("\n".join(out) + "\n", content_type="application/atom+xml; charset=utf-8")


def _suffix(filters: dict[str, str]) -> str:
    return "".join(f"/{k}/{v}" for k, v in sorted(filters.items()))


def _epoch() -> dt.datetime:
    return dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
