"""The quantization table's cell (templatetags.quant_cell) writes what its template markup
wrote, for every kind of cell."""

from __future__ import annotations

import pytest
from django.template import engines

from runlocal_web.lib.templatetags import quant_cell

# includes/quant_matrix.html's cell before it moved into quant_cell.
MARKUP = (
    '<td>{% if c.error %}<span class="muted">—</span>{% else %}<a href="{{ c.check_url }}" '
    'class="tier tier-{{ c.verdict_class }}">{% if c.decode_tok_s is not None %}<span '
    'class="visually-hidden">{{ c.verdict_label }}: </span>{{ c.decode_tok_s|g }} tok/s'
    '{% else %}{{ c.verdict_label }}{% endif %}</a>{% if c.verdict != "wont-run" %}<br><span '
    'class="why">{% if c.verdict == "tradeoffs" %}with tradeoffs{% if c.max_context %} · '
    "{% endif %}{% endif %}{% if c.max_context %}{{ c.max_context|num }} ctx"
    '{% if c.max_context_where == "offload" %} with RAM{% endif %}{% endif %}'
    '{% if c.evidence != "estimated" %} · {{ c.evidence }}{% endif %}</span>{% endif %}'
    "{% endif %}</td>"
)
URL = "/will-it-run/?model=a&hardware=b&quant=Q4_K_M"
CELLS = [
    {"quant": "Q4_K_M", "error": "no such <device>", "check_url": URL},
    {
        "verdict": "comfortable",
        "verdict_label": "Runs comfortably",
        "verdict_class": "good",
        "decode_tok_s": 41.2,
        "max_context": 131072,
        "max_context_where": "accelerator",
        "evidence": "estimated",
        "check_url": URL,
    },
    {
        "verdict": "tradeoffs",
        "verdict_label": "Runs with tradeoffs",
        "verdict_class": "warn",
        "decode_tok_s": 3.0,
        "max_context": 8192,
        "max_context_where": "offload",
        "evidence": "measured",
        "check_url": URL,
    },
    {
        "verdict": "tradeoffs",
        "verdict_label": "Runs with tradeoffs",
        "verdict_class": "warn",
        "decode_tok_s": None,
        "max_context": None,
        "evidence": "calibrated",
        "check_url": URL + "&x=<'\">",
    },
    {
        "verdict": "wont-run",
        "verdict_label": "Will not run",
        "verdict_class": "bad",
        "decode_tok_s": None,
        "max_context": None,
        "evidence": "estimated",
        "check_url": URL,
    },
    {
        "verdict": "comfortable",
        "verdict_label": 'Runs <comfortably> & "well"',
        "verdict_class": "good",
        "decode_tok_s": 1234.5,
        "max_context": 0,
        "evidence": "community",
        "check_url": URL,
    },
]


@pytest.mark.parametrize("cell", CELLS)
def test_it_writes_what_the_template_wrote(cell: dict) -> None:
    template = engines["django"].from_string(MARKUP)
    assert str(quant_cell(cell)) == template.render({"c": cell})
