"""The catalog's detail pages' table cells: one engine verdict per (model, device,
quantization), as a verdict table's row or a quantization table's cell; an error becomes a
row, never a failed page."""

from __future__ import annotations

import logging
from functools import lru_cache
from typing import Any

from runlocal.catalog import Catalog
from runlocal.engine import CheckQuery
from runlocal.errors import RunlocalError
from runlocal.frozen import builder
from runlocal.weights import normalize_quant
from runlocal_web.checker.present import verdict_class, verdict_label
from runlocal_web.lib.engine import table_brief
from runlocal_web.lib.pages import path_with_query, quote_value, url_for

log = logging.getLogger(__name__)

# CheckQuery(**kwargs) without the frozen dataclass's __init__ (one object.__setattr__ per
# field, 14 fields): the same query (runlocal.frozen.builder), some 40 a page.
cell_query = builder(CheckQuery)


class TableCells:
    """The detail pages' table cells, one verdict per (model, device, quantization): a
    verdict table's row when called, a quantization table's cell by `cell` (quant_matrix's).
    What the cells of one page share is worked out once for
    the page, not once per cell: each entry's name and link (the same dict in every cell of
    its row or column), the Will it run? link's query less its quantization, the part
    every quantization of a row repeats, and the engine's answer at the default
    quantization, which is also the answer at the quantization it resolved to (see
    brief)."""

    def __init__(self) -> None:
        self.sides: dict[tuple[str, str], dict[str, str]] = {}
        self.links: dict[tuple[str, str], str] = {}
        self.defaults: dict[tuple[str, str], dict[str, Any]] = {}
        self.checked: set[str] = set()  # the model names table_brief has let through

    def brief(
        self,
        catalog: Catalog,
        digest: str,
        model_id: str,
        hardware_id: str,
        quant: str | None,
    ) -> dict[str, Any]:
        """run_brief for the cell. The default quantization's cell (quant None) comes first
        in each row (the pages' verdict table precedes their quantization tables); a later
        cell that names the quantization the default resolved to asks the same question and
        is given that answer. The engine resolves a missing quantization to one quantization
        (check_inputs.pick_quant) and from there works with it alone; of the query's quantization
        it reads only whether one was named when choosing among a remote model's files,
        which a catalog model has none of (the site asks catalog models only, and the
        engine's own memo of what precedes the quantization, engine._HEADS, already serves
        every quantization of a catalog model from the first one asked). A name is taken as
        the same only when the engine keeps it as written (normalize_quant returns it
        unchanged), so the answer is the one the cell would be given on its own
        (tests/web/test_first_views.py holds every cell of every pair to that)."""
        key = (model_id, hardware_id)
        if quant is None:
            r = table_brief(
                cell_query(model=model_id, hardware=(hardware_id,)), catalog, digest, self.checked
            )
            self.defaults[key] = r
            return r
        default = self.defaults.get(key)
        if default is not None and default.get("quant") == quant and _kept_as_written(quant):
            return default
        query = cell_query(model=model_id, hardware=(hardware_id,), quant=quant)
        return table_brief(query, catalog, digest, self.checked)

    def side(self, catalog: Catalog, kind: str, entry_id: str) -> dict[str, str]:
        found = self.sides.get((kind, entry_id))
        if found is None:
            entry = (catalog.models if kind == "model" else catalog.hardware).get(entry_id)
            view = "catalogdb:model_detail" if kind == "model" else "catalogdb:hardware_detail"
            found = self.sides[(kind, entry_id)] = {
                "id": entry_id,
                "name": entry.name if entry else entry_id,
                "url": url_for(view, entry_id),
            }
        return found

    def check_url(self, model_id: str, hardware_id: str, quant: str | None) -> str:
        """path_with_query(Will it run?, {"model", "hardware", "quant"}): the same link."""
        base = self.links.get((model_id, hardware_id))
        if base is None:
            base = self.links[(model_id, hardware_id)] = path_with_query(
                url_for("checker:will_it_run"), {"model": model_id, "hardware": hardware_id}
            )
        if quant in (None, ""):
            return base
        return f"{base}{'&' if '?' in base else '?'}quant={quote_value(str(quant))}"

    def __call__(
        self,
        catalog: Catalog,
        digest: str,
        model_id: str,
        hardware_id: str,
        quant: str | None = None,
    ) -> dict[str, Any]:
        return check_row(catalog, digest, model_id, hardware_id, quant, self)

    def cell(
        self,
        catalog: Catalog,
        digest: str,
        model_id: str,
        hardware_id: str,
        quant: str,
        by: str,
    ) -> tuple[dict[str, str], dict[str, Any]]:
        """(the `by` side's name and link, the quantization table's cell), written from the
        engine's answer directly, without the verdict table's row (some 40 cells a page; the
        values of this cell's check_row, tests/web/test_first_views.py)."""
        side = self.side(catalog, by, model_id if by == "model" else hardware_id)
        check_url = self.check_url(model_id, hardware_id, quant)
        try:
            r = self.brief(catalog, digest, model_id, hardware_id, quant)
        except RunlocalError as exc:
            return side, {"quant": quant, "error": str(exc), "check_url": check_url}
        except Exception:  # as check_row: a catalog entry the engine chokes on
            log.exception("check failed for %s on %s", model_id, hardware_id)
            error = "the engine could not size this combination"
            return side, {"quant": quant, "error": error, "check_url": check_url}
        verdict = r["verdict"]
        memory = r["memory"]
        return side, {
            "quant": quant,
            "verdict": verdict,
            "verdict_label": verdict_label(verdict),
            "verdict_class": verdict_class(verdict),
            "decode_tok_s": r["speed"]["decode_tok_s"] if verdict != "wont-run" else None,
            "max_context": r["max_context"],
            "max_context_where": r.get("max_context_where"),
            "total_bytes": memory["total_bytes"],
            "evidence": r["evidence"],
            "check_url": check_url,
            "weights_bytes": (memory.get("weights_bytes") or 0)
            + ((r.get("host") or {}).get("weights_bytes") or 0),
            "quant_loss": (r.get("quality") or {}).get("quant_loss"),
        }


