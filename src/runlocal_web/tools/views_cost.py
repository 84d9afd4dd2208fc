"""Cost vs cloud: a local machine's cost per million tokens against renting a GPU and paying a
hosted API, with every price cited and dated."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from typing import Any

from django.http import HttpRequest, HttpResponse, QueryDict
from django.urls import reverse

from runlocal.catalog import Catalog, Entry
from runlocal.cost import (
    DAYS_PER_MONTH,
    LocalDay,
    LocalUse,
    api_usd,
    break_even_months,
    cumulative_usd,
    local_cost,
    rental_usd_per_day,
    rental_usd_per_million_tokens,
)
from runlocal.engine import CheckQuery
from runlocal.errors import InputError, UnknownNameError
from runlocal.runtimes import RUNTIMES
from runlocal_web.catalogdb.store import current
from runlocal_web.checker.present import verdict_label
from runlocal_web.lib.engine import cached_answer
from runlocal_web.lib.pages import Page, path_with_query, respond
from runlocal_web.ops.limits import limited

from . import charts
from .common import (
    HardwarePick,
    guarded_check,
    hardware_names,
    hardware_url,
    model_names,
    model_url,
    resolve_hardware,
    spec_row,
)
from .forms import DEFAULT_HOURS, DEFAULT_TOKENS, DEFAULT_YEARS, CostForm

# The engine's defaults, as on every page (a model's default quantization, the runtime's
# context, DEFAULT_RAM_GIB beside a discrete GPU); these name them.
QUANT = RUNTIMES["llama.cpp"].default_quant
CONTEXT = RUNTIMES["llama.cpp"].default_context
CLOUD_GPU_COUNTS = (1, 2, 4, 8)
TEMPLATE = "tools/cost.html"


def _text(value: Any) -> str:
    return value.isoformat() if isinstance(value, dt.date) else str(value or "")


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) and number >= 0 else None


def _price_common(e: Entry) -> dict[str, Any]:
    return {
        "id": e.id,
        "name": e.name,
        "observed": _text(e.get("observed")),
        "sources": list(e.sources),
        "source": e.sources[0] if e.sources else None,
        "notes": _text(e.get("notes")),
    }


def electricity_options(catalog: Catalog) -> list[dict[str, Any]]:
    """Electricity prices, the catalog's default first."""
    out = []
    for e in catalog.prices.values():
        price = _number(e.get("usd_per_kwh"))
        if e.get("kind") != "electricity" or price is None:
            continue
        out.append(
            {
                **_price_common(e),
                "region": _text(e.get("region")) or e.name,
                "usd_per_kwh": price,
                "default": e.get("default") is True,
            }
        )
    out.sort(key=lambda r: (not r["default"], r["region"]))
    return out


