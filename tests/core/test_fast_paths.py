"""The engine's shortcuts give exactly the answers of the straightforward computation they
replace: attention FLOPs from prefix sums against a layer-by-layer count, layer inventories and
KV profiles sized per distinct layer against a layer-by-layer sum. The placement's and the
records' shortcuts: test_fast_paths_plans.py, test_fast_paths_search.py,
test_fast_paths_records.py."""

from __future__ import annotations

import random

import pytest

from runlocal import memory as mem
from runlocal.catalog import load_catalog
from runlocal.errors import RunlocalError
from runlocal.memory import kv
from runlocal.runtimes import RUNTIMES
from runlocal.sources import catalog_spec, inventory_for


def _catalog_specs(n: int, seed: int):  # type: ignore[no-untyped-def]
    cat = load_catalog()
    rng = random.Random(seed)
    out = []
    for model_id in rng.sample(sorted(cat.models), n):
        entry = cat.models[model_id]
        try:
            spec = catalog_spec(entry)
        except RunlocalError:
            continue  # diffusion and speech entries have no transformer spec
        out.append((spec, entry))
    return out


def test_attention_flops_equal_a_layer_by_layer_count():
    rng = random.Random(3)
    checked = 0
    for spec, _ in _catalog_specs(60, seed=1):
        for runtime in RUNTIMES.values():
            n = spec.n_layers
            for _ in range(6):
                start = rng.randint(0, n)
                stop = rng.randint(start, n)
                depth = rng.choice([0, 1, 511, 4096, 70_000, 262_144])
                for decode in (True, False):
                    got = mem.attention_flops(spec, runtime, depth, start, stop, decode)
                    latent = mem.caches_mla_latent(spec, runtime) and (
                        decode or runtime.engine == "llama.cpp"
                    )
                    want = kv._attention_flops_by_layer(
                        spec, runtime, depth, start, stop, latent, decode
                    )
                    assert got == want, (spec.id, runtime.id, depth, start, stop, decode)
                    checked += 1
    assert checked > 1000


def test_layers_with_experts_count_as_the_layers_themselves_say():
    rng = random.Random(5)
    for spec, _ in _catalog_specs(60, seed=4):
        n = spec.n_layers
        for _ in range(10):
            start = rng.randint(0, n)
            stop = rng.randint(start, n)
            want = sum(1 for layer in spec.layers[start:stop] if layer.moe)
            assert mem.layers_with_experts(spec, start, stop) == want, (spec.id, start, stop)


def test_an_inventorys_running_sums_are_its_layers_added_in_turn():
    """WeightInventory.layer_sums and expert_sums (kept on the inventory, where a cache keyed
    by the tuple of layer sizes was) equal the sums of every run of blocks."""
    for spec, entry in _catalog_specs(30, seed=14):
        for quant in ("Q4_K_M", "Q8_0", "BF16"):
            inv = inventory_for(spec, entry, quant)
            for sums, values in (
                (inv.layer_sums, inv.layer_bytes),
                (inv.expert_sums, inv.layer_expert_bytes),
            ):
                assert len(sums) == len(values) + 1
                for start in range(len(values) + 1):
                    for stop in range(start, len(values) + 1, 7):
                        assert sums[stop] - sums[start] == sum(values[start:stop])
            assert inv.total_bytes == (
                inv.input_bytes + inv.output_bytes + sum(inv.layer_bytes) + inv.other_bytes
            )
            assert inv.expert_bytes == sum(inv.layer_expert_bytes)


def _layer_types_asked_per_role(quant: str, n: int, moe: bool) -> tuple[tuple[str, ...], ...]:
    """weights._layer_types as it was: every rule asked for every role of every layer."""
    from runlocal.weights import _ROLES, GGUF_SCHEMES

    rule = GGUF_SCHEMES[quant]
    return tuple(tuple(rule(role, i, n, moe) for role in _ROLES) for i in range(n))


