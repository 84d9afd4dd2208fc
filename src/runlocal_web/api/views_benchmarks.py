"""Benchmarks: published rows and community results, submissions, and build regressions."""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router

from runlocal.catalog import Catalog
from runlocal.errors import InputError, RunlocalError, UnknownNameError
from runlocal.hardware import Device, explicit_device, parse_hardware
from runlocal.plausibility import catalog_roofline, check_speeds
from runlocal.runtimes import get_runtime
from runlocal.weights import normalize_quant
from runlocal_web.catalogdb.store import current
from runlocal_web.ops.limits import client_ip

from . import trust
from .common import paginate, reject_unknown, resolve
from .errors import ApiError, field_error, summarize
from .models import Submission
from .schemas import CREATED, OK, SubmissionIn
from .views_catalog import PageLimit, PageParams

router = Router(tags=["benchmarks"])

_rows_cache: tuple[str, list[dict[str, Any]]] | None = None


class BenchmarkFilters(PageParams):
    limit: PageLimit = 100
    model: Annotated[str, Field(max_length=200)] | None = None
    hardware: Annotated[str, Field(max_length=200)] | None = None
    quant: Annotated[str, Field(max_length=30)] | None = None
    backend: Annotated[str, Field(max_length=20)] | None = None
    metric: Literal["tg_tok_s", "pp_tok_s", "ttft_ms"] | None = None
    trust: Literal["published", "approved", "reproduced"] | None = Field(
        None, description="published (catalog), approved or reproduced (community)"
    )


class RegressionFilters(PageParams):
    model: Annotated[str, Field(max_length=200)] | None = None
    hardware: Annotated[str, Field(max_length=200)] | None = None


def _catalog_rows(digest: str, catalog: Catalog) -> list[dict[str, Any]]:
    global _rows_cache
    cached = _rows_cache
    if cached is not None and digest and cached[0] == digest:
        return cached[1]
    rows = trust.catalog_rows(catalog)
    _rows_cache = (digest, rows)
    return rows


def all_rows(digest: str, catalog: Catalog) -> list[dict[str, Any]]:
    """Published community rows (newest first), then the catalog's rows."""
    community = trust.submission_rows(reversed(trust.published_submissions()))
    return community + _catalog_rows(digest, catalog)


@router.get(
    "/benchmarks", response=OK, url_name="benchmarks", summary="Measured speeds, with their trust"
)
def benchmarks(request: HttpRequest, filters: Query[BenchmarkFilters]) -> dict[str, Any]:
    """Published catalog rows (trust `published`) and community results an editor approved
    (`approved`) or an independent submission reproduced (`reproduced`). Queued and rejected
    submissions are never listed."""
    reject_unknown(request, BenchmarkFilters.model_fields)
    f = filters
    digest, catalog = current()
    model = resolve(catalog, "models", f.model, "model").id if f.model else None
    hardware = resolve(catalog, "hardware", f.hardware, "hardware").id if f.hardware else None
    quant = f.quant.upper() if f.quant else None
    rows = [
        r
        for r in all_rows(digest, catalog)
        if (model is None or r["model"] == model)
        and (hardware is None or r["hardware"] == hardware)
        and (quant is None or r["quant"].upper() == quant)
        and (f.backend is None or r["backend"] == f.backend.lower())
        and (f.metric is None or r["metric"] == f.metric)
        and (f.trust is None or r["trust"] == f.trust)
    ]
    return paginate(request, rows, f.limit, f.offset)


@router.get(
    "/benchmarks/regressions",
    response=OK,
    url_name="benchmark_regressions",
    summary="Setups where a newer build is slower",
)
def regressions(request: HttpRequest, filters: Query[RegressionFilters]) -> dict[str, Any]:
    """Setups (device, model, quant, runtime, backend, test) where a newer runtime build
    measured more than 10% slower than the best older build. Builds are ordered by their
    number (llama.cpp's `b6918` or `(6918)`) or version (`0.6.3`); others are skipped."""
    reject_unknown(request, RegressionFilters.model_fields)
    f = filters
    digest, catalog = current()
    model = resolve(catalog, "models", f.model, "model").id if f.model else None
    hardware = resolve(catalog, "hardware", f.hardware, "hardware").id if f.hardware else None
    found = [
        r
        for r in trust.regressions(all_rows(digest, catalog))
        if (model is None or r["setup"]["model"] == model)
        and (hardware is None or r["setup"]["hardware"] == hardware)
    ]
    return paginate(request, found, f.limit, f.offset)


# --- submissions --------------------------------------------------------------------------


def _invalid(errors: list[dict[str, Any]], prefix: str = "") -> ApiError:
    return ApiError(422, prefix + summarize(errors), errors)


