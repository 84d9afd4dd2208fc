from __future__ import annotations

import pytest

from runlocal.catalog import Catalog
from runlocal.engine import CheckQuery, check
from runlocal.errors import InputError, UnknownNameError
from runlocal.units import GIB


def run(catalog: Catalog, **kw: object) -> dict:  # type: ignore[type-arg]
    kw.setdefault("hardware", ("Test GPU 24",))
    return check(CheckQuery(**kw), catalog).to_dict()  # type: ignore[arg-type]


def test_it_answers_with_the_contract_keys(catalog: Catalog) -> None:
    r = run(catalog, model="llama 3.1 8b", context=8192)
    for key in (
        "model",
        "hardware",
        "runtime",
        "quant",
        "context",
        "memory",
        "verdict",
        "fits",
        "offload",
        "speed",
        "evidence",
        "basis",
        "notes",
    ):
        assert key in r
    assert set(r["model"]) >= {"id", "name", "params_total", "params_active"}
    assert set(r["memory"]) >= {
        "weights_bytes",
        "kv_cache_bytes",
        "compute_bytes",
        "overhead_bytes",
        "total_bytes",
        "budget_bytes",
    }
    assert set(r["speed"]) >= {
        "decode_tok_s",
        "decode_tok_s_low",
        "decode_tok_s_high",
        "prefill_tok_s",
    }
    assert r["runtime"] == "llama.cpp" and r["quant"] == "Q4_K_M"


def test_it_runs_a_small_model_comfortably_on_a_big_gpu(catalog: Catalog) -> None:
    r = run(catalog, model="llama-3.1-8b", context=8192)
    assert r["verdict"] == "comfortable" and r["fits"]
    assert r["offload"]["gpu_layers"] == r["offload"]["total_layers"] == 33
    assert r["memory"]["kv_cache_bytes"] == GIB
    s = r["speed"]
    assert s["decode_tok_s_low"] < s["decode_tok_s"] < s["decode_tok_s_high"]
    assert r["evidence"] == "estimated"


def test_it_keeps_token_embeddings_in_host_memory(catalog: Catalog) -> None:
    r = run(catalog, model="llama-3.1-8b", context=8192)
    # 128256 × 4096 Q4_K weights (4.5 bits) stay on the host: 295,501,824 bytes.
    assert r["host"]["weights_bytes"] == 128256 * 4096 * 144 // 256


def test_it_says_a_model_too_big_will_not_run(catalog: Catalog) -> None:
    r = run(catalog, model="mixtral-8x7b", hardware=("Test GPU 8",), context=4096, ram_gb=4)
    assert r["verdict"] == "wont-run" and not r["fits"]
    assert r["speed"]["decode_tok_s"] is None
    assert r["commands"] == {}  # no command line beside "will not run"
    assert not any("--n-cpu-moe" in n or "-ngl" in n for n in r["notes"])  # nor in a note


def test_a_gpu_without_a_ram_size_assumes_the_stated_default(catalog: Catalog) -> None:
    """One default for every surface: beside a discrete GPU, 32 GiB of system RAM, said so;
    a Mac or a CPU is its own memory and assumes nothing."""
    r = run(catalog, model="mixtral-8x7b", hardware=("Test GPU 8",), context=4096)
    assert r["assumed"]["ram_gib"] == 32.0
    assert r["basis"]["host_ram_bytes"] == 32 * GIB
    same = run(catalog, model="mixtral-8x7b", hardware=("Test GPU 8",), context=4096, ram_gb=32)
    assert (r["verdict"], r["memory"], r["speed"]) == (
        same["verdict"],
        same["memory"],
        same["speed"],
    )
    assert same["assumed"]["ram_gib"] is None
    mac = run(catalog, model="llama-3.1-8b", hardware=("Apple Test Max",))
    assert mac["assumed"]["ram_gib"] is None
    assert mac["assumed"]["quant"] and mac["assumed"]["context"]


def test_a_quant_the_name_states_is_not_an_assumption(catalog: Catalog) -> None:
    """ "…-Q8_0.gguf" states its quantization: the answer does not say it assumed one (the CLI
    would print "assuming Q8_0 … (--quant changes it)" of a name where --quant is an error)."""
    named = run(catalog, model="llama-3.1-8b-Q8_0.gguf")
    assert named["quant"] == "Q8_0" and named["assumed"]["quant"] is False
    bare = run(catalog, model="llama-3.1-8b")
    assert bare["quant"] == "Q4_K_M" and bare["assumed"]["quant"] is True