def test_layer_types_by_layer_class_equal_every_role_asked():
    """A rule's layer class (weights._LAYER_CLASS) captures everything its types depend on
    in a layer: the mix's types per layer, asked once per class, are those asked per role and
    layer, for every scheme, and equal types are one tuple."""
    from runlocal import weights

    counts = [*range(0, 50), 61, 62, 64, 78, 80, 88, 94, 126]
    for quant in weights.GGUF_SCHEMES:
        for moe in (False, True):
            for n in counts:
                weights._layer_types.cache_clear()
                got = weights._layer_types(quant, n, moe)
                assert got == _layer_types_asked_per_role(quant, n, moe), (quant, n, moe)
                assert len({id(t) for t in got}) == len(set(got)), (quant, n, moe)
    weights._layer_types.cache_clear()


def test_inventories_and_kv_profiles_sized_per_distinct_layer_equal_a_layer_by_layer_sum():
    """_gguf_inventory, _dense_inventory and kv_profile size each distinct layer once and build
    their per-layer tuples by C loops: the same tuples as sizing and adding layer by layer."""
    import math

    from runlocal import weights

    quants = ["Q4_K_M", "Q3_K_M", "Q2_K", "Q8_0", "UD-Q4_K_XL", "IQ4_XS", "BF16", "FP8", "AWQ"]
    checked = 0
    for spec, _ in _catalog_specs(50, seed=7):
        for quant in quants:
            try:
                inv = weights.estimate_inventory(spec, quant)
            except (RunlocalError, KeyError):
                continue
            if quant in weights.GGUF_SCHEMES:
                types = weights._layer_types(quant, spec.n_layers, spec.is_moe)
                want = [
                    weights._gguf_layer_bytes(spec, layer, t)
                    for layer, t in zip(spec.layers, types, strict=True)
                ]
                assert inv.layer_bytes == tuple(w[0] for w in want), (spec.id, quant)
                assert inv.layer_expert_bytes == tuple(w[1] for w in want), (spec.id, quant)
            else:  # _dense_inventory's sums, layer by layer
                scheme = weights.DENSE_SCHEMES[quant]
                mlp = scheme.mlp_bits or scheme.linear_bits
                ffn = scheme.linear_bits if spec.is_moe else mlp

                def nbytes(params: int, bits) -> int:  # type: ignore[no-untyped-def]
                    return params * bits.numerator // (8 * bits.denominator)

                want_experts = [nbytes(layer.params_experts, mlp) for layer in spec.layers]
                want_totals = [
                    nbytes(layer.params_attn_v + layer.params_attn, scheme.linear_bits)
                    + nbytes(layer.params_ffn_down + layer.params_ffn, ffn)
                    + e
                    + nbytes(layer.params_other, weights._f(16))
                    for layer, e in zip(spec.layers, want_experts, strict=True)
                ]
                assert inv.layer_bytes == tuple(want_totals), (spec.id, quant)
                assert inv.layer_expert_bytes == tuple(want_experts), (spec.id, quant)
            checked += 1
        for runtime in RUNTIMES.values():
            for kv_type in ("f16", "q8_0"):
                profile = kv.kv_profile(spec, runtime, kv_type)
                full, swa, state = [0], [0], [0]
                for layer in spec.layers:
                    row = kv.kv_layer_bytes_per_cell(layer, spec, runtime, kv_type)
                    if not layer.compress_ratio:
                        row += kv.index_row_bytes(layer, kv_type)
                    per_cell = math.ceil(row * 32)
                    stream = kv.compressed_bytes_per_token(layer, spec, runtime, kv_type)
                    compressed = math.ceil(stream * 32)
                    windowed = layer.kind == "swa" and kv.windows_swa(spec, runtime)
                    full.append(full[-1] + (0 if windowed else per_cell) + compressed)
                    swa.append(swa[-1] + (per_cell if windowed else 0))
                    state.append(state[-1] + layer.recurrent_state_elements * 4)
                assert profile == kv.KVProfile(tuple(full), tuple(swa), tuple(state)), spec.id
    assert checked > 100


