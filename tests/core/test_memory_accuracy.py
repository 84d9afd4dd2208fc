"""The memory section of `runlocal accuracy`: which part of a check answer a size row measures."""

from __future__ import annotations

from runlocal.memory_accuracy import generate_peak, metric_unit, predicted_part

ANSWER = {
    "memory": {
        "weights_bytes": 4000,
        "kv_cache_bytes": 1000,
        "compute_bytes": 300,
        "overhead_bytes": 200,
        "total_bytes": 5500,
    },
    "devices": [
        {
            "weights_bytes": 2500,
            "kv_cache_bytes": 600,
            "compute_bytes": 150,
            "overhead_bytes": 100,
            "total_bytes": 3350,
        },
        {
            "weights_bytes": 1500,
            "kv_cache_bytes": 400,
            "compute_bytes": 150,
            "overhead_bytes": 100,
            "total_bytes": 2150,
        },
    ],
    "host": {"weights_bytes": 250, "kv_cache_bytes": 50},
    # The file's tensors once: the host's 250 B token table is also the GPU's tied head.
    "basis": {"weights": {"bytes": 4000}},
}


def test_a_metric_name_gives_the_part_and_its_unit() -> None:
    assert metric_unit("kv_mib", "") == ("kv", 1024**2, False)
    assert metric_unit("weights_gib_per_gpu", "") == ("weights", 1024**3, True)
    # "GB" is decimal unless the row says its source meant GiB, or the runtime prints only
    # binary units (llama.cpp).
    assert metric_unit("peak_gb", "mx.get_peak_memory() / 1e9") == ("peak", 10**9, False)
    assert metric_unit("weights_gb", "log (vLLM GB = GiB)") == ("weights", 1024**3, False)
    assert metric_unit("vram_total_gb", "", binary_gb=True) == ("vram_total", 1024**3, False)
    assert metric_unit("tg_tok_s", "") is None


def test_each_part_reads_its_field_of_the_answer() -> None:
    # The model's size: every tensor once, a tied token table (on the host and again as
    # the GPU's head) not twice.
    assert predicted_part(ANSWER, "weights", False, unit_mib=False) == 4000
    # A load log's buffers in MiB: the accelerators' alone.
    assert predicted_part(ANSWER, "weights", False, unit_mib=True) == 4000
    assert predicted_part(ANSWER, "weights_host", False, unit_mib=True) == 250
    assert predicted_part(ANSWER, "kv", False, unit_mib=True) == 1050
    assert predicted_part(ANSWER, "compute_buf", False, unit_mib=True) == 300
    # The allocator's peak leaves out the process context; after a run only weights and KV.
    assert predicted_part(ANSWER, "peak", False, unit_mib=False) == 5300
    assert predicted_part(ANSWER, "resident", False, unit_mib=True) == 5000
    assert predicted_part(ANSWER, "vram_total", False, unit_mib=True) == 5500
    # Per GPU: the fuller device of the set.
    assert predicted_part(ANSWER, "weights", True, unit_mib=False) == 2500
    assert predicted_part(ANSWER, "kv_pool", True, unit_mib=False) == 600
    assert predicted_part(ANSWER, "peak", True, unit_mib=False) == 3250


def test_a_generated_run_peaks_at_its_prompt_or_at_its_last_token() -> None:
    """A 6,144-token prompt then 2,048 generated tokens: the prompt's prefill holds weights
    4000 + its KV 750 + activations 900 (peak 5650); the last token holds weights 4000 + the
    KV of all 8,192 tokens, 1000 (5000): the prefill is the peak. With a 1-token prompt the
    prefill holds 4000 + 0 + 1 and the last token's 5000 is the peak."""
    whole = {"memory": {**ANSWER["memory"]}, "devices": ANSWER["devices"]}
    prompt = {
        "memory": {
            "weights_bytes": 4000,
            "kv_cache_bytes": 750,
            "compute_bytes": 900,
            "overhead_bytes": 200,
            "total_bytes": 5850,
        },
        "devices": [],
    }
    assert generate_peak(prompt, whole, False, unit_mib=False) == 5650
    one = {
        "memory": {
            "weights_bytes": 4000,
            "kv_cache_bytes": 0,
            "compute_bytes": 1,
            "overhead_bytes": 200,
            "total_bytes": 4201,
        },
        "devices": [],
    }
    assert generate_peak(one, whole, False, unit_mib=False) == 5000
