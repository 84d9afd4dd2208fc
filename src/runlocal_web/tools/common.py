"""What the tool pages share: hardware names → catalog entries, spec rows, guarded engine
calls, and a cache for whole answers keyed by the catalog digest."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from runlocal.catalog import Catalog, Entry
from runlocal.cost import usd_per_gib
from runlocal.engine import CheckQuery
from runlocal.errors import InputError, RunlocalError
from runlocal.hardware import Device, parse_hardware
from runlocal.recommend import hardware_price
from runlocal.units import GIB
from runlocal_web.lib.engine import run_check
from runlocal_web.lib.labels import BACKEND_LABELS, catalog_names
from runlocal_web.lib.pages import url_for

log = logging.getLogger(__name__)

ENGINE_FAILED = "the engine could not size this combination (an internal error, logged)"
MAX_DEVICES_PER_ENTRY = 8


@dataclass(frozen=True)
class HardwarePick:
    """A hardware text resolved: '2x RTX 3090' → two of nvidia-rtx-3090."""

    entry: Entry
    count: int
    devices: tuple[Device, ...]
    query: str  # the canonical text for the engine and share links: '2x nvidia-rtx-3090'

    @property
    def label(self) -> str:
        name = self.devices[0].name
        return name if self.count == 1 else f"{self.count}× {name}"

    @property
    def memory_gib(self) -> float:
        return self.devices[0].memory_bytes / GIB


def resolve_hardware(catalog: Catalog, text: str) -> HardwarePick:
    """Raises UnknownNameError (with suggestions) or InputError, as the engine would."""
    devices = parse_hardware(catalog, text)
    first = devices[0]
    entry = catalog.hardware.get(str(first.id)) if first.id else None
    if entry is None:
        raise InputError(f"{text!r} is not a catalog device")
    count = len(devices)
    if count > MAX_DEVICES_PER_ENTRY:
        raise InputError(f"at most {MAX_DEVICES_PER_ENTRY} of one device")
    query = entry.id
    default_gib = entry.get("memory_gib")
    if (
        isinstance(default_gib, int | float)
        and round(float(default_gib) * GIB) != first.memory_bytes
    ):
        query = f"{entry.id} {first.memory_bytes / GIB:g}GB"
    if count > 1:
        query = f"{count}x {query}"
    return HardwarePick(entry=entry, count=count, devices=tuple(devices), query=query)


def hardware_url(entry_id: str) -> str:
    return url_for("catalogdb:hardware_detail", entry_id)


def model_url(entry_id: str) -> str:
    return url_for("catalogdb:model_detail", entry_id)


def _num(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def spec_row(pick: HardwarePick) -> dict[str, Any]:
    """The numbers the compare table shows, totals for several cards of one kind."""
    e, n = pick.entry, pick.count
    price = hardware_price(e)
    tdp = _num(e.get("tdp_w"))
    memory = pick.memory_gib
    backends = [b for b in e.get("backends", []) if isinstance(b, str)]
    price_usd = price[0] * n if price else None
    # A Mac's other memory options cost more than its base price: the price is unknown then.
    if price and round(float(e.get("memory_gib") or 0) * GIB) != pick.devices[0].memory_bytes:
        price_usd = None
    return {
        "id": e.id,
        "query": pick.query,
        "name": pick.label,
        "url": hardware_url(e.id),
        "count": n,
        "vendor": e.get("vendor"),
        "kind": e.get("kind"),
        "segment": e.get("segment"),
        "memory_gib": memory * n,
        "memory_gib_each": memory,
        "usable_memory_gib": sum(d.budget_bytes for d in pick.devices) / GIB,
        "memory_type": e.get("memory_type"),
        "bandwidth_gb_s": _num(e.get("bandwidth_gb_s")),
        "fp16_tensor_tflops": _num(e.get("fp16_tensor_tflops")),
        "tdp_w": tdp * n if tdp else None,
        "price_usd": price_usd,
        "price_basis": price[1] if price and price_usd is not None else None,
        "usd_per_gib": usd_per_gib(price_usd, memory * n),
        "backends": backends,
        "backend_labels": [BACKEND_LABELS.get(b, b) for b in backends],
        "release_date": e.get("release_date"),
        "sources": list(e.sources),
    }


def guarded_check(
    query: CheckQuery, catalog: Catalog, digest: str
) -> tuple[dict[str, Any] | None, str | None]:
    """(answer, None) or (None, why): an engine error never takes a page down."""
    try:
        return run_check(query, catalog, digest), None
    except RunlocalError as exc:
        return None, str(exc)
    except Exception:
        log.exception("engine failed on %r", query)
        return None, ENGINE_FAILED


def hardware_names(catalog: Catalog) -> tuple[str, ...]:
    """The catalog's hardware names, sorted (the form's suggestions): once per catalog."""
    return catalog_names(catalog, "hardware")


def model_names(catalog: Catalog) -> tuple[str, ...]:
    """The catalog's model names, sorted (the form's suggestions): once per catalog."""
    return catalog_names(catalog, "models")


def query_object(params: list[tuple[str, Any]]) -> dict[str, Any]:
    """A canonical query as a JSON object; a repeated parameter (`gpu`) becomes a list."""
    out: dict[str, Any] = {}
    for key, value in params:
        if key not in out:
            out[key] = value
        elif isinstance(out[key], list):
            out[key].append(value)
        else:
            out[key] = [out[key], value]
    return out
