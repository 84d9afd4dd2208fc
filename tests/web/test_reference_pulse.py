"""Pulse: the catalog's change log by day, newest first, and its Atom feed."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from runlocal_web.catalogdb.models import Change

from . import factory
from .factory import glossary, reference_catalog

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def ref(catalog_dir: Path, db) -> Path:
    reference_catalog(catalog_dir)
    factory.sync()
    return catalog_dir


@pytest.fixture
def history(ref: Path) -> Path:
    """The first sync (all added) moved to 3 March; an update and a removal on 5 March."""
    Change.objects.update(at=dt.datetime(2026, 3, 3, 9, 0, tzinfo=dt.UTC))
    glossary(ref, short="Keys and values of every token so far, kept per layer.")
    (ref / "errors" / "ollama-model-not-found.toml").unlink()
    factory.sync()
    Change.objects.filter(at__gt=dt.datetime(2026, 3, 4, tzinfo=dt.UTC)).update(
        at=dt.datetime(2026, 3, 5, 12, 30, tzinfo=dt.UTC)
    )
    return ref


def pulse(client, query: str = "") -> dict:
    r = client.get(f"/pulse/?{query}&format=json")
    assert r.status_code == 200, r.content[:300]
    return r.json()


def test_it_groups_changes_by_day_newest_first(client, history) -> None:
    doc = pulse(client)
    assert [d["date"] for d in doc["days"]] == ["2026-03-05", "2026-03-03"]
    newest = {(c["kind"], c["entity_id"]): c for c in doc["days"][0]["changes"]}
    updated = newest["glossary", "kv-cache"]
    assert updated["action"] == "updated" and "short" in updated["fields"]
    assert updated["url"] == "/glossary/kv-cache/"
    removed = newest["errors", "ollama-model-not-found"]
    assert removed["action"] == "deleted" and removed["url"] is None
    assert doc["days"][0]["counts"] == {"added": 0, "updated": 1, "deleted": 1}
    first = doc["days"][1]["changes"]
    assert {c["action"] for c in first} == {"added"}
    assert doc["count"] == Change.objects.count()
    html = client.get("/pulse/").content.decode()
    assert '<time datetime="2026-03-05">5 March 2026</time>' in html
    assert '<a href="/glossary/kv-cache/">KV cache</a>' in html
    assert html.index("2026-03-05") < html.index("2026-03-03")


def test_it_filters_pulse_by_kind_and_action(client, history) -> None:
    doc = pulse(client, "kind=glossary")
    kinds = {c["kind"] for d in doc["days"] for c in d["changes"]}
    assert kinds == {"glossary"}
    doc = pulse(client, "action=deleted")
    assert [c["entity_id"] for d in doc["days"] for c in d["changes"]] == ["ollama-model-not-found"]
    assert doc["feed_url"] == "/pulse/feed.atom?action=deleted"
    assert client.get("/pulse/?kind=everything").status_code == 400


def test_it_links_every_added_entry_to_its_page(client, ref) -> None:
    doc = pulse(client)
    urls = [c["url"] for d in doc["days"] for c in d["changes"]]
    assert "/tools/llama-cpp/" in urls and "/models/testllama-8b/" in urls
    assert "/learn/local-ai-basics/" in urls and "/trust/" in urls


def test_it_says_when_nothing_has_changed_yet(client, db) -> None:
    r = client.get("/pulse/")
    assert r.status_code == 200
    assert b"No change has been recorded yet" in r.content


def feed(client, query: str = "") -> ET.Element:
    r = client.get(f"/pulse/feed.atom{query}")
    assert r.status_code == 200
    assert r["Content-Type"] == "application/atom+xml; charset=utf-8"
    return ET.fromstring(r.content)


def test_it_publishes_a_valid_atom_feed(client, history) -> None:
    root = feed(client)
    assert root.tag == f"{ATOM}feed"
    assert root.find(f"{ATOM}id").text.startswith("tag:testserver,2026:")
    assert root.find(f"{ATOM}title").text == "runlocal Pulse"
    assert root.find(f"{ATOM}updated").text == "2026-03-05T12:30:00Z"
    assert root.find(f"{ATOM}author/{ATOM}name").text
    self_link = root.find(f"{ATOM}link[@rel='self']")
    assert self_link.get("href") == "http://testserver/pulse/feed.atom"
    entries = root.findall(f"{ATOM}entry")
    assert 0 < len(entries) <= 50
    ids = [e.find(f"{ATOM}id").text for e in entries]
    assert len(ids) == len(set(ids))
    for e in entries:
        assert e.find(f"{ATOM}title").text
        assert e.find(f"{ATOM}id").text.startswith("tag:testserver,2026-03-0")
        dt.datetime.strptime(e.find(f"{ATOM}updated").text, "%Y-%m-%dT%H:%M:%SZ")
        assert e.find(f"{ATOM}link").get("href").startswith("http://testserver/")
    first = entries[0]
    assert first.find(f"{ATOM}updated").text == "2026-03-05T12:30:00Z"


def test_it_keeps_entry_ids_stable_between_fetches(client, history) -> None:
    one = [e.find(f"{ATOM}id").text for e in feed(client).findall(f"{ATOM}entry")]
    two = [e.find(f"{ATOM}id").text for e in feed(client).findall(f"{ATOM}entry")]
    assert one == two


def test_it_filters_the_feed_by_kind(client, history) -> None:
    root = feed(client, "?kind=errors")
    assert root.find(f"{ATOM}title").text == "runlocal Pulse: Errors KB"
    cats = {e.find(f"{ATOM}category").get("term") for e in root.findall(f"{ATOM}entry")}
    assert cats == {"errors"}
    assert client.get("/pulse/feed.atom?kind=nonsense").status_code == 400


def test_it_serves_an_empty_feed_before_the_first_sync(client, db) -> None:
    root = feed(client)
    assert root.findall(f"{ATOM}entry") == []
    assert root.find(f"{ATOM}updated").text


def test_it_pages_a_long_day_and_counts_the_whole_day(client, history, monkeypatch) -> None:
    from runlocal_web.reference.views import pulse as pulse_view

    monkeypatch.setattr(pulse_view, "PER_PAGE", 5)
    first_day_total = Change.objects.filter(action="added").count()
    doc = pulse(client)
    assert doc["pagination"]["pages"] > 1
    assert doc["pagination"]["next"] == "/pulse/?page=2"
    last = pulse(client, f"page={doc['pagination']['pages']}")
    assert last["days"][-1]["date"] == "2026-03-03"
    assert last["days"][-1]["counts"]["added"] == first_day_total
    assert client.get(doc["pagination"]["next"]).status_code == 200


def test_a_fresh_install_dates_changes_by_the_catalog_not_the_install(client, ref) -> None:
    """The first sync adds every entry at once; Pulse, the feed and the footer's "last
    changed" still show each entry's own date (its last_verified), not the install date."""
    from runlocal_web.catalogdb.models import SyncState

    today = dt.datetime.now(dt.UTC).date()
    days = {c.at.date() for c in Change.objects.all()}
    assert days and today not in days
    state = SyncState.objects.get(pk=1)
    assert state.changed_at.date() == max(days)
    html = client.get("/pulse/").content.decode()
    assert f'<time datetime="{today.isoformat()}">' not in html


