"""The Methodology page: the catalog's text (or the repository's docs/methodology.md) and the
engine's accuracy report (src/runlocal/data/accuracy.json) as tables."""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import reverse

import runlocal
from runlocal_web.lib.pages import Page, respond

from .. import markup
from ..content import EDITORIAL, as_list, catalog, describe
from ..forms import TRUST_LABELS
from .editorial import _page_dict, _page_entry

REPO_DOCS = Path(runlocal.__file__).resolve().parents[2] / "docs"
DOC_LINKS = {
    "accuracy.md": ("#accuracy", "the accuracy report below"),
    "methodology.md": ("#top", "this page"),
}
FAMILY_ORDER_LAST = "all"


@lru_cache(maxsize=1)
def accuracy_report() -> dict[str, Any] | None:
    """The engine's accuracy report, as packaged (src/runlocal/data/accuracy.json)."""
    try:
        raw = resources.files("runlocal").joinpath("data/accuracy.json").read_text("utf-8")
        report = json.loads(raw)
    except (OSError, ValueError):
        return None
    return report if isinstance(report, dict) else None


def _metric_table(table: Any) -> list[dict[str, Any]]:
    if not isinstance(table, dict):
        return []
    rows = [
        {
            "family": str(fam),
            "n": t.get("n"),
            "median_ape": t.get("median_ape"),
            "p90_ape": t.get("p90_ape"),
            "overall": fam == FAMILY_ORDER_LAST,
        }
        for fam, t in table.items()
        if isinstance(t, dict)
    ]
    return sorted(rows, key=lambda r: (r["overall"], r["family"]))


def accuracy_tables(report: dict[str, Any] | None) -> dict[str, Any] | None:
    if report is None:
        return None
    metrics = report.get("metrics") if isinstance(report.get("metrics"), dict) else {}
    fit = report.get("fit") if isinstance(report.get("fit"), dict) else {}

    def baseline(key: str) -> dict[str, Any] | None:
        b = metrics.get(key)
        return b if isinstance(b, dict) else None

    skipped = report.get("rows_skipped") if isinstance(report.get("rows_skipped"), dict) else {}
    return {
        "rows_evaluated": report.get("rows_evaluated"),
        "rows_skipped": [{"reason": k, "rows": v} for k, v in sorted(skipped.items())],
        "decode": _metric_table(metrics.get("tg_tok_s")),
        "decode_llmfit_baseline": baseline("tg_tok_s_llmfit_baseline"),
        "prefill": _metric_table(metrics.get("pp_tok_s")),
        "prefill_llmfit_baseline": baseline("pp_tok_s_llmfit_baseline"),
        "fit": {
            "oom_rows": fit.get("oom_rows"),
            "oom_predicted_comfortable": fit.get("oom_predicted_comfortable"),
            "oom_predicted_wont_run": fit.get("oom_predicted_wont_run"),
            "running_rows": fit.get("running_rows"),
            "running_predicted_wont_run": fit.get("running_predicted_wont_run"),
            "violations": [str(v) for v in as_list(fit.get("violations"))],
        },
    }


def _repo_methodology() -> tuple[str, str] | None:
    """(title, body) of docs/methodology.md when the site runs from a checkout."""
    path = REPO_DOCS / "methodology.md"
    try:
        raw = path.read_text("utf-8")
    except OSError:
        return None
    title = "Methodology"
    lines = raw.splitlines()
    if lines and lines[0].startswith("# "):
        title, lines = lines[0][2:].strip(), lines[1:]
    return title, markup.relink("\n".join(lines), DOC_LINKS)


def methodology(request: HttpRequest) -> HttpResponse:
    _digest, cat = catalog()
    path = EDITORIAL["methodology"][0]
    e = _page_entry(cat, "methodology")
    content: dict[str, Any]
    if e is not None:
        content = {**_page_dict(e), "origin": "catalog"}
    else:
        doc = _repo_methodology()
        content = {
            "title": doc[0] if doc else "Methodology",
            "summary": "",
            "body": doc[1] if doc else "",
            "origin": "docs" if doc else "none",
        }
    tables = accuracy_tables(accuracy_report())
    page = Page(
        title=content["title"] or "Methodology",
        description=describe(
            content["summary"],
            fallback=(
                "How runlocal computes memory and speed, and how accurate it is: the engine's "
                "errors against published measurements, by hardware family."
            ),
        ),
        breadcrumbs=[("Home", "/"), ("Methodology", path)],
        canonical_path=path,
    )
    data = {
        "content": content,
        "accuracy": tables,
        "trust_labels": [{"id": k, "label": v} for k, v in TRUST_LABELS.items()],
        "benchmarks_url": reverse("reference:benchmark_list"),
    }
    return respond(request, "reference/methodology.html", page, data)
