"""The trust ladder of benchmark results, and the rows the API and the engine read.

published   a row of a catalog benchmark file, transcribed from a publication by an editor;
queued      a community submission nobody has reviewed (never shown);
approved    a submission an editor accepted;
rejected    a submission an editor turned down (never shown);
reproduced  an approved submission that an independent approved submission of the same
            setup matches within 10% (both become reproduced, each naming the other).

"Independent" means another submitter (contact, or client address without one) on another
network address; "the same setup" means the same device (or described device), count,
model, quantization, runtime, backend and test sizes. Builds may differ: that is what
`regressions` looks at.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import statistics
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from runlocal.catalog import Catalog
from runlocal.errors import InputError
from runlocal.runtimes import get_runtime

from .models import Submission

AGREEMENT = 1.10  # the larger of two results at most 10% above the smaller
REGRESSION = 0.90  # a newer build below 90% of an older one's best
METRICS = (("tg_tok_s", "tok/s"), ("pp_tok_s", "tok/s"), ("ttft_ms", "ms"))


# --- identity -----------------------------------------------------------------------------


def normalize_runtime(text: str) -> str:
    """'llama.cpp (CUDA)', 'llamacpp' → 'llama.cpp'; runtimes the engine lacks stay as written."""
    base = text.split(" (", 1)[0].strip()
    try:
        return get_runtime(base).id
    except InputError:
        return base.lower()


def _digest(data: dict[str, Any]) -> str:
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def setup_of(sub: Submission) -> dict[str, Any]:
    if sub.hardware_id:
        device: Any = sub.hardware_id
    else:
        device = {
            "name": " ".join(sub.device_name.lower().split()),
            "memory_gib": sub.device_memory_gib,
            "bandwidth_gb_s": sub.device_bandwidth_gb_s,
        }
    return {
        "hardware": device,
        "n_devices": sub.n_devices,
        "model": sub.model_id,
        "quant": sub.quant,
        "runtime": sub.runtime,
        "backend": sub.backend,
        "prompt_tokens": sub.prompt_tokens,
        "gen_tokens": sub.gen_tokens,
        "context_tokens": sub.context_tokens,
    }


def setup_key(sub: Submission) -> str:
    return _digest(setup_of(sub))


def fingerprint(sub: Submission) -> str:
    """The measurement itself: setup, build, file and numbers (not who sent it or the notes),
    so the same result sent twice, by anyone, is one submission."""
    return _digest(
        {
            **setup_of(sub),
            "build": " ".join(sub.build.split()),
            "file_sha256": sub.file_sha256.lower(),
            "tg_tok_s": sub.tg_tok_s,
            "pp_tok_s": sub.pp_tok_s,
            "ttft_ms": sub.ttft_ms,
        }
    )


def keyed_hash(text: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), text.encode(), hashlib.sha256).hexdigest()


def identify(sub: Submission, client_ip: str) -> None:
    """Fill the submitter and network keys, the setup key and the fingerprint."""
    contact = " ".join(sub.contact.lower().split())
    sub.submitter_key = keyed_hash("contact:" + contact if contact else "ip:" + client_ip)
    sub.network_key = keyed_hash("ip:" + client_ip)
    sub.setup_key = setup_key(sub)
    sub.fingerprint = fingerprint(sub)


# --- reproduction -------------------------------------------------------------------------


def independent(a: Submission, b: Submission) -> bool:
    return (
        a.pk != b.pk
        and a.fingerprint != b.fingerprint
        and a.submitter_key != b.submitter_key
        and a.network_key != b.network_key
    )


def agree(a: Submission, b: Submission) -> bool:
    """Every speed both report within 10% of each other, and at least one in common."""
    common = 0
    for name in ("tg_tok_s", "pp_tok_s"):
        x, y = getattr(a, name), getattr(b, name)
        if x is None or y is None:
            continue
        common += 1
        if max(x, y) > AGREEMENT * min(x, y):
            return False
    return common > 0


def recompute_setup(key: str) -> None:
    """Set approved/reproduced for every published submission of one setup."""
    with transaction.atomic():
        subs = list(
            Submission.objects.select_for_update()
            .filter(setup_key=key, status__in=Submission.PUBLISHED)
            .order_by("created_at", "id")
        )
        for sub in subs:
            partner = next((o for o in subs if independent(sub, o) and agree(sub, o)), None)
            status = Submission.REPRODUCED if partner else Submission.APPROVED
            partner_id = partner.pk if partner else None
            if sub.status != status or sub.reproduced_by_id != partner_id:
                sub.status = status
                sub.reproduced_by_id = partner_id
                sub.save(update_fields=["status", "reproduced_by"])
        # A rejected or re-queued submission reproduces nothing.
        Submission.objects.filter(setup_key=key).exclude(status__in=Submission.PUBLISHED).exclude(
            reproduced_by=None
        ).update(reproduced_by=None)


def review(subs: Iterable[Submission], status: str, user: Any = None, note: str = "") -> int:
    """An editor's decision (approved, rejected, or back to queued) on some submissions."""
    if status not in (Submission.APPROVED, Submission.REJECTED, Submission.QUEUED):
        raise ValueError(f"cannot set {status!r} by hand; reproduced is computed")
    now = timezone.now()
    keys: set[str] = set()
    count = 0
    with transaction.atomic():
        for sub in subs:
            already = sub.status == status or (
                status == Submission.APPROVED and sub.status == Submission.REPRODUCED
            )
            keys.add(sub.setup_key)
            if already:
                continue
            sub.status = status
            sub.reviewed_at = now
            sub.reviewed_by = user if getattr(user, "pk", None) else None
            fields = ["status", "reviewed_at", "reviewed_by"]
            if note:
                sub.review_note = note
                fields.append("review_note")
            sub.save(update_fields=fields)
            count += 1
        for key in sorted(keys):
            recompute_setup(key)
    return count


