"""Markup written in Python for speed writes what its template markup wrote: the quantization
table's cell (markuptags.quant_cell), the custom build's model row (build_row), the
footer's link lists (footer_navs) and the form pages' field blocks (form_field)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from urllib.parse import urlencode

import pytest
from django.template import engines
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from runlocal_web.checker.forms import CUSTOM_FIELDS, CheckForm
from runlocal_web.checker.views import OPTION_FIELDS
from runlocal_web.lib.context import FOOTER
from runlocal_web.lib.frametags import catalog_line, footer_navs
from runlocal_web.lib.markuptags import (
    build_row,
    check_row,
    form_field,
    form_fields,
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


# includes/check_table.html and includes/quant_matrix.html before they became the tags
# check_table and quant_table.
CHECK_TABLE_MARKUP = '{# rows: _check_row dicts; first: "model" or "hardware", the column that varies. #}\n<div class="table-scroll">\n<table class="listing checks">\n  <thead><tr><th scope="col">{% if first == "model" %}Model{% else %}Hardware{% endif %}</th><th scope="col">Verdict</th><th scope="col">Memory needed</th><th scope="col">Decode</th><th scope="col">Largest context</th><th scope="col"><span class="visually-hidden">Details</span></th></tr></thead>\n  <tbody>\n  {% for c in rows %}{{ c|check_row:first }}{% endfor %}\n  </tbody>\n</table>\n</div>\n'
QUANT_MATRIX_MARKUP = '{# rows: insights.quant_matrix rows; quants: the column heads; first: "model" or "hardware". #}\n<div class="table-scroll">\n<table class="listing quant-matrix">\n  <caption class="visually-hidden">Verdict, decode speed and largest context for each {% if first == "model" %}model{% else %}device{% endif %} at each quantization</caption>\n  <thead><tr><th scope="col">{% if first == "model" %}Model{% else %}Hardware{% endif %}</th>{% for q in quants %}<th scope="col">{{ q }}</th>{% endfor %}</tr></thead>\n  <tbody>\n  {% for row in rows %}{{ row|quant_row:first }}{% endfor %}\n  </tbody>\n</table>\n</div>\n<p class="muted">Green runs comfortably, amber runs with tradeoffs (offload to system RAM, slow, or little room left), red will not run; each cell also says so in words. “ctx” is the largest context that runs (“with RAM”: with part of the model in system RAM, as the verdict says). Speeds are <a href="/methodology/">estimated</a> unless marked measured; follow a cell for the memory breakdown.</p>\n'


@pytest.mark.parametrize("first", ["model", "hardware"])
def test_the_detail_tables_read_as_their_includes_wrote_them(first: str) -> None:
    django = engines["django"]
    rows = [{**SIDES, "cells": CELLS}, {**SIDES, "cells": CELLS[:1]}, {**SIDES, "cells": []}]
    for checks in (CHECK_ROWS, CHECK_ROWS[:1], [], None):
        context = {"rows": checks, "first": first}
        expected = django.from_string(CHECK_TABLE_MARKUP).render(context)
        tag = django.from_string("{% check_table rows first %}").render(context)
        assert tag == expected
    for matrix in (rows, rows[:1], [], None):
        for quants in (["Q4_K_M", "F16"], [HOSTILE, "a&b"], [], None):
            context = {"rows": matrix, "quants": quants, "first": first}
            expected = django.from_string(QUANT_MATRIX_MARKUP).render(context)
            tag = django.from_string("{% quant_table rows quants first %}").render(context)
            assert tag == expected


# includes/quick_check.html before it became the quick_check tag.
# The names' limit is the engine's (runlocal.bounds.MAX_NAME), and RAM above 0 as Will it run?
# takes it (the template had 200/100 characters and at least 0.5 GiB).
QUICK_CHECK_MARKUP = '{% comment %}A quick Will-it-run form. Pass model_value / hardware_value to prefill one side, and\nram_default to show the system-RAM field with the default the engine assumes.{% endcomment %}\n<form class="quick-check" method="get" action="{% url_of \'checker:will_it_run\' %}">\n  <div class="field">\n    <label for="qc-model">Model</label>\n    <input id="qc-model" name="model" type="text" maxlength="300" required list="model-names" autocomplete="off" placeholder="e.g. Llama 3.1 8B"{% if model_value %} value="{{ model_value }}"{% endif %}>\n  </div>\n  <div class="field">\n    <label for="qc-hardware">Hardware</label>\n    <input id="qc-hardware" name="hardware" type="text" maxlength="300" required list="hardware-names" autocomplete="off" placeholder="e.g. RTX 4090, 2x RTX 3090, M4 Max"{% if hardware_value %} value="{{ hardware_value }}"{% endif %}>\n  </div>\n  {% if ram_default %}<div class="field">\n    <label for="qc-ram">System RAM (GiB)</label>\n    <input id="qc-ram" name="ram_gb" type="number" max="65536" step="any" inputmode="decimal" placeholder="{{ ram_default|g }} (assumed)">\n  </div>{% endif %}\n  <button type="submit">Will it run?</button>\n</form>\n{% include "includes/datalists.html" %}\n'


def test_the_quick_check_form_reads_as_its_include_wrote_it() -> None:
    django = engines["django"]
    values = ["", None, 0, "Llama 3.1 8B", HOSTILE, 64, 64.0, 0.5, "x"]
    names = [None, (), ("a", HOSTILE), ["b<"]]
    for model_value in values:
        for hardware_value in values[:4]:
            for ram_default in values:
                for model_names, hardware_names in (
                    (n, names[-1 - i]) for i, n in enumerate(names)
                ):
                    context = {
                        "model_value": model_value,
                        "hardware_value": hardware_value,
                        "ram_default": ram_default,
                        "model_names": model_names,
                        "hardware_names": hardware_names,
                    }
                    expected = django.from_string(QUICK_CHECK_MARKUP).render(context)
                    tag = django.from_string(
                        "{% quick_check model_value=model_value hardware_value=hardware_value "
                        "ram_default=ram_default %}"
                    ).render(context)
                    assert tag == expected, context
    # With nothing given, as on the home page.
    context = {"model_names": ("a",), "hardware_names": ("b",)}
    expected = django.from_string(QUICK_CHECK_MARKUP).render(context)
    assert django.from_string("{% quick_check %}").render(context) == expected


# hardware_detail.html's loops over the assessment's strengths, limits and runtimes before
# they became list_items and link_list.
ITEMS_LOOP = "{% for s in items %}<li>{{ s }}</li>{% endfor %}"
LINKS_LOOP = (
    '{% for r in links %}<a href="{{ r.url }}">{{ r.name }}</a>'
    "{% if not forloop.last %}, {% endif %}{% endfor %}"
)


def test_the_assessment_lists_read_as_their_loops_wrote_them() -> None:
    django = engines["django"]
    lists = [None, [], ["one"], ["a <b>", HOSTILE, 3, 2.5, None, dt.date(2026, 1, 2)]]
    for items in lists:
        expected = django.from_string(ITEMS_LOOP).render({"items": items})
        assert django.from_string("{% list_items items %}").render({"items": items}) == expected
    links_lists = [
        None,
        [],
        [{"url": "/tools/x/", "name": "X"}],
        [
            {"url": HOSTILE, "name": HOSTILE},
            {"name": "no url"},
            {},
            {"url": "/a?b=1&c=2", "name": 7},
        ],
    ]
    for links in links_lists:
        expected = django.from_string(LINKS_LOOP).render({"links": links})
        assert django.from_string("{% link_list links %}").render({"links": links}) == expected


# includes/bench_rows.html before it became the bench_table tag.
BENCH_ROWS_MARKUP = '{# bench: insights.benchmark_rows; show: "model" or "hardware", the column that varies. #}\n{% if bench.count %}\n<div class="table-scroll">\n<table class="listing bench">\n  <thead><tr><th scope="col">{% if show == "model" %}Model{% else %}Hardware{% endif %}</th><th scope="col">Quant</th><th scope="col">Backend</th><th scope="col">Test</th><th scope="col">Tokens/s</th><th scope="col">Evidence</th><th scope="col">Reproduce</th></tr></thead>\n  <tbody>\n  {% for r in bench.rows %}\n  <tr>\n    {% if show == "model" %}<th scope="row">{% if r.model.url %}<a href="{{ r.model.url }}">{{ r.model.name }}</a>{% else %}{{ r.model.name }}{% endif %}{% if r.n_devices > 1 %}<br><span class="why">on {{ r.n_devices }} devices</span>{% endif %}</th>{% else %}<th scope="row">{% if r.hardware.url %}<a href="{{ r.hardware.url }}">{{ r.hardware.name }}</a>{% else %}{{ r.hardware.name }}{% endif %}{% if r.n_devices > 1 %} ×{{ r.n_devices }}{% endif %}</th>{% endif %}\n    <td>{{ r.quant|default:"—" }}</td>\n    <td>{{ r.backend_label|default:"—" }}</td>\n    <td>{{ r.metric_short }}<br><span class="why">{{ r.test }}</span></td>\n    <td class="num">{{ r.value|g }}</td>\n    <td><span class="trust trust-{{ r.trust }}">{{ r.trust_label }}</span><br><a href="{{ r.anchor }}" class="why">set</a>{% if r.source|http_url %} · <a href="{{ r.source|http_url }}" rel="nofollow noopener" class="why">source</a>{% endif %}</td>\n    <td>{% if r.command %}<code class="cmd">{{ r.command }}</code>{% else %}—{% endif %}</td>\n  </tr>\n  {% endfor %}\n  </tbody>\n</table>\n</div>\n<p>{% if bench.count > bench.rows|length %}Showing {{ bench.rows|length }} of {{ bench.count }} measurements: <a href="{{ bench.all_url }}">all of them</a>.{% else %}<a href="{{ bench.all_url }}">These measurements in the benchmark table</a>.{% endif %} When a measurement matches the model, quantization and hardware, the tables above show it instead of the estimate.</p>\n{% else %}\n<p class="empty">No published measurement yet: the speeds above are estimated from memory bandwidth and compute. <a href="{{ bench.list_url }}">All benchmarks</a>.</p>\n{% endif %}\n'


@pytest.mark.parametrize("side", ["model", "hardware"])
def test_the_benchmark_table_reads_as_its_include_wrote_it(side: str) -> None:
    from runlocal.catalog import load_catalog
    from runlocal_web.catalogdb.insights import benchmark_rows

    django = engines["django"]
    old = django.from_string(BENCH_ROWS_MARKUP)
    new = django.from_string("{% bench_table bench side %}")
    catalog = load_catalog()
    benches = [benchmark_rows(catalog, model=m) for m in sorted(catalog.models)]
    benches += [benchmark_rows(catalog, hardware=h) for h in sorted(catalog.hardware)]
    odd_rows = [
        {},
        {"model": None, "hardware": "x", "n_devices": None, "value": None, "source": None},
        {
            "model": {"name": HOSTILE, "url": HOSTILE},
            "hardware": {"name": HOSTILE},
            "n_devices": 2,
            "quant": HOSTILE,
            "backend_label": "",
            "metric_short": HOSTILE,
            "test": HOSTILE,
            "value": 1234.5,
            "trust": HOSTILE,
            "trust_label": HOSTILE,
            "anchor": HOSTILE,
            "source": "https://x.org/?a=1&b=<2>",
            "command": HOSTILE,
        },
        {"n_devices": "3", "value": "x", "source": "javascript:alert(1)", "command": 0},
    ]
    benches += [
        {"count": 5, "rows": odd_rows, "all_url": HOSTILE, "list_url": HOSTILE},
        {"count": 4, "rows": odd_rows, "all_url": "/b?x=1&y=2"},
        {"count": "many", "rows": None},
        {"count": 0, "list_url": HOSTILE},
        {},
        None,
    ]
    assert any(b and b.get("count") for b in benches)
    for bench in benches:
        context = {"bench": bench, "side": side, "show": side}
        assert new.render(context) == old.render(context), bench


# checker/_form.html's field loops before they moved into form_fields.
FIELDS_LOOP = (
    "{% for field in form %}{% if field.name in names %}\n"
    "      {% form_field field helptext_id=True %}\n"
    "      {% endif %}{% endfor %}"
)


@pytest.mark.parametrize("data", FORM_DATA)
@pytest.mark.parametrize("names", [OPTION_FIELDS, CUSTOM_FIELDS, ("model",), ()])
def test_the_form_field_loops_read_as_the_template_wrote_them(data: dict, names) -> None:
    form = CheckForm(data) if data else CheckForm()
    form.is_valid()
    loop = engines["django"].from_string(FIELDS_LOOP)
    assert str(form_fields(form, names)) == loop.render({"form": form, "names": names})
    widget_tag = engines["django"].from_string("{% widget form.no_measured %}")
    assert widget_tag.render({"form": form}) == str(form["no_measured"])


# base.html's footer line before it moved into catalog_line.
CATALOG_STATE_MARKUP = (
    "<p>Catalog: {{ catalog_state.n_models }} model{{ catalog_state.n_models|pluralize }}, "
    "{{ catalog_state.n_hardware }} hardware entr"
    '{{ catalog_state.n_hardware|pluralize:"y,ies" }}, {{ catalog_state.n_benchmarks }} '
    "benchmark set{{ catalog_state.n_benchmarks|pluralize }} · last changed "
    '{{ catalog_state.changed_at|date:"Y-m-d" }}</p>'
)


@pytest.mark.parametrize("counts", [(1, 1, 1), (167, 240, 0), (0, 2, 78)])
@pytest.mark.parametrize("zone", ["UTC", "Pacific/Kiritimati"])
def test_the_catalog_line_reads_as_the_template_wrote_it(counts, zone: str) -> None:
    at = dt.datetime(2026, 12, 6, 23, 30, tzinfo=dt.UTC)
    state = SimpleNamespace(
        n_models=counts[0], n_hardware=counts[1], n_benchmarks=counts[2], changed_at=at
    )
    with timezone.override(zone):
        expected = (
            engines["django"].from_string(CATALOG_STATE_MARKUP).render({"catalog_state": state})
        )
        assert str(catalog_line(state)) == expected
        assert str(catalog_line(state)) == expected  # remembered


# The detail pages' spec sheets before they moved into spec_value, fact_value and arch_rows.
SPEC_MARKUP = '{% for s in specs %}<dd>{% if s.key == "street_prices" %}{% for p in s.value %}{% if not forloop.first %}<br>{% endif %}{{ p.condition }}, about ${{ p.usd|num }}, as of {{ p.date }} (<a href="{{ p.source }}" rel="nofollow noopener">source</a>){% if p.note %} <span class="muted">{{ p.note }}</span>{% endif %}{% endfor %}{% elif s.key == "backends" or s.key == "memory_configs_gib" %}{{ s.value|join_g }}{% elif s.key == "launch_price_usd" or s.key == "street_price_usd" %}${{ s.value|num }}{% elif s.unit %}{{ s.value|g }}{% else %}{{ s.value }}{% endif %}{% if s.unit and s.key != "launch_price_usd" and s.key != "street_price_usd" %} {{ s.unit }}{% elif s.key == "street_price_usd" and h.street_price_date %} ({{ h.street_price_date }}){% endif %}</dd>\n{% endfor %}'
SPEC_TAG = "{% for s in specs %}<dd>{% spec_value s h %}</dd>\n{% endfor %}"
FACT_MARKUP = '{% for f in facts %}<dd>{% if f.key == "params_total_b" or f.key == "params_active_b" %}{{ f.value|params_b }}{% elif f.key == "hf_repo" %}<a href="https://huggingface.co/{{ f.value }}" rel="nofollow noopener">{{ f.value }}</a>{% elif f.key == "ollama_tag" %}<code>{{ f.value }}</code>{% else %}{{ f.value }}{% endif %}</dd>\n{% endfor %}'
FACT_TAG = "{% for f in facts %}<dd>{% fact_value f %}</dd>\n{% endfor %}"
ARCH_MARKUP = '<tbody>{% for a in rows %}<tr><th scope="row"><code>{{ a.key }}</code></th><td>{{ a.value|compact_json }}</td><td>{{ a.meaning }}</td></tr>{% endfor %}</tbody>'
ARCH_TAG = "<tbody>{% arch_rows rows %}</tbody>"

HOSTILE = '<b>"A&B"</b>'
ODD_VALUES = [
    None,
    "",
    0,
    24.0,
    1008.5,
    -3,
    True,
    HOSTILE,
    [36.0, 48.0, HOSTILE],
    {"a": [1, HOSTILE]},
    dt.date(2024, 1, 5),
    dt.datetime(2024, 1, 5, 12, 30, tzinfo=dt.UTC),
    float("nan"),
]


def _odd_specs() -> list[dict]:
    keys = [
        "vendor",
        "kind",
        "memory_gib",
        "backends",
        "memory_configs_gib",
        "launch_price_usd",
        "street_price_usd",
        "release_date",
    ]
    specs: list[dict] = [
        {"key": key, "label": "L", "value": value, "unit": unit}
        for key in keys
        for value in ODD_VALUES
        for unit in ("", "GiB", HOSTILE)
    ]
    prices = [
        {"usd": 499.0, "condition": "used", "date": "2026-01-02", "source": HOSTILE, "note": ""},
        {"usd": 1234.5, "condition": "new", "date": "2026-02", "source": "https://x/?a=1&b=2"},
        {"usd": 7.0, "condition": HOSTILE, "date": "", "source": "", "note": HOSTILE},
    ]
    specs += [
        {"key": "street_prices", "label": "S", "value": prices[:n], "unit": ""} for n in (0, 1, 3)
    ]
    specs.append({"key": "vendor"})  # missing label, value and unit
    return specs


def _catalog_specs_and_facts() -> tuple[list[tuple[dict, list[dict]]], list[tuple[list, list]]]:
    """Every catalog entry's specification and facts as the detail views build them."""
    from runlocal.catalog import load_catalog
    from runlocal_web.catalogdb.views import ARCH_GLOSSARY, HARDWARE_FIELDS, MODEL_FIELDS

    cat = load_catalog()
    hardware = []
    for entry in cat.hardware.values():
        d = dict(entry.data)
        specs = [
            {"key": key, "label": label, "value": d.get(key), "unit": unit}
            for key, label, unit in HARDWARE_FIELDS
            if d.get(key) not in (None, "", [])
        ]
        prices = [p for p in d.get("street_prices") or [] if isinstance(p, dict)]
        if prices:
            specs.append({"key": "street_prices", "label": "S", "value": prices, "unit": ""})
        hardware.append((d, specs))
    models = []
    for entry in cat.models.values():
        d = dict(entry.data)
        facts = [
            {"key": key, "label": label, "value": d[key]}
            for key, label in MODEL_FIELDS
            if d.get(key) not in (None, "")
        ]
        arch = d.get("architecture") if isinstance(d.get("architecture"), dict) else {}
        rows = [
            {"key": k, "value": v, "meaning": ARCH_GLOSSARY.get(k, "")} for k, v in arch.items()
        ]
        models.append((facts, rows))
    return hardware, models


