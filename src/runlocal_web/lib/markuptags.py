"""Template tags that write a page's repeated markup in Python: the check and quantization
tables' rows, the custom build's rows and form fields (the detail pages' spec sheets, size
tables and breadcrumbs are in `sheettags`, the frame's tags, base.html's, in `frametags`).

Each replaced a loop or an if/elif chain of the template language that cost a noticeable share
of its page's rendering; tests/web/test_markup_in_python.py holds each to the markup it
replaced. Values go through the same filters as the templates' (`templatetags`).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django import template
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.forms.widgets import Input, Select
from django.template.defaultfilters import capfirst, floatformat
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from runlocal_web.lib.templatetags import (
    escape,
    g,
    gib,
    http_url,
    num,
    params_b,
    show,
)
from runlocal_web.reference.templatetags.reference_tags import stale_mark, street_date

register = template.Library()

# The markup below is built as plain str and returned as SafeString(text): what mark_safe
# makes of a str, without its keep_lazy wrapper (a check of every argument for a lazy
# string, ~1 µs a call, some 60 calls a model or hardware page). mark_safe stays where the
# value may be something other than a plain str.


def _quality_1(value: Any) -> str:
    """`floatformat(value, 1)` (a quality score), remembered per value: Django's filter
    rounds through Decimal and the locale, ~10 µs a row of the custom build."""
    if type(value) is not float:
        return str(floatformat(value, 1))
    return _floatformat_1(value)


@lru_cache(maxsize=4096)
def _floatformat_1(value: float) -> str:
    return str(floatformat(value, 1))


@register.filter
def datalist(names: Any, list_id: str) -> SafeString:
    """`<datalist id=…>` of the names for a text box's suggestions (the catalog's 150-odd model
    or 200-odd hardware names). Built once per distinct list: the names change only with a
    sync, and looping over them in the template cost a millisecond or more on every page."""
    key = names if type(names) is tuple else tuple(str(n) for n in names or ())
    return _datalist(key, str(list_id))


@lru_cache(maxsize=32)
def _datalist(names: tuple[str, ...], list_id: str) -> SafeString:
    options = "".join(f'<option value="{escape(n)}">' for n in names)
    return SafeString(f'<datalist id="{escape(list_id)}">{options}</datalist>')


@register.filter
def quant_cell(c: dict[str, Any]) -> SafeString:
    """One cell of the quantization table (quant_table): a verdict, its speed and largest context.

    Written here rather than in the template: the model and hardware pages show 35-40 of
    them, and through the template language they were a third of those pages' rendering.
    tests/web/test_markup_in_python.py holds it to the template markup it replaced."""
    if c.get("error"):
        return SafeString('<td><span class="muted">—</span></td>')
    label = escape(c.get("verdict_label"))
    speed = c.get("decode_tok_s")
    shown = (
        f'<span class="visually-hidden">{label}: </span>{g(speed)} tok/s'
        if speed is not None
        else label
    )
    out = f'<td><a href="{escape(c.get("check_url"))}" class="tier tier-{escape(c.get("verdict_class"))}">{shown}</a>'
    if c.get("verdict") != "wont-run":
        why = ""
        if c.get("verdict") == "tradeoffs":
            why += "with tradeoffs" + (" · " if c.get("max_context") else "")
        if c.get("max_context"):
            why += f"{num(c['max_context'])} ctx"
            why += " with RAM" if c.get("max_context_where") == "offload" else ""
        if c.get("evidence") != "estimated":
            why += f" · {escape(c.get('evidence'))}"
        out += f'<br><span class="why">{why}</span>'
    return SafeString(out + "</td>")


@register.simple_tag
def build_rows(rows: Any, use: str) -> SafeString:
    """`{% for m in rows %}{{ m|build_row:use }}{% endfor %}`: the rows joined, without the
    loop's and the filter's steps per row in the template language (~5 µs a row, 150-250
    rows a build; issue 14, docs/performance.md Round 11)."""
    return SafeString("".join([build_row(m, use) for m in rows or ()]))


@register.filter
def build_row(m: dict[str, Any], use: str) -> SafeString:
    """One model's row in the custom build's tables (tools/custom_build.html): the build page
    lists every text model in the catalog, and through the template language its rows were
    a fifth of the page's time. tests/web/test_markup_in_python.py holds it to the markup it
    replaced."""
    name = f'<a href="{escape(m.get("url"))}">{escape(m.get("name"))}</a>'
    if m.get("specialised"):
        name += f'<span class="tag">{escape(use)} model</span>'
    if m.get("quality_basis") or m.get("reason"):
        if m.get("quality_basis"):
            summary = f"quality {_quality_1(m.get('quality'))}"
            summary += ", estimated" if m.get("quality_estimated") else ""
        else:
            summary = "why"
        detail = f"<p>{escape(capfirst(m['reason']))}.</p>" if m.get("reason") else ""
        detail += f"<p>{escape(m['quality_basis'])}</p>" if m.get("quality_basis") else ""
        name += f'<details class="row-detail"><summary>{summary}</summary>{detail}</details>'
    verdict = (
        f'<a href="{escape(m.get("check_url"))}"><span class="tier tier-'
        f'{escape(m.get("verdict_class"))}">{escape(m.get("verdict_label"))}</span></a>'
    )
    verdict += f" at {escape(m.get('quant'))}" if m.get("lower_quant") else ""
    speed = m.get("decode_tok_s")
    decode = f"{g(speed)} tokens/s" if speed is not None else "—"
    context = "—"
    if m.get("max_context"):
        context = num(m["max_context"])
        context += ' <span class="muted">with RAM</span>' if m.get("max_context_offloaded") else ""
    if m.get("total_bytes") is None:
        memory = "—"
    elif m.get("verdict") == "wont-run":
        memory = f"needs more than {gib(m.get('budget_bytes'))}"
    else:
        memory = f"{gib(m['total_bytes'])} of {gib(m.get('budget_bytes'))}"
        if m.get("host_bytes") and m.get("verdict") == "tradeoffs":
            memory += f" + {gib(m['host_bytes'])} in RAM"
    return SafeString(
        f'<tr>\n      <th scope="row">{name}</th>\n'
        f"      <td>{params_b(m.get('params_total_b'))}</td>\n"
        f"      <td>{verdict}</td>\n"
        f"      <td>{decode}</td>\n"
        f"      <td>{context}</td>\n"
        f"      <td>{memory}</td>\n    </tr>"
    )


@register.simple_tag(takes_context=True)
def choose_cards(context: template.Context, picks: Any) -> SafeString:
    """Choose my GPU's ranked cards (tools/choose.html), each card as the template's loop
    wrote it: a dozen cards of some twenty values each were half of that page's rendering
    (issue 14, docs/performance.md Round 11). tests/web/test_markup_in_python.py holds it
    to the template markup it replaced."""
    out = []
    for rank, p in enumerate(picks or (), 1):
        hw = p["hardware"]
        check = show(context, p["check_url"])
        quant = show(context, p["quant"])
        best = p["best_quant"]
        upto = (
            f"; fits comfortably up to {show(context, best)}" if best and best != p["quant"] else ""
        )
        if p["max_context"]:
            ctx = f"{num(p['max_context'])} tokens"
            ctx += ", with system RAM" if p["max_context_offloaded"] else ""
        else:
            ctx = "—"
        power = ""
        if p["tok_s_per_watt"] is not None:
            power = (
                f"<dt>Power</dt><dd>{g(p['tdp_w'])} W · {num(p['tok_s_per_watt'], 3)} tokens/s "
                "per W</dd>"
            )
        why = ""
        if p["verdict"] != "comfortable":
            lines = p["rationale"]
            why = f'<p class="why">{show(context, lines[1]) if len(lines) > 1 else ""}</p>'
        out.append(
            '\n  <li class="card">\n'
            f'    <p class="rank">#{rank}</p>\n'
            f'    <h3><a href="{show(context, hw["url"])}">{show(context, hw["name"])}</a></h3>\n'
            f'    <p><a href="{check}"><span class="tier tier-{show(context, p["verdict_class"])}">'
            f"{show(context, p['verdict_label'])}</span></a> at {quant}</p>\n"
            '    <dl class="facts">\n'
            f"      <dt>Speed</dt><dd><strong>{g(p['decode_tok_s'])} tokens/s</strong> "
            f'<span class="range">{g(p["decode_tok_s_low"])}–{g(p["decode_tok_s_high"])}</span>'
            "</dd>\n"
            f"      <dt>Quantization</dt><dd>{quant}{upto}</dd>\n"
            f"      <dt>Largest context</dt><dd>{ctx}</dd>\n"
            f"      <dt>Price</dt><dd>${num(p['price_usd'])} "
            f'<span class="muted">({show(context, p["price_basis"])})</span>'
            f"{stale_mark(street_date(p['price_basis']))}</dd>\n"
            f"      <dt>Value</dt><dd>{num(p['tok_s_per_kusd'], 1)} tokens/s per $1,000</dd>\n"
            f"      {power}\n"
            "    </dl>\n"
            f"    {why}\n"
            f'    <p><a href="{check}">Full check</a> · '
            f'<a href="{show(context, p["cost_url"])}">Cost vs cloud</a></p>\n'
            "  </li>\n"
        )
    return SafeString("".join(out))


@register.simple_tag
def form_field(field: Any, suggest: Any = None, *, helptext_id: bool = False) -> SafeString:
    """One form field's block: label, widget, help, errors (and, with `suggest`, "Did you
    mean" links), as checker/_field.html (`helptext_id=True`) and tools/_field.html wrote
    it. A form page includes five to eleven of them, through the template language about a
    millisecond of every Will it run? answer. tests/web/test_markup_in_python.py holds it
    to the template markup it replaced."""
    cesc = conditional_escape
    auto_id = field.auto_id
    errors = field.errors
    help_text = field.help_text
    if help_text:
        at = f' id="{cesc(auto_id)}_helptext"' if helptext_id else ""
        help_p = f'<p class="help"{at}>{cesc(help_text)}</p>'
    else:
        help_p = ""
    if errors:
        error_id = escape(f"{auto_id}_error") if helptext_id else ""
        items = "".join(f"<li>{cesc(e)}</li>" for e in errors)
        errors_ul = f'<ul class="errorlist" id="{error_id}">{items}</ul>'
    else:
        errors_ul = ""
    out = (
        f'{chr(10) if helptext_id else ""}<div class="field{" has-error" if errors else ""}">\n'
        f'  <label for="{cesc(field.id_for_label)}">{cesc(field.label)}</label>\n'
        f"  {widget_html(field)}\n"
        f"  {help_p}\n"
        f"  {errors_ul}\n"
    )
    if not helptext_id:
        if suggest:
            links = ", ".join(
                f'<a href="{cesc(_item(s, "url"))}">{cesc(_item(s, "name"))}</a>' for s in suggest
            )
            out += f'\n  <p class="suggest">Did you mean {links}?</p>'
        else:
            out += "\n  "
    return SafeString(out + "\n</div>\n")


def _item(obj: Any, key: str) -> Any:
    """`{{ obj.key }}`'s lookup for a dict or an object."""
    return obj[key] if isinstance(obj, dict) else getattr(obj, key)


