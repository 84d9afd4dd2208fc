"""Pages say when a record was added and, plainly, when its data is over six months old."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from runlocal_web.reference.templatetags.reference_tags import add_months, is_stale

from . import factory


def test_six_months_are_calendar_months() -> None:
    assert add_months(dt.date(2026, 1, 15), 6) == dt.date(2026, 7, 15)
    assert add_months(dt.date(2025, 8, 31), 6) == dt.date(2026, 2, 28)
    assert not is_stale(dt.date(2026, 1, 15), "2026-07-15")
    assert is_stale(dt.date(2026, 1, 15), "2026-07-16")
    assert is_stale("2026-01-15", "2027-01-01")
    assert not is_stale(None)
    assert not is_stale("not a date")


def test_an_old_record_carries_the_notice_and_a_fresh_one_does_not(
    client, catalog_dir: Path, db
) -> None:
    today = dt.date.today()
    factory.model(
        catalog_dir, last_verified=today - dt.timedelta(days=400), added=dt.date(2025, 1, 2)
    )
    factory.hardware(catalog_dir, last_verified=today, added=today)
    factory.sync()

    old = client.get("/models/testllama-8b/").content.decode()
    assert 'class="stale-notice"' in old and "more than six months ago" in old
    assert 'Added <time datetime="2025-01-02">' in old

    fresh = client.get("/hardware/testgpu-24gb/").content.decode()
    assert 'class="stale-notice"' not in fresh
    assert f'Added <time datetime="{today.isoformat()}">' in fresh


def test_a_price_observed_over_six_months_ago_says_so_beside_its_date() -> None:
    """Every record's "Last reviewed" date was recent while most of its prices had been seen
    more than six months before: the review date hid their age, so each dated price says it."""
    from runlocal_web.reference.templatetags.reference_tags import STALE_OBSERVATION, stale_mark

    assert stale_mark("2026-01-15", "2026-07-16") == STALE_OBSERVATION
    assert stale_mark(dt.date(2026, 1, 15), "2026-07-15") == ""
    assert stale_mark("", "2026-07-16") == "" and stale_mark(None) == ""


def test_the_cost_page_and_the_hardware_page_mark_old_prices_only(
    client, catalog_dir: Path, db
) -> None:
    today = dt.date.today()
    old = today - dt.timedelta(days=400)
    factory.tools_catalog(catalog_dir)
    factory.cloud_gpu(catalog_dir, observed=old)
    factory.api_price(catalog_dir, observed=today)
    factory.hardware(
        catalog_dir,
        street_prices=[
            {"usd": 900.0, "condition": "used", "date": old, "source": "https://example.org/a"},
            {"usd": 1500.0, "condition": "new", "date": today, "source": "https://example.org/b"},
        ],
    )
    factory.sync()
    mark = "(over six months old)"
    cost = client.get(
        "/cost/", {"hardware": "testgpu-24gb", "model": "testllama-8b"}
    ).content.decode()
    assert f'{old.isoformat()} <span class="stale">{mark}</span>' in cost
    assert f"{today.isoformat()} <span" not in cost
    page = client.get("/hardware/testgpu-24gb/").content.decode()
    assert f'as of {old.isoformat()} <span class="stale">{mark}</span>' in page
    assert f"as of {today.isoformat()} (" in page


def test_street_date_reads_a_street_price_basis_only() -> None:
    from runlocal_web.reference.templatetags.reference_tags import street_date

    assert street_date("street, used, 2025-03-01") == dt.date(2025, 3, 1)
    assert street_date("street, 2025-03-01") == dt.date(2025, 3, 1)
    assert street_date("catalog price: street, new, 2025-03-01") == dt.date(2025, 3, 1)
    assert street_date("launch, 2020-09-17") is None  # a release date, not an observation
    assert street_date("street") is None and street_date(None) is None
    assert street_date("given") is None


def _tools_and_a_used_street_price(catalog_dir: Path, seen: dt.date) -> None:
    """The tools' catalog and the test GPU with one used street price, seen on ``seen``."""
    factory.tools_catalog(catalog_dir)
    factory.hardware(
        catalog_dir,
        street_prices=[
            {"usd": 900.0, "condition": "used", "date": seen, "source": "https://example.org/a"}
        ],
    )
    factory.sync()


def test_choose_my_gpu_and_the_cost_purchase_mark_an_old_street_price(
    client, catalog_dir: Path, db
) -> None:
    """Choose my GPU's "street, <date>" basis gets the hardware page's marker (the same
    stale_mark), as does the Cost page's purchase price; a recent one does not."""
    old = dt.date.today() - dt.timedelta(days=400)
    _tools_and_a_used_street_price(catalog_dir, old)
    mark = '<span class="stale">(over six months old)</span>'
    choose = client.get(
        "/choose-my-gpu/", {"budget_usd": "5000", "model": "testllama-8b"}
    ).content.decode()
    assert f"(street, used, {old.isoformat()})</span> {mark}" in choose
    cost = client.get(
        "/cost/", {"hardware": "testgpu-24gb", "model": "testllama-8b"}
    ).content.decode()
    assert f"(catalog price: street, used, {old.isoformat()}) {mark}" in cost


def test_choose_my_gpu_leaves_a_recent_street_price_unmarked(client, catalog_dir: Path, db) -> None:
    today = dt.date.today()
    _tools_and_a_used_street_price(catalog_dir, today)
    choose = client.get(
        "/choose-my-gpu/", {"budget_usd": "5000", "model": "testllama-8b"}
    ).content.decode()
    assert f"(street, used, {today.isoformat()})</span></dd>" in choose
    assert "over six months old" not in choose


def test_the_compare_price_line_marks_an_old_street_price_only(
    client, catalog_dir: Path, db
) -> None:
    """Compare's price cell gets the same stale_mark as the hardware, Cost and Choose pages."""
    old = dt.date.today() - dt.timedelta(days=400)
    _tools_and_a_used_street_price(catalog_dir, old)
    page = client.get("/compare/", {"hw": ["testgpu-24gb", "testmac-m9-max"]}).content.decode()
    mark = '<span class="stale">(over six months old)</span>'
    assert f"<td>$900 (street, used, {old.isoformat()}) {mark}</td>" in page


def test_the_compare_price_line_leaves_a_recent_street_price_unmarked(
    client, catalog_dir: Path, db
) -> None:
    today = dt.date.today()
    _tools_and_a_used_street_price(catalog_dir, today)
    page = client.get("/compare/", {"hw": ["testgpu-24gb", "testmac-m9-max"]}).content.decode()
    assert f"<td>$900 (street, used, {today.isoformat()})</td>" in page
    assert "over six months old" not in page
