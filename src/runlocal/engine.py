"""`check`: will this model run on this hardware, how much memory, how fast."""

from __future__ import annotations

import marshal
import threading
from typing import Any

from . import memory as mem
from .answer import (
    _device_dict,
    _entry_params,
    _entry_size_b,
    _quality_dicts,
    _quality_loss,
    _quality_parts,
    hardware_record,
)
from .catalog import Catalog, load_catalog
from .check_inputs import pick_quant
from .estimate import _BEST_QUANTS, cached_estimate, plan_answers
from .query import (
    DEFAULT_RAM_GIB,
    MAX_BATCH,
    MAX_CONTEXT,
    CheckQuery,
    CheckResult,
    LocalMachine,
    validate,
)
from .solve import _DEVICES, Head, component_entry, resolve_head, solve, solve_at
from .sources import _CATALOG_MODELS, catalog_spec, inventory_for
from .write import BRIEF_KEYS, answer_commands, brief, brief_of, full_answer

__all__ = [
    "ANSWER_CACHE_SIZE",
    "BRIEF_KEYS",
    "DEFAULT_RAM_GIB",
    "MAX_BATCH",
    "MAX_CONTEXT",
    "PREFILL_KEYS",
    "CheckQuery",
    "CheckResult",
    "LocalMachine",
    "check",
    "check_brief",
    "check_commands",
    "clear_caches",
    "without_prefill",
]


def check(
    q: CheckQuery,
    catalog: Catalog | None = None,
    *,
    allow_files: bool = True,
    local: LocalMachine | None = None,
) -> CheckResult:
    """Answer one query. Raises InputError (or another RunlocalError) for bad input.

    allow_files=False (servers): the model must be a catalog name, never a local path.
    local (the CLI only): this machine's detected devices, used when the query names no
    hardware, and its bench calibration."""
    catalog = catalog or load_catalog()
    # A catalog model's answer is a pure function of the query and the loaded catalog: a
    # repeated query is answered from a marshalled copy (callers get their own dicts). The
    # copy costs a tenth of an answer, so it is kept from a query's second asking on: a
    # batch of different queries pays nothing for it.
    key = (q, catalog, allow_files) if local is None else None
    hit = _ANSWERS.get(key) if key is not None else None
    if hit is not None:  # an answered query was valid
        return CheckResult(marshal.loads(hit))
    validate(q)
    result, cacheable = _check(q, catalog, allow_files, local)
    if key is not None and cacheable:
        with _ANSWERS_LOCK:  # the website answers from several threads
            if key not in _ASKED:
                if len(_ASKED) >= 4 * ANSWER_CACHE_SIZE:
                    _ASKED.clear()
                _ASKED.add(key)
                return result
            if len(_ANSWERS) >= ANSWER_CACHE_SIZE:
                del _ANSWERS[next(iter(_ANSWERS))]  # the oldest entry
            _ANSWERS[key] = marshal.dumps(result.data)
    return result


def check_brief(
    q: CheckQuery,
    catalog: Catalog | None = None,
    *,
    allow_files: bool = True,
    prefill: bool = True,
    keep_plan: bool = True,
) -> dict[str, Any]:
    """The part of check's answer that a table of answers shows (BRIEF_KEYS; of the quality,
    the quantization's loss), the same values check gives, worked out by the same code but
    without the basis, notes, commands, model record and quality per task that a full answer
    writes: the site's model and hardware pages ask dozens per page.

    prefill=False: the answer's speed has no prefill figures (PREFILL_KEYS), which the
    model and hardware pages' tables do not show, and the prefill formula is not worked out
    for it (~8% of a brief answer); every other value is the one check gives (the evidence
    label included: see evidence.apply_measurements).

    keep_plan=False (the site's tables, cached whole): the answer's plan is kept only among
    the last few such answers (estimate.plan_answers), not in the memo a whole check keeps,
    so that dozens of answers a page do not grow the collector's heap; the same answer."""
    catalog = catalog or load_catalog()
    key = (q, catalog, allow_files)
    hit = _ANSWERS.get(key)
    if hit is not None:
        kept = brief(marshal.loads(hit))
        return kept if prefill else without_prefill(kept)
    validate(q)
    # A table asks one model on the same devices at several quantizations: what precedes the
    # quantization is resolved once (catalog models only: a file or a remote model is read
    # afresh).
    head_key = (
        q.model,
        q.hardware,
        q.runtime,
        q.gpu_memory_utilization,
        q.gpu_memory_gb,
        q.vram_gb,
        q.bandwidth_gb_s,
        q.tflops,
        catalog,
        allow_files,
    )
    head = _HEADS.get(head_key)
    if head is None:
        found = resolve_head(q, catalog, allow_files, None)
        if isinstance(found, CheckResult):
            return brief(found.data) if prefill else without_prefill(brief(found.data))
        head = found
        model = head.model
        if model.entry is not None and not (model.hub_repo or model.path or model.file_choices):
            with _HEADS_LOCK:
                if len(_HEADS) >= ANSWER_CACHE_SIZE:
                    _HEADS.clear()
                _HEADS[head_key] = head
    quant = pick_quant(q, head.runtime, head.model)
    solved = solve_at(q, catalog, None, head, quant, prefill, keep_plan)
    return brief_of(solved, catalog, prefill)