# --- rows ---------------------------------------------------------------------------------


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def catalog_rows(catalog: Catalog) -> list[dict[str, Any]]:
    """Every result row of the catalog's benchmark files, flattened, trust 'published'."""
    rows: list[dict[str, Any]] = []
    for bench in sorted(catalog.benchmarks.values(), key=lambda b: b.id):
        set_trust = str(bench.get("trust") or "published")
        results = bench.get("results", [])
        for i, r in enumerate(results if isinstance(results, list) else [], start=1):
            if not isinstance(r, dict):
                continue
            metric = str(r.get("metric", ""))
            value = _number(r.get("value"))
            if value is None:
                continue
            rows.append(
                {
                    "id": f"{bench.id}-r{i}",
                    "origin": "catalog",
                    "trust": str(r.get("trust") or set_trust),
                    "hardware": str(bench.get("hardware") or "") or None,
                    "device": None,
                    "n_devices": _int(r.get("n_devices")) or 1,
                    "model": str(r.get("model", "")),
                    "quant": str(r.get("quant", "")),
                    "runtime": str(r.get("runtime", "")),
                    "backend": str(r.get("backend", "")),
                    "build": str(r.get("build", "")),
                    "metric": metric,
                    "value": value,
                    "unit": "ms" if metric.endswith("_ms") else "tok/s",
                    "prompt_tokens": _int(r.get("prompt_tokens")),
                    "gen_tokens": _int(r.get("gen_tokens")),
                    "context_tokens": _int(r.get("context_tokens")),
                    "command": str(r.get("command", "")),
                    "notes": str(r.get("notes", "")),
                    "sources": [str(r["source"])] if r.get("source") else list(bench.sources),
                    "set": {"id": bench.id, "name": bench.name},
                    "submission": None,
                }
            )
    return rows


def submission_rows(subs: Iterable[Submission]) -> list[dict[str, Any]]:
    """Published submissions, one row per measured metric, in the same shape as catalog rows."""
    rows: list[dict[str, Any]] = []
    for sub in subs:
        device = (
            None
            if sub.hardware_id
            else {
                "name": sub.device_name,
                "memory_gib": sub.device_memory_gib,
                "bandwidth_gb_s": sub.device_bandwidth_gb_s,
                "fp16_tflops": sub.device_fp16_tflops,
            }
        )
        for metric, unit in METRICS:
            value = getattr(sub, metric)
            if value is None:
                continue
            rows.append(
                {
                    "id": f"s{sub.pk}-{metric.split('_')[0]}",
                    "origin": "community",
                    "trust": sub.status,
                    "hardware": sub.hardware_id or None,
                    "device": device,
                    "n_devices": sub.n_devices,
                    "model": sub.model_id,
                    "quant": sub.quant,
                    "runtime": sub.runtime,
                    "backend": sub.backend,
                    "build": sub.build,
                    "metric": metric,
                    "value": value,
                    "unit": unit,
                    "prompt_tokens": sub.prompt_tokens,
                    "gen_tokens": sub.gen_tokens,
                    "context_tokens": sub.context_tokens,
                    "command": sub.command,
                    "notes": sub.notes,
                    "sources": [],
                    "set": None,
                    "submission": {
                        "id": sub.pk,
                        "created_at": sub.created_at.isoformat(),
                        "reproduced_by": sub.reproduced_by_id,
                        "file_sha256": sub.file_sha256 or None,
                    },
                }
            )
    return rows


