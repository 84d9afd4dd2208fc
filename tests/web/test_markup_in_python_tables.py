"""Markup written in Python for speed writes what its template markup wrote: the quantization
table's cell (markuptags.quant_cell), the custom build's model row (build_row), the footer's
link lists (footer_navs), the form pages' field blocks (form_field), links and the check and
quant-matrix table rows."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.template import engines

from runlocal_web.checker.forms import CheckForm
from runlocal_web.lib.context import FOOTER
from runlocal_web.lib.frametags import footer_navs
from runlocal_web.lib.markuptags import (
    build_row,
    check_row,
    form_field,
    quant_cell,
    quant_row,
)
from runlocal_web.lib.pages import path_with_query
from runlocal_web.tools.forms import BuildForm, ChooseForm, CostForm

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


# checker/_field.html and tools/_field.html before they moved into form_field.
CHECKER_FIELD = (
    "{% comment %}One field of the Will-it-run form.{% endcomment %}\n"
    '<div class="field{% if field.errors %} has-error{% endif %}">\n'
    '  <label for="{{ field.id_for_label }}">{{ field.label }}</label>\n'
    "  {{ field }}\n"
    '  {% if field.help_text %}<p class="help" id="{{ field.auto_id }}_helptext">'
    "{{ field.help_text }}</p>{% endif %}\n"
    '  {% include "includes/field_errors.html" with errors=field.errors '
    'id=field.auto_id|add:"_error" %}\n'
    "</div>\n"
)


TOOLS_FIELD = (
    '<div class="field{% if field.errors %} has-error{% endif %}">\n'
    '  <label for="{{ field.id_for_label }}">{{ field.label }}</label>\n'
    "  {{ field }}\n"
    '  {% if field.help_text %}<p class="help">{{ field.help_text }}</p>{% endif %}\n'
    '  {% include "includes/field_errors.html" with errors=field.errors id="" %}\n'
    '  {% if suggest %}<p class="suggest">Did you mean {% for s in suggest %}<a href="'
    '{{ s.url }}">{{ s.name }}</a>{% if not forloop.last %}, {% endif %}{% endfor %}?</p>'
    "{% endif %}\n"
    "</div>\n"
)


HOSTILE = "<script>\"x\"</script> & 'y'"


FORM_DATA = [
    {},
    {"model": "testllama-8b", "hardware": "testgpu-24gb", "runtime": "vllm", "context": "8192"},
    {
        "model": HOSTILE,
        "hardware": HOSTILE,
        "runtime": HOSTILE,
        "quant": HOSTILE,
        "context": "abc",
        "kv_type": HOSTILE,
        "ram_gb": "-1",
        "batch": "0",
        "budget_usd": HOSTILE,
        "run": HOSTILE,
        "gpu": HOSTILE,
        "use": HOSTILE,
        "price_usd": HOSTILE,
        "watts": "-5",
    },
]


SUGGEST = [
    None,
    [],
    [{"name": "Llama <3>", "url": "/models/a/?x=1&y=2"}, {"name": "B", "url": "/b/"}],
]


@pytest.mark.parametrize("data", FORM_DATA)
@pytest.mark.parametrize("form_class", [CheckForm, ChooseForm, BuildForm, CostForm])
def test_a_form_field_reads_as_its_template_wrote_it(form_class, data: dict) -> None:
    extra = {"regions": [("de", "Germany <DE>")]} if form_class is CostForm else {}
    form = form_class(data, **extra) if data else form_class(**extra)
    form.is_valid()
    checker = engines["django"].from_string(CHECKER_FIELD)
    tools = engines["django"].from_string(TOOLS_FIELD)
    for field in form:
        assert str(form_field(field, helptext_id=True)) == checker.render({"field": field})
        for suggest in SUGGEST:
            expected = tools.render({"field": field, "suggest": suggest})
            assert str(form_field(field, suggest)) == expected, field.name


@pytest.mark.parametrize(
    "params",
    [
        {"model": "qwen2.5-32b-instruct", "hardware": ["2x rtx-3090", "apple-m4-max"]},
        {"quant": None, "context": "", "ram_gb": 64.0, "batch": 4, "x": 0.5},
        [("q", "a & b <c> é/?="), ("q", "x" * 300), ("format", "json")],
        {},
    ],
)
def test_a_link_is_quoted_as_urlencode_quotes_it(params) -> None:
    """path_with_query remembers its quoting of short keys and values; the links read as
    urlencode wrote them."""
    items = params.items() if isinstance(params, dict) else params
    pairs = [
        (k, f"{v:g}" if isinstance(v, float) else str(v))
        for k, value in items
        for v in (value if isinstance(value, list) else [value])
        if v not in (None, "")
    ]
    expected = "/p/?" + urlencode(pairs) if pairs else "/p/"
    assert path_with_query("/p/", params) == expected
    assert path_with_query("/p/", params) == expected  # and again, remembered


# includes/check_table.html's and includes/quant_matrix.html's row loops before they moved
# into check_row and quant_row (whitespace included).
CHECK_ROWS_MARKUP = (
    "{% for c in rows %}\n"
    "  <tr>\n"
    '    {% if first == "model" %}<th scope="row"><a href="{{ c.model.url }}">{{ c.model.name }}</a></th>{% else %}<th scope="row"><a href="{{ c.hardware.url }}">{{ c.hardware.name }}</a></th>{% endif %}\n'
    "    {% if c.error %}\n"
    '    <td colspan="4" class="muted">{{ c.error|capfirst }}</td>\n'
    "    {% else %}\n"
    '    <td><span class="tier tier-{{ c.verdict_class }}">{{ c.verdict_label }}</span>{% if c.verdict != "comfortable" %}<br><span class="why">{{ c.reason|capfirst }}</span>{% endif %}</td>\n'
    '    <td class="num">{{ c.total_bytes|gib }} of {{ c.budget_bytes|gib }}{% if c.host_bytes and c.offloaded %}<br><span class="why">+ {{ c.host_bytes|gib }} in RAM</span>{% endif %}</td>\n'
    '    <td class="num">{% if c.decode_tok_s is not None %}{{ c.decode_tok_s|g }} tok/s<br><span class="badge{% if c.evidence != "estimated" %} badge-measured{% endif %}">{{ c.evidence }}</span>{% else %}—{% endif %}</td>\n'
    '    <td class="num">{% if c.max_context %}{{ c.max_context|num }}{% if c.max_context_where == "offload" %} <span class="muted">with RAM</span>{% endif %}{% else %}—{% endif %}</td>\n'
    "    {% endif %}\n"
    '    <td><a href="{{ c.check_url }}">Details</a></td>\n'
    "  </tr>\n"
    "  {% endfor %}"
)


QUANT_ROWS_MARKUP = (
    "{% for row in rows %}\n"
    "  <tr>\n"
    '    {% if first == "model" %}<th scope="row"><a href="{{ row.model.url }}">{{ row.model.name }}</a></th>{% else %}<th scope="row"><a href="{{ row.hardware.url }}">{{ row.hardware.name }}</a></th>{% endif %}\n'
    "    {% for c in row.cells %}\n"
    "    {{ c|quant_cell }}\n"
    "    {% endfor %}\n"
    "  </tr>\n"
    "  {% endfor %}"
)


SIDES = {
    "model": {"id": "m", "name": "Llama <3> & co", "url": "/models/m/?a=1&b=2"},
    "hardware": {"id": "h", "name": 'RTX "4090"', "url": "/hardware/h/"},
}


CHECK_ROWS = [
    {**SIDES, "error": "no such <device>", "check_url": URL},
    {
        **SIDES,
        "verdict": "comfortable",
        "verdict_label": "Runs comfortably",
        "verdict_class": "good",
        "reason": "fits with room to spare",
        "total_bytes": 5 * 2**30,
        "budget_bytes": 24 * 2**30,
        "host_bytes": 300 * 2**20,  # the token embeddings: in RAM, but nothing offloaded
        "offloaded": False,
        "decode_tok_s": 41.25,
        "evidence": "estimated",
        "max_context": 131072,
        "max_context_where": "accelerator",
        "check_url": URL,
    },
    {
        **SIDES,
        "verdict": "tradeoffs",
        "verdict_label": "Runs with <tradeoffs>",
        "verdict_class": "warn",
        "reason": "part of it in system RAM & slow",
        "total_bytes": 23.5 * 2**30,
        "budget_bytes": 24 * 2**30,
        "host_bytes": 12 * 2**30,
        "offloaded": True,
        "decode_tok_s": 3.0,
        "evidence": "measured",
        "max_context": 8192,
        "max_context_where": "offload",
        "check_url": URL + "&x=<'\">",
    },
    {
        **SIDES,
        "verdict": "wont-run",
        "verdict_label": "Will not run",
        "verdict_class": "bad",
        "reason": "needs 80 GiB",
        "total_bytes": None,
        "budget_bytes": 8 * 2**30,
        "host_bytes": None,
        "decode_tok_s": None,
        "evidence": "estimated",
        "max_context": None,
        "check_url": URL,
    },
    {"model": {}, "hardware": {}, "verdict": "comfortable"},
]


@pytest.mark.parametrize("first", ["model", "hardware"])
def test_the_check_table_rows_read_as_the_template_wrote_them(first: str) -> None:
    template = engines["django"].from_string(CHECK_ROWS_MARKUP)
    expected = template.render({"rows": CHECK_ROWS, "first": first})
    assert "".join(check_row(c, first) for c in CHECK_ROWS) == expected


@pytest.mark.parametrize("first", ["model", "hardware"])
def test_the_quant_matrix_rows_read_as_the_template_wrote_them(first: str) -> None:
    rows = [{**SIDES, "cells": CELLS}, {**SIDES, "cells": CELLS[:1]}, {**SIDES, "cells": []}]
    template = engines["django"].from_string(QUANT_ROWS_MARKUP)
    expected = template.render({"rows": rows, "first": first})
    assert "".join(quant_row(r, first) for r in rows) == expected