PREFILL_KEYS = ("prefill_tok_s", "prefill_tok_s_low", "prefill_tok_s_high")


def without_prefill(answer: dict[str, Any]) -> dict[str, Any]:
    """A brief answer without the prefill figures of its speed (check_brief's prefill=False)."""
    speed = answer.get("speed")
    if isinstance(speed, dict):  # a new dict: a component model's may be another's too
        answer["speed"] = {k: v for k, v in speed.items() if k not in PREFILL_KEYS}
    return answer


_HEADS: dict[tuple[Any, ...], Head] = {}
_HEADS_LOCK = threading.Lock()


ANSWER_CACHE_SIZE = 4096
_ANSWERS: dict[tuple[CheckQuery, Catalog, bool], bytes] = {}
_ASKED: set[tuple[CheckQuery, Catalog, bool]] = set()
_ANSWERS_LOCK = threading.Lock()


def clear_caches() -> None:
    """Forget every answer, plan, layout, inventory and spec computed so far: for benchmarks
    and tests that time or compare checks from cold."""
    from . import hardware, weights
    from .speed.device_traits import device_traits
    from .speed.features import (
        _features_template,
        _layer_terms,
        _load_template,
        _mean_attention_width,
        _model_features_template,
        _prefill_attention,
        runtime_traits,
    )

    _ANSWERS.clear()
    _ASKED.clear()
    _HEADS.clear()
    _DEVICES.clear()
    _CATALOG_MODELS.clear()
    _BEST_QUANTS.clear()
    weights._NORMAL_QUANTS.clear()
    for fn in (
        catalog_spec,
        inventory_for,
        plan_answers,
        cached_estimate,
        component_entry,
        _quality_parts,
        _quality_dicts,
        _quality_loss,
        _entry_size_b,
        _entry_params,
        _device_dict,
        hardware_record,
        hardware.device_from_entry,
        hardware._parse_hardware,
        hardware._fp32_accumulating,
        device_traits,
        runtime_traits,
        _load_template,
        _features_template,
        _layer_terms,
        _model_features_template,
        _prefill_attention,
        _mean_attention_width,
    ):
        fn.cache_clear()
    mem.clear_caches()


def _check(
    q: CheckQuery, catalog: Catalog, allow_files: bool, local: LocalMachine | None
) -> tuple[CheckResult, bool]:
    """check's work; also whether the answer may be reused (a catalog model, not a file or
    a remote model, whose files can change)."""
    solved = solve(q, catalog, allow_files, local)
    if isinstance(solved, CheckResult):
        return solved, True
    model = solved.model
    cacheable = model.entry is not None and not model.hub_repo and not model.path
    return CheckResult(full_answer(solved, catalog)), cacheable


def check_commands(
    q: CheckQuery, catalog: Catalog | None = None, *, allow_files: bool = True
) -> dict[str, Any]:
    """check's quantization, context and commands for one query (the same values under the
    same keys, worked out by the same code: solve, then answer.commands when it fits),
    without the rest of a whole answer (the basis, notes, model record, quality per task,
    device records): the site's model pages show one setup's commands beside tables of
    brief answers, whose plan for that setup solve finds already worked out. A component
    model's answer (image and speech pipelines), and an answer check already kept, is the
    whole answer, as check gives it."""
    catalog = catalog or load_catalog()
    hit = _ANSWERS.get((q, catalog, allow_files))
    if hit is not None:  # a whole answer check kept: given as it is
        return marshal.loads(hit)  # type: ignore[no-any-return]
    validate(q)
    # The commands do not read the prefill speed (answer_commands).
    solved = solve(q, catalog, allow_files, None, with_prefill=False)
    if isinstance(solved, CheckResult):
        return dict(solved.data)
    return {
        "quant": solved.quant,
        "context": solved.context,
        "commands": answer_commands(solved),
    }