# The spec sheets' loops before they moved into spec_rows and fact_rows (their values were
# already written by spec_value and fact_value, held to their markup above).
SPEC_LOOP = "{% for s in specs %}\n    <dt>{{ s.label }}</dt>\n    <dd>{% spec_value s h %}</dd>\n    {% endfor %}"
SPEC_ROWS = "{% spec_rows specs h %}"
FACT_LOOP = (
    "{% for f in facts %}\n  <dt>{{ f.label }}</dt>\n  <dd>{% fact_value f %}</dd>\n  {% endfor %}"
)
FACT_ROWS = "{% fact_rows facts %}"


def test_the_spec_sheets_read_as_the_template_wrote_them() -> None:
    django = engines["django"]
    loops = [
        (django.from_string(SPEC_LOOP), django.from_string(SPEC_ROWS)),
        (django.from_string(FACT_LOOP), django.from_string(FACT_ROWS)),
    ]
    labelled = [{**s, "label": label} for s in _odd_specs() for label in (HOSTILE, None, 7)]
    hardware, models = _catalog_specs_and_facts()
    contexts = [{"specs": labelled, "facts": labelled, "h": {}}, {"specs": None, "facts": None}]
    contexts += [{"specs": specs, "h": d} for d, specs in hardware]
    contexts += [{"facts": facts} for facts, _rows in models]
    for context in contexts:
        for old, new in loops:
            assert new.render(context) == old.render(context)
    spec_old, spec_new = django.from_string(SPEC_MARKUP), django.from_string(SPEC_TAG)
    fact_old, fact_new = django.from_string(FACT_MARKUP), django.from_string(FACT_TAG)
    arch_old, arch_new = django.from_string(ARCH_MARKUP), django.from_string(ARCH_TAG)
    hardware, models = _catalog_specs_and_facts()
    for h in ({}, {"street_price_date": "2026-03-01"}, {"street_price_date": HOSTILE}):
        context = {"specs": _odd_specs(), "h": h}
        assert spec_new.render(context) == spec_old.render(context)
    for d, specs in hardware:
        context = {"specs": specs, "h": d}
        assert spec_new.render(context) == spec_old.render(context), d.get("id")
    odd_facts = [
        {"key": key, "label": "L", "value": value}
        for key in ("family", "params_total_b", "params_active_b", "hf_repo", "ollama_tag")
        for value in ODD_VALUES
    ] + [{"key": "hf_repo"}, {}]
    odd_rows = [{"key": HOSTILE, "value": value, "meaning": HOSTILE} for value in ODD_VALUES]
    for facts, rows in [(odd_facts, [*odd_rows, {}]), *models]:
        assert fact_new.render({"facts": facts}) == fact_old.render({"facts": facts})
        assert arch_new.render({"rows": rows}) == arch_old.render({"rows": rows})
    assert arch_new.render({"rows": None}) == arch_old.render({"rows": None})


