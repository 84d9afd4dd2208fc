"""`/check` (the engine's answer, as `runlocal check --json`) and `/compare`."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from pydantic import field_validator

from runlocal.bounds import HARDWARE_REQUIRED
from runlocal.engine import CheckQuery
from runlocal.errors import InputError
from runlocal.resolve.hardware import resolve_hardware_name
from runlocal_web.catalogdb.store import current

from .common import entry_dict, reject_unknown, resolve, run_check
from .errors import ApiError, field_error, from_engine_error
from .schemas import (
    OK,
    CheckIn,
    CheckParams,
    Context,
    HardwareName,
    ModelName,
    Quant,
    RamGb,
    blank_is_none,
)

router = Router(tags=["check"])

COMPARE_FIELDS = (
    "vendor",
    "kind",
    "segment",
    "memory_gib",
    "memory_type",
    "bandwidth_gb_s",
    "fp16_tensor_tflops",
    "fp32_tflops",
    "tdp_w",
    "release_date",
    "launch_price_usd",
    "street_price_usd",
    "interface",
    "backends",
)


def _query(data: dict[str, Any]) -> CheckQuery:
    # An empty text (`quant=`) is no value, as a box left empty on Will it run?: passed on,
    # `quant=""` once answered that the quantization was not assumed.
    given = {
        k: v
        for k, v in data.items()
        if v is not None and not (isinstance(v, str) and k != "model" and not v.strip())
    }
    # No hardware and no device described by its numbers: the query is incomplete, as one
    # without a model is (422, in the page's and the CLI's words).
    if not given.get("hardware") and "vram_gb" not in given and "bandwidth_gb_s" not in given:
        raise ApiError(
            422, f"hardware: {HARDWARE_REQUIRED}", [field_error("hardware", HARDWARE_REQUIRED)]
        )
    try:
        return CheckQuery.from_mapping(given)
    except InputError as exc:  # the schema already checked what from_mapping does
        raise from_engine_error(exc, status=422) from None


@router.get(
    "/check", response=OK, url_name="check", summary="Will this model run on this hardware?"
)
def check_get(request: HttpRequest, params: Query[CheckParams]) -> dict[str, Any]:
    """The engine's answer, exactly as `runlocal check --json` prints it. Parameters are the
    CLI's long flags with dashes as underscores; repeat `hardware` for several devices."""
    reject_unknown(request, CheckParams.model_fields)
    data = params.model_dump()
    data["hardware"] = data["hardware"] or None
    return run_check(_query(data))


@router.post("/check", response=OK, url_name="check", summary="Will this model run? (JSON body)")
def check_post(request: HttpRequest, payload: CheckIn) -> dict[str, Any]:
    """The same as `GET /check`, with the keys in a JSON object (as `runlocal check --from`)."""
    return run_check(_query(payload.model_dump(exclude_unset=True)))


class CompareParams(Schema):
    hw: list[HardwareName] = Field(
        ..., description="hardware ids or names, 1 to 6; repeat the parameter"
    )
    model: ModelName | None = None
    quant: Quant | None = None
    context: Context | None = None
    ram_gb: RamGb | None = None

    # Empty boxes are not given, as on /check and the Compare page.
    _blank = field_validator("model", "quant", "context", "ram_gb", mode="before")(blank_is_none)


@router.get("/compare", response=OK, url_name="compare", summary="Hardware side by side")
def compare(request: HttpRequest, params: Query[CompareParams]) -> dict[str, Any]:
    """Specs of 1–6 devices side by side and, with `model`, the engine's answer on each
    (with the engine's defaults, as `/check`, unless `quant`, `context` or `ram_gb` say
    otherwise)."""
    reject_unknown(request, CompareParams.model_fields)
    if not 1 <= len(params.hw) <= 6:
        raise ApiError(422, "hw: give 1 to 6 devices", [field_error("hw", "give 1 to 6 devices")])
    digest, catalog = current()
    entries = []
    devices: dict[str, str] = {}  # entry id → the resolver's reading ("2x …", "… 128GB")
    for name in params.hw:
        entry = resolve(catalog, "hardware", name, "hw")
        if entry not in entries:
            entries.append(entry)
            devices[entry.id] = " + ".join(p.query for p in resolve_hardware_name(catalog, name))
    model = resolve(catalog, "models", params.model, "model") if params.model else None
    checks: list[dict[str, Any]] = []
    if params.model:
        for entry in entries:
            # The model as typed: the engine reads the quant a name states, as /check does.
            query = CheckQuery(
                model=params.model,
                hardware=(devices[entry.id],),
                quant=params.quant,
                context=params.context,
                ram_gb=params.ram_gb,
            )
            try:
                checks.append(
                    {
                        "hardware": entry.id,
                        "result": run_check(query, catalog, digest),
                        "error": None,
                    }
                )
            except ApiError as exc:
                checks.append({"hardware": entry.id, "result": None, "error": exc.error})
    hardware = []
    for e in entries:
        record = entry_dict(request, e, f"hardware/{e.id}", "catalogdb:hardware_detail")
        hardware.append(
            {
                "id": e.id,
                "name": e.name,
                **{f: record.get(f) for f in COMPARE_FIELDS},
                "links": record["links"],
            }
        )
    return {
        "fields": list(COMPARE_FIELDS),
        "hardware": hardware,
        "model": {"id": model.id, "name": model.name} if model else None,
        # The quantization the checks ran at: the one asked, else the engine's default.
        "quant": next((c["result"]["quant"] for c in checks if c["result"]), params.quant)
        if model
        else None,
        "checks": checks,
    }