def test_it_moves_moe_experts_to_ram_first(catalog: Catalog) -> None:
    r = run(catalog, model="mixtral-8x7b", hardware=("Test GPU 24",), context=4096, ram_gb=64)
    assert r["verdict"] == "tradeoffs" and r["fits"]
    assert r["offload"]["experts_on_host_layers"] > 0
    assert "--n-cpu-moe" in r["commands"]["llama.cpp"]


def test_it_offloads_dense_layers_when_ram_is_given(catalog: Catalog) -> None:
    r = run(
        catalog,
        model="llama-3.1-8b",
        hardware=("Test GPU 8",),
        quant="F16",
        context=4096,
        ram_gb=32,
    )
    assert r["verdict"] == "tradeoffs"
    assert 0 < r["offload"]["gpu_layers"] < r["offload"]["total_layers"]


def test_the_largest_context_is_the_largest_that_runs_and_says_where(catalog: Catalog) -> None:
    """An answer that runs at 4K with layers in system RAM never says "largest context: none":
    the largest context that runs, placed as the verdict is, and which placement it is."""
    r = run(
        catalog, model="llama-3.1-8b", hardware=("Test GPU 8",), quant="F16", context=4096,
        ram_gb=32,
    )  # fmt: skip
    assert r["verdict"] == "tradeoffs"
    assert r["max_context"] >= 4096 and r["max_context_where"] == "offload"
    bigger = run(
        catalog, model="llama-3.1-8b", hardware=("Test GPU 8",), quant="F16",
        context=r["max_context"], ram_gb=32,
    )  # fmt: skip
    assert bigger["fits"]
    on_gpu = run(catalog, model="llama-3.1-8b", hardware=("Test GPU 24",), context=4096)
    assert on_gpu["max_context_where"] == "accelerator" and on_gpu["max_context"] >= 4096
    nothing = run(catalog, model="mixtral-8x7b", hardware=("Test GPU 8",), context=4096, ram_gb=4)
    assert nothing["max_context"] is None and nothing["max_context_where"] is None


def test_a_largest_context_below_the_one_asked_is_placed_on_the_accelerator(
    catalog: Catalog,
) -> None:
    """At 128K the KV cache pushes layers into system RAM; the largest context reported is then
    the largest that fits fully (the offloaded search starts at the context asked), so it is
    placed on the accelerator, not with part of the model in system RAM."""
    r = run(
        catalog, model="llama-3.1-8b", hardware=("Test GPU 8",), quant="Q4_K_M",
        context=131_072, ram_gb=64,
    )  # fmt: skip
    assert r["verdict"] == "tradeoffs" and r["offload"]["gpu_layers"] < r["offload"]["total_layers"]
    assert 4096 <= r["max_context"] < 131_072 and r["max_context_where"] == "accelerator"
    shorter = run(
        catalog, model="llama-3.1-8b", hardware=("Test GPU 8",), quant="Q4_K_M",
        context=r["max_context"], ram_gb=64,
    )  # fmt: skip
    assert shorter["offload"]["gpu_layers"] == shorter["offload"]["total_layers"]


def test_it_never_pools_vram_naively(catalog: Catalog) -> None:
    one = run(catalog, model="llama-3.1-8b", hardware=("Test GPU 24",), context=8192)
    two = run(catalog, model="llama-3.1-8b", hardware=("2x Test GPU 24",), context=8192)
    assert len(two["devices"]) == 2
    # Each device pays its own overhead and compute buffer.
    assert two["memory"]["overhead_bytes"] == 2 * one["memory"]["overhead_bytes"]
    assert sum(d["layers"] for d in two["devices"]) == 32
    # Splitting layers does not speed up decode.
    assert two["speed"]["decode_tok_s"] <= one["speed"]["decode_tok_s"]


def test_it_budgets_apple_against_the_gpu_working_set(catalog: Catalog) -> None:
    r = run(catalog, model="llama-3.1-8b", hardware=("Apple Test Max",))
    assert r["hardware"][0]["usable_memory_bytes"] < r["hardware"][0]["memory_bytes"]
    small = run(catalog, model="llama-3.1-8b", hardware=("Apple Test Max 32GB",))
    assert small["hardware"][0]["memory_bytes"] == 32 * GIB


def test_it_runs_on_the_cpu_alone(catalog: Catalog) -> None:
    r = run(catalog, model="llama-3.1-8b", hardware=("Test CPU",), context=4096)
    assert r["fits"] and r["offload"]["gpu_layers"] == 0
    assert r["speed"]["decode_tok_s"] is not None