NAV_MARKUP = '{% for item in nav %}<li><a href="{{ item.url }}"{% if item.active %} aria-current="page"{% endif %}>{{ item.label }}</a></li>{% endfor %}'


def test_the_navigation_reads_as_the_template_wrote_it() -> None:
    from runlocal_web.lib.context import NAV

    django = engines["django"]
    old, new = django.from_string(NAV_MARKUP), django.from_string("{% nav_links nav %}")
    navs = [
        [{"label": label, "url": url, "active": i == at} for i, (label, url) in enumerate(NAV)]
        for at in (-1, 0, 3, len(NAV) - 1)
    ]
    navs += [
        [],
        None,
        [{"label": HOSTILE, "url": "/a?b=1&c=<2>", "active": 1}, {"label": 7, "url": None}, {}],
    ]
    for nav in navs:
        assert new.render({"nav": nav}) == old.render({"nav": nav})


def test_each_sections_navigation_reads_as_the_template_wrote_it() -> None:
    """lib.context.site's nav (its markup kept per current section) as the loop wrote it."""
    from django.test import RequestFactory

    from runlocal_web.lib.context import NAV, site

    django = engines["django"]
    old, new = django.from_string(NAV_MARKUP), django.from_string("{% nav_links nav %}")
    paths = ["/", "/nowhere/", "/models/llama-3.1-8b/", *(url for _label, url in NAV)]
    for path in paths:
        context = site(RequestFactory().get(path))
        assert list(context["nav"]) == [
            {"label": label, "url": url, "active": path.startswith(url)} for label, url in NAV
        ]
        assert new.render(context) == old.render(context)


