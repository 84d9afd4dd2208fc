#!/usr/bin/env python3
"""Check the model catalog (src/runlocal/catalog/models/*.toml).

  python scripts/check_models.py [--csv PATH] [--tolerance 0.03] [--engine]

1. Every file parses with tomllib and has the required fields with the right types.
2. ids are unique and equal the file name; aliases (and ids and names) are unique across files
   after normalisation.
3. Every model string of the calibration CSV maps to exactly one file by normalised alias.
4. Consistency: the parameter count computed from [architecture] (an independent count, not the
   engine's) is compared with params_total_b; files off by more than the tolerance are listed.
   Some misses are legitimate (vision/audio towers outside [architecture]) and are reported, not
   failed.

Exit status 1 on any error of kinds 1-3; parameter mismatches are warnings.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MODELS = ROOT / "src" / "runlocal" / "catalog" / "models"
DEFAULT_CSV = ROOT.parent / "shared" / "calibration" / "measured-llm-inference.csv"

MODALITIES = {"text", "vision-language", "embedding", "image", "speech"}
REQUIRED = {
    "schema_version": int,
    "id": str,
    "name": str,
    "aliases": list,
    "family": str,
    "hf_repo": str,
    "license": str,
    "release_date": dt.date,
    "modality": str,
    "params_total_b": (int, float),
    "params_active_b": (int, float),
    "verdict": str,
    "sources": list,
    "last_verified": dt.date,
    "reviewed_by": str,
    "architecture": dict,
}
# CSV model strings that name no single model (none today); they are skipped.
GENERIC: set[str] = set()


def normalise(name: str) -> str:
    """Lowercase, every run of non-alphanumerics to one space."""
    return " ".join(re.sub(r"[^a-z0-9]+", " ", name.lower()).split())


def engine_normalise(name: str) -> str | None:
    """The engine's own normalisation (runlocal.catalog.normalize), when importable."""
    try:
        sys.path.insert(0, str(ROOT / "src"))
        from runlocal.catalog import normalize  # type: ignore
    except Exception:
        return None
    return normalize(name)


# --------------------------------------------------------------------------- parameter count


def _layer_kinds(a: dict, n: int) -> list[str]:
    types = a.get("layer_types")
    if isinstance(types, list) and len(types) >= n:
        out = []
        for t in types[:n]:
            if t in ("linear_attention",):
                out.append("linear")
            elif t in ("conv",):
                out.append("conv")
            elif t in ("full_attention", "attention", "global"):
                out.append("full")
            else:
                out.append("swa")
        return out
    if a.get("full_attention_interval"):
        k = a["full_attention_interval"]
        return ["full" if (i + 1) % k == 0 else "linear" for i in range(n)]
    if a.get("full_attn_idxs") is not None:
        return ["full" if i in a["full_attn_idxs"] else "conv" for i in range(n)]
    return ["full"] * n


