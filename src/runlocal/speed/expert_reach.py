"""How many of a MoE layer's experts a micro-batch reaches: what prompt processing loads,
and what each reached expert's GEMM is sized by."""

from __future__ import annotations

from .features import SpeedFeatures


def experts_with_rows(n_experts: int, share: float, tokens: int) -> float:
    """Expected experts that receive at least one of ``tokens`` tokens, each routed to a
    share ``share`` (k / E) of the experts: E × (1 − (1 − k/E)^tokens). A 512-token
    micro-batch reaches every expert of a 128- or 256-expert model; one token reaches k."""
    if n_experts <= 0:
        return 0.0
    share = min(max(share, 0.0), 1.0)
    return float(n_experts * (1 - (1 - share) ** tokens))


def touched_expert_share(f: SpeedFeatures, tokens: int) -> float:
    """The share of a MoE layer's experts that a micro-batch of ``tokens`` tokens reaches
    (experts_with_rows over E): 1 − (1 − k/E)^tokens; 1 for a dense model."""
    if not f.n_experts:
        return 1.0
    return experts_with_rows(f.n_experts, f.expert_share, tokens) / f.n_experts