def published_submissions() -> list[Submission]:
    return list(
        Submission.objects.filter(status__in=Submission.PUBLISHED).order_by("created_at", "id")
    )


def community_measurements(catalog: Catalog) -> list[dict[str, Any]]:
    """Approved and reproduced decode/prefill results on catalog hardware and models, shaped
    like a catalog benchmark file's `[[results]]` rows plus `hardware`, `trust` and `source`,
    for the engine's measured-evidence lookup (runlocal.evidence._bench_index)."""
    out: list[dict[str, Any]] = []
    for row in submission_rows(published_submissions()):
        if row["metric"] not in ("tg_tok_s", "pp_tok_s"):
            continue
        if row["hardware"] not in catalog.hardware or row["model"] not in catalog.models:
            continue
        sub = row["submission"]
        out.append(
            {
                "model": row["model"],
                "quant": row["quant"],
                "runtime": row["runtime"],
                "backend": row["backend"],
                "build": row["build"],
                "n_devices": row["n_devices"],
                "metric": row["metric"],
                "prompt_tokens": row["prompt_tokens"],
                "gen_tokens": row["gen_tokens"],
                "context_tokens": row["context_tokens"],
                "value": row["value"],
                "command": row["command"],
                "hardware": row["hardware"],
                "trust": row["trust"],
                "source": f"community submission #{sub['id']}",
                "submission_id": sub["id"],
            }
        )
    return out


# --- regressions --------------------------------------------------------------------------

_BUILD_NUMBER = (
    re.compile(r"\((\d{3,6})\)"),  # "build 2f68ce7cf (6918)", llama-bench's own format
    re.compile(r"\bversion:?\s*(\d{3,6})\b", re.IGNORECASE),  # "version: 6918 (2f68ce7cf)"
    re.compile(r"\bb(\d{3,6})\b"),  # llama.cpp's release tags: "b6918"
    re.compile(r"^\s*(\d{3,6})\s*$"),
)
_SEMVER = re.compile(r"^\s*v?(\d+(?:\.\d+){1,3})\b")


def build_order(build: str) -> tuple[int, ...] | None:
    """A sortable version for a build string, or None when it cannot be ordered (a bare
    commit hash, a date range, a prose description)."""
    for pattern in _BUILD_NUMBER:
        m = pattern.search(build)
        if m:
            return (int(m.group(1)),)
    m = _SEMVER.match(build)
    if m:
        return tuple(int(x) for x in m.group(1).split("."))
    return None


def _setup_label(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "hardware": row["hardware"],
        "device": row["device"]["name"] if row["device"] else None,
        "n_devices": row["n_devices"],
        "model": row["model"],
        "quant": row["quant"],
        "runtime": normalize_runtime(row["runtime"]),
        "backend": row["backend"],
        "metric": row["metric"],
        # The test's size: generated tokens for decode, the prompt for prefill.
        "tokens": row["gen_tokens"] if row["metric"] == "tg_tok_s" else row["prompt_tokens"],
        "context_tokens": row["context_tokens"],
    }


def regressions(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Setups where a newer build is more than 10% slower than the best older build.

    Rows of one build are summarized by their median; builds without an order are skipped."""
    groups: dict[str, dict[tuple[int, ...], list[dict[str, Any]]]] = {}
    labels: dict[str, dict[str, Any]] = {}
    for row in rows:
        if row["metric"] not in ("tg_tok_s", "pp_tok_s") or row["trust"] not in (
            "published",
            "approved",
            "reproduced",
        ):
            continue
        order = build_order(row["build"])
        if order is None:
            continue
        label = _setup_label(row)
        key = _digest(label)
        labels[key] = label
        groups.setdefault(key, {}).setdefault(order, []).append(row)
    found: list[dict[str, Any]] = []
    for key, builds in groups.items():
        if len(builds) < 2:
            continue
        best: tuple[float, dict[str, Any]] | None = None
        for order in sorted(builds):
            members = builds[order]
            value = statistics.median(r["value"] for r in members)
            summary = {
                "build": members[0]["build"],
                "value": round(value, 2),
                "rows": [r["id"] for r in members],
            }
            if best is not None and value < REGRESSION * best[0]:
                found.append(
                    {
                        "setup": labels[key],
                        "older": best[1],
                        "newer": summary,
                        "change_pct": round((value / best[0] - 1) * 100, 1),
                    }
                )
            if best is None or value > best[0]:
                best = (value, summary)
    found.sort(key=lambda r: (r["change_pct"], r["setup"]["model"], r["setup"]["hardware"] or ""))
    return found