@limited("check")
def cost(request: HttpRequest) -> HttpResponse:
    digest, catalog = current()
    regions = electricity_options(catalog)
    choices = [(r["id"], f"{r['region']}: ${r['usd_per_kwh']:g}/kWh") for r in regions]
    asked = any(name in request.GET for name in CostForm.URL_FIELDS)
    form = CostForm(request.GET if asked else None, regions=choices)
    path = reverse("tools:cost")
    crumbs = [("Home", "/"), ("Cost vs cloud", path)]
    context: dict[str, Any] = {
        "form": form,
        "model_names": model_names(catalog),
        "hardware_names": hardware_names(catalog),
    }
    defaults = {
        "hours_per_day": DEFAULT_HOURS,
        "years": DEFAULT_YEARS,
        "tokens_per_day": DEFAULT_TOKENS,
        "electricity": regions[0]["id"] if regions else None,
        "quant": QUANT,
        "context": CONTEXT,
    }
    if not asked:
        page = Page(
            title="Cost vs cloud: local AI against GPU rental and APIs",
            description=(
                "What a local GPU or Mac costs per million tokens, with power and the purchase "
                "spread over its life, against renting a cloud GPU and paying a hosted API."
            ),
            breadcrumbs=crumbs,
            canonical_path=path,
        )
        data = {"query": None, "result": None, "electricity": regions, "defaults": defaults}
        return respond(request, TEMPLATE, page, data, context=context)

    solved = solve_cost(request.GET, catalog, digest, regions)
    form = solved.form
    context["form"] = form
    if solved.result is None or solved.model is None:
        suggestions = {
            field: _swap(request.GET, field, names) for field, names in solved.suggestions.items()
        }
        page = Page(
            title="Cost vs cloud: check the form",
            description="Some of the inputs need fixing before runlocal can work out the cost.",
            breadcrumbs=crumbs,
            canonical_path=path,
            noindex=True,
        )
        data = {
            "query": {k: request.GET.get(k) for k in CostForm.URL_FIELDS if k in request.GET},
            "result": None,
            "errors": {k or "__all__": list(v) for k, v in form.errors.items()},
            "suggestions": suggestions,
            "electricity": regions,
            "defaults": defaults,
        }
        context["suggestions"] = suggestions
        return respond(request, TEMPLATE, page, data, context=context, status=400)

    pick, model, result, params = solved.pick, solved.model, solved.result, solved.params
    share = path_with_query(path, params)
    what = pick.label if pick is not None else "your machine"
    local = result["local"]
    desc = f"{model.name} on {what}: "
    if local["usd_per_million_tokens"]["low"] is not None:
        desc += (
            f"${local['usd_per_million_tokens']['low']:,.2f}–"
            f"${local['usd_per_million_tokens']['high']:,.2f} per million tokens locally"
        )
    else:
        desc += "local cost per million tokens unknown"
    desc += ", against cloud GPU rental and hosted APIs."
    page = Page(
        title=f"Cost of {model.name} on {what} vs cloud",
        description=desc,
        breadcrumbs=[*crumbs, (f"{model.name} on {what}", share)],
        canonical_path=share,
    )
    data = {
        "query": dict(params),
        "share_url": share,
        "result": result,
        "electricity": regions,
        "defaults": defaults,
    }
    context["chart"] = _chart(result)
    return respond(request, TEMPLATE, page, data, context=context)


@dataclasses.dataclass
class CostSolution:
    """The form after validation and, when it was valid, the answer. `suggestions` maps a
    field to the catalog names closest to an unknown one."""

    form: CostForm
    suggestions: dict[str, list[str]]
    pick: HardwarePick | None = None
    model: Entry | None = None
    result: dict[str, Any] | None = None
    params: list[tuple[str, Any]] = dataclasses.field(default_factory=list)


def solve_cost(
    data: QueryDict, catalog: Catalog, digest: str, regions: list[dict[str, Any]]
) -> CostSolution:
    """Validate the inputs and compute the answer: the page and `/api/v1/cost` both call this,
    so their numbers are the same."""
    choices = [(r["id"], f"{r['region']}: ${r['usd_per_kwh']:g}/kWh") for r in regions]
    form = CostForm(data, regions=choices)
    solved = CostSolution(form=form, suggestions={})
    if form.is_valid():
        d = form.cleaned_data
        if d["hardware"]:
            try:
                solved.pick = resolve_hardware(catalog, d["hardware"])
            except UnknownNameError as exc:
                form.add_error("hardware", exc.headline)
                solved.suggestions["hardware"] = list(exc.suggestions)
            except InputError as exc:
                form.add_error("hardware", str(exc))
        try:
            solved.model = catalog.find_model(d["model"])
        except UnknownNameError as exc:
            form.add_error("model", exc.headline)
            solved.suggestions["model"] = list(exc.suggestions)
        except InputError as exc:
            form.add_error("model", str(exc))
    model, pick = solved.model, solved.pick
    if form.errors or model is None:
        return solved
    d = dict(form.cleaned_data)
    if pick is not None:
        d["hardware"] = pick.query
    d["model"] = model.id
    form.cleaned_data.update(hardware=d["hardware"], model=model.id)
    solved.params = form.url_params()
    solved.result = cached_answer(
        "cost",
        digest,
        tuple(solved.params),
        lambda: cost_data(pick, model, d, regions, catalog, digest),
    )
    return solved


def _swap(get: QueryDict, field: str, names: list[str]) -> list[dict[str, str]]:
    out = []
    for name in names:
        params = [(k, name if k == field else v) for k, values in get.lists() for v in values]
        out.append({"name": name, "url": path_with_query(reverse("tools:cost"), params)})
    return out