FRAME_OLD = (
    "{% load django_htmx %}{% htmx_script %}<link href=\"{% static 'runlocal_web/site.css' %}\">"
)
FRAME_NEW = "{% htmx_script %}<link href=\"{% static_url 'runlocal_web/site.css' %}\">"


@pytest.mark.parametrize("nonce", [None, "Zm9v", '"><script>'])
def test_the_frames_script_and_style_sheet_read_as_their_tags_wrote_them(nonce) -> None:
    """frametags.htmx_script and static_url against django_htmx's and Django's tags, with
    and without a nonce, with DEBUG (htmx's debug script) and after STATIC_URL changes (the
    remembered addresses are forgotten)."""
    from django.test import override_settings

    django = engines["django"]
    old, new = django.from_string(FRAME_OLD), django.from_string(FRAME_NEW)
    context = {} if nonce is None else {"csp_nonce": nonce}
    assert new.render(context) == old.render(context)
    assert new.render(context) == old.render(context)  # remembered
    with override_settings(DEBUG=True):
        assert new.render(context) == old.render(context)
    with override_settings(STATIC_URL="/assets/"):
        assert "/assets/" in new.render(context)
        assert new.render(context) == old.render(context)
    assert new.render(context) == old.render(context)


# includes/byline.html before its markup moved into reference_tags.byline_html.
BYLINE_MARKUP = '{% load reference_tags %}{# Under a content page\'s h1: who wrote it, when it was last reviewed, and what kind of evidence it rests on. who, when: the entry\'s reviewed_by and last_verified; added: when the record entered the catalog (optional); evidence: a short label; note: what the label means. #}{% written_page_url "author" as author_url %}{% written_page_url "trust" as trust_url %}\n<p class="byline muted">By {% if author_url %}<a href="{{ author_url }}" rel="author">{{ who|default:"the runlocal editors" }}</a>{% else %}{{ who|default:"the runlocal editors" }}{% endif %}{% if when %} · Last reviewed <time datetime="{{ when|date:\'Y-m-d\' }}">{{ when|date:"Y-m-d" }}</time>{% endif %}{% if added %} · Added <time datetime="{{ added|as_date|date:\'Y-m-d\' }}">{{ added|as_date|date:"Y-m-d" }}</time>{% endif %}{% if evidence %} · <span class="badge badge-evidence"{% if note %} title="{{ note }}"{% endif %}>{{ evidence }}</span>{% if note %} <span class="visually-hidden">({{ note }})</span>{% endif %}{% if trust_url %} <a href="{{ trust_url }}">how we label evidence</a>{% endif %}{% endif %}</p>\n{% if when|is_stale %}<p class="stale-notice" role="note">This data was last checked on {{ when|date:"Y-m-d" }}, more than six months ago: versions, prices and speeds may have changed since.</p>{% endif %}\n'


