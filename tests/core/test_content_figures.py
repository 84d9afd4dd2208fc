"""Figures in guides and quick answers come from the engine and the catalog, never typed.

A typed figure drifts ("measured 119 / 97 tok/s" beside a catalog that says 110.7 / 87.5); a
placeholder (runlocal.figures) is filled from the same answer Will it run? gives. These fail
when a written figure for an entry's own setup is typed, or when a placeholder cannot be
filled, or when the filled text and the engine disagree."""

from __future__ import annotations

import re
import tomllib
from typing import Any

import pytest

from runlocal.catalog import CATALOG_DIR, Catalog, load_catalog
from runlocal.engine import check
from runlocal.figures import FIELDS, fill, named_setups, setup_query

TEXT_FIELDS = ("answer", "summary", "body", "why")
# A figure stated for the entry's own setup: memory against its budget, or a speed labelled
# with its evidence, as the engine words them.
TYPED_MEMORY = re.compile(r"\b\d+(?:\.\d+)? GiB of (?:the )?\d+(?:\.\d+)? GiB")
TYPED_SPEED = re.compile(
    r"\b\d+(?:\.\d+)? tok/s \((?:estimated|measured|extrapolated|calibrated|measured-near)"
)
TYPED_MEASURED = re.compile(r"\*\*measured\*\* at \d")
# Any speed or memory a guide prints ("about 30 tok/s", "20.7 GiB", the 5 of "2–5 tok/s"):
# in a guide it is a placeholder unless the guide lists it in outside_figures (a figure that
# is no engine answer, such as diffusion memory math or a measurement outside the catalog).
TYPED_FIGURE = re.compile(r"(?<![\w.,])\d+(?:\.\d+)? (?:tok/s|GiB)\b")


def _entries(kind: str) -> list[tuple[str, dict[str, Any]]]:
    return [
        (p.stem, tomllib.loads(p.read_text("utf-8")))
        for p in sorted((CATALOG_DIR / kind).glob("*.toml"))
    ]


def _texts(data: dict[str, Any]) -> list[str]:
    out = [data[k] for k in TEXT_FIELDS if isinstance(data.get(k), str)]
    out += [p["why"] for p in data.get("picks", []) if isinstance(p.get("why"), str)]
    return out


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog(CATALOG_DIR)


@pytest.mark.parametrize(("stem", "data"), _entries("answers"))
def test_an_answer_types_no_figure_of_its_own_setup(stem: str, data: dict[str, Any]) -> None:
    text = data["answer"]
    assert not TYPED_MEMORY.search(text), f"{stem}: {TYPED_MEMORY.search(text)}"
    assert not TYPED_SPEED.search(text), f"{stem}: {TYPED_SPEED.search(text)}"


@pytest.mark.parametrize(("stem", "data"), _entries("answers") + _entries("guides"))
def test_no_measurement_is_typed_and_every_placeholder_fills(
    stem: str, data: dict[str, Any], catalog: Catalog
) -> None:
    for text in _texts(data):
        assert not TYPED_MEASURED.search(text), f"{stem}: {TYPED_MEASURED.search(text)}"
        filled = fill(text, named_setups(data), catalog)  # raises on a broken placeholder
        assert "{{" not in filled


@pytest.mark.parametrize(("stem", "data"), _entries("answers"))
def test_an_answer_quotes_the_engines_numbers(
    stem: str, data: dict[str, Any], catalog: Catalog
) -> None:
    text = data["answer"]
    r = check(setup_query(data), catalog, allow_files=False).to_dict()
    filled = fill(text, named_setups(data), catalog)
    for field in ("memory", "decode", "prefill", "max_context"):
        if "{{ this." + field + " }}" in text:
            assert FIELDS[field](r) in filled, (stem, field)


def test_a_placeholder_names_a_setup_and_a_field(catalog: Catalog) -> None:
    from runlocal.errors import InputError

    setups = {"this": {"model": "llama-3-8b", "hardware": "nvidia-rtx-4090", "quant": "Q4_K_M"}}
    r = check(setup_query(setups["this"]), catalog, allow_files=False).to_dict()
    assert fill("{{ this.decode }} tok/s", setups, catalog) == f"{FIELDS['decode'](r)} tok/s"
    for bad in ("{{ that.decode }}", "{{ this.colour }}", "{{ price:no-such-card }}"):
        with pytest.raises(InputError):
            fill(bad, setups, catalog)
    assert fill("{{ that.decode }}", setups, catalog, on_error=lambda t, e: "—") == "—"
    assert fill("{{ price:nvidia-rtx-3090 }}", setups, catalog).startswith("$")


def test_the_guides_measured_figures_are_the_engines(catalog: Catalog) -> None:
    """The figure a guide quotes as measured is the one Will it run? shows for that setup."""
    for stem, data in _entries("guides"):
        for name, setup in named_setups(data).items():
            r = check(setup_query(setup), catalog, allow_files=False).to_dict()
            body = str(data.get("body") or "")
            if "{{ " + name + ".decode }}" in body:
                assert FIELDS["decode"](r) in fill(body, named_setups(data), catalog), stem


@pytest.mark.parametrize(("stem", "data"), _entries("guides"))
def test_a_guide_types_no_speed_or_memory(stem: str, data: dict[str, Any]) -> None:
    outside = set(data.get("outside_figures") or [])
    typed = {m.group(0) for text in _texts(data) for m in TYPED_FIGURE.finditer(text)}
    assert typed <= outside, f"{stem}: typed figures {sorted(typed - outside)}"
    assert outside <= typed, f"{stem}: outside_figures not in the text {sorted(outside - typed)}"


@pytest.mark.parametrize(("stem", "data"), _entries("guides"))
def test_a_guides_figures_are_the_engines(
    stem: str, data: dict[str, Any], catalog: Catalog
) -> None:
    """Every {{ setup.field }} a guide prints is what Will it run? answers for that setup."""
    setups = named_setups(data)
    for text in _texts(data):
        filled = fill(text, setups, catalog)
        for name, field in re.findall(r"\{\{\s*([\w.-]+)\.(\w+)\s*\}\}", text):
            r = check(setup_query(setups[name]), catalog, allow_files=False).to_dict()
            assert FIELDS[field](r) in filled, (stem, name, field)


def test_the_typed_figure_rule_catches_what_it_should() -> None:
    found = [m.group(0) for m in TYPED_FIGURE.finditer("about 30 tok/s, 2–5 tok/s, 20.7 GiB")]
    assert found == ["30 tok/s", "5 tok/s", "20.7 GiB"]
    assert not TYPED_FIGURE.search("{{ a.decode }} tok/s and {{ a.memory }}, 1,790 GB/s")
