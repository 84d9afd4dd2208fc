"""The ranking pages' loops written in Python write what the template's loops wrote: Choose
my GPU's ranked cards (markuptags.choose_cards) and the custom build's tables' rows
(build_rows; issue 14, docs/performance.md Round 11)."""

from __future__ import annotations

import pytest
from django.template import engines
from django.utils.safestring import mark_safe

from .test_markup_in_python_tables import ROWS

# tools/choose.html's loop before it moved into choose_cards.
CARDS_MARKUP = '{% load reference_tags %}{% for p in a.picks %}\n  <li class="card">\n    <p class="rank">#{{ forloop.counter }}</p>\n    <h3><a href="{{ p.hardware.url }}">{{ p.hardware.name }}</a></h3>\n    <p><a href="{{ p.check_url }}"><span class="tier tier-{{ p.verdict_class }}">{{ p.verdict_label }}</span></a> at {{ p.quant }}</p>\n    <dl class="facts">\n      <dt>Speed</dt><dd><strong>{{ p.decode_tok_s|g }} tokens/s</strong> <span class="range">{{ p.decode_tok_s_low|g }}–{{ p.decode_tok_s_high|g }}</span></dd>\n      <dt>Quantization</dt><dd>{{ p.quant }}{% if p.best_quant and p.best_quant != p.quant %}; fits comfortably up to {{ p.best_quant }}{% endif %}</dd>\n      <dt>Largest context</dt><dd>{% if p.max_context %}{{ p.max_context|num }} tokens{% if p.max_context_offloaded %}, with system RAM{% endif %}{% else %}—{% endif %}</dd>\n      <dt>Price</dt><dd>${{ p.price_usd|num }} <span class="muted">({{ p.price_basis }})</span>{{ p.price_basis|street_date|stale_mark }}</dd>\n      <dt>Value</dt><dd>{{ p.tok_s_per_kusd|num:1 }} tokens/s per $1,000</dd>\n      {% if p.tok_s_per_watt is not None %}<dt>Power</dt><dd>{{ p.tdp_w|g }} W · {{ p.tok_s_per_watt|num:3 }} tokens/s per W</dd>{% endif %}\n    </dl>\n    {% if p.verdict != "comfortable" %}<p class="why">{{ p.rationale.1 }}</p>{% endif %}\n    <p><a href="{{ p.check_url }}">Full check</a> · <a href="{{ p.cost_url }}">Cost vs cloud</a></p>\n  </li>\n{% endfor %}'

URL = "/will-it-run/?model=a&hardware=b&quant=Q4_K_M&context=8192"


def _pick(**changes: object) -> dict:
    pick = {
        "hardware": {"name": 'RTX <4090> & "Ti"', "url": "/hardware/rtx-4090/"},
        "price_usd": 1599.0,
        "price_basis": "street, used, 2026-05-16",
        "tdp_w": 450.0,
        "verdict": "comfortable",
        "verdict_label": "Runs comfortably",
        "verdict_class": "good",
        "quant": "Q4_K_M",
        "best_quant": "Q8_0",
        "decode_tok_s": 120.5,
        "decode_tok_s_low": 100.0,
        "decode_tok_s_high": 1234.25,
        "max_context": 131072,
        "max_context_offloaded": False,
        "tok_s_per_kusd": 75.36,
        "tok_s_per_watt": 0.2678,
        "rationale": ["Runs it.", "Fits comfortably up to Q8_0 <&>."],
        "check_url": URL,
        "cost_url": "/cost/?hardware=rtx-4090&model=a",
    }
    pick.update(changes)
    return pick


PICKS = [
    _pick(),
    _pick(
        verdict="tradeoffs",
        verdict_label="Runs with tradeoffs",
        verdict_class="warn",
        best_quant="Q4_K_M",
        max_context_offloaded=True,
        tdp_w=None,
        tok_s_per_watt=None,
    ),
    _pick(verdict="tradeoffs", best_quant=None, max_context=None, rationale=["only one"]),
    _pick(verdict="tradeoffs", max_context=0, decode_tok_s=None, tok_s_per_watt=0.0),
    _pick(hardware={"name": mark_safe("<b>safe</b>"), "url": "/x/?a=1&b=2"}, quant="Q3_K_M"),
    # Over six months old (marked), a flat street price's basis, and a launch price (never).
    _pick(price_basis="street, new, 2020-01-02"),
    _pick(price_basis="street, 2020-01-02"),
    _pick(price_basis="launch, 2020-01-02"),
]


@pytest.mark.parametrize("count", [0, 1, len(PICKS)])
@pytest.mark.parametrize("autoescape", [True, False])
def test_the_cards_read_as_the_template_wrote_them(count: int, autoescape: bool) -> None:
    picks = PICKS[:count]
    on = "on" if autoescape else "off"
    expected = engines["django"].from_string(
        "{% autoescape " + on + " %}" + CARDS_MARKUP + "{% endautoescape %}"
    )
    written = engines["django"].from_string(
        "{% autoescape " + on + " %}{% choose_cards a.picks %}{% endautoescape %}"
    )
    context = {"a": {"picks": picks}}
    assert written.render(context) == expected.render(context)
    if count:
        assert f"#{count}</p>" in written.render(context)


@pytest.mark.parametrize("count", [0, 1, len(ROWS)])
def test_the_build_rows_read_as_the_loop_wrote_them(count: int) -> None:
    context = {"g": {"rows": ROWS[:count]}, "r": {"use": "coding <x>"}}
    loop = engines["django"].from_string(
        "<tbody>{% for m in g.rows %}{{ m|build_row:r.use }}{% endfor %}</tbody>"
    )
    written = engines["django"].from_string("<tbody>{% build_rows g.rows r.use %}</tbody>")
    assert written.render(context) == loop.render(context)
