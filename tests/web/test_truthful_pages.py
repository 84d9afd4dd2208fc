"""Small truths on the packaged catalog's pages: names not ids, no repository paths, columns
that hold something, one memory pool counted once on unified-memory machines."""

from __future__ import annotations

from html import unescape

import pytest
from django.test import Client

from runlocal.catalog import CATALOG_DIR, load_catalog
from runlocal.hardware import parse_hardware

from . import factory

pytestmark = pytest.mark.django_db


@pytest.fixture
def real(settings, monkeypatch, db) -> None:
    monkeypatch.delenv("RUNLOCAL_CATALOG_DIR", raising=False)
    settings.RUNLOCAL_CATALOG_DIR = CATALOG_DIR
    settings.RUNLOCAL_PAGE_CACHE_SECONDS = 0
    factory.sync()


def _page(client: Client, url: str) -> str:
    r = client.get(url)
    assert r.status_code == 200, url
    return unescape(r.content.decode())


def test_quick_answers_name_their_hardware_and_no_repository_file(real) -> None:
    catalog = load_catalog(CATALOG_DIR)
    client = Client()
    for answer in catalog.entries("answers").values():
        html = _page(client, f"/answers/{answer.id}/")
        assert "tests/core/" not in html and ".py" not in html, answer.id
        hardware = str(answer.get("hardware"))
        if hardware not in catalog.hardware:  # a setup such as "apple-m4-max-40c 128GB"
            assert f"<dd>{hardware}</dd>" not in html, answer.id
            name = parse_hardware(catalog, hardware)[0].name
            assert name in html, answer.id


def test_the_published_file_column_appears_only_with_files(real) -> None:
    catalog = load_catalog(CATALOG_DIR)
    client = Client()
    with_files = next(m for m in catalog.models.values() if m.get("files"))
    without = next(
        m
        for m in catalog.models.values()
        if not m.get("files") and isinstance(m.get("architecture"), dict)
    )
    html = _page(client, f"/models/{with_files.id}/")
    assert "Published file" in html
    for f in with_files.get("files"):
        assert f'<th scope="row">{str(f["quant"]).upper()}</th>' in html
    html = _page(client, f"/models/{without.id}/")
    assert "Published file" not in html
    assert "The catalog lists no published file for this model" in html


def test_unified_memory_is_one_pool_on_will_it_run(real) -> None:
    catalog = load_catalog(CATALOG_DIR)
    unified = next(h for h in catalog.hardware.values() if h.get("kind") == "unified")
    model = next(m for m in catalog.models.values() if m.get("params_total_b") == 8.03)
    html = _page(Client(), f"/will-it-run/?model={model.id}&hardware={unified.id}")
    assert "size not given" not in html and "amount not given" not in html
    assert "System RAM" not in html.split('id="h-commands"')[0].split("<svg")[-1]


def test_written_figures_are_the_engines_on_the_page(real) -> None:
    """A quick answer's and a guide's figures are filled from the same answers Will it run?
    gives: the page and the engine cannot disagree."""
    from runlocal.engine import check
    from runlocal.figures import FIELDS, setup_query

    catalog = load_catalog(CATALOG_DIR)
    client = Client()
    for answer in catalog.entries("answers").values():
        html = _page(client, f"/answers/{answer.id}/")
        assert "{{" not in html, answer.id
        if "{{ this.decode }}" in str(answer.get("answer")):
            r = check(setup_query(answer.data), catalog, allow_files=False).to_dict()
            assert f"{FIELDS['decode'](r)} tok/s" in html, answer.id
    guide = _page(client, "/guides/best-gpu-for-local-llms/")
    r = check(
        setup_query({"model": "llama-3-8b", "hardware": "nvidia-rtx-4090", "quant": "Q4_K_M"}),
        catalog,
    ).to_dict()
    assert f"and {FIELDS['decode'](r)} tok/s on an RTX 4090" in guide


def test_a_guides_pick_prices_its_card_as_compare_does(real) -> None:
    """One price policy: a guide's pick shows the catalog's dated street price (else launch),
    labelled with its kind and date, the same figure Compare shows for the card."""
    import re

    from runlocal.recommend import hardware_price

    catalog = load_catalog(CATALOG_DIR)
    client = Client()
    for guide in catalog.entries("guides").values():
        html = _page(client, f"/guides/{guide.id}/")
        for pick in guide.get("picks") or []:
            hw = catalog.hardware.get(str(pick.get("hardware")))
            price = hardware_price(hw) if hw is not None else None
            if price is not None:
                assert f'${price[0]:,.0f} <span class="muted">({price[1]})' in html, hw.id
                other = "nvidia-rtx-4090" if hw.id != "nvidia-rtx-4090" else "nvidia-rtx-3090"
                compare = _page(client, f"/compare/?hw={hw.id}&hw={other}")
                assert re.search(rf"\${price[0]:,.0f} \({re.escape(price[1])}\)", compare), hw.id


def test_no_template_syntax_leaks_onto_a_page(real) -> None:
    """A comment or tag the template engine did not read shows up as text."""
    client = Client()
    for url in ("/", "/models/gpt-oss-120b/", "/hardware/nvidia-rtx-4090/", "/will-it-run/"):
        html = _page(client, url)
        assert "{#" not in html and "{%" not in html and "{{" not in html, url


def test_a_text_with_figures_is_filled_once_per_catalog_version(real, monkeypatch) -> None:
    """The home page's guide summaries carry engine figures: the second view reads the filled
    text back whole instead of asking for each figure again, and shows the same words."""
    from runlocal_web.reference.views import editorial

    client = Client()
    first = _page(client, "/")
    asked: list[object] = []
    real_check = editorial.run_check
    monkeypatch.setattr(
        editorial, "run_check", lambda *a, **k: asked.append(a) or real_check(*a, **k)
    )
    assert _page(client, "/") == first
    assert asked == []