def _day(day: LocalDay) -> dict[str, Any]:
    return {**dataclasses.asdict(day), "capped": day.capped}


def cost_data(
    pick: HardwarePick | None,
    model: Entry,
    d: dict[str, Any],
    regions: list[dict[str, Any]],
    catalog: Catalog,
    digest: str,
) -> dict[str, Any]:
    """The JSON-able answer: inputs with their basis, the local range, cloud and API rows, and
    the break-even series."""
    region = next((r for r in regions if r["id"] == d.get("region")), None)
    if region is None and regions:
        region = regions[0]
    if d.get("usd_per_kwh") is not None:
        usd_per_kwh, kwh_basis = float(d["usd_per_kwh"]), "given"
    elif region is not None:
        usd_per_kwh, kwh_basis = (
            region["usd_per_kwh"],
            f"{region['region']}, observed {region['observed']}",
        )
    else:
        usd_per_kwh, kwh_basis = None, "unknown: the catalog has no electricity price; give one"
    spec = spec_row(pick) if pick is not None else None
    if d.get("price_usd") is not None:
        price, price_basis = float(d["price_usd"]), "given"
    elif spec is not None and spec["price_usd"] is not None:
        price, price_basis = spec["price_usd"], f"catalog price: {spec['price_basis']}"
    else:
        price, price_basis = None, "unknown: give a price"
    if d.get("watts") is not None:
        watts, watts_basis = float(d["watts"]), "given"
    elif spec is not None and spec["tdp_w"] is not None:
        watts, watts_basis = spec["tdp_w"], "catalog board power (TDP), an upper bound"
    else:
        watts, watts_basis = None, "unknown: give the power draw"
    hours = d.get("hours_per_day") or DEFAULT_HOURS
    years = d.get("years") or DEFAULT_YEARS
    tokens = float(d.get("tokens_per_day") or DEFAULT_TOKENS)

    check: dict[str, Any] | None = None
    low = mid = high = None
    if pick is not None:
        q = CheckQuery(model=model.id, hardware=(pick.query,), ram_gb=d.get("ram_gb"))
        r, error = guarded_check(q, catalog, digest)
        if r is not None:
            speed = r["speed"]
            low, mid, high = (
                speed["decode_tok_s_low"],
                speed["decode_tok_s"],
                speed["decode_tok_s_high"],
            )
            check = {
                "verdict": r["verdict"],
                "verdict_label": verdict_label(r["verdict"]),
                "reason": r["reason"],
                "quant": r["quant"],
                "context": r["context"],
                "decode_tok_s": mid,
                "decode_tok_s_low": low,
                "decode_tok_s_high": high,
                "evidence": r["evidence"],
                "error": None,
            }
        else:
            check = {"verdict": None, "error": error}
        check["url"] = path_with_query(
            reverse("checker:will_it_run"),
            {"model": model.id, "hardware": pick.query, "ram_gb": d.get("ram_gb")},
        )
    use = LocalUse(
        purchase_usd=price,
        watts=watts,
        usd_per_kwh=usd_per_kwh,
        hours_per_day=hours,
        years=years,
        tokens_per_day=tokens,
    )
    runs_locally = pick is None or mid is not None
    lc = local_cost(use, low, mid, high)
    served = lc.central.tokens_per_day
    if runs_locally:
        local: dict[str, Any] = {
            "runs": True,
            "usd_per_million_tokens": {
                "low": lc.low.usd_per_million_tokens,
                "central": lc.central.usd_per_million_tokens,
                "high": lc.high.usd_per_million_tokens,
            },
            "low": _day(lc.low),
            "central": _day(lc.central),
            "high": _day(lc.high),
            "speed_known": mid is not None,
        }
    else:
        local = {
            "runs": False,
            "usd_per_million_tokens": {"low": None, "central": None, "high": None},
            "low": None,
            "central": None,
            "high": None,
            "speed_known": False,
        }
    cloud = cloud_rows(model, catalog, digest, served)
    api = api_rows(model, catalog, served)
    return {
        "inputs": {
            "hardware": {
                "id": pick.entry.id,
                "query": pick.query,
                "name": pick.label,
                "url": hardware_url(pick.entry.id),
            }
            if pick is not None
            else None,
            "model": {"id": model.id, "name": model.name, "url": model_url(model.id)},
            "price_usd": price,
            "price_basis": price_basis,
            "watts": watts,
            "watts_basis": watts_basis,
            "usd_per_kwh": usd_per_kwh,
            "usd_per_kwh_basis": kwh_basis,
            "electricity": region if d.get("usd_per_kwh") is None else None,
            "hours_per_day": hours,
            "years": years,
            "tokens_per_day": tokens,
            "quant": (check or {}).get("quant") or QUANT,
            "context": (check or {}).get("context") or CONTEXT,
        },
        "check": check,
        "local": local,
        "cloud": cloud,
        "api": api,
        "break_even": break_even(
            price if runs_locally else None, lc.central, cloud, api, years, served
        ),
    }