@pytest.mark.parametrize("with_pages", [True, False])
def test_the_byline_reads_as_the_template_wrote_it(settings, catalog_dir, db, with_pages) -> None:
    from pathlib import Path

    from runlocal_web.lib import templatetags
    from runlocal_web.reference.templatetags.reference_tags import written_page_url

    from . import factory

    factory.tiny_catalog(catalog_dir)
    if with_pages:  # the byline links the editors' and the evidence labels' pages
        factory.page(catalog_dir, "author")
        factory.page(catalog_dir, "trust")
    factory.sync()
    assert bool(written_page_url("author")) == with_pages

    new_markup = (
        Path(templatetags.__file__).parent.parent / "templates" / "includes" / "byline.html"
    ).read_text()
    django = engines["django"]
    old, new = django.from_string(BYLINE_MARKUP), django.from_string(new_markup)
    today = dt.date.today()
    whens = [
        None,
        "",
        today,
        today - dt.timedelta(days=400),
        "2020-02-29",
        today.isoformat(),
        dt.date(999, 1, 2),  # the date filter's Y pads the year to four digits, as ISO does
        dt.datetime(2020, 1, 1, 23, 30, tzinfo=dt.UTC),
        dt.datetime(2020, 1, 1, 23, 30),
        "not a date",
        HOSTILE,
    ]
    contexts = []
    for when in whens:
        for who in (None, "", "Ada", HOSTILE):
            for evidence, note in (("", ""), ("Sourced specs", ""), (HOSTILE, HOSTILE), ("E", "n")):
                contexts.append(
                    {"who": who, "when": when, "added": when, "evidence": evidence, "note": note}
                )
    contexts += [{}, {"when": today}, {"added": "2024-05-06"}]
    for zone in ("UTC", "Pacific/Kiritimati"):
        settings.TIME_ZONE = zone
        timezone.activate(zone)
        try:
            for context in contexts:
                assert new.render(context) == old.render(context), context
        finally:
            timezone.deactivate()


