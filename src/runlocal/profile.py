"""The calibration profile: what `runlocal bench` measured on this machine.

`runlocal bench` writes it; `runlocal check` (the CLI, never the API) reads it and, for a
device it describes, uses the measured memory bandwidth in place of the catalog's (evidence
`calibrated`, shown in the answer's basis). The file lives at
``$RUNLOCAL_PROFILE_DIR/profile.json``, else ``$XDG_CONFIG_HOME/runlocal/profile.json``,
else ``~/.config/runlocal/profile.json``.

Standard library only; a missing or damaged file reads as "no profile", never an error.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .catalog import normalize

PROFILE_ENV = "RUNLOCAL_PROFILE_DIR"
PROFILE_SCHEMA = 1


def profile_path() -> Path:
    override = os.environ.get(PROFILE_ENV)
    if override:
        return Path(override).expanduser() / "profile.json"
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(base) / "runlocal" / "profile.json"


def device_key(catalog_id: str | None, name: str) -> str:
    """How a profile names a device: its catalog id, else its normalized detected name."""
    return catalog_id if catalog_id else f"name:{normalize(name)}"


@dataclass(frozen=True)
class Calibration:
    """A memory bandwidth measured on this machine, for one device (see device_key)."""

    bandwidth_bytes_per_s: float
    measured_at: str
    method: str
    fp32_flops: float | None = None  # CPUs: numpy FP32 matmul
    fp16_flops: float | None = None  # GPUs: FP16 matmul through PyTorch or CuPy

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class MeasuredDevice:
    """One device as `runlocal bench` measured it, beside the catalog's figures."""

    key: str
    name: str
    kind: str  # "gpu" | "cpu" | "unified"
    catalog_id: str | None
    bandwidth_gb_s: float | None
    method: str
    fp32_gflops: float | None = None
    fp16_tflops: float | None = None
    catalog_bandwidth_gb_s: float | None = None
    measured_at: str = ""


@dataclass
class Profile:
    """What `runlocal bench` measured on this machine, as stored in profile.json."""

    created: str
    devices: list[MeasuredDevice] = field(default_factory=list)
    runlocal_version: str = ""
    schema: int = PROFILE_SCHEMA

    def calibration(self) -> dict[str, Calibration]:
        out: dict[str, Calibration] = {}
        for d in self.devices:
            if d.bandwidth_gb_s and d.bandwidth_gb_s > 0:
                out[d.key] = Calibration(
                    bandwidth_bytes_per_s=d.bandwidth_gb_s * 1e9,
                    measured_at=d.measured_at or self.created,
                    method=d.method,
                    fp32_flops=d.fp32_gflops * 1e9 if d.fp32_gflops else None,
                    fp16_flops=d.fp16_tflops * 1e12 if d.fp16_tflops else None,
                )
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": self.schema,
            "created": self.created,
            "runlocal_version": self.runlocal_version,
            "devices": [asdict(d) for d in self.devices],
        }


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if value == value and value > 0 else None  # NaN, 0 and negatives: none


def profile_from_dict(data: Any) -> Profile | None:
    if not isinstance(data, dict) or data.get("schema") != PROFILE_SCHEMA:
        return None
    devices: list[MeasuredDevice] = []
    for item in data.get("devices") or []:
        if not isinstance(item, dict) or not isinstance(item.get("key"), str):
            continue
        catalog_id = item.get("catalog_id")
        devices.append(
            MeasuredDevice(
                key=item["key"],
                name=str(item.get("name") or item["key"]),
                kind=str(item.get("kind") or "gpu"),
                catalog_id=catalog_id if isinstance(catalog_id, str) else None,
                bandwidth_gb_s=_number(item.get("bandwidth_gb_s")),
                method=str(item.get("method") or ""),
                fp32_gflops=_number(item.get("fp32_gflops")),
                fp16_tflops=_number(item.get("fp16_tflops")),
                catalog_bandwidth_gb_s=_number(item.get("catalog_bandwidth_gb_s")),
                measured_at=str(item.get("measured_at") or ""),
            )
        )
    return Profile(
        created=str(data.get("created") or ""),
        devices=devices,
        runlocal_version=str(data.get("runlocal_version") or ""),
    )


def merged(old: Profile | None, new: Profile) -> Profile:
    """The new measurements, plus earlier ones of devices this run did not measure."""
    if old is None:
        return new
    keys = {d.key for d in new.devices}
    kept = [d for d in old.devices if d.key not in keys]
    return Profile(
        created=new.created,
        devices=[*new.devices, *kept],
        runlocal_version=new.runlocal_version,
    )


def load_profile(path: Path | None = None) -> Profile | None:
    """The stored profile, or None when there is none or it cannot be read."""
    p = path or profile_path()
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    return profile_from_dict(data)


def stored_calibration() -> dict[str, Calibration]:
    """The stored profile's bandwidths by device key; empty without a readable profile."""
    profile = load_profile()
    return profile.calibration() if profile is not None else {}


def save_profile(profile: Profile, path: Path | None = None) -> Path:
    """Write atomically; raises OSError when the folder cannot be written."""
    p = path or profile_path()
    p.parent.mkdir(parents=True, exist_ok=True)
    tmp = p.with_name(f".{p.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(profile.to_dict(), indent=2) + "\n", encoding="utf-8")
    tmp.replace(p)
    return p
