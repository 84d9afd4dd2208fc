"""llama.cpp's plan on one GPU that holds every block and the output layer, written out
(_LlamaLayout.full_on_one, and _LlamaCells.full_on_one_fitting from the kept rows where it
fits), is the general placement's: uses() and host_parts() at -ngl n + 1 with no expert on
the host."""

from __future__ import annotations

import random

import pytest

from runlocal import memory as mem
from runlocal.catalog import load_catalog
from runlocal.errors import RunlocalError
from runlocal.hardware import parse_hardware
from runlocal.runtimes import RUNTIMES
from runlocal.sources import catalog_spec, inventory_for


@pytest.mark.parametrize("hardware", ["RTX 4090", "RTX 3060 12GB", "H100 80GB", "M3 Max"])
def test_one_gpu_holding_everything_is_the_general_placement(hardware):
    cat = load_catalog()
    devices = list(parse_hardware(cat, hardware))
    runtime = RUNTIMES["llama.cpp"]
    rng = random.Random(hardware)
    checked = 0
    for model_id in rng.sample(sorted(cat.models), 60):
        entry = cat.models[model_id]
        try:
            spec = catalog_spec(entry)
        except RunlocalError:
            continue  # diffusion and speech entries have no transformer spec
        kv_type, sequences = rng.choice([("f16", 1), ("q8_0", 1), ("f16", 4)])
        for quant in ("Q2_K", "Q4_K_M", "Q8_0"):
            inv = spec.weights or inventory_for(spec, entry, quant)
            layout = mem.llama_layout_of(spec, inv, devices, runtime, kv_type, sequences)
            assert layout is not None
            n = spec.n_layers
            for context in (256, 1000, 4096, rng.randrange(256, 262_144), spec.max_context):
                use, fits, total, host_weights, host_kv, host_compute = layout.full_on_one(context)
                uses, first, want_fits, want_total = layout.uses(n + 1, 0, context)
                assert [use] == uses
                assert (fits, total) == (want_fits, want_total)
                want_host = layout.host_parts(n + 1, 0, first, context)
                assert (host_weights, host_kv, host_compute) == want_host
                # From the cells' kept rows, where the search's first probe fits.
                kept = layout.cells.full_on_one_fitting(inv, context)
                fits_first = layout.search(context) == (n + 1, 0, None) and fits
                assert kept == ((use, fits, total, *want_host) if fits_first else None)
                checked += 1
    assert checked > 500
