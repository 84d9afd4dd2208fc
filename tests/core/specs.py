"""A ModelSpec built by hand from its layers, for tests that work out what each layer holds."""

from __future__ import annotations

from typing import Any

from runlocal.spec import LayerSpec, ModelSpec


def spec_of_layers(layers: list[LayerSpec], hidden_size: int = 64, **extra: Any) -> ModelSpec:
    """A model of just ``layers`` (one head, a one-token vocabulary and context), every
    parameter of them active; ``extra``: other ModelSpec fields (n_experts, ...)."""
    total = sum(layer.params for layer in layers)
    return ModelSpec(
        name="t",
        architecture="t",
        hidden_size=hidden_size,
        n_heads=1,
        vocab_size=1,
        max_context=1,
        layers=tuple(layers),
        params_total=total,
        params_active=total,
        **extra,
    )
