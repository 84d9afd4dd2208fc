"""Filters of the model and hardware lists: every one is a GET parameter."""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.db.models import F, OrderBy, QuerySet

from runlocal.catalog import normalize

from .models import Hardware, Model


def _asc(name: str) -> OrderBy:
    return F(name).asc(nulls_last=True)


def _desc(name: str) -> OrderBy:
    return F(name).desc(nulls_last=True)


MODEL_SORTS: dict[str, tuple[str, tuple[Any, ...]]] = {
    "name": ("Name", ("name",)),
    "largest": ("Largest first", (_desc("params_total_b"), "name")),
    "smallest": ("Smallest first", (_asc("params_total_b"), "name")),
    "newest": ("Newest first", (_desc("release_date"), "name")),
}
HARDWARE_SORTS: dict[str, tuple[str, tuple[Any, ...]]] = {
    "name": ("Name", ("name",)),
    "memory": ("Most memory", (_desc("memory_gib"), "name")),
    "bandwidth": ("Fastest memory", (_desc("bandwidth_gb_s"), "name")),
    "newest": ("Newest first", (_desc("release_date"), "name")),
    "price": ("Cheapest at launch", (_asc("launch_price_usd"), "name")),
}
KIND_LABELS = {"gpu": "Discrete GPU", "unified": "Unified memory", "cpu": "CPU"}


def _distinct(kind: str, field: str) -> list[str]:
    """The non-empty values of a column, sorted: from the rows of the catalog version this
    request reads (store.current_row's), so the filters' choices cost no query."""
    from .store import current

    catalog = current()[1]
    rows = getattr(catalog, "rows", {}).get(kind, {})
    return sorted({v for r in rows.values() if (v := getattr(r, field))})


class _ListForm(forms.Form):
    q = forms.CharField(max_length=100, required=False, label="Search")
    SORTS: ClassVar[dict[str, tuple[str, tuple[Any, ...]]]] = {}

    def search(self, qs: QuerySet[Any]) -> QuerySet[Any]:
        # search_text holds normalized words, so normalizing the query makes it case- and
        # punctuation-blind on SQLite and PostgreSQL alike.
        for word in normalize(self.cleaned_data.get("q") or "").split()[:8]:
            qs = qs.filter(search_text__contains=word)
        return qs

    def order(self, qs: QuerySet[Any]) -> QuerySet[Any]:
        key = self.cleaned_data.get("sort") or "name"
        return qs.order_by(*self.SORTS[key][1])

    def active(self) -> dict[str, str]:
        """The filters in effect, defaults left out (for links and the JSON twin)."""
        if not self.is_valid():
            return {}
        return {k: str(v) for k, v in self.cleaned_data.items() if v not in ("", None, "name")}


class ModelFilterForm(_ListForm):
    family = forms.ChoiceField(required=False)
    modality = forms.ChoiceField(required=False)
    max_params_b = forms.FloatField(
        required=False, min_value=0.01, max_value=10000, label="Parameters up to (billions)"
    )
    sort = forms.ChoiceField(required=False, choices=[(k, v[0]) for k, v in MODEL_SORTS.items()])
    SORTS: ClassVar[dict[str, tuple[str, tuple[Any, ...]]]] = MODEL_SORTS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["family"].choices = [("", "All families")] + [
            (f, f) for f in _distinct("models", "family")
        ]
        self.fields["modality"].choices = [("", "All kinds")] + [
            (m, m) for m in _distinct("models", "modality")
        ]

    def apply(self, qs: QuerySet[Model]) -> QuerySet[Model]:
        d = self.cleaned_data
        if d.get("family"):
            qs = qs.filter(family=d["family"])
        if d.get("modality"):
            qs = qs.filter(modality=d["modality"])
        if d.get("max_params_b") is not None:
            qs = qs.filter(params_total_b__lte=d["max_params_b"])
        return self.order(self.search(qs))


class HardwareFilterForm(_ListForm):
    vendor = forms.ChoiceField(required=False)
    kind = forms.ChoiceField(required=False)
    min_memory_gib = forms.FloatField(
        required=False, min_value=0, max_value=100000, label="Memory at least (GiB)"
    )
    max_price_usd = forms.FloatField(
        required=False, min_value=1, max_value=10_000_000, label="Launch price up to (USD)"
    )
    sort = forms.ChoiceField(required=False, choices=[(k, v[0]) for k, v in HARDWARE_SORTS.items()])
    SORTS: ClassVar[dict[str, tuple[str, tuple[Any, ...]]]] = HARDWARE_SORTS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["vendor"].choices = [("", "All vendors")] + [
            (v, v) for v in _distinct("hardware", "vendor")
        ]
        self.fields["kind"].choices = [("", "All types")] + [
            (k, KIND_LABELS.get(k, k)) for k in _distinct("hardware", "kind")
        ]

    def apply(self, qs: QuerySet[Hardware]) -> QuerySet[Hardware]:
        d = self.cleaned_data
        if d.get("vendor"):
            qs = qs.filter(vendor=d["vendor"])
        if d.get("kind"):
            qs = qs.filter(kind=d["kind"])
        if d.get("min_memory_gib") is not None:
            qs = qs.filter(memory_gib__gte=d["min_memory_gib"])
        if d.get("max_price_usd") is not None:
            qs = qs.filter(launch_price_usd__lte=d["max_price_usd"])
        return self.order(self.search(qs))
