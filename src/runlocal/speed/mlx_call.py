"""What an mlx-lm prompt's clock holds besides the prompt's own tokens (mlx_lm.generate):
stream_generate times a prompt from the start of generate_step to the first token it yields,
and prompt_tps is the prompt's tokens over that time, so the rate a row reports carries two
costs per call that do not grow with the prompt. Short prompts pay them over fewer tokens:
what makes mlx_lm.benchmark's pp512 slower per token than its pp2048 on the same model."""

from __future__ import annotations

from .decode import decode_seconds_per_token
from .features import SpeedFeatures
from .params import SpeedParams

# mlx-lm 0.31.3 (ml-explore/mlx-lm commit ed1fca4c, PR #1090, 22 April 2026: the generation
# stream made thread-local, mx.new_thread_local_stream) adds a constant per call to the time
# to first token: issue #1435 timed +55-77 ms over mlx-lm 0.27.1 on an M3 Ultra with the same
# prompt (about 256 tokens), "regardless of model size", decode rates flat. The midpoint, per
# call. Not fitted.
MLX_CALL_OFFSET_S = 0.066
MLX_CALL_OFFSET_SINCE = (0, 31, 3)


def mlx_call_offset_applies(f: SpeedFeatures) -> bool:
    """Whether an mlx-lm release pays MLX_CALL_OFFSET_S per call: 0.31.3 and later (an unknown
    release is the current one)."""
    return f.engine == "mlx" and (
        f.engine_version is None or f.engine_version >= MLX_CALL_OFFSET_SINCE
    )


def mlx_prompt_call_seconds(f: SpeedFeatures, p: SpeedParams) -> float:
    """Seconds per mlx-lm call that the prompt rate carries beyond its tokens' prefill; 0 for
    other runtimes.

    - generate_step prefills all but the prompt's last token in prefill_step_size chunks and
      runs the last through _step, the decode path: stream_generate's clock stops after that
      one decode step (decode_seconds_per_token), not after a prefill token's time.
    - mlx-lm 0.31.3 and later: MLX_CALL_OFFSET_S more per call (mlx_call_offset_applies)."""
    if f.engine != "mlx":
        return 0.0
    step = decode_seconds_per_token(f, p) or 0.0
    return step + (MLX_CALL_OFFSET_S if mlx_call_offset_applies(f) else 0.0)


def mlx_unevaluated_params(f: SpeedFeatures) -> float:
    """Matrix parameters an mlx-lm prompt chunk never multiplies: generate_step evaluates only
    the caches after each chunk (mx.eval([c.state for c in prompt_cache])) and MLX computes
    lazily, so the layers after the last cache-owning one (Gemma 3n's and Gemma 4 E-series'
    KV-shared layers: gemma4_text.make_cache gives them no cache) run for the prompt's last
    token only, inside the decode step mlx_prompt_call_seconds counts. 0 for other runtimes
    (llama.cpp's graph runs every layer for every prompt token)."""
    return f.cache_free_tail_params if f.engine == "mlx" else 0.0