def _side(row: dict[str, Any], first: str) -> str:
    """The row's head cell: the model's or the device's name, linked to its page."""
    side = row.get("model" if first == "model" else "hardware") or {}
    if not isinstance(side, dict):
        side = {}
    return (
        f'<th scope="row"><a href="{escape(side.get("url", ""))}">'
        f"{escape(side.get('name', ''))}</a></th>"
    )


@register.filter
def quant_row(row: dict[str, Any], first: str) -> SafeString:
    """One row of the quantization table, quant_table (`first`: "model" or "hardware", the side that
    varies), its cells by quant_cell: the loop's markup, whitespace included, seven or eight
    times a model or hardware page. tests/web/test_markup_in_python.py holds it to the
    template markup it replaced."""
    cells = "".join(f"\n    {quant_cell(c)}\n    " for c in row.get("cells") or ())
    return SafeString(f"\n  <tr>\n    {_side(row, first)}\n    {cells}\n  </tr>\n  ")


@register.filter
def check_row(c: dict[str, Any], first: str) -> SafeString:
    """One row of the verdict table, check_table (`first`: "model" or "hardware"): a verdict with
    its memory, speed and largest context, seven or eight times a model or hardware page.
    tests/web/test_markup_in_python.py holds it to the template markup it replaced."""
    if c.get("error"):
        body = f'\n    <td colspan="4" class="muted">{escape(capfirst(c["error"]))}</td>\n    '
    else:
        verdict = (
            f'<td><span class="tier tier-{escape(c.get("verdict_class", ""))}">'
            f"{escape(c.get('verdict_label', ''))}</span>"
        )
        if c.get("verdict", "") != "comfortable":
            verdict += f'<br><span class="why">{escape(capfirst(c.get("reason", "")))}</span>'
        memory = f"{gib(c.get('total_bytes'))} of {gib(c.get('budget_bytes'))}"
        if c.get("host_bytes") and c.get("offloaded"):
            memory += f'<br><span class="why">+ {gib(c["host_bytes"])} in RAM</span>'
        speed = c.get("decode_tok_s")
        if speed is not None:
            measured = " badge-measured" if c.get("evidence", "") != "estimated" else ""
            decode = (
                f'{g(speed)} tok/s<br><span class="badge{measured}">'
                f"{escape(c.get('evidence', ''))}</span>"
            )
        else:
            decode = "—"
        context = "—"
        if c.get("max_context"):
            context = num(c["max_context"])
            if c.get("max_context_where", "") == "offload":
                context += ' <span class="muted">with RAM</span>'
        body = (
            f"\n    {verdict}</td>\n"
            f'    <td class="num">{memory}</td>\n'
            f'    <td class="num">{decode}</td>\n'
            f'    <td class="num">{context}</td>\n    '
        )
    return SafeString(
        f"\n  <tr>\n    {_side(c, first)}\n    {body}\n"
        f'    <td><a href="{escape(c.get("check_url", ""))}">Details</a></td>\n  </tr>\n  '
    )