@pytest.fixture
def today(catalog_dir: Path, db) -> dt.date:
    """Records carrying their own `added` dates around today (the reference catalog's others
    carry none); returns today."""
    from django.utils import timezone

    today = timezone.localdate()
    reference_catalog(catalog_dir)
    factory.model(catalog_dir, added=today - dt.timedelta(days=3))
    glossary(catalog_dir, added=today - dt.timedelta(days=10))
    factory.hardware(catalog_dir, added=today - dt.timedelta(days=40))
    factory.sync()
    return today


def test_it_lists_what_the_catalog_says_was_added_newest_first(client, today) -> None:
    new = pulse(client)["new"]
    assert new["basis"] == "In the last 30 days"
    assert [(e["entity_id"], e["added"]) for e in new["entries"]] == [
        ("testllama-8b", (today - dt.timedelta(days=3)).isoformat()),
        ("kv-cache", (today - dt.timedelta(days=10)).isoformat()),
    ]  # the 40-day-old GPU is not new; records without `added` are never announced
    assert [e["url"] for e in new["entries"]] == ["/models/testllama-8b/", "/glossary/kv-cache/"]
    html = client.get("/pulse/").content.decode()
    assert '<h2 id="new-entries">New in the catalog</h2>' in html
    assert html.index('<a href="/models/testllama-8b/">') < html.index("/glossary/kv-cache/")
    by_kind = pulse(client, "kind=glossary")["new"]["entries"]
    assert [e["entity_id"] for e in by_kind] == ["kv-cache"]
    assert pulse(client, "action=deleted")["new"]["entries"] == []


def test_new_starts_after_the_last_digest_sent(client, catalog_dir, today) -> None:
    from runlocal_web.community.models import DigestIssue

    first = today.replace(day=1)
    last_month = first - dt.timedelta(days=1)
    DigestIssue.objects.create(
        month=f"{last_month:%Y-%m}", subject="digest", sent_at=dt.datetime.now(dt.UTC)
    )
    factory.model(catalog_dir, added=first)
    glossary(catalog_dir, added=last_month)  # announced by last month's digest
    factory.sync()
    new = pulse(client)["new"]
    assert new["since"] == first.isoformat()
    assert new["basis"] == f"Since the {last_month:%B %Y} digest"
    assert [e["entity_id"] for e in new["entries"]] == ["testllama-8b"]