# includes/provenance.html before its list and line moved into reference_tags.provenance_html.
PROVENANCE_MARKUP = '{% load reference_tags %}<section aria-labelledby="h-sources">\n  <h2 id="h-sources">Sources</h2>\n  <ul class="sources">{% for u in entry.sources %}<li>{% if u|http_url %}<a href="{{ u|http_url }}" rel="nofollow noopener">{{ u }}</a>{% else %}{{ u }}{% endif %}</li>{% endfor %}</ul>\n  <p class="muted">Last verified {{ entry.last_verified|date:"Y-m-d" }} by {{ entry.reviewed_by }}{% written_page_url "author" as author_url %}{% if author_url %} (<a href="{{ author_url }}" rel="author">about the editors</a>){% endif %}.{% if entry.aliases %} Also known as: {{ entry.aliases|join:", " }}.{% endif %}</p>\n</section>\n'


@pytest.mark.parametrize("with_pages", [True, False])
def test_the_sources_read_as_the_template_wrote_them(settings, catalog_dir, db, with_pages) -> None:

    from runlocal.catalog import load_catalog

    from . import factory

    factory.tiny_catalog(catalog_dir)
    if with_pages:
        factory.page(catalog_dir, "author")
    factory.sync()
    # As the model and hardware pages write it (the include it was, inlined).
    new_markup = (
        '{% load reference_tags %}<section aria-labelledby="h-sources">\n'
        '  <h2 id="h-sources">Sources</h2>\n  {% provenance_html entry %}\n</section>\n'
    )
    django = engines["django"]
    old, new = django.from_string(PROVENANCE_MARKUP), django.from_string(new_markup)
    cat = load_catalog()
    entries: list = [
        {
            "sources": list(e.sources),
            "last_verified": e.get("last_verified"),
            "reviewed_by": e.get("reviewed_by"),
            "aliases": list(e.get("aliases") or []),
        }
        for e in [*cat.models.values(), *cat.hardware.values()]
    ]
    entries += [
        {
            "sources": [HOSTILE, "https://x.org/?a=1&b=<2>", "javascript:alert(1)", "", 7],
            "last_verified": when,
            "reviewed_by": who,
            "aliases": aliases,
        }
        for when in (
            None,
            "",
            "2024-01-05",
            dt.date(2024, 1, 5),
            dt.date(999, 1, 2),
            dt.datetime(2024, 1, 5, 23, 30, tzinfo=dt.UTC),
        )
        for who in (None, "", HOSTILE)
        for aliases in ([], [HOSTILE, "b"], HOSTILE, None)
    ]
    entries += [{}, {"sources": None}]
    for zone in ("UTC", "Pacific/Kiritimati"):
        settings.TIME_ZONE = zone
        timezone.activate(zone)
        try:
            for entry in entries:
                assert new.render({"entry": entry}) == old.render({"entry": entry}), entry
        finally:
            timezone.deactivate()