_CHECK_TABLE_HEADS = (
    '<th scope="col">Verdict</th><th scope="col">Memory needed</th><th scope="col">Decode</th>'
    '<th scope="col">Largest context</th><th scope="col"><span class="visually-hidden">Details'
    "</span></th>"
)
_MATRIX_NOTE = (
    '<p class="muted">Green runs comfortably, amber runs with tradeoffs (offload to system '
    "RAM, slow, or little room left), red will not run; each cell also says so in words. "
    "“ctx” is the largest context that runs (“with RAM”: with part of the model in system "
    'RAM, as the verdict says). Speeds are <a href="/methodology/">estimated</a> unless '
    "marked measured; follow a cell for the memory breakdown.</p>\n"
)


@register.simple_tag
def check_table(rows: Any, first: str) -> SafeString:
    """The detail pages' verdict table (rows: check_row dicts; first: "model" or "hardware",
    the column that varies), each row by check_row: what `{% include
    "includes/check_table.html" %}` wrote, without an include's template lookup and context
    per page. tests/web/test_markup_in_python.py holds it to that template."""
    side = "Model" if first == "model" else "Hardware"
    body = "".join(check_row(c, first) for c in rows or ())
    return SafeString(
        '\n<div class="table-scroll">\n<table class="listing checks">\n  <thead><tr>'
        f'<th scope="col">{side}</th>{_CHECK_TABLE_HEADS}</tr></thead>\n  <tbody>\n  {body}\n'
        "  </tbody>\n</table>\n</div>\n"
    )