def test_prefill_is_never_reported_slower_than_decode(catalog: Catalog) -> None:
    """A device with little compute for its bandwidth: the compute formula alone would prefill
    slower than it decodes, which no runtime does (a prompt can always be read one token at
    a time); the answer shows the decode rate as the bound and says why."""
    r = check(
        CheckQuery(model="llama-3.1-8b", vram_gb=64, bandwidth_gb_s=80, tflops=0.02, context=4096),
        catalog,
    ).to_dict()
    speed = r["speed"]
    assert speed["prefill_tok_s"] >= speed["decode_tok_s"]
    assert speed["prefill_tok_s_low"] >= speed["decode_tok_s_low"]
    assert any("prefill estimated from compute" in n for n in r["notes"])
    for hw in ("Test CPU", "Test GPU 24", "Apple Test Max"):
        s = run(catalog, model="llama-3.1-8b", hardware=(hw,), context=4096)["speed"]
        if s["prefill_tok_s"] is not None:
            assert s["prefill_tok_s"] >= s["decode_tok_s"], hw


def test_it_accepts_explicit_numbers_for_unknown_hardware(catalog: Catalog) -> None:
    r = check(
        CheckQuery(model="llama-3.1-8b", vram_gb=24, bandwidth_gb_s=1008, tflops=165), catalog
    ).to_dict()
    assert r["hardware"][0]["memory_bytes"] == 24 * GIB
    assert r["hardware"][0]["name"] == "custom device"


def test_it_reports_the_largest_context_and_best_quant(catalog: Catalog) -> None:
    r = run(catalog, model="llama-3.1-8b", hardware=("Test GPU 8",), context=4096)
    assert r["max_context"] is not None and r["max_context"] % 256 == 0
    assert r["best_quant"] in ("Q6_K", "Q5_K_M", "Q4_K_M")
    bigger = run(
        catalog, model="llama-3.1-8b", hardware=("Test GPU 8",), context=r["max_context"] + 8192
    )
    assert bigger["verdict"] != "comfortable"


def test_the_best_quant_does_not_depend_on_the_quant_asked_about(catalog: Catalog) -> None:
    # 8B at Q8_0 is ~8.5 GB against 64 GiB of RAM: every quant of the ladder fits with room,
    # so the best is the top one whichever was asked (it was one step below the asked one on
    # machines without a GPU, whose plans never count as "fully offloaded").
    for quant in ("Q2_K", "Q4_K_M", "Q8_0"):
        for hardware in ("Test CPU", "Test GPU 24"):
            r = run(catalog, model="llama-3.1-8b", hardware=(hardware,), quant=quant)
            assert r["best_quant"] == "Q8_0", (quant, hardware)


def test_vllm_is_comfortable_when_the_request_fits_its_pool_with_room(catalog: Catalog) -> None:
    # vLLM takes ~90% of the GPU by design: comfort is judged inside that share (what the
    # request needs against the pool), as the best-quantization search judges it, not by the
    # card's free memory, which a preallocating runtime never leaves.
    roomy = run(catalog, model="llama-3.1-8b", runtime="vllm", context=8192)
    assert roomy["verdict"] == "comfortable" and roomy["best_quant"] == "BF16"
    # 16 GB of BF16 weights and the profiled activations leave ~6 GB of a 24 GiB card's pool
    # (46,592 tokens at 128 KiB each); 40,960 of them still run, with less than 10% to spare.
    full = run(catalog, model="llama-3.1-8b", runtime="vllm", context=40_960)
    assert full["fits"] and full["max_context"] == 46_592
    assert full["verdict"] == "tradeoffs"


def test_it_sizes_vllm_by_its_preallocation(catalog: Catalog) -> None:
    r = run(catalog, model="llama-3.1-8b", runtime="vllm", context=8192)
    assert r["quant"] == "BF16"
    # 0.9 of what the driver reports (99% of 24 GiB), plus the CUDA graphs (512 MiB) and
    # the context (500 MiB) that live outside the preallocation.
    assert r["memory"]["total_bytes"] == int(int(24 * GIB * 0.99) * 0.9) + 1012 * 1024**2
    assert "vllm serve" in r["commands"]["vllm"]