# model_detail.html's size tables and base.html's breadcrumbs before their loops moved into
# sheettags.quant_size_rows, file_rows and breadcrumb_items.
SIZES_MARKUP = '<tbody>{% for q in data.quant_sizes %}<tr><th scope="row">{{ q.quant }}</th><td class="num">{% if q.weights_bytes %}{{ q.weights_bytes|gib }}{% else %}—{% endif %}</td><td>{{ q.quant_loss_label|default:"—" }}</td>{% if data.quant_files_listed %}<td>{% if q.file_bytes %}{{ q.file_bytes|gib }}{% if q.file_url|http_url %} · <a href="{{ q.file_url|http_url }}" rel="nofollow noopener">download</a>{% endif %}{% else %}not listed{% endif %}</td>{% endif %}</tr>{% endfor %}</tbody>'
SIZES_TAG = "<tbody>{% quant_size_rows data.quant_sizes data.quant_files_listed %}</tbody>"
FILES_MARKUP = '<tbody>{% for f in data.files %}<tr><th scope="row">{{ f.quant }}</th><td class="num">{{ f.size_bytes|gib }}</td><td>{% if f.url|http_url %}<a href="{{ f.url|http_url }}" rel="nofollow noopener">download</a>{% else %}—{% endif %}</td></tr>{% endfor %}</tbody>'
FILES_TAG = "<tbody>{% file_rows data.files %}</tbody>"
CRUMBS_MARKUP = '<ol>{% for name, url in page.breadcrumbs %}<li>{% if forloop.last %}<span aria-current="page">{{ name }}</span>{% else %}<a href="{{ url }}">{{ name }}</a>{% endif %}</li>{% endfor %}</ol>'
CRUMBS_TAG = "<ol>{% breadcrumb_items page.breadcrumbs %}</ol>"
URLS = [None, "", "https://x.org/a.gguf?a=1&b=<2>", "http://y", "javascript:alert(1)", HOSTILE]