def check_row(
    catalog: Catalog,
    digest: str,
    model_id: str,
    hardware_id: str,
    quant: str | None = None,
    cells: TableCells | None = None,
) -> dict[str, Any]:
    """One verdict for the detail pages' tables; an error becomes a row, never a failed page.
    (cells: what the page's other cells already worked out.)"""
    cells = cells or TableCells()
    # The engine's defaults for what is not given (its system RAM beside a discrete GPU
    # included): the link asks Will it run? the same question.
    out: dict[str, Any] = {
        "model": cells.side(catalog, "model", model_id),
        "hardware": cells.side(catalog, "hardware", hardware_id),
        "check_url": cells.check_url(model_id, hardware_id, quant),
    }
    try:
        # The part of the answer the tables show: the same values as a whole answer's.
        r = cells.brief(catalog, digest, model_id, hardware_id, quant)
    except RunlocalError as exc:
        out["error"] = str(exc)
        return out
    except Exception:  # a catalog entry the engine chokes on must not take the page down
        log.exception("check failed for %s on %s", model_id, hardware_id)
        out["error"] = "the engine could not size this combination"
        return out
    out.update(
        verdict=r["verdict"],
        verdict_label=verdict_label(r["verdict"]),
        verdict_class=verdict_class(r["verdict"]),
        reason=r["reason"],
        quant=r["quant"],
        context=r["context"],
        total_bytes=r["memory"]["total_bytes"],
        budget_bytes=r["memory"]["budget_bytes"],
        # The engine's figure under the engine's name (the token embeddings llama.cpp keeps in
        # RAM included; the row once gave 0 where Will it run? said 0.3 GiB). The table shows
        # it as "+ … in RAM" only when layers or experts run from RAM (offloaded).
        host_bytes=r["memory"].get("host_bytes"),
        offloaded=r["offload"]["gpu_layers"] < r["offload"]["total_layers"]
        or bool(r["offload"]["experts_on_host_layers"]),
        decode_tok_s=r["speed"]["decode_tok_s"],
        decode_tok_s_low=r["speed"]["decode_tok_s_low"],
        decode_tok_s_high=r["speed"]["decode_tok_s_high"],
        evidence=r["evidence"],
        max_context=r["max_context"],
        max_context_where=r.get("max_context_where"),
        best_quant=r["best_quant"],
        # On the device and in system RAM: the whole model's weights at this quantization.
        weights_bytes=(r["memory"].get("weights_bytes") or 0)
        + ((r.get("host") or {}).get("weights_bytes") or 0),
        quant_loss=(r.get("quality") or {}).get("quant_loss"),
    )
    return out


@lru_cache(maxsize=256)
def _kept_as_written(quant: str) -> bool:
    """Whether the engine reads the quantization name as written (its normal form)."""
    try:
        return normalize_quant(quant) == quant
    except RunlocalError:
        return False