def cloud_rows(
    model: Entry, catalog: Catalog, digest: str, tokens_per_day: float
) -> list[dict[str, Any]]:
    """Each cloud GPU price: the fewest of that GPU that hold the model, its speed from the
    engine, and $/million tokens for a machine writing without pause."""
    fits: dict[str, tuple[int, dict[str, Any]] | None] = {}
    rows = []
    for e in catalog.prices.values():
        hw_id = str(e.get("hardware") or "")
        per_gpu = _number(e.get("usd_per_hour"))
        if e.get("kind") != "cloud-gpu" or per_gpu is None or hw_id not in catalog.hardware:
            continue
        if hw_id not in fits:
            fits[hw_id] = _smallest_fit(model, hw_id, catalog, digest)
        found = fits[hw_id]
        row = {
            **_price_common(e),
            "provider": _text(e.get("provider")),
            "pricing": _text(e.get("pricing")),
            "hardware": {
                "id": hw_id,
                "name": catalog.hardware[hw_id].name,
                "url": hardware_url(hw_id),
            },
            "usd_per_gpu_hour": per_gpu,
            "min_gpus": e.get("gpus"),
            "gpus": None,
            "usd_per_hour": None,
            "decode_tok_s": None,
            "decode_tok_s_low": None,
            "decode_tok_s_high": None,
            "evidence": None,
            "usd_per_million_tokens": {"low": None, "central": None, "high": None},
            "usd_per_day": None,
        }
        if found is not None:
            n, r = found
            speed = r["speed"]
            hourly = per_gpu * n
            row.update(
                gpus=n,
                usd_per_hour=hourly,
                decode_tok_s=speed["decode_tok_s"],
                decode_tok_s_low=speed["decode_tok_s_low"],
                decode_tok_s_high=speed["decode_tok_s_high"],
                evidence=r["evidence"],
                usd_per_million_tokens={
                    "low": rental_usd_per_million_tokens(hourly, speed["decode_tok_s_high"]),
                    "central": rental_usd_per_million_tokens(hourly, speed["decode_tok_s"]),
                    "high": rental_usd_per_million_tokens(hourly, speed["decode_tok_s_low"]),
                },
                usd_per_day=rental_usd_per_day(tokens_per_day, speed["decode_tok_s"], hourly),
            )
        rows.append(row)
    rows.sort(
        key=lambda r: (
            r["usd_per_million_tokens"]["central"] is None,
            r["usd_per_million_tokens"]["central"] or 0.0,
            r["id"],
        )
    )
    return rows


def _smallest_fit(
    model: Entry, hw_id: str, catalog: Catalog, digest: str
) -> tuple[int, dict[str, Any]] | None:
    for n in CLOUD_GPU_COUNTS:
        hardware = hw_id if n == 1 else f"{n}x {hw_id}"
        q = CheckQuery(model=model.id, hardware=(hardware,))
        r, _error = guarded_check(q, catalog, digest)
        # A rental is sized to hold the model on its GPUs, not to spill it to the host's RAM.
        on_gpus = r is not None and r["offload"]["gpu_layers"] == r["offload"]["total_layers"]
        on_gpus = on_gpus and r is not None and not r["offload"]["experts_on_host_layers"]
        if r is not None and on_gpus and r["verdict"] != "wont-run" and r["speed"]["decode_tok_s"]:
            return n, r
    return None


