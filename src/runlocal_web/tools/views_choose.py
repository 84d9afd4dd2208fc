"""Choose my GPU: four questions → ranked cards, each with its numbers."""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

from django.http import HttpRequest, HttpResponse, QueryDict
from django.urls import reverse

from runlocal.catalog import Catalog, Entry
from runlocal.errors import RunlocalError, UnknownNameError
from runlocal.recommend import (
    CONTEXT_FOR_USE,
    QUANT,
    SIZE_CLASSES,
    GpuQuestion,
    Pick,
    choose_gpu,
    model_for_size_class,
    size_class,
)
from runlocal_web.catalogdb.store import current
from runlocal_web.checker.present import verdict_class, verdict_label
from runlocal_web.lib.engine import cached_answer, ranking_brief
from runlocal_web.lib.pages import Page, path_with_query, respond, url_for
from runlocal_web.ops.limits import limited

from .common import ENGINE_FAILED, hardware_url, model_names, model_url
from .forms import PLATFORM_LABELS, PRIORITY_LABELS, ChooseForm

log = logging.getLogger(__name__)
TEMPLATE = "tools/choose.html"
SHOWN = 12


@limited("check")
def choose_my_gpu(request: HttpRequest) -> HttpResponse:
    digest, catalog = current()
    path = reverse("tools:choose_my_gpu")
    crumbs = [("Home", "/"), ("Choose my GPU", path)]
    asked = any(name in request.GET for name in ChooseForm.URL_FIELDS)
    form = ChooseForm(request.GET if asked else None)
    context: dict[str, Any] = {"form": form, "model_names": model_names(catalog)}
    options = {
        "size_classes": [{"id": s.id, "label": s.label} for s in SIZE_CLASSES],
        "platforms": list(PLATFORM_LABELS),
        "priorities": list(PRIORITY_LABELS),
    }
    if not asked:
        page = Page(
            title="Choose my GPU for local AI",
            description=(
                "Your budget, what you want to run, your platform and what matters most: "
                "ranked GPUs and Macs, each with its speed, largest context and price in numbers."
            ),
            breadcrumbs=crumbs,
            canonical_path=path,
        )
        data = {"query": None, "answer": None, "options": options}
        return respond(request, TEMPLATE, page, data, context=context)

    solved = solve_choose(request.GET, catalog, digest)
    form = solved.form
    context["form"] = form
    answer = solved.answer
    suggestions = _swap(request.GET, solved.suggestions)
    if answer is None:
        page = Page(
            title="Choose my GPU: check the form",
            description="Some of the answers need fixing before runlocal can rank hardware.",
            breadcrumbs=crumbs,
            canonical_path=path,
            noindex=True,
        )
        data = {
            "query": {k: request.GET.get(k) for k in ChooseForm.URL_FIELDS if k in request.GET},
            "answer": None,
            "errors": {k or "__all__": list(v) for k, v in form.errors.items()},
            "suggestions": {"model": suggestions},
            "options": options,
        }
        context["suggestions"] = suggestions
        return respond(request, TEMPLATE, page, data, context=context, status=400)

    params = solved.params
    share = path_with_query(path, params)
    top = answer["picks"][0]["hardware"]["name"] if answer["picks"] else None
    desc = (
        f"For {answer['model']['name']} within ${answer['question']['budget_usd']:,.0f}: "
        + (f"{top} ranks first for {answer['question']['priority']}" if top else "nothing fits")
        + f", of {answer['considered']} cards and Macs considered."
    )
    page = Page(
        title=f"Best GPU for {answer['model']['name']} under ${answer['question']['budget_usd']:,.0f}",
        description=desc,
        breadcrumbs=[
            *crumbs,
            (f"{answer['model']['name']}, ${answer['question']['budget_usd']:,.0f}", share),
        ],
        canonical_path=share,
    )
    data = {"query": dict(params), "share_url": share, "answer": answer, "options": options}
    return respond(request, TEMPLATE, page, data, context=context)


@dataclasses.dataclass
class ChooseSolution:
    """The form after validation and, when it was valid, the answer. `suggestions` holds the
    catalog names closest to an unknown model (`unknown_model`: there was one, even when no
    name is close)."""

    form: ChooseForm
    suggestions: list[str]
    unknown_model: bool = False
    answer: dict[str, Any] | None = None
    params: list[tuple[str, Any]] = dataclasses.field(default_factory=list)