def test_it_sizes_transformers_with_the_prefill_peak(catalog: Catalog) -> None:
    short = run(catalog, model="llama-3.1-8b", runtime="transformers", context=1024)
    long = run(catalog, model="llama-3.1-8b", runtime="transformers", context=16384)
    assert long["memory"]["compute_bytes"] > 8 * short["memory"]["compute_bytes"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"model": "llama-3.1-8b", "context": 0}, "--context 0 is out of range"),
        ({"model": "llama-3.1-8b", "context": 20_000_000}, "out of range"),
        ({"model": "llama-3.1-8b", "batch": 0}, "--batch 0"),
        (
            {"model": "llama-3.1-8b", "vram_gb": -4, "bandwidth_gb_s": 100, "hardware": ()},
            "--vram-gb",
        ),
        ({"model": "llama-3.1-8b", "quant": "Q9_X"}, "unknown quantization"),
        ({"model": "llama-3.1-8b", "runtime": "vllm", "quant": "Q4_K_M"}, "does not load"),
        ({"model": "llama-3.1-8b", "runtime": "mlx"}, "Apple silicon"),
        ({"model": "llama-3.1-8b", "kv_type": "q3"}, "unknown KV cache type"),
        ({"model": "llama-3.1-8b", "runtime": "tgi"}, "unknown runtime"),
        ({"model": "llama-3.1-8b", "hardware": ("99x Test GPU 24",)}, "out of range"),
    ],
)
def test_it_rejects_bad_input_with_one_line(catalog: Catalog, query: dict, message: str) -> None:  # type: ignore[type-arg]
    query.setdefault("hardware", ("Test GPU 24",))
    with pytest.raises(InputError, match=message) as err:
        check(CheckQuery(**query), catalog)
    assert "\n" not in str(err.value)


def test_it_suggests_close_names(catalog: Catalog) -> None:
    with pytest.raises(UnknownNameError) as err:
        run(catalog, model="lamda 3.1 8")  # ("lama" is read as llama: a doubled letter)
    assert "Llama 3.1 8B" in err.value.suggestions
    with pytest.raises(UnknownNameError, match="Test GPU 24"):
        run(catalog, model="llama-3.1-8b", hardware=("Test GPU 2",))


def test_it_builds_queries_from_json_keys() -> None:
    q = CheckQuery.from_mapping(
        {"model": "x", "hardware": ["a", "b"], "context": 4096, "no_measured": True}
    )
    assert q.hardware == ("a", "b") and q.context == 4096 and q.no_measured
    # A context as people write it: the one parser the CLI, API and forms share.
    assert CheckQuery.from_mapping({"model": "x", "context": "4k"}).context == 4096
    assert CheckQuery.from_mapping({"model": "x", "context": "128K"}).context == 131072
    for bad in (
        {"model": "x", "context": "lots"},
        {"model": "x", "context": "1.3"},
        {"hardware": []},
        {"model": "x", "bogus": 1},
        {"model": "x", "no_measured": "yes"},
        {"model": "x", "context": True},
    ):
        with pytest.raises(InputError):
            CheckQuery.from_mapping(bad)


@pytest.mark.parametrize(
    ("text", "tokens"),
    [("32k", 32768), ("128K", 131072), ("8,192", 8192), ("1.5k", 1536), ("1M", 1048576)],
)
def test_a_context_reads_as_people_write_it(text: str, tokens: int) -> None:
    from runlocal.units import parse_tokens

    assert parse_tokens(text) == tokens


@pytest.mark.parametrize("text", ["lots", "1.3", "", "nan", "infk", "1e999k"])
def test_a_context_that_is_not_a_count_of_tokens_is_refused(text: str) -> None:
    from runlocal.units import parse_tokens

    with pytest.raises(InputError):
        parse_tokens(text)


def test_a_huge_context_is_a_number_the_caller_bounds() -> None:
    from runlocal.units import parse_tokens

    assert parse_tokens("9" * 400 + "k") == int("9" * 400) * 1024


def test_exllama_on_a_gpu_without_cuda_or_rocm_says_which_and_why() -> None:
    """An AMD card that the catalog runs through Vulkan (no ROCm support) is still an "AMD
    GPU": the refusal names the device and its backend, not only the vendors."""
    from runlocal.catalog import CATALOG_DIR, load_catalog

    packaged = load_catalog(CATALOG_DIR)
    vulkan_only = next(
        h
        for h in sorted(packaged.hardware.values(), key=lambda e: e.id)
        if h.get("kind") == "gpu" and h.get("backends") == ["vulkan"]
    )
    with pytest.raises(InputError) as err:
        run(packaged, model="llama-3.1-8b", hardware=(vulkan_only.id,), runtime="exllamav2")
    assert str(err.value) == (
        f"ExLlamaV2 needs NVIDIA (CUDA) or AMD (ROCm) GPUs; {vulkan_only.name} runs on vulkan here"
    )