def test_the_size_tables_read_as_the_template_wrote_them() -> None:
    from runlocal.catalog import load_catalog

    django = engines["django"]
    sizes_old, sizes_new = django.from_string(SIZES_MARKUP), django.from_string(SIZES_TAG)
    files_old, files_new = django.from_string(FILES_MARKUP), django.from_string(FILES_TAG)
    numbers = [None, "", 0, 4_920_000_000, 12.5e9, float("nan"), True, HOSTILE]
    sizes: list = [
        {
            "quant": quant,
            "weights_bytes": weights,
            "quant_loss": None,
            "quant_loss_label": label,
            "file_bytes": file_bytes,
            "file_url": url,
        }
        for quant in ("Q4_K_M", HOSTILE, None)
        for weights in numbers
        for label in ("", None, "small", HOSTILE)
        for file_bytes in (None, 0, 5e9)
        for url in URLS
    ]
    sizes += [{}, {"quant": "F16"}]
    for listed in (True, False, None, "", 1):
        for rows in (sizes, [], None):
            data = {"quant_sizes": rows, "quant_files_listed": listed}
            assert sizes_new.render({"data": data}) == sizes_old.render({"data": data})
    files: list = [
        {"quant": quant, "size_bytes": size, "url": url}
        for quant in ("Q8_0", HOSTILE, None, "")
        for size in numbers
        for url in URLS
    ]
    files += [{}, {"quant": "Q4_0"}]
    catalog = [
        [
            {"quant": f.get("quant"), "size_bytes": f.get("size_bytes"), "url": f.get("url")}
            for f in e.get("files", [])
            if isinstance(f, dict)
        ]
        for e in load_catalog().models.values()
    ]
    for rows in [files, [], None, *catalog]:
        data = {"files": rows}
        assert files_new.render({"data": data}) == files_old.render({"data": data})


def test_the_breadcrumbs_read_as_the_template_wrote_them() -> None:
    django = engines["django"]
    old, new = django.from_string(CRUMBS_MARKUP), django.from_string(CRUMBS_TAG)
    trails: list = [
        [("Home", "/"), ("Models", "/models/"), ("Llama 3.1 8B", "/models/llama-3.1-8b/")],
        [("Home", "/"), (HOSTILE, "/a?b=1&c=<2>"), (HOSTILE, HOSTILE)],
        [("Home", "/")],
        [("Only", None), (None, "")],
        (("Home", "/"), ("Not found", "/models/x%20y/")),
        [],
        None,
    ]
    for trail in trails:
        page = SimpleNamespace(breadcrumbs=trail)
        assert new.render({"page": page}) == old.render({"page": page}), trail


def test_a_remembered_url_reads_as_the_url_tag_wrote_it(settings) -> None:
    django = engines["django"]
    for name, args in (
        ("checker:will_it_run", ""),
        ("reference:tool_list", ""),
        ("catalogdb:model_detail", ' "llama-3.1-8b"'),
        ("catalogdb:hardware_detail", ' "a+b.c"'),
    ):
        old = django.from_string(f"{{% url '{name}'{args} %}}")
        new = django.from_string(f"{{% url_of '{name}'{args} %}}")
        assert new.render({}) == old.render({})
    settings.FORCE_SCRIPT_NAME = "/x&y/"  # a prefix to escape, as {% url %} escapes it
    from django.urls import set_script_prefix

    set_script_prefix("/x&y/")
    try:
        old = django.from_string("{% url 'checker:will_it_run' %}").render({})
        assert django.from_string("{% url_of 'checker:will_it_run' %}").render({}) == old
        assert "&amp;" in old
    finally:
        set_script_prefix("/")


SHOWN = [
    "",
    "plain",
    "<b>&'\"</b>",
    "x" * 200 + "<",
    "é ü ✓ —",
    mark_safe("<i>safe</i>"),
    None,
    0,
    1234567,
    -3,
    1.5,
    2.0,
    1e21,
    float("nan"),
    True,
    dt.date(2026, 12, 7),
    dt.datetime(2026, 12, 7, 23, 30, tzinfo=dt.UTC),
    dt.datetime(2026, 12, 7, 23, 30),
    ["a<", 1],
    {"k": "<v>"},
    gettext_lazy("Models"),
]


@pytest.mark.parametrize("autoescape", [True, False])
@pytest.mark.parametrize("zone", ["UTC", "Pacific/Kiritimati"])
def test_a_value_shows_as_the_template_language_shows_it(settings, autoescape, zone) -> None:
    # templatetags.show: `{{ value }}`, a plain str escaped directly, anything else as the
    # template language renders it.
    from django.template import Context, Template
    from django.template.base import render_value_in_context
    from django.utils import timezone

    from runlocal_web.lib.templatetags import show

    settings.TIME_ZONE = zone
    with timezone.override(zone):
        context = Context(autoescape=autoescape)
        for value in SHOWN:
            assert show(context, value) == str(render_value_in_context(value, context))
            shown = Template("{{ v }}").render(Context({"v": value}, autoescape=autoescape))
            assert show(context, value) == shown
