"""Markup written in Python for speed writes what its template markup wrote on the detail and
content pages: spec sheets, navigation, the frame's script and style sheet, byline, sources,
size tables, breadcrumbs, remembered URLs and values shown."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.template import engines
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

# The detail pages' spec sheets before they moved into spec_value, fact_value and arch_rows.
SPEC_MARKUP = '{% load reference_tags %}{% for s in specs %}<dd>{% if s.key == "street_prices" %}{% for p in s.value %}{% if not forloop.first %}<br>{% endif %}{{ p.condition }}, about ${{ p.usd|num }}, as of {{ p.date }}{{ p.date|stale_mark }} (<a href="{{ p.source }}" rel="nofollow noopener">source</a>){% if p.note %} <span class="muted">{{ p.note }}</span>{% endif %}{% endfor %}{% elif s.key == "backends" or s.key == "memory_configs_gib" %}{{ s.value|join_g }}{% elif s.key == "launch_price_usd" or s.key == "street_price_usd" %}${{ s.value|num }}{% elif s.unit %}{{ s.value|g }}{% else %}{{ s.value }}{% endif %}{% if s.unit and s.key != "launch_price_usd" and s.key != "street_price_usd" %} {{ s.unit }}{% elif s.key == "street_price_usd" and h.street_price_date %} ({{ h.street_price_date }}){{ h.street_price_date|stale_mark }}{% endif %}</dd>\n{% endfor %}'


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
