"""Filters of the model and hardware lists: every one is a GET parameter."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

from django import forms

from runlocal.catalog import normalize

from .models import Hardware, Model

# Each sort: its label and its keys, (column, descending), ahead of the name; a key's missing
# values go last either way.
MODEL_SORTS: dict[str, tuple[str, tuple[tuple[str, bool], ...]]] = {
    "name": ("Name", ()),
    "largest": ("Largest first", (("params_total_b", True),)),
    "smallest": ("Smallest first", (("params_total_b", False),)),
    "newest": ("Newest first", (("release_date", True),)),
}
HARDWARE_SORTS: dict[str, tuple[str, tuple[tuple[str, bool], ...]]] = {
    "name": ("Name", ()),
    "memory": ("Most memory", (("memory_gib", True),)),
    "bandwidth": ("Fastest memory", (("bandwidth_gb_s", True),)),
    "newest": ("Newest first", (("release_date", True),)),
    "price": ("Cheapest at launch", (("launch_price_usd", False),)),
}
KIND_LABELS = {"gpu": "Discrete GPU", "unified": "Unified memory", "cpu": "CPU"}


def _distinct(kind: str, field: str) -> list[str]:
    """The non-empty values of a column, sorted: from the rows of the catalog version this
    request reads (store.current_rows), so the filters' choices cost no query."""
    from .store import current_rows

    return sorted({v for r in current_rows(kind).values() if (v := getattr(r, field))})


class _ListForm(forms.Form):
    q = forms.CharField(max_length=100, required=False, label="Search")
    SORTS: ClassVar[dict[str, tuple[str, tuple[tuple[str, bool], ...]]]] = {}

    def search(self, rows: list[Any]) -> list[Any]:
        # search_text holds normalized words, so normalizing the query makes it case- and
        # punctuation-blind.
        for word in normalize(self.cleaned_data.get("q") or "").split()[:8]:
            rows = [r for r in rows if word in r.search_text]
        return rows

    def order(self, rows: list[Any]) -> list[Any]:
        """By the sort's keys, missing values last, then by name (Python's sorts are stable)."""
        key = self.cleaned_data.get("sort") or "name"
        out = sorted(rows, key=lambda r: r.name)
        for column, descending in reversed(self.SORTS[key][1]):
            known = [r for r in out if getattr(r, column) is not None]
            known.sort(key=lambda r: getattr(r, column), reverse=descending)
            out = known + [r for r in out if getattr(r, column) is None]
        return out

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
    SORTS: ClassVar[dict[str, tuple[str, tuple[tuple[str, bool], ...]]]] = MODEL_SORTS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["family"].choices = [("", "All families")] + [
            (f, f) for f in _distinct("models", "family")
        ]
        self.fields["modality"].choices = [("", "All kinds")] + [
            (m, m) for m in _distinct("models", "modality")
        ]

    def apply(self, rows: Iterable[Model]) -> list[Model]:
        d = self.cleaned_data
        out = list(rows)
        if d.get("family"):
            out = [m for m in out if m.family == d["family"]]
        if d.get("modality"):
            out = [m for m in out if m.modality == d["modality"]]
        if (most := d.get("max_params_b")) is not None:
            out = [m for m in out if m.params_total_b is not None and m.params_total_b <= most]
        return self.order(self.search(out))


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
    SORTS: ClassVar[dict[str, tuple[str, tuple[tuple[str, bool], ...]]]] = HARDWARE_SORTS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["vendor"].choices = [("", "All vendors")] + [
            (v, v) for v in _distinct("hardware", "vendor")
        ]
        self.fields["kind"].choices = [("", "All types")] + [
            (k, KIND_LABELS.get(k, k)) for k in _distinct("hardware", "kind")
        ]

    def apply(self, rows: Iterable[Hardware]) -> list[Hardware]:
        d = self.cleaned_data
        out = list(rows)
        if d.get("vendor"):
            out = [h for h in out if h.vendor == d["vendor"]]
        if d.get("kind"):
            out = [h for h in out if h.kind == d["kind"]]
        if (least := d.get("min_memory_gib")) is not None:
            out = [h for h in out if h.memory_gib is not None and h.memory_gib >= least]
        if (most := d.get("max_price_usd")) is not None:
            out = [h for h in out if h.launch_price_usd is not None and h.launch_price_usd <= most]
        return self.order(self.search(out))