def solve_choose(data: QueryDict, catalog: Catalog, digest: str) -> ChooseSolution:
    """Validate the answers and rank hardware: the page and `/api/v1/recommend` both call this,
    so their numbers are the same."""
    form = ChooseForm(data)
    solved = ChooseSolution(form=form, suggestions=[])
    model: Entry | None = None
    if form.is_valid():
        d = form.cleaned_data
        try:
            if d["model"]:
                model = catalog.find_model(d["model"])
            else:
                model = model_for_size_class(catalog, size_class(d["run"]))
        except UnknownNameError as exc:
            form.add_error("model", exc.headline)
            solved.suggestions = list(exc.suggestions)
            solved.unknown_model = True
        except RunlocalError as exc:
            form.add_error("run", str(exc))
    if model is None or form.errors:
        return solved
    d = form.cleaned_data
    form.cleaned_data["model"] = model.id if d["model"] else ""
    use = size_class(d["run"]).use if not d["model"] else "chat"
    question = GpuQuestion(
        budget_usd=d["budget_usd"],
        model=model.id,
        platform=d["platform"],
        priority=d["priority"],
        context=CONTEXT_FOR_USE[use],
        max_cards=2 if d["two_cards"] else 1,
    )
    chosen = model
    try:
        solved.answer = cached_answer(
            "choose", digest, question, lambda: answer_data(question, chosen, catalog, digest)
        )
    except RunlocalError as exc:
        form.add_error(None, str(exc))
    except Exception:
        log.exception("choose_gpu failed on %r", question)
        form.add_error(None, ENGINE_FAILED)
    if solved.answer is not None:
        solved.params = form.url_params()
    return solved


def _swap(get: QueryDict, names: list[str]) -> list[dict[str, str]]:
    out = []
    for name in names:
        params = [(k, name if k == "model" else v) for k, values in get.lists() for v in values]
        out.append({"name": name, "url": path_with_query(reverse("tools:choose_my_gpu"), params)})
    return out


def answer_data(
    question: GpuQuestion, model: Entry, catalog: Catalog, digest: str
) -> dict[str, Any]:
    """The JSON-able answer: the question, the ranked picks, what was left out and why."""

    # Uncached: the whole answer is cached (solve_choose), and a hundred-odd answers each
    # written to the cache (Redis in production) cost more than computing them. The part of
    # each answer a ranking reads.
    result = choose_gpu(question, catalog, ranking_brief(set()))
    # The answer shows the first SHOWN picks and counts them all: only those are written out.
    picks = [_pick(p, model, question.context) for p in result.picks[:SHOWN]]
    return {
        "question": {
            "budget_usd": question.budget_usd,
            "model": question.model,
            "platform": question.platform,
            "priority": question.priority,
            "context": question.context,
            "max_cards": question.max_cards,
            "quant": QUANT,
        },
        "model": {"id": model.id, "name": model.name, "url": model_url(model.id)},
        "considered": result.considered,
        "count": len(result.picks),
        "picks": picks,
        "too_small_count": len(result.too_small),
        "too_small": [
            {"name": c.label, "url": hardware_url(c.hardware_id), "price_usd": c.price_usd}
            for c in sorted(result.too_small, key=lambda c: -c.price_usd)[:5]
        ],
    }


def _pick(p: Pick, model: Entry, context: int) -> dict[str, Any]:
    c, f = p.candidate, p.fit
    return {
        "hardware": {
            "id": c.hardware_id,
            "query": c.query_hardware,
            "name": c.label,
            "url": hardware_url(c.hardware_id),
            "vendor": c.vendor,
            "kind": c.kind,
            "count": c.count,
            "memory_gib": c.total_memory_gib,
        },
        "price_usd": c.price_usd,
        "price_basis": c.price_basis,
        "tdp_w": c.tdp_w,
        "verdict": f.verdict,
        "verdict_label": verdict_label(f.verdict),
        "verdict_class": verdict_class(f.verdict),
        "quant": f.quant,
        "best_quant": f.best_quant,
        "decode_tok_s": f.decode_tok_s,
        "decode_tok_s_low": f.decode_tok_s_low,
        "decode_tok_s_high": f.decode_tok_s_high,
        "max_context": f.max_context,
        "max_context_offloaded": f.offloaded,
        "total_bytes": f.total_bytes,
        "budget_bytes": f.budget_bytes,
        "evidence": f.evidence,
        "tok_s_per_kusd": p.tok_s_per_kusd,
        "tok_s_per_watt": p.tok_s_per_watt,
        "rationale": list(p.rationale),
        "check_url": path_with_query(
            url_for("checker:will_it_run"),
            {"model": model.id, "hardware": c.query_hardware, "quant": f.quant, "context": context},
        ),
        "cost_url": path_with_query(
            url_for("tools:cost"), {"hardware": c.query_hardware, "model": model.id}
        ),
    }
