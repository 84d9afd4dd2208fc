"""memory.layer_terms: a run of layers' decode terms from prefix sums bound once per model are
the floats the model's functions give asked one by one (layer_terms_uncached)."""

from __future__ import annotations

import random

from runlocal.catalog import load_catalog
from runlocal.errors import RunlocalError
from runlocal.memory.kv import GqaPacking
from runlocal.memory.layer_terms import LayerTerms, layer_terms_uncached
from runlocal.runtimes import RUNTIMES
from runlocal.sources import catalog_spec
from runlocal.speed.features import GQA_PACKING_PASCAL, GQA_PACKING_VOLTA

PACKINGS = (None, GQA_PACKING_PASCAL, GQA_PACKING_VOLTA, GqaPacking(min_cells=8192))
# 5,000,000 and 10,000,000: past 2**53 FLOPs for the widest models, where the floats are asked, not summed.
DEPTHS = (0, 1, 255, 511, 1024, 4096, 16_384, 65_536, 131_072, 5_000_000, 10_000_000)


def test_a_runs_terms_from_kept_prefix_sums_are_the_functions_floats():
    cat = load_catalog()
    rng = random.Random(11)
    checked = 0
    exact = inexact = 0
    for model_id in sorted(cat.models):  # every model: a few hold sparse or compressed layers
        try:
            spec = catalog_spec(cat.models[model_id])
        except RunlocalError:
            continue  # diffusion and speech entries have no transformer spec
        n = spec.n_layers
        for runtime in RUNTIMES.values():
            kv_type, sequences = rng.choice(("f16", "q8_0", "q4_0")), rng.choice((1, 1, 3))
            vector, packing = rng.random() < 0.5, rng.choice(PACKINGS)
            terms = LayerTerms(spec, runtime, kv_type, sequences, vector, packing)
            exact += terms.exact
            inexact += not terms.exact
            runs = [(0, n), (0, 0), (n, n)]
            for _ in range(3):
                lo = rng.randint(0, n)
                runs.append((lo, rng.randint(lo, n)))
            for lo, hi in runs:
                depth = rng.choice(DEPTHS)
                got = terms.at(depth, lo, hi)
                want = layer_terms_uncached(
                    spec, runtime, kv_type, sequences, depth, lo, hi, vector, packing
                )
                # repr: the same floats (and ints) exactly, not merely equal numbers
                assert repr(got) == repr(want), (model_id, runtime.id, depth, lo, hi)
                checked += 1
    assert exact and inexact
    assert checked > 5000
