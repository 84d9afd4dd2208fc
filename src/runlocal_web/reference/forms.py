"""The reference lists' filters: every one a GET parameter, validated against known values."""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms

from runlocal.catalog import KINDS
from runlocal_web.lib.labels import BACKEND_LABELS

from .content import (
    FIT_LABELS,
    FORMAT_LABELS,
    KIND_LABELS,
    OS_LABELS,
    TOOL_CATEGORY_LABELS,
    label,
)

# /suggest/'s parameters (reference/views/search.py): the typed text, or a form field's box.
URL_FIELDS = ("q", "kind", "field", "index", "to")


def _choices(values: set[str], labels: dict[str, str], everything: str) -> list[tuple[str, str]]:
    known = [v for v in labels if v in values] + sorted(v for v in values if v not in labels)
    return [("", everything)] + [(v, label(labels, v)) for v in known]


class FilterForm(forms.Form):
    """Active filters are the non-empty cleaned values (for links and the JSON twin)."""

    DEFAULTS: ClassVar[dict[str, str]] = {}

    def active(self) -> dict[str, str]:
        if not self.is_valid():
            return {}
        return {
            k: str(v)
            for k, v in self.cleaned_data.items()
            if v not in ("", None) and self.DEFAULTS.get(k) != v
        }


class ToolFilterForm(FilterForm):
    q = forms.CharField(max_length=100, required=False, label="Search")
    os = forms.ChoiceField(required=False, label="Runs on")
    backend = forms.ChoiceField(required=False, label="GPU backend")
    # Not `format`: that parameter switches the page to JSON.
    file_format = forms.ChoiceField(required=False, label="Model format")
    fit = forms.ChoiceField(required=False, label="Best fit")
    category = forms.ChoiceField(required=False, label="Kind")

    def __init__(self, *args: Any, values: dict[str, set[str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["os"].choices = _choices(values["os"], OS_LABELS, "Any OS")
        self.fields["backend"].choices = _choices(values["backends"], BACKEND_LABELS, "Any backend")
        self.fields["file_format"].choices = _choices(
            values["formats"], FORMAT_LABELS, "Any format"
        )
        self.fields["fit"].choices = _choices(values["fit"], FIT_LABELS, "Any fit")
        self.fields["category"].choices = _choices(
            values["category"], TOOL_CATEGORY_LABELS, "Any kind"
        )


BENCH_SORTS = {
    "hardware": "Hardware, then model",
    "fastest": "Fastest first",
    "model": "Model, then hardware",
}
TRUST_LABELS = {
    "published": "Published",
    "queued": "Queued (not reviewed yet)",
    "approved": "Community, approved",
    "reproduced": "Reproduced",
}
METRIC_LABELS = {"tg_tok_s": "Decode (tokens/s)", "pp_tok_s": "Prefill (tokens/s)"}


class BenchmarkFilterForm(FilterForm):
    model = forms.ChoiceField(required=False)
    hardware = forms.ChoiceField(required=False)
    quant = forms.ChoiceField(required=False, label="Quantization")
    backend = forms.ChoiceField(required=False)
    metric = forms.ChoiceField(required=False)
    trust = forms.ChoiceField(required=False, label="Evidence")
    sort = forms.ChoiceField(required=False, choices=list(BENCH_SORTS.items()))
    DEFAULTS: ClassVar[dict[str, str]] = {"sort": "hardware"}

    def __init__(self, *args: Any, values: dict[str, list[tuple[str, str]]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["model"].choices = [("", "All models"), *values["model"]]
        self.fields["hardware"].choices = [("", "All hardware"), *values["hardware"]]
        self.fields["quant"].choices = [("", "All quantizations"), *values["quant"]]
        self.fields["backend"].choices = [("", "All backends"), *values["backend"]]
        self.fields["metric"].choices = [("", "Decode and prefill"), *METRIC_LABELS.items()]
        self.fields["trust"].choices = [("", "Reviewed rows"), *TRUST_LABELS.items()]


class PulseFilterForm(FilterForm):
    kind = forms.ChoiceField(
        required=False,
        label="What changed",
        choices=[("", "Everything"), *((k, KIND_LABELS.get(k, k)) for k in KINDS)],
    )
    action = forms.ChoiceField(
        required=False,
        label="Change",
        choices=[
            ("", "Added, updated, removed"),
            ("added", "Added"),
            ("updated", "Updated"),
            ("deleted", "Removed"),
        ],
    )