def _device(payload: SubmissionIn, catalog: Catalog) -> tuple[Device, str, int]:
    """(device, catalog hardware id or '', device count)."""
    n = payload.n_devices
    if payload.device is not None:
        d = payload.device
        try:
            device = explicit_device(d.memory_gib, d.bandwidth_gb_s, d.fp16_tflops, name=d.name)
        except InputError as exc:
            raise _invalid([field_error("device", str(exc))]) from None
        return device, "", n
    assert payload.hardware is not None
    try:
        devices = parse_hardware(catalog, payload.hardware)
    except UnknownNameError as exc:
        err = field_error("hardware", str(exc), suggestions=list(exc.suggestions))
        raise _invalid([err]) from None
    except InputError as exc:
        raise _invalid([field_error("hardware", str(exc))]) from None
    if len(devices) > 1:
        if n not in (1, len(devices)):
            msg = f"{payload.hardware!r} names {len(devices)} devices but n_devices is {n}"
            raise _invalid([field_error("n_devices", msg)])
        n = len(devices)
    device = devices[0]
    if device.id is None:
        raise _invalid([field_error("hardware", "not a catalog device")])
    return device, device.id, n


def _tensor_parallel(runtime: str) -> bool:
    """Whether several devices may read the weights side by side for one stream: as the
    engine models the runtime (vLLM's tensor parallelism; llama.cpp and the others split by
    layers). A runtime the engine does not know is given the benefit of the doubt."""
    try:
        return get_runtime(runtime.split(" (", 1)[0].strip()).engine == "vllm"
    except InputError:
        return True


@router.post(
    "/benchmarks",
    response=CREATED,
    url_name="benchmarks",
    summary="Submit a measured result (queued for review)",
)
def submit(request: HttpRequest, payload: SubmissionIn) -> HttpResponse:
    """A measured result, checked for schema, a known model and device, and physical
    plausibility (decode at most 1.25× the bandwidth roofline, prefill at most 1.25× the FP16
    compute roofline), then stored as `queued` until an editor reviews it. The same result
    sent twice answers 409."""
    _digest, catalog = current()
    # Name every unknown (device, model, quantization) at once.
    errors: list[dict[str, Any]] = []
    found: tuple[Device, str, int] | None = None
    try:
        found = _device(payload, catalog)
    except ApiError as exc:
        errors.extend(exc.errors)
    model_id = quant = ""
    try:
        model_id = catalog.find_model(payload.model).id
    except UnknownNameError as exc:
        errors.append(field_error("model", str(exc), suggestions=list(exc.suggestions)))
    except InputError as exc:
        errors.append(field_error("model", str(exc)))
    try:
        quant = normalize_quant(payload.quant)
    except InputError as exc:
        errors.append(field_error("quant", str(exc)))
    if errors or found is None:
        raise _invalid(errors)
    device, hardware_id, n = found
    try:
        limits = catalog_roofline(
            catalog, model_id, quant, device, n, tensor_parallel=_tensor_parallel(payload.runtime)
        )
    except RunlocalError as exc:
        raise _invalid([field_error("model", str(exc))]) from None
    problems = check_speeds(limits, payload.tg_tok_s, payload.pp_tok_s)
    if problems:
        raise _invalid([field_error(p.field, p.message) for p in problems], "implausible: ")

    sub = Submission(
        hardware_id=hardware_id,
        device_name=payload.device.name if payload.device else "",
        device_memory_gib=payload.device.memory_gib if payload.device else None,
        device_bandwidth_gb_s=payload.device.bandwidth_gb_s if payload.device else None,
        device_fp16_tflops=payload.device.fp16_tflops if payload.device else None,
        n_devices=n,
        model_id=model_id,
        quant=quant,
        runtime=trust.normalize_runtime(payload.runtime),
        backend=payload.backend,
        build=payload.build,
        prompt_tokens=payload.prompt_tokens,
        gen_tokens=payload.gen_tokens,
        context_tokens=payload.context_tokens,
        tg_tok_s=payload.tg_tok_s,
        pp_tok_s=payload.pp_tok_s,
        ttft_ms=payload.ttft_ms,
        file_sha256=payload.file_sha256.lower(),
        command=payload.command,
        notes=payload.notes,
        contact=payload.contact,
    )
    trust.identify(sub, client_ip(request))
    try:
        with transaction.atomic():
            sub.save()
    except IntegrityError:
        if not Submission.objects.filter(fingerprint=sub.fingerprint).exists():
            raise
        raise ApiError(
            409,
            "this result was already submitted",
            [field_error(None, "a submission with the same setup, build and numbers exists")],
        ) from None
    body = {
        "id": sub.pk,
        "trust": sub.status,
        "fingerprint": sub.fingerprint,
        "model": model_id,
        "hardware": hardware_id or None,
        "n_devices": n,
        "quant": quant,
        "runtime": sub.runtime,
        "roofline": limits.to_dict(),
        "message": (
            "queued for review: an editor checks every submission before it is published "
            "at /api/v1/benchmarks"
        ),
    }
    return HttpResponse(
        json.dumps(body, ensure_ascii=False),
        status=201,
        content_type="application/json; charset=utf-8",
    )
