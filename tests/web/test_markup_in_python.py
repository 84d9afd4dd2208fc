"""Markup written in Python for speed writes what its template markup wrote: the detail tables,
the quick check form, the assessment lists, the benchmark table, the form field loops and the
catalog line. The cells, rows, footer and form fields: test_markup_in_python_tables.py; the
detail and content pages: test_markup_in_python_pages.py."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.template import engines
from django.utils import timezone

from runlocal_web.checker.forms import CUSTOM_FIELDS, CheckForm
from runlocal_web.checker.views import OPTION_FIELDS
from runlocal_web.lib.frametags import catalog_line
from runlocal_web.lib.markuptags import form_fields

# (HOSTILE is the pages' value: the tests here read it when they run, as when they were one file)
from .test_markup_in_python_pages import HOSTILE
from .test_markup_in_python_tables import CELLS, CHECK_ROWS, FORM_DATA, SIDES

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