def _lfm2_ffn(a: dict) -> int:
    ff = a.get("block_ff_dim") or a["intermediate_size"]
    if a.get("block_auto_adjust_ff_dim"):
        ff = int(2 * ff / 3)
        mult = a.get("block_ffn_dim_multiplier")
        if mult is not None:
            ff = int(mult * ff)
        m = a.get("block_multiple_of", 256)
        ff = m * ((ff + m - 1) // m)
    return ff


def count_params(a: dict) -> tuple[int, int]:
    """(total, active) parameters of the language model described by a config.json dict."""
    mt = a.get("model_type", "")
    h = a["hidden_size"]
    n = a["num_hidden_layers"]
    vocab = a["vocab_size"]
    heads = a["num_attention_heads"]
    kv = a.get("num_key_value_heads") or heads
    hd = a.get("head_dim") or h // heads
    tied = a.get("tie_word_embeddings", mt.startswith("gemma"))
    kinds = _layer_kinds(a, n)

    n_exp = a.get("num_local_experts") or a.get("num_experts") or a.get("n_routed_experts") or 0
    top_k = (
        a.get("num_experts_per_tok") or a.get("experts_per_token") or a.get("top_k_experts") or 0
    )
    moe_inter = a.get("moe_intermediate_size") or a.get("intermediate_size")
    first_dense = a.get("first_k_dense_replace", 0)
    step = (
        a.get("interleave_moe_layer_step")
        or a.get("decoder_sparse_step")
        or a.get("moe_layer_freq")
        or 1
    )
    mlp_only = set(a.get("mlp_only_layers") or [])

    total = vocab * h + (0 if tied else vocab * h) + h  # embeddings, head, final norm
    active = total
    shared_kv_from = n - (a.get("num_kv_shared_layers") or 0)

    for i, kind in enumerate(kinds):
        # ---- token mixer
        if kind == "linear":
            kh, vh = a["linear_num_key_heads"], a["linear_num_value_heads"]
            kd, vd = a["linear_key_head_dim"], a["linear_value_head_dim"]
            conv_ch = 2 * kh * kd + vh * vd
            mix = h * conv_ch + h * vh * vd + 2 * h * vh + vh * vd * h
            mix += conv_ch * a.get("linear_conv_kernel_dim", 4) + 2 * vh + vd
        elif kind == "conv":
            mix = 3 * h * h + h * h + h * a.get("conv_L_cache", 3)
        elif a.get("kv_lora_rank"):
            r, nope, vdim = a["qk_rope_head_dim"], a["qk_nope_head_dim"], a["v_head_dim"]
            ql, kvl = a.get("q_lora_rank"), a["kv_lora_rank"]
            q = (h * ql + ql + ql * heads * (nope + r)) if ql else h * heads * (nope + r)
            mix = q + h * (kvl + r) + kvl + kvl * heads * (nope + vdim) + heads * vdim * h
        else:
            qh, qkv, qd = heads, kv, hd
            k_eq_v = False
            if kind == "full" and a.get("global_head_dim"):  # Gemma 4 global layers
                qd = a["global_head_dim"]
                qkv = a.get("num_global_key_value_heads") or kv
                k_eq_v = bool(a.get("attention_k_eq_v"))
            gate = 2 if (a.get("attn_output_gate") or mt == "qwen3_next") else 1
            mix = h * qh * qd * gate + h * qkv * qd * (1 if k_eq_v else 2) + qh * qd * h
            if a.get("attention_bias") or mt == "qwen2":
                mix += qh * qd * gate + qkv * qd * 2 + (h if a.get("attention_bias") else 0)
            if mt == "gpt_oss":
                mix += qh  # attention sinks

        # ---- feed-forward
        is_moe = n_exp > 1 and i >= first_dense and i not in mlp_only and (i + 1) % step == 0
        ffn_total = ffn_active = 0
        if is_moe:
            per_expert = 3 * h * moe_inter
            if mt == "gpt_oss":
                per_expert += 2 * moe_inter + h  # gate_up and down biases
            ffn_total = n_exp * per_expert
            ffn_active = top_k * per_expert
            shared = 0
            if a.get("shared_expert_intermediate_size"):
                shared = 3 * h * a["shared_expert_intermediate_size"] + h
            elif a.get("n_shared_experts"):
                shared = 3 * h * a["n_shared_experts"] * moe_inter
            elif mt == "llama4_text":
                shared = 3 * h * a["intermediate_size"]
            if a.get("enable_moe_block"):  # Gemma 4: the dense MLP runs beside the experts
                shared = 3 * h * a["intermediate_size"]
            router = h * n_exp + (n_exp if mt == "gpt_oss" else 0)
            ffn_total += shared + router
            ffn_active += shared + router
        else:
            if mt == "lfm2":
                inter = _lfm2_ffn(a)
            elif mt == "llama4_text" and a.get("intermediate_size_mlp"):
                inter = a["intermediate_size_mlp"]
            else:
                inter = a["intermediate_size"]
                if isinstance(inter, list):
                    inter = inter[i]
                if a.get("use_double_wide_mlp") and i >= shared_kv_from:
                    inter *= 2
            ffn_total = ffn_active = 3 * h * inter

        norms = 2 * h
        total += mix + ffn_total + norms
        active += mix + ffn_active + norms

    # Per-layer embeddings (Gemma 3n, Gemma 4 E-series): a lookup table plus projections.
    ple = a.get("hidden_size_per_layer_input") or 0
    if ple:
        table = a.get("vocab_size_per_layer_input", vocab) * n * ple
        proj = h * n * ple + n * (2 * h * ple + h)
        total += table + proj
        active += proj  # the table is looked up, not multiplied ("effective" parameters)
    if a.get("laurel_rank"):
        total += n * 2 * h * a["laurel_rank"]
        active += n * 2 * h * a["laurel_rank"]
    return total, active


# --------------------------------------------------------------------------- checks


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--csv", type=Path, default=DEFAULT_CSV)
    ap.add_argument("--tolerance", type=float, default=0.03)
    ap.add_argument(
        "--engine",
        action="store_true",
        help="also size each [architecture] with runlocal.hfconfig and report failures",
    )
    args = ap.parse_args()

    errors: list[str] = []
    entries: dict[str, dict] = {}
    for path in sorted(MODELS.glob("*.toml")):
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            errors.append(f"{path.name}: not valid TOML: {exc}")
            continue
        for key, typ in REQUIRED.items():
            if key not in data:
                errors.append(f"{path.name}: {key}: missing")
            elif not isinstance(data[key], typ) or isinstance(data[key], bool):
                errors.append(f"{path.name}: {key}: wrong type {type(data[key]).__name__}")
        if errors and errors[-1].startswith(path.name):
            continue
        if data["schema_version"] != 1:
            errors.append(f"{path.name}: schema_version must be 1")
        if data["id"] != path.stem or not re.fullmatch(r"[a-z0-9][a-z0-9.+-]*", data["id"]):
            errors.append(f"{path.name}: id {data['id']!r} must be the file name, a lowercase slug")
        if data["modality"] not in MODALITIES:
            errors.append(f"{path.name}: modality {data['modality']!r}")
        if not 0 < data["params_active_b"] <= data["params_total_b"]:
            errors.append(f"{path.name}: params_active_b must be in (0, params_total_b]")
        if not all(isinstance(x, str) and x.strip() for x in data["aliases"]):
            errors.append(f"{path.name}: aliases must be non-empty strings")
        repo = data["hf_repo"]
        for url in (
            f"https://huggingface.co/{repo}",
            f"https://huggingface.co/{repo}/blob/main/config.json",
        ):
            if url not in data["sources"]:
                errors.append(f"{path.name}: sources lacks {url}")
        if data.get("ollama_tag") and not any("ollama.com/library/" in u for u in data["sources"]):
            errors.append(f"{path.name}: ollama_tag without its library page in sources")
        if len(data["verdict"]) < 80 or not re.search(r"\d", data["verdict"]):
            errors.append(f"{path.name}: verdict should be 2-3 sentences with numbers")
        arch = data["architecture"]
        for key in (
            "model_type",
            "hidden_size",
            "num_hidden_layers",
            "num_attention_heads",
            "vocab_size",
        ):
            if key not in arch:
                errors.append(f"{path.name}: architecture.{key}: missing")
        for f in data.get("files", []):
            if not (
                isinstance(f.get("quant"), str)
                and isinstance(f.get("size_bytes"), int)
                and str(f.get("url", "")).startswith("https://huggingface.co/")
            ):
                errors.append(
                    f"{path.name}: files entry needs quant, integer size_bytes and a Hub url"
                )
        if data["id"] in entries:
            errors.append(f"{path.name}: duplicate id {data['id']}")
        entries[data["id"]] = data

    # unique names after normalisation (brief's rule and, if importable, the engine's)
    for label, norm in (("normalised", normalise), ("engine-normalised", engine_normalise)):
        if norm("x") is None:
            continue
        owner: dict[str, str] = {}
        for eid, data in entries.items():
            keys = {norm(k) for k in (eid, data["name"], *data["aliases"])}
            for key in keys:
                if key in owner and owner[key] != eid:
                    errors.append(f"{label} name {key!r} is in both {owner[key]} and {eid}")
                owner.setdefault(key, eid)

    # CSV mapping
    index: dict[str, set[str]] = {}
    for eid, data in entries.items():
        for k in (eid, data["name"], *data["aliases"]):
            index.setdefault(normalise(k), set()).add(eid)
    mapping: dict[str, str] = {}
    if args.csv.exists():
        with args.csv.open(newline="", encoding="utf-8") as fh:
            models = sorted({row["model"] for row in csv.DictReader(fh)})
        for m in models:
            if m in GENERIC:
                continue
            hits = index.get(normalise(m), set())
            if len(hits) != 1:
                errors.append(f"CSV model {m!r} maps to {sorted(hits) or 'no file'}")
            else:
                mapping[m] = next(iter(hits))
    else:
        print(f"note: {args.csv} not found; CSV mapping not checked")

    # parameter consistency
    misses = []
    for eid, data in sorted(entries.items()):
        try:
            total, active = count_params(data["architecture"])
        except (KeyError, TypeError, ZeroDivisionError) as exc:
            misses.append(f"{eid}: cannot count from [architecture] ({exc!r})")
            continue
        pub_t, pub_a = data["params_total_b"], data["params_active_b"]
        dt_ = total / 1e9 / pub_t - 1
        line = f"{eid:40s} computed {total / 1e9:8.2f}B  published {pub_t:8.2f}B  ({dt_:+6.1%})"
        if pub_a < pub_t:
            line += f"   active {active / 1e9:6.2f}B vs {pub_a:.2f}B"
        if abs(dt_) > args.tolerance:
            misses.append(line + f"   [{data['modality']}]")

    if args.engine:
        sys.path.insert(0, str(ROOT / "src"))
        from runlocal.hfconfig import spec_from_config  # type: ignore

        print("\nrunlocal.hfconfig on each [architecture]:")
        for eid, data in sorted(entries.items()):
            try:
                spec = spec_from_config(data["architecture"], where=eid)
                mine = count_params(data["architecture"])[0]
                diff = spec.params_total / mine - 1
                flag = (
                    "" if abs(diff) <= args.tolerance else "   <-- differs from this script's count"
                )
                print(
                    f"  {eid:40s} {spec.params_total / 1e9:8.2f}B ({diff:+6.1%}){flag}"
                    + (
                        f"  [{spec.provenance.get('layout')}]"
                        if spec.provenance.get("layout")
                        else ""
                    )
                )
            except Exception as exc:  # report every failure, keep going
                print(f"  {eid:40s} ERROR {type(exc).__name__}: {exc}")

    print(f"{len(entries)} model files")
    if mapping:
        print(f"\nCSV model -> catalog id ({len(mapping)} strings):")
        for m, eid in sorted(mapping.items(), key=lambda kv: (kv[1], kv[0])):
            print(f"  {m!r:70s} -> {eid}")
    print(f"\nparameter check (tolerance {args.tolerance:.0%}): {len(misses)} outside")
    for line in misses:
        print("  " + line)
    if errors:
        print(f"\n{len(errors)} errors:")
        for e in errors:
            print("  " + e)
        return 1
    print("\nno errors")
    return 0


if __name__ == "__main__":
    sys.exit(main())