def test_layers_built_in_one_step_and_merged_by_field_tuples_are_the_dataclass_ones():
    """hfconfig builds each LayerSpec with builder() and ModelSpec merges equal layers by the
    tuple of their compared fields: the same objects as LayerSpec(**fields), and the same
    merging as the dataclass's own equality (the first of equal layers kept)."""
    import dataclasses

    from runlocal.spec import LayerSpec

    checked = 0
    for spec, _ in _catalog_specs(60, seed=11):
        distinct: dict[LayerSpec, LayerSpec] = {}
        want = tuple(distinct.setdefault(layer, layer) for layer in spec.layers)
        assert all(a is b for a, b in zip(spec.layers, want, strict=True)), spec.id
        rebuilt = dataclasses.replace(spec, layers=spec.layers)  # merged again: a fixed point
        assert all(a is b for a, b in zip(rebuilt.layers, spec.layers, strict=True)), spec.id
        for layer in set(spec.layers):
            kwargs = {f.name: getattr(layer, f.name) for f in dataclasses.fields(LayerSpec)}
            slow = LayerSpec(**kwargs)
            assert layer == slow and hash(layer) == hash(slow) and repr(layer) == repr(slow)
            assert list(vars(layer)) == list(vars(slow))
            with pytest.raises(dataclasses.FrozenInstanceError):
                layer.kind = "full"  # type: ignore[misc]
        # Equal but distinct objects given: merged into the first of them.
        copies = tuple(LayerSpec(**dataclasses.asdict(layer)) for layer in spec.layers)
        merged = dataclasses.replace(spec, layers=copies).layers
        firsts: dict[LayerSpec, LayerSpec] = {}
        assert all(a is firsts.setdefault(c, c) for a, c in zip(merged, copies, strict=True)), (
            spec.id
        )
        checked += 1
    assert checked > 40


def test_attention_widths_and_wide_head_runs_judged_per_distinct_layer_equal_a_layer_scan():
    """kv._attention_widths and kv._wide_head_runs judge each distinct layer object once: the
    same prefix sums and runs as judging every layer in turn."""

    def widths_by_layer(spec, swa_windowed, latent):  # type: ignore[no-untyped-def]
        if any(layer.compress_ratio or layer.index_head_dim for layer in spec.layers):
            return None, None
        full, swa = [0], [0]
        for layer in spec.layers:
            width, windowed = 0, False
            if layer.kind not in ("recurrent", "none") and layer.n_kv_heads:
                if latent and spec.mla is not None:
                    width = spec.mla.latent_elements + spec.mla.kv_lora_rank
                else:
                    width = layer.head_dim_k + layer.head_dim_v
                windowed = layer.kind == "swa" and swa_windowed
            full.append(full[-1] + (0 if windowed else width))
            swa.append(swa[-1] + (width if windowed else 0))
        return full, swa

    def runs_by_layer(spec, latent, max_width, min_gqa):  # type: ignore[no-untyped-def]
        runs: list[tuple[int, int]] = []
        for i, layer in enumerate(spec.layers):
            if layer.kind in ("recurrent", "none") or not layer.n_kv_heads:
                continue
            here = latent and spec.mla is not None
            width = spec.mla.latent_elements if here and spec.mla else layer.head_dim_k
            kv_heads = 1 if here else layer.n_kv_heads
            if width <= max_width and spec.n_heads >= min_gqa * kv_heads:
                continue
            if runs and runs[-1][1] == i:
                runs[-1] = (runs[-1][0], i + 1)
            else:
                runs.append((i, i + 1))
        return tuple(runs)

    wide = 0
    for spec, _ in _catalog_specs(120, seed=5):
        for flag in (False, True):
            for latent in (False, True):
                got = kv._attention_widths(spec, flag, latent)
                assert got == widths_by_layer(spec, flag, latent), spec.id
            for max_width, min_gqa in ((kv.VECTOR_KERNEL_MAX_HEAD_DIM, 1), (128, 2), (64, 1)):
                got_runs = kv._wide_head_runs(spec, flag, max_width, min_gqa)
                assert got_runs == runs_by_layer(spec, flag, max_width, min_gqa), spec.id
                wide += bool(got_runs)
    assert wide > 20