@register.simple_tag(takes_context=True)
def quant_table(context: template.Context, rows: Any, quants: Any, first: str) -> SafeString:
    """The detail pages' quantization table (rows: insights.quant_matrix rows; quants: the
    column heads; first: "model" or "hardware"), each row by quant_row, and its note: what
    `{% include "includes/quant_matrix.html" %}` wrote. tests/web/test_markup_in_python.py
    holds it to that template."""
    model = first == "model"
    heads = "".join(f'<th scope="col">{show(context, q)}</th>' for q in quants or ())
    body = "".join(quant_row(row, first) for row in rows or ())
    return SafeString(
        '\n<div class="table-scroll">\n<table class="listing quant-matrix">\n'
        '  <caption class="visually-hidden">Verdict, decode speed and largest context for each '
        f"{'model' if model else 'device'} at each quantization</caption>\n"
        f'  <thead><tr><th scope="col">{"Model" if model else "Hardware"}</th>{heads}</tr>'
        f"</thead>\n  <tbody>\n  {body}\n  </tbody>\n</table>\n</div>\n{_MATRIX_NOTE}"
    )


@register.simple_tag(takes_context=True)
def quick_check(
    context: template.Context,
    model_value: Any = "",
    hardware_value: Any = "",
    ram_default: Any = "",
) -> SafeString:
    """A quick Will it run? form: model_value / hardware_value prefill one side, ram_default
    shows the system-RAM field with the default the engine assumes; then the datalists of
    the names in the context (model_names, hardware_names). What `{% include
    "includes/quick_check.html" %}` wrote, without two includes' lookups and contexts and a
    dozen nodes a page. tests/web/test_markup_in_python.py holds it to that template."""
    model = f' value="{show(context, model_value)}"' if model_value else ""
    hardware = f' value="{show(context, hardware_value)}"' if hardware_value else ""
    ram = ""
    if ram_default:
        ram = (
            '<div class="field">\n    <label for="qc-ram">System RAM (GiB)</label>\n'
            '    <input id="qc-ram" name="ram_gb" type="number" max="65536" '
            'step="any" inputmode="decimal" '
            f'placeholder="{show(context, g(ram_default))} (assumed)">\n  </div>'
        )
    model_names, hardware_names = context.get("model_names"), context.get("hardware_names")
    lists = (datalist(model_names, "model-names") if model_names else "") + "\n"
    lists += (datalist(hardware_names, "hardware-names") if hardware_names else "") + "\n"
    from runlocal_web.lib.pages import url_for

    action = show(context, url_for("checker:will_it_run"))
    return SafeString(
        f'\n<form class="quick-check" method="get" action="{action}">\n'
        '  <div class="field">\n    <label for="qc-model">Model</label>\n'
        '    <input id="qc-model" name="model" type="text" maxlength="300" required '
        'list="model-names" autocomplete="off" placeholder="e.g. Llama 3.1 8B"'
        f"{model}>\n  </div>\n"
        '  <div class="field">\n    <label for="qc-hardware">Hardware</label>\n'
        '    <input id="qc-hardware" name="hardware" type="text" maxlength="300" required '
        'list="hardware-names" autocomplete="off" '
        f'placeholder="e.g. RTX 4090, 2x RTX 3090, M4 Max"{hardware}>\n  </div>\n'
        f'  {ram}\n  <button type="submit">Will it run?</button>\n</form>\n{lists}\n'
    )


