"""config.json → mixture-of-experts layout: expert counts, widths, shared MLPs, MoE layers.

Families spell the same facts differently: Mixtral/Qwen (num_local_experts, num_experts),
DeepSeek (n_routed_experts, first_k_dense_replace), ERNIE 4.5 (moe_num_experts, moe_k and a
start/end/interval window of MoE layers), Hunyuan (per-layer lists of expert widths, top-k
and shared-expert counts), Granite 4 (an always-on shared MLP of shared_intermediate_size,
the only MLP where there are no experts).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .errors import ModelFileError, UnsupportedArchitectureError
from .hfconfig_read import Reader, per_layer_ints

_EXPERT_COUNT_KEYS = ("num_local_experts", "num_experts", "n_routed_experts", "moe_num_experts")
_EXPERTS_USED_KEYS = (
    "num_experts_per_tok",
    "experts_per_token",
    "num_experts_per_token",
    "top_k_experts",
    "moe_k",
    "moe_topk",
)


@dataclass(frozen=True)
class MoELayout:
    """What the feed-forward of each layer holds (lists are per layer)."""

    n_experts: int  # routed experts per MoE layer (0 or 1: dense)
    n_used: int  # routed experts each token runs
    moe_layers: tuple[bool, ...]
    expert_inter: tuple[int | None, ...]  # each routed expert's width
    shared_inter: tuple[int, ...]  # always-on shared MLP beside the experts (0: none)
    dense_inter: tuple[int | None, ...]  # the MLP of a layer without experts (None: default)
    latent: int  # LatentMoE width (Nemotron 3 Super), 0 when experts work in the hidden width


def _uniform(r: Reader, keys: tuple[str, ...], n_layers: int) -> int:
    """One count that a config may give as an int or as a per-layer list (Hunyuan)."""
    for key in keys:
        value = r.c.get(key)
        if isinstance(value, list):
            values = per_layer_ints(r, key, n_layers, 0)
            if len(set(values)) > 1:
                raise UnsupportedArchitectureError(
                    f"{key} differs between layers ({min(values)} to {max(values)}); "
                    "per-layer expert counts are not supported yet"
                )
            return values[0] if values else 0
        if value is not None:
            return r.get_int(key, minimum=0)
    return 0


def _per_layer(r: Reader, key: str, n_layers: int, default: int | None) -> list[int | None]:
    """A width given once or per layer."""
    value = r.c.get(key)
    if isinstance(value, list):
        return list(per_layer_ints(r, key, n_layers, 0))
    number = r.opt_int(key)
    return [number if number is not None else default] * n_layers


def read_moe(
    c: Mapping[str, Any],
    r: Reader,
    *,
    model_type: str,
    n_layers: int,
    intermediate: int | None,
    blocks: list[str] | None,
) -> MoELayout:
    n_experts = _uniform(r, _EXPERT_COUNT_KEYS, n_layers)
    n_used = _uniform(r, _EXPERTS_USED_KEYS, n_layers)
    if n_experts > 1 and not n_used:
        raise ModelFileError(f"{r.where}: num_experts_per_tok: missing for a mixture of experts")
    if n_used > n_experts and n_experts > 1:
        raise ModelFileError(
            f"{r.where}: num_experts_per_tok: {n_used} exceeds {n_experts} experts"
        )
    expert_inter = _per_layer(r, "moe_intermediate_size", n_layers, intermediate)
    expert_inter = [width or intermediate for width in expert_inter]

    shared_width = r.get_int(
        "shared_expert_intermediate_size",
        "moe_shared_expert_intermediate_size",
        "shared_intermediate_size",
        default=0,
        minimum=0,
    )
    shared = [shared_width] * n_layers
    if "use_mixed_mlp_moe" in c:
        # Hunyuan: the shared MLP is there only with use_mixed_mlp_moe, num_shared_expert
        # times the dense width (Tencent's HunYuanMLP with is_shared_mlp).
        counts = _per_layer(r, "num_shared_expert", n_layers, 1)
        on = c.get("use_mixed_mlp_moe") is True
        shared = [(n or 0) * (intermediate or 0) if on else 0 for n in counts]
    elif not shared_width:
        n_shared = r.get_int(
            "n_shared_experts",
            "num_shared_experts",
            "moe_num_shared_experts",
            default=0,
            minimum=0,
        )
        shared = [n_shared * (width or 0) for width in expert_inter]
        if model_type.startswith("llama4") and n_experts and not n_shared and intermediate:
            shared = [intermediate] * n_layers  # Llama 4: one always-on shared expert
    # Granite 4 (granitemoehybrid, granitemoeshared): the shared MLP is the layer's only
    # MLP when there are no experts; intermediate_size is then unused.
    dense: list[int | None] = [None] * n_layers
    if c.get("shared_intermediate_size") is not None and n_experts <= 1:
        dense = [shared_width or None] * n_layers
        shared = [0] * n_layers

    return MoELayout(
        n_experts=n_experts,
        n_used=n_used,
        moe_layers=tuple(_moe_layers(c, r, model_type, n_layers, n_experts, blocks)),
        expert_inter=tuple(expert_inter),
        shared_inter=tuple(shared),
        dense_inter=tuple(dense),
        latent=r.get_int("moe_latent_size", default=0, minimum=0),
    )


def _moe_layers(
    c: Mapping[str, Any],
    r: Reader,
    model_type: str,
    n: int,
    n_experts: int,
    blocks: list[str] | None,
) -> list[bool]:
    if blocks is not None:
        return [b == "moe" and n_experts > 1 for b in blocks]
    if n_experts <= 1:
        return [False] * n
    if any(c.get(k) is not None for k in ("moe_layer_start_index", "moe_layer_end_index")):
        # ERNIE 4.5: MoE where (i + 1) % interval == 0 and start <= i <= end (-1: the last).
        for key in ("moe_layer_start_index", "moe_layer_end_index", "moe_layer_interval"):
            if isinstance(c.get(key), list):
                raise UnsupportedArchitectureError(
                    f"{key} as a list (separate text and vision experts) is not supported yet"
                )
        start = r.get_int("moe_layer_start_index", default=0, minimum=0)
        end_value = c.get("moe_layer_end_index")
        end = n - 1 if end_value in (None, -1) else r.get_int("moe_layer_end_index", minimum=0)
        interval = r.get_int("moe_layer_interval", default=1)
        return [(i + 1) % interval == 0 and start <= i <= end for i in range(n)]
    first_dense = r.get_int("first_k_dense_replace", default=0, minimum=0)
    every = r.get_int("decoder_sparse_step", "moe_layer_freq", default=1, minimum=1)
    mlp_only = {int(x) for x in (r.get_list("mlp_only_layers") or []) if isinstance(x, int)}
    if model_type == "llama4_text":
        every = r.get_int("interleave_moe_layer_step", default=1)
    return [i >= first_dense and i not in mlp_only and (i + 1) % every == 0 for i in range(n)]


def unread_expert_keys(c: Mapping[str, Any]) -> list[str]:
    """Keys that name more than one expert in a config sized as dense: for a model_type the
    parser does not know, a sign that it has experts under names it does not read."""
    found = []
    for key, value in c.items():
        if "expert" not in key.lower():
            continue
        values = value if isinstance(value, list) else [value]
        if any(isinstance(v, int | float) and not isinstance(v, bool) and v > 1 for v in values):
            found.append(key)
    return sorted(found)
