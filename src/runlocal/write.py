"""An answer written from a solved query (runlocal.solve.Solved): check's whole answer, the
part a table shows (check_brief) and the commands."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .answer import (
    answer_basis,
    commands,
    hardware_record,
    memory_totals,
    model_record,
    quality_answer,
    quality_loss,
)
from .catalog import Catalog
from .check_inputs import gpu_memory_note

if TYPE_CHECKING:
    from .solve import Solved


def brief_of(solved: Solved, catalog: Catalog, prefill: bool = True) -> dict[str, Any]:
    """check_brief's answer (BRIEF_KEYS); prefill=False: its speed without the prefill figures
    (engine.PREFILL_KEYS), for the tables that show none."""
    plan = solved.plan
    bucket, basis = quality_loss(solved.model, solved.quant, catalog)
    return {
        "quant": solved.quant,
        "context": solved.context,
        "memory": memory_totals(plan, solved.runtime),
        "host": plan.host.to_dict() if plan.host is not None else None,
        "verdict": solved.verdict,
        "reason": solved.reason,
        "fits": solved.fits,
        "offload": {
            "gpu_layers": plan.gpu_layers,
            "total_layers": plan.total_layers,
            "experts_on_host_layers": plan.experts_on_host_layers,
        },
        "max_context": solved.max_ctx,
        "max_context_where": max_context_where(solved),
        "best_quant": solved.best_quant,
        "speed": speeds(solved) if prefill else decode_speeds(solved),
        "evidence": solved.evidence,
        "quality": {"quant_loss": bucket, "quant_loss_basis": basis},
    }


BRIEF_KEYS = (
    "quant",
    "context",
    "memory",
    "host",
    "verdict",
    "reason",
    "fits",
    "offload",
    "max_context",
    "max_context_where",
    "best_quant",
    "speed",
    "evidence",
    "quality",
)


def brief(answer: dict[str, Any]) -> dict[str, Any]:
    """check_brief's part of a full answer (a component model's has no quality)."""
    out = {k: answer[k] for k in BRIEF_KEYS if k in answer}
    if "quality" in out:
        quality = out["quality"]
        out["quality"] = {k: quality[k] for k in ("quant_loss", "quant_loss_basis")}
    return out


def max_context_where(s: Solved) -> str | None:
    """Where the largest context runs: all on the accelerators, or with part of the model in
    system RAM (the verdict's own placement); None when nothing runs. A largest context below
    the one asked about is the largest that fits fully (the offloaded search starts at the
    context asked), so it runs on the accelerators even where the asked context offloads."""
    if s.max_ctx is None:
        return None
    plan = s.plan  # plan.full_offload written out (see memory.records.DeviceUse.to_dict)
    full_offload = plan.gpu_layers == plan.total_layers and plan.experts_on_host_layers == 0
    offloaded = s.fits and not full_offload and s.max_ctx >= s.context
    return "offload" if offloaded else "accelerator"


def decode_speeds(s: Solved) -> dict[str, float | int | None]:
    """speeds(s) less its prefill figures, in the same order."""
    decode, lo_hi = s.decode, s.lo_hi
    return {
        "decode_tok_s": None if decode is None else round(decode, 1),
        "decode_tok_s_low": round(decode * lo_hi[0], 1) if decode else None,
        "decode_tok_s_high": round(decode * lo_hi[1], 1) if decode else None,
        "at_depth_tokens": s.depth,
    }


def speeds(s: Solved) -> dict[str, float | int | None]:
    """The answer's speeds with their ranges, rounded as every surface shows them."""
    decode, lo_hi, prefill, spread_ = s.decode, s.lo_hi, s.prefill, s.prefill_spread
    # round_rate written out (a call each saved).
    return {
        "decode_tok_s": None if decode is None else round(decode, 1),
        "decode_tok_s_low": round(decode * lo_hi[0], 1) if decode else None,
        "decode_tok_s_high": round(decode * lo_hi[1], 1) if decode else None,
        "prefill_tok_s": None if prefill is None else round(prefill, 1),
        "prefill_tok_s_low": round(prefill * spread_[0], 1) if prefill else None,
        "prefill_tok_s_high": round(prefill * spread_[1], 1) if prefill else None,
        "at_depth_tokens": s.depth,
    }


def full_answer(s: Solved, catalog: Catalog) -> dict[str, Any]:
    """check's answer: everything solve worked out, with its basis, notes and commands."""
    q, model, inv, devices, runtime, plan = s.q, s.model, s.inv, s.devices, s.runtime, s.plan
    quant, context, kv_type, notes = s.quant, s.context, s.kv_type, s.notes
    spec = model.spec
    fits = s.fits
    if q.gpu_memory_gb is not None or s.verdict != "comfortable":
        memory_note = gpu_memory_note(devices, q)
        if memory_note:
            notes.append(memory_note)
    totals = memory_totals(plan, runtime)
    basis = answer_basis(
        spec,
        inv,
        devices,
        runtime,
        kv_type,
        context,
        s.host_ram,
        s.params,
        s.main_backend,
        s.measured,
    )
    if s.calibrated:
        basis["calibration"] = s.calibrated
    out: dict[str, Any] = {
        "model": model_record(model, inv),
        "hardware": [hardware_record(d).copy() for d in devices],
        "runtime": runtime.id,
        "quant": quant,
        "context": context,
        "batch": q.batch,
        "kv_type": kv_type,
        "memory": totals,
        "devices": [u.to_dict() for u in plan.devices],
        "host": plan.host.to_dict() if plan.host is not None else None,
        "verdict": s.verdict,
        "reason": s.reason,
        "fits": fits,
        "offload": {
            "gpu_layers": plan.gpu_layers,
            "total_layers": plan.total_layers,
            "experts_on_host_layers": plan.experts_on_host_layers,
        },
        "max_context": s.max_ctx,
        "max_context_where": max_context_where(s),
        "best_quant": s.best_quant,
        "speed": speeds(s),
        "evidence": s.evidence,
        "basis": basis,
        "notes": notes,
        "commands": answer_commands(s),
        "quality": quality_answer(model, quant, catalog),
        # The defaults this answer took for what the query left out: every surface states
        # them beside the answer, with a way to change them.
        "assumed": {
            # A quant the typed name states ("…-Q4_K_M.gguf", "(Q4)") was not left out: the CLI
            # said "assuming Q4_K_M … (--quant changes it)" of a name where --quant Q8_0 is an
            # error. A bare Ollama tag's implied file stays an assumption (--quant changes it).
            "quant": q.quant is None and spec.weights is None and model.quant is None,
            "context": q.context is None,
            "ram_gib": s.assumed_ram_gib,
        },
    }
    loss = out["quality"]["quant_loss"]
    if loss in ("moderate", "large"):
        notes.append(
            f"{out['quality']['quant_loss_basis']}: a higher quantization, or a smaller "
            "model at Q4_K_M, often answers better"
        )
    return out


def answer_commands(s: Solved) -> dict[str, Any]:
    """Commands only for a setup that runs, or may (at the edge of memory): a command line
    beside "will not run" reads as a way to run it."""
    if s.verdict == "wont-run":
        return {}
    return commands(s.model, s.runtime, s.quant, s.context, s.plan, s.kv_type)