@register.simple_tag(takes_context=True)
def list_items(context: template.Context, items: Any) -> SafeString:
    """`{% for s in items %}<li>{{ s }}</li>{% endfor %}`: the hardware page's strengths and
    limits. tests/web/test_markup_in_python.py holds it to that loop."""
    return SafeString("".join(f"<li>{show(context, s)}</li>" for s in items or ()))


@register.simple_tag(takes_context=True)
def link_list(context: template.Context, links: Any) -> SafeString:
    """Links ({"url", "name"} each) separated by commas, as the hardware page's loop over the
    runtimes without a backend for it wrote them. tests/web/test_markup_in_python.py holds it
    to that loop."""
    return SafeString(
        ", ".join(
            f'<a href="{show(context, field_of(r, "url"))}">{show(context, field_of(r, "name"))}</a>'
            for r in links or ()
        )
    )


def _over_one(value: Any) -> bool:
    """The template's `{% if value > 1 %}`: False when the comparison fails."""
    try:
        return bool(value > 1)
    except Exception:
        return False


def _length(value: Any) -> int:
    """The template's `value|length`: 0 for what has no length."""
    try:
        return len(value)
    except (ValueError, TypeError):
        return 0


@register.simple_tag(takes_context=True)
def bench_table(context: template.Context, bench: Any, side: str) -> SafeString:
    """The detail pages' measured benchmarks (bench: insights.benchmark_rows; side: "model"
    or "hardware", the column that varies), or the line saying there are none: what `{%
    include "includes/bench_rows.html" %}` wrote, without an include's lookup and a dozen
    nodes a row. tests/web/test_markup_in_python.py holds it to that template."""

    def sh(value: Any) -> str:
        return show(context, value)

    if not field_of(bench, "count"):
        return SafeString(
            '\n\n<p class="empty">No published measurement yet: the speeds above are estimated '
            f'from memory bandwidth and compute. <a href="{sh(field_of(bench, "list_url"))}">All '
            "benchmarks</a>.</p>\n\n"
        )
    by_model = side == "model"
    out = (
        '\n\n<div class="table-scroll">\n<table class="listing bench">\n  <thead><tr><th scope="col">'
        f'{"Model" if by_model else "Hardware"}</th><th scope="col">Quant</th><th scope="col">'
        'Backend</th><th scope="col">Test</th><th scope="col">Tokens/s</th><th scope="col">'
        'Evidence</th><th scope="col">Reproduce</th></tr></thead>\n  <tbody>\n  '
    )
    rows = field_of(bench, "rows")
    for r in rows or ():
        entry = field_of(r, "model" if by_model else "hardware")
        url, name = field_of(entry, "url"), sh(field_of(entry, "name"))
        head = f'<a href="{sh(url)}">{name}</a>' if url else name
        n = field_of(r, "n_devices")
        if _over_one(n):
            head += f'<br><span class="why">on {sh(n)} devices</span>' if by_model else f" ×{sh(n)}"
        source = http_url(field_of(r, "source"))
        evidence = (
            f'<span class="trust trust-{sh(field_of(r, "trust"))}">{sh(field_of(r, "trust_label"))}'
            f'</span><br><a href="{sh(field_of(r, "anchor"))}" class="why">set</a>'
        )
        if source:
            evidence += f' · <a href="{sh(source)}" rel="nofollow noopener" class="why">source</a>'
        command = field_of(r, "command")
        code = f'<code class="cmd">{sh(command)}</code>' if command else "—"
        out += (
            f'\n  <tr>\n    <th scope="row">{head}</th>\n'
            f"    <td>{sh(field_of(r, 'quant') or '—')}</td>\n"
            f"    <td>{sh(field_of(r, 'backend_label') or '—')}</td>\n"
            f'    <td>{sh(field_of(r, "metric_short"))}<br><span class="why">'
            f"{sh(field_of(r, 'test'))}</span></td>\n"
            f'    <td class="num">{sh(g(field_of(r, "value")))}</td>\n'
            f"    <td>{evidence}</td>\n"
            f"    <td>{code}</td>\n"
            "  </tr>\n  "
        )
    count, shown, all_url = field_of(bench, "count"), _length(rows), sh(field_of(bench, "all_url"))
    if _over(count, shown):
        summary = (
            f'Showing {sh(shown)} of {sh(count)} measurements: <a href="{all_url}">all of them</a>.'
        )
    else:
        summary = f'<a href="{all_url}">These measurements in the benchmark table</a>.'
    return SafeString(
        f"{out}\n  </tbody>\n</table>\n</div>\n<p>{summary} When a measurement matches the "
        "model, quantization and hardware, the tables above show it instead of the estimate."
        "</p>\n\n"
    )


