"""Figures in written content, filled from the catalog and the engine at render time.

Guides, quick answers and editorial pages quote memory, speeds and measurements. Typed by
hand they drift from the engine ("measured 119 / 97 tok/s" beside a catalog that says 110.7
/ 87.5); written as placeholders they cannot. A placeholder is ``{{ setup.field }}``:

- ``setup`` names a setup of the entry: ``this`` for a quick answer's own (its model,
  hardware, quant, context, runtime and system RAM), or the ``name`` of one of a guide's
  ``[[checks]]``; ``field`` is one of FIELDS (``decode``, ``memory``, ``budget``...).
- ``{{ measured:<model>/<quant>/<hardware>/<tg|pp> }}`` is a published llama.cpp result of
  the catalog's benchmarks (one device, or N as ``Nx-<hardware>``; the depth nearest zero),
  as the benchmark pages show.
- ``{{ price:<hardware> }}`` is the price every page quotes, with its kind and date.

`fill` raises InputError for a placeholder it cannot fill, so a broken figure fails the
content tests rather than printing braces on a page.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from .catalog import Catalog
from .engine import CheckQuery, check
from .errors import InputError, RunlocalError
from .units import GIB

PLACEHOLDER_RE = re.compile(r"\{\{\s*([A-Za-z0-9_.:/+-]+)\s*\}\}")
VERDICT_WORDS = {
    "comfortable": "runs comfortably",
    "tradeoffs": "runs with tradeoffs",
    "wont-run": "will not run",
}


def _gib(n: float | None) -> str:
    if n is None:
        return "unknown"
    g = n / GIB
    return f"{g:.1f} GiB"


def _rate(x: float | None) -> str:
    """Tokens/s as Will it run? prints them: to a tenth, trailing zero dropped."""
    if x is None:
        return "unknown"
    return f"{round(x, 1):,g}"


def _host_layers(r: dict[str, Any]) -> str:
    """Layers left in system RAM ("16 of 65"), as an offloaded setup is described."""
    off = r.get("offload") or {}
    gpu, total = off.get("gpu_layers"), off.get("total_layers")
    if not isinstance(gpu, int) or not isinstance(total, int):
        return "unknown"
    return f"{total - gpu} of {total}"


FIELDS: dict[str, Callable[[dict[str, Any]], str]] = {
    "memory": lambda r: _gib(r["memory"]["total_bytes"]),
    "budget": lambda r: _gib(r["memory"]["budget_bytes"]),
    "host": lambda r: _gib(r["memory"].get("host_bytes")),
    "kv": lambda r: _gib(r["memory"]["kv_cache_bytes"]),
    "weights": lambda r: _gib(r["memory"]["weights_bytes"]),
    "decode": lambda r: _rate(r["speed"]["decode_tok_s"]),
    "decode_low": lambda r: _rate(r["speed"]["decode_tok_s_low"]),
    "decode_high": lambda r: _rate(r["speed"]["decode_tok_s_high"]),
    "prefill": lambda r: _rate(r["speed"]["prefill_tok_s"]),
    "evidence": lambda r: str(r["evidence"]),
    "host_layers": lambda r: _host_layers(r),
    "verdict": lambda r: VERDICT_WORDS.get(str(r["verdict"]), str(r["verdict"])),
    "quant": lambda r: str(r["quant"]),
    "context": lambda r: f"{r['context']:,}" if r.get("context") else "unknown",
    "max_context": lambda r: f"{r['max_context']:,}" if r.get("max_context") else "none",
    "best_quant": lambda r: str(r.get("best_quant") or "none"),
}


def setup_query(data: Mapping[str, Any]) -> CheckQuery:
    """The query a quick answer or a guide check describes (its catalog fields)."""
    hardware = data.get("hardware")
    names = [hardware] if isinstance(hardware, str) else list(hardware or [])
    ram = data.get("ram_gb")
    return CheckQuery(
        model=str(data.get("model") or ""),
        hardware=tuple(str(h) for h in names),
        quant=str(data["quant"]) if data.get("quant") else None,
        context=int(data["context"]) if data.get("context") else None,
        runtime=str(data.get("runtime") or "llama.cpp"),
        ram_gb=float(ram) if isinstance(ram, int | float) and not isinstance(ram, bool) else None,
    )


def measured(catalog: Catalog, model: str, quant: str, hardware: str, metric: str) -> float:
    """A published llama.cpp result: tokens/s of `metric` ("tg" decode, "pp" prefill) for
    the model at the quant on one device of the hardware (or N, written "Nx-hardware"), at
    the depth nearest zero."""
    key = {"tg": "tg_tok_s", "pp": "pp_tok_s"}.get(metric)
    if key is None:
        raise InputError(f"measured: metric {metric!r} is not tg or pp")
    # "2x-nvidia-rtx-3090": a result on that many devices of the hardware.
    count = re.match(r"(\d+)x-(.+)", hardware)
    devices = int(count.group(1)) if count else 1
    hardware = count.group(2) if count else hardware
    best: tuple[int, float] | None = None
    for bench in catalog.benchmarks.values():
        if bench.get("hardware") != hardware or bench.get("trust") == "community":
            continue
        for row in bench.get("results", []):
            if (
                row.get("model") == model
                and str(row.get("quant")).upper() == quant.upper()
                and row.get("metric") == key
                and int(row.get("n_devices", 1)) == devices
            ):
                depth = int(row.get("context_tokens", 0) or 0)
                if best is None or depth < best[0]:
                    best = (depth, float(row["value"]))
    if best is None:
        raise InputError(
            f"measured: no published {metric} result for {model} {quant} on {hardware}"
        )
    return best[1]


def fill(
    text: str,
    setups: Mapping[str, Mapping[str, Any]],
    catalog: Catalog,
    answer: Callable[[CheckQuery, Catalog], dict[str, Any]] | None = None,
    on_error: Callable[[str, InputError], str] | None = None,
) -> str:
    """`text` with every placeholder replaced. `setups` maps a setup's name to its catalog
    fields (see setup_query); `answer` asks the engine (the website passes its cached one).
    A placeholder that cannot be filled raises InputError, or becomes on_error's text."""
    ask = answer or (lambda q, c: check(q, c, allow_files=False).to_dict())
    results: dict[str, dict[str, Any]] = {}

    def one(m: re.Match[str]) -> str:
        try:
            return value(m.group(1))
        except InputError as exc:
            if on_error is None:
                raise
            return on_error(m.group(1), exc)

    def value(token: str) -> str:
        if token.startswith("price:"):
            return price(catalog, token.split(":", 1)[1])
        if token.startswith("measured:"):
            parts = token.split(":", 1)[1].split("/")
            if len(parts) != 4:
                raise InputError(f"{{{{ {token} }}}}: write measured:model/quant/hardware/tg")
            return _rate(measured(catalog, *parts))
        name, _, field = token.rpartition(".")
        if name not in setups:
            raise InputError(f"{{{{ {token} }}}}: no setup called {name!r}")
        if field not in FIELDS:
            raise InputError(f"{{{{ {token} }}}}: unknown field {field!r}; known: {sorted(FIELDS)}")
        if name not in results:
            try:
                results[name] = ask(setup_query(setups[name]), catalog)
            except RunlocalError as exc:
                raise InputError(f"{{{{ {token} }}}}: {exc}") from None
        return FIELDS[field](results[name])

    return PLACEHOLDER_RE.sub(one, text)


def price(catalog: Catalog, hardware_id: str) -> str:
    """The one price policy (recommend.hardware_price), labelled: "$750 (street, used,
    2026-05-16)"."""
    from .recommend import hardware_price

    entry = catalog.hardware.get(hardware_id)
    found = hardware_price(entry) if entry is not None else None
    if found is None:
        raise InputError(f"price: no price for {hardware_id!r}")
    return f"${found[0]:,.0f} ({found[1]})"


def named_setups(data: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    """The setups an entry's placeholders may name: a quick answer's own as `this`, and each
    guide check that has a `name`."""
    out: dict[str, Mapping[str, Any]] = {}
    if data.get("model") and data.get("hardware"):
        out["this"] = data
    for item in data.get("checks") or []:
        if isinstance(item, Mapping) and isinstance(item.get("name"), str):
            out[item["name"]] = item
    return out
