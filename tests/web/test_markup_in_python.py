"""Markup written in Python for speed writes what its template markup wrote: the quantization
table's cell (templatetags.quant_cell), the custom build's model row (build_row) and the
footer's link lists (footer_navs)."""

from __future__ import annotations

import pytest
from django.template import engines

from runlocal_web.lib.context import FOOTER
from runlocal_web.lib.templatetags import build_row, footer_navs, quant_cell

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


# tools/custom_build.html's row before it moved into build_row.
ROW_MARKUP = (
    "<tr>\n"
    '      <th scope="row"><a href="{{ m.url }}">{{ m.name }}</a>{% if m.specialised %}<span class="tag">{{ r.use }} model</span>{% endif %}{% if m.quality_basis or m.reason %}<details class="row-detail"><summary>{% if m.quality_basis %}quality {{ m.quality|floatformat:1 }}{% if m.quality_estimated %}, estimated{% endif %}{% else %}why{% endif %}</summary>{% if m.reason %}<p>{{ m.reason|capfirst }}.</p>{% endif %}{% if m.quality_basis %}<p>{{ m.quality_basis }}</p>{% endif %}</details>{% endif %}</th>\n'
    "      <td>{{ m.params_total_b|params_b }}</td>\n"
    '      <td><a href="{{ m.check_url }}"><span class="tier tier-{{ m.verdict_class }}">{{ m.verdict_label }}</span></a>{% if m.lower_quant %} at {{ m.quant }}{% endif %}</td>\n'
    "      <td>{% if m.decode_tok_s is not None %}{{ m.decode_tok_s|g }} tokens/s{% else %}—{% endif %}</td>\n"
    '      <td>{% if m.max_context %}{{ m.max_context|num }}{% if m.max_context_offloaded %} <span class="muted">with RAM</span>{% endif %}{% else %}—{% endif %}</td>\n'
    '      <td>{% if m.total_bytes is None %}—{% elif m.verdict == "wont-run" %}needs more than {{ m.budget_bytes|gib }}{% else %}{{ m.total_bytes|gib }} of {{ m.budget_bytes|gib }}{% if m.host_bytes and m.verdict == "tradeoffs" %} + {{ m.host_bytes|gib }} in RAM{% endif %}{% endif %}</td>\n'
    "    </tr>"
)
ROWS = [
    {
        "url": "/models/a/",
        "name": 'Model <A> & "B"',
        "specialised": True,
        "quality": 71.25,
        "quality_basis": "published <scores>",
        "quality_estimated": False,
        "reason": "layers in system RAM",
        "verdict": "tradeoffs",
        "verdict_label": "Runs with tradeoffs",
        "verdict_class": "warn",
        "check_url": URL,
        "quant": "Q4_K_M",
        "lower_quant": True,
        "params_total_b": 32.5,
        "decode_tok_s": 7.25,
        "max_context": 32768,
        "max_context_offloaded": True,
        "total_bytes": 20 * 2**30,
        "budget_bytes": 23 * 2**30,
        "host_bytes": 3 * 2**30,
    },
    {
        "url": "/models/b/",
        "name": "B",
        "specialised": False,
        "quality": 55.0,
        "quality_basis": "estimated from size",
        "quality_estimated": True,
        "reason": None,
        "verdict": "comfortable",
        "verdict_label": "Runs comfortably",
        "verdict_class": "good",
        "check_url": URL,
        "quant": "Q4_K_M",
        "lower_quant": False,
        "params_total_b": 8.0,
        "decode_tok_s": 120.0,
        "max_context": 131072,
        "max_context_offloaded": False,
        "total_bytes": 6 * 2**30,
        "budget_bytes": 23 * 2**30,
        "host_bytes": None,
    },
    {
        "url": "/models/c/",
        "name": "C",
        "specialised": False,
        "quality": None,
        "quality_basis": None,
        "quality_estimated": False,
        "reason": "does not fit",
        "verdict": "wont-run",
        "verdict_label": "Will not run",
        "verdict_class": "bad",
        "check_url": URL,
        "quant": "Q4_K_M",
        "lower_quant": False,
        "params_total_b": 400.0,
        "decode_tok_s": None,
        "max_context": None,
        "max_context_offloaded": False,
        "total_bytes": 200 * 2**30,
        "budget_bytes": 23 * 2**30,
        "host_bytes": None,
    },
    {
        "url": "/models/d/",
        "name": "D",
        "specialised": False,
        "quality": None,
        "quality_basis": None,
        "quality_estimated": False,
        "reason": None,
        "error": "the engine could not size it",
        "verdict": None,
        "verdict_label": "Not checked",
        "verdict_class": "neutral",
        "check_url": URL,
        "quant": None,
        "lower_quant": True,
        "params_total_b": None,
        "decode_tok_s": None,
        "max_context": None,
        "max_context_offloaded": False,
        "total_bytes": None,
        "budget_bytes": None,
        "host_bytes": None,
    },
]


@pytest.mark.parametrize("row", ROWS)
@pytest.mark.parametrize("use", ["chat", "coding <x>"])
def test_a_build_row_reads_as_the_template_wrote_it(row: dict, use: str) -> None:
    template = engines["django"].from_string(ROW_MARKUP)
    assert str(build_row(row, use)) == template.render({"m": row, "r": {"use": use}})


# base.html's footer loop before it moved into footer_navs.
FOOTER_MARKUP = (
    "{% for group, links in footer %}\n"
    '    <nav aria-label="{{ group }}">\n'
    "      <h2>{{ group }}</h2>\n"
    '      <ul>{% for label, url in links %}<li><a href="{{ url }}">{{ label }}</a></li>'
    '{% endfor %}{% if forloop.first and json_url %}<li><a href="{{ json_url }}">This page as '
    "JSON</a></li>{% endif %}</ul>\n"
    "    </nav>\n"
    "    {% endfor %}"
)


@pytest.mark.parametrize("json_url", ["", "/models/?q=a&b=<c>&format=json"])
@pytest.mark.parametrize(
    "footer", [FOOTER, (("A & <B>", (("x", "/x?a=1&b=2"), ('"y"', "/y/"))), ("C", ()))]
)
def test_the_footer_reads_as_the_template_wrote_it(footer: tuple, json_url: str) -> None:
    template = engines["django"].from_string(FOOTER_MARKUP)
    expected = template.render({"footer": footer, "json_url": json_url})
    assert str(footer_navs(footer, json_url)) == expected