def _over(a: Any, b: Any) -> bool:
    """The template's `{% if a > b %}`: False when the comparison fails."""
    try:
        return bool(a > b)
    except Exception:
        return False


_WIDGETS: dict[tuple[Any, ...], str] = {}
_WIDGETS_MAX = 2048


def widget_html(field: Any) -> str:
    """`{{ field }}`: the bound field's widget, remembered per exact input. A widget's HTML
    depends only on its own state (class, attributes, choices), its name, value and the
    attributes the bound field adds (id, required, aria-*); a form page renders the same
    empty option fields for nearly every visitor, ~50 µs each through Django's widget code.
    Anything unusual (a hidden initial, a multi-widget, a long value) is rendered afresh."""
    widget = field.field.widget
    if field.field.show_hidden_initial or not isinstance(widget, Input | Select):
        return str(conditional_escape(field))
    if field.field.localize:
        widget.is_localized = True  # as BoundField.as_widget does
    attrs = field.build_widget_attrs({}, widget)
    if field.auto_id and "id" not in widget.attrs:
        attrs.setdefault("id", field.auto_id)
    value = field.value()
    shown = repr(value)
    if len(shown) > 100:
        return str(conditional_escape(field))
    renderer = field.form.renderer
    key = (type(widget), repr(vars(widget)), field.html_name, shown, repr(attrs), type(renderer))
    html = _WIDGETS.get(key)
    if html is None:
        html = widget.render(name=field.html_name, value=value, attrs=attrs, renderer=renderer)
        if len(_WIDGETS) >= _WIDGETS_MAX:
            _WIDGETS.clear()
        _WIDGETS[key] = html
    return html


@receiver(setting_changed)
def _forget_widgets(**kwargs: Any) -> None:
    _WIDGETS.clear()  # formats, renderers: a widget may read differently
    _floatformat_1.cache_clear()  # the locale's decimal point


@register.simple_tag
def form_fields(form: Any, names: Any) -> SafeString:
    """The blocks of the form's fields named in `names`, in the form's order, as the Will it
    run? form's loops wrote them (`{% for field in form %}{% if field.name in names %}` and
    form_field with `helptext_id`): the loop and its test through the template language cost
    as much as the fields. tests/web/test_markup_in_python.py holds it to that markup."""
    return SafeString(
        "".join(
            f"\n      {form_field(field, helptext_id=True)}\n      "
            for field in form
            if field.name in names
        )
    )


@register.simple_tag
def widget(field: Any) -> SafeString:
    """`{{ field }}` through widget_html: the bound field's widget, remembered per input."""
    return mark_safe(widget_html(field))


def field_of(row: Any, key: str) -> Any:
    """The template's `row.key` for the dicts these rows come in: '' when it is missing."""
    return row.get(key, "") if isinstance(row, dict) else getattr(row, key, "")
