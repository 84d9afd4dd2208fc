"""`[[street_prices]]` in hardware files: the schema, the price a recommendation uses, and the
real catalog's prices (every one valid, dated and sourced)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from runlocal.catalog import CATALOG_DIR, Entry, catalog_root, load_catalog
from runlocal.recommend import hardware_price, street_prices
from runlocal.validate import check_hardware, check_street_prices

TODAY = dt.date(2026, 11, 26)


def _entry(rows: Any, **extra: Any) -> Entry:
    data: dict[str, Any] = {
        "id": "card",
        "name": "Card",
        "kind": "gpu",
        "segment": "consumer",
        "release_date": dt.date(2020, 9, 1),
        "launch_price_usd": 1499.0,
        **extra,
    }
    if rows is not None:
        data["street_prices"] = rows
    return Entry(
        kind="hardware",
        id="card",
        name="Card",
        aliases=(),
        sources=("https://example.org/card",),
        last_verified=TODAY,
        reviewed_by="tests",
        data=data,
        path=Path("card.toml"),
    )


def _row(**over: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "usd": 750.0,
        "condition": "used",
        "date": dt.date(2026, 5, 16),
        "source": "https://example.org/guide",
    }
    row.update(over)
    return row


def _fields(entry: Entry) -> list[str]:
    return [err.field for err in check_street_prices(entry, today=TODAY)]


def test_a_well_formed_row_passes() -> None:
    assert _fields(_entry([_row(note="$700–800 used"), _row(condition="new", usd=1499)])) == []
    assert _fields(_entry(None)) == []


@pytest.mark.parametrize(
    ("row", "field"),
    [
        (_row(condition="refurbished"), "street_prices[0].condition"),
        (_row(condition=None), "street_prices[0].condition"),
        (_row(usd="750"), "street_prices[0].usd"),
        (_row(usd=True), "street_prices[0].usd"),
        (_row(usd=7.5), "street_prices[0].usd"),  # a slipped digit: below 1/50 of launch
        (_row(usd=75000), "street_prices[0].usd"),  # above the consumer range
        (_row(date="2026-05"), "street_prices[0].date"),
        (_row(date=dt.date(2027, 1, 1)), "street_prices[0].date"),  # in the future
        (_row(date=dt.date(2019, 1, 1)), "street_prices[0].date"),  # before the release
        (_row(date=dt.datetime(2026, 5, 16, 12, 0)), "street_prices[0].date"),
        (_row(source="eBay sold listings"), "street_prices[0].source"),
        (_row(source=None), "street_prices[0].source"),
        (_row(note=""), "street_prices[0].note"),
        # A note a script wrote out as a Python tuple prints as code on the page.
        (_row(note="$700 ('clearance', 'Approx. Price (May 2026)')"), "street_prices[0].note"),
        (_row(price=700), "street_prices[0].price"),  # unknown key
    ],
)
def test_a_bad_row_is_named_by_field(row: dict[str, Any], field: str) -> None:
    entry = _entry([_row(), row])
    errors = list(check_street_prices(entry, today=TODAY))
    assert [e.field for e in errors] == [field.replace("[0]", "[1]")]
    assert "hardware/card.toml" in str(errors[0])


def test_the_range_follows_the_segment() -> None:
    datacenter = _entry([_row(usd=150.0)], segment="datacenter", launch_price_usd=5699.0)
    assert _fields(datacenter) == []
    pro = _entry([_row(usd=8500.0, condition="new")], segment="workstation", launch_price_usd=None)
    assert _fields(pro) == []
    assert _fields(_entry([_row(usd=8500.0)], launch_price_usd=None)) == [
        "street_prices[0].usd"
    ]  # a consumer card at $8,500


def test_not_an_array_of_tables() -> None:
    assert _fields(_entry([])) == ["street_prices"]
    assert _fields(_entry({"usd": 1})) == ["street_prices"]
    assert _fields(_entry(["$750"])) == ["street_prices[0]"]


def test_check_hardware_includes_street_prices() -> None:
    entry = _entry(
        [_row(condition="mint")],
        memory_gib=24,
        bandwidth_gb_s=936,
        fp16_tensor_tflops=142,
        backends=["cuda"],
    )
    assert "street_prices[0].condition" in [e.field for e in check_hardware(entry)]


def test_the_most_recent_street_price_wins() -> None:
    entry = _entry(
        [
            _row(usd=800.0, date=dt.date(2026, 2, 1)),
            _row(usd=1999.0, condition="new", date=dt.date(2026, 6, 1)),
            _row(usd="bad", date=dt.date(2026, 9, 1)),  # malformed rows are skipped
        ]
    )
    assert hardware_price(entry) == (1999.0, "street, new, 2026-06-01")
    assert [p.usd for p in street_prices(entry)] == [1999.0, 800.0]


def test_on_one_date_the_cheaper_wins() -> None:
    entry = _entry([_row(usd=1600.0, condition="new"), _row(usd=750.0)])
    assert hardware_price(entry) == (750.0, "street, used, 2026-05-16")


def test_without_street_prices_the_older_fields_apply_with_their_dates() -> None:
    assert hardware_price(_entry(None)) == (1499.0, "launch, 2020-09-01")
    assert hardware_price(_entry(None, release_date=None)) == (1499.0, "launch")
    assert hardware_price(_entry(None, street_price_usd=700.0)) == (700.0, "street")
    dated = _entry(None, street_price_usd=700.0, street_price_date=dt.date(2026, 3, 1))
    assert hardware_price(dated) == (700.0, "street, 2026-03-01")


def test_dates_stored_as_text_still_price_the_card() -> None:
    """The website reads the catalog back from its database, where dates are ISO text: the
    same street price must win there, not the launch price."""
    entry = _entry([_row(date="2026-05-16")])
    assert hardware_price(entry) == (750.0, "street, used, 2026-05-16")
    assert hardware_price(_entry(None, launch_price_usd=None)) is None


# --- the real catalog --------------------------------------------------------------------


def test_every_street_price_in_the_catalog_validates_and_is_dated(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("RUNLOCAL_CATALOG_DIR", raising=False)
    assert catalog_root() == CATALOG_DIR
    hardware = load_catalog().hardware
    priced = [e for e in hardware.values() if e.get("street_prices") is not None]
    assert len(priced) >= 15, "the catalog should price the popular local-AI hardware"
    today = dt.date.today()
    for entry in priced:
        errors = [str(err) for err in check_street_prices(entry, today=today)]
        assert errors == [], errors
        rows = entry.get("street_prices")
        parsed = street_prices(entry)
        assert len(parsed) == len(rows), f"{entry.id}: a row was not read"
        for price in parsed:
            assert isinstance(price.date, dt.date) and price.date <= today
            assert price.source.startswith("https://")
        price = hardware_price(entry)
        assert price is not None and price[1].startswith("street, "), entry.id


def test_a_note_that_names_a_repository_file_is_refused() -> None:
    from runlocal.validate import check_reader_notes

    entry = _entry(None)
    assert list(check_reader_notes(entry)) == []
    noted = Entry(**{**entry.__dict__, "data": {**entry.data, "notes": "checked by tests/x.py"}})
    assert [e.field for e in check_reader_notes(noted)] == ["notes"]
