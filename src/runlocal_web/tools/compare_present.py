"""Compare's answer as the page shows it: the spec table's cells and the charts."""

from __future__ import annotations

from typing import Any

from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from runlocal_web.reference.templatetags.reference_tags import stale_mark, street_date

from . import charts
from .compare_data import runs_here


def _fmt(value: Any, spec: str = "g", unit: str = "", prefix: str = "") -> str:
    """24.0 → '24', 1008.0 → '1,008', 936.2 → '936.2'; 'int' rounds; '—' for unknown."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, float | int) and not isinstance(value, bool):
        number = float(value)
        if spec == "int" or number.is_integer():
            text = f"{round(number):,}"
        else:
            text = f"{number:,.2f}".rstrip("0").rstrip(".")
    else:
        text = str(value)
    return f"{prefix}{text}{(' ' + unit) if unit else ''}"


def spec_table(hardware: list[dict[str, Any]]) -> list[dict[str, Any]]:
    def memory(h: dict[str, Any]) -> str:
        text = _fmt(h["memory_gib"], unit="GiB")
        if h["count"] > 1:
            text += f" ({h['count']} × {h['memory_gib_each']:g})"
        if h["usable_memory_gib"] < h["memory_gib"] - 0.01:
            text += f", {h['usable_memory_gib']:.1f} usable by the GPU"
        return text

    def price(h: dict[str, Any]) -> str | SafeString:
        if h["price_usd"] is None:
            return "—"
        # The hardware, Cost and Choose pages' marker beside a street price seen over six
        # months ago (stale_mark); the cell is escaped here as the template would have.
        text = _fmt(h["price_usd"], "int", prefix="$") + f" ({h['price_basis']})"
        return mark_safe(conditional_escape(text) + stale_mark(street_date(h["price_basis"])))

    rows = [
        ("Memory", memory),
        ("Memory type", lambda h: _fmt(h["memory_type"])),
        (
            "Bandwidth",
            lambda h: _fmt(h["bandwidth_gb_s"], unit="GB/s") + (" each" if h["count"] > 1 else ""),
        ),
        (
            "FP16 tensor, dense",
            lambda h: (
                _fmt(h["fp16_tensor_tflops"], unit="TFLOPS") + (" each" if h["count"] > 1 else "")
            ),
        ),
        ("Board power (TDP)", lambda h: _fmt(h["tdp_w"], unit="W")),
        ("Price", price),
        ("Price per GiB", lambda h: _fmt(h["usd_per_gib"], "int", prefix="$")),
        ("Backends", lambda h: ", ".join(h["backend_labels"]) or "—"),
        ("Released", lambda h: _fmt(h["release_date"])),
    ]
    return [{"label": label, "cells": [fn(h) for h in hardware]} for label, fn in rows]


def compare_charts(data: dict[str, Any]) -> dict[str, Any]:
    hardware = data["hardware"]
    names = [h["name"] for h in hardware]
    groups = []
    for row in data["models"]:
        values: list[float | None] = []
        notes: list[str] = []
        for c in row["results"]:
            values.append(c["decode_tok_s"] if runs_here(c) else None)
            notes.append("does not fit" if c["verdict"] == "wont-run" else "not checked")
        groups.append(charts.Group(row["model"]["name"], values, notes))
    out: dict[str, Any] = {
        "decode": charts.grouped_bar_chart(
            "chart-decode",
            "Decode speed at "
            + (f"{data['quant']}" if data["quant"] else "each model's default quantization")
            + ", "
            + (f"{data['context']:,} tokens" if data["context"] else "each model's default")
            + " of context (tokens/s)",
            groups,
            names,
            unit="tokens/s",
        ),
        "memory": charts.grouped_bar_chart(
            "chart-memory",
            "Memory, and what the GPU may use of it (GiB)",
            [charts.Group(h["name"], [h["memory_gib"], h["usable_memory_gib"]]) for h in hardware],
            ["Memory", "Usable by the GPU"],
            unit="GiB",
            fmt=lambda v: f"{v:.3g}" if v < 100 else f"{v:,.0f}",
        ),
        "usd_per_gib": charts.bar_chart(
            "chart-usd-gib",
            "Price per GiB of memory (USD)",
            [
                charts.Bar(
                    h["name"], h["usd_per_gib"], "no price in the catalog", charts.PALETTE[i % 7]
                )
                for i, h in enumerate(hardware)
            ],
            unit="per GiB",
            fmt=lambda v: f"${v:,.0f}",
        ),
    }
    ref = data["reference_model"]
    if ref is not None:
        value = data["value"]
        out["usd_per_tok_s"] = charts.bar_chart(
            "chart-usd-tok",
            f"Price per token/s on {ref['name']} (USD; lower is better)",
            [
                charts.Bar(
                    names[i], v["usd_per_tok_s"], "no price in the catalog", charts.PALETTE[i % 7]
                )
                for i, v in enumerate(value)
            ],
            unit="per token/s",
            fmt=lambda v: f"${v:,.0f}",
        )
        out["tok_s_per_watt"] = charts.bar_chart(
            "chart-per-watt",
            f"Tokens/s per watt of board power on {ref['name']}",
            [
                charts.Bar(names[i], v["tok_s_per_watt"], "no power figure", charts.PALETTE[i % 7])
                for i, v in enumerate(value)
            ],
            unit="tokens/s per W",
            fmt=lambda v: f"{v:.2f}",
        )
    return out