def api_rows(model: Entry, catalog: Catalog, tokens_per_day: float) -> list[dict[str, Any]]:
    """Hosted API prices for this model, or for a closed model the catalog names as its peer."""
    rows = []
    for e in catalog.prices.values():
        if e.get("kind") != "api" or e.get("comparable_model") != model.id:
            continue
        out_price = _number(e.get("usd_per_million_output"))
        rows.append(
            {
                **_price_common(e),
                "provider": _text(e.get("provider")),
                "api_model": _text(e.get("api_model")),
                "usd_per_million_input": _number(e.get("usd_per_million_input")),
                "usd_per_million_output": out_price,
                "usd_per_day": api_usd(tokens_per_day, out_price),
            }
        )
    rows.sort(
        key=lambda r: (
            r["usd_per_million_output"] is None,
            r["usd_per_million_output"] or 0.0,
            r["id"],
        )
    )
    return rows


def break_even(
    price: float | None,
    central: LocalDay,
    cloud: list[dict[str, Any]],
    api: list[dict[str, Any]],
    years: float,
    tokens_per_day: float,
) -> dict[str, Any]:
    """Cumulative spend by month: the local purchase plus power, the cheapest rental used only
    while writing, the cheapest API."""
    months = max(1, math.ceil(years * 12))
    series = []
    local_monthly = (
        central.power_usd_per_day * DAYS_PER_MONTH
        if central.power_usd_per_day is not None
        else None
    )
    if price is not None and local_monthly is not None:
        series.append(
            {
                "key": "local",
                "label": "Local: purchase, then electricity",
                "usd_per_month": local_monthly,
                "upfront_usd": price,
                "usd": cumulative_usd(price, local_monthly, months),
            }
        )
    best_cloud = next((r for r in cloud if r["usd_per_day"] is not None), None)
    if best_cloud is not None:
        monthly = best_cloud["usd_per_day"] * DAYS_PER_MONTH
        series.append(
            {
                "key": "cloud",
                "label": f"Cloud GPU: {best_cloud['name']}, rented while writing",
                "usd_per_month": monthly,
                "upfront_usd": 0.0,
                "usd": cumulative_usd(0.0, monthly, months),
            }
        )
    best_api = next((r for r in api if r["usd_per_day"] is not None), None)
    if best_api is not None:
        monthly = best_api["usd_per_day"] * DAYS_PER_MONTH
        series.append(
            {
                "key": "api",
                "label": f"API: {best_api['name']}",
                "usd_per_month": monthly,
                "upfront_usd": 0.0,
                "usd": cumulative_usd(0.0, monthly, months),
            }
        )
    by_key = {s["key"]: s for s in series}
    local_s = by_key.get("local")

    def months_to(key: str) -> float | None:
        other = by_key.get(key)
        if local_s is None or other is None:
            return None
        return break_even_months(
            local_s["upfront_usd"], local_s["usd_per_month"], other["usd_per_month"]
        )

    return {
        "months": list(range(months + 1)),
        "tokens_per_day": tokens_per_day,
        "series": series,
        "has_local": local_s is not None,
        "has_cloud": "cloud" in by_key,
        "has_api": "api" in by_key,
        "local_vs_cloud_months": months_to("cloud"),
        "local_vs_api_months": months_to("api"),
    }


def _chart(result: dict[str, Any]) -> Any:
    be = result["break_even"]
    colours = {"local": charts.PALETTE[0], "cloud": charts.PALETTE[1], "api": charts.PALETTE[2]}
    lines = [
        charts.Line(s["label"], list(s["usd"]), colours[s["key"]], dashed=s["key"] != "local")
        for s in be["series"]
    ]
    markers = []
    for key, label in (
        ("local_vs_cloud_months", "pays off vs cloud"),
        ("local_vs_api_months", "pays off vs API"),
    ):
        value = be[key]
        if value is not None and value <= be["months"][-1]:
            markers.append((value, f"{label}: month {value:.0f}"))
    return charts.line_chart(
        "chart-breakeven",
        "Cumulative cost by month (USD)",
        [float(m) for m in be["months"]],
        lines,
        x_label="months",
        y_fmt=lambda v: f"${v:,.0f}",
        markers=markers,
    )
