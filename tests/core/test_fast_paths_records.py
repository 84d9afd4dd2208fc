"""Fast paths of the records: one-step constructors, kept hashes, lookups and per-name or per-
device records, each equal to what the dataclass or the computation gives."""

from __future__ import annotations

import random

import pytest

from runlocal.catalog import load_catalog
from runlocal.errors import RunlocalError
from runlocal.hardware import parse_hardware
from runlocal.runtimes import RUNTIMES
from runlocal.sources import inventory_for

from .test_fast_paths import _catalog_specs


def test_a_tables_quality_loss_is_the_answers():
    from runlocal.answer import quality_loss, quality_parts
    from runlocal.sources import resolve_model

    cat = load_catalog()
    for model_id in sorted(cat.models)[::3]:
        try:
            model = resolve_model(model_id, cat, False, None)
        except RunlocalError:
            continue
        for quant in ("Q4_K_M", "Q8_0", "F16", "IQ2_XS", "MXFP4", "BF16", "AWQ-4BIT"):
            assert quality_loss(model, quant, cat) == quality_parts(model, quant, cat)[:2]


def test_a_catalog_id_reads_as_the_resolvers_read_it():
    from runlocal.resolve.hardware import resolve_hardware_name
    from runlocal.resolve.ids import read_hardware, read_model
    from runlocal.resolve.models import resolve_model_name

    cat = load_catalog()
    for hardware_id in cat.hardware:
        assert read_hardware(cat, hardware_id) == resolve_hardware_name(cat, hardware_id)
    for model_id in cat.models:
        assert read_model(cat, model_id) == resolve_model_name(cat, model_id)
    # A count before an id: every count the resolver takes, one past it (refused by it), and
    # texts that only look like one.
    ids = sorted(cat.hardware)
    for hardware_id in ids:
        for count in (1, 2, 3, 4, 8, 10, 64, 65, 99):
            text = f"{count}x {hardware_id}"
            assert _read_or_refusal(read_hardware, cat, text) == _read_or_refusal(
                resolve_hardware_name, cat, text
            ), text
    for text in ("02x " + ids[0], "x " + ids[0], "2X " + ids[0], "²x " + ids[0], "2x  " + ids[0]):
        assert _read_or_refusal(read_hardware, cat, text) == _read_or_refusal(
            resolve_hardware_name, cat, text
        ), text
    # Anything else goes to the resolvers themselves.
    assert read_hardware(cat, "2x RTX 3090") == resolve_hardware_name(cat, "2x RTX 3090")
    assert read_model(cat, "llama3.1:8b") == resolve_model_name(cat, "llama3.1:8b")


def _read_or_refusal(read, cat, text):  # type: ignore[no-untyped-def]
    try:
        return read(cat, text)
    except RunlocalError as exc:
        return type(exc).__name__, str(exc)


def test_non_ascii_escapes_equal_the_standard_encoder():
    """batch's escape of orjson's UTF-8 (C's ASCII decoder, each run of non-ASCII bytes escaped
    by its handler and kept) against json.dumps, on characters from every range the standard
    encoder treats differently (below U+0100, the rest of the BMP, above U+FFFF), DEL and
    backslashes; twice, so that runs kept from the first round are asked again."""
    import json

    from runlocal.batch import _RUN_ESCAPES, _ascii_json

    rng = random.Random(5)
    alphabet = ["a", "x", "U", "\\", '"', "\x7f", "é", "µ", "→", "−", "–", "€", "\ufffd", "😀"]
    alphabet += ["\u0100", "\u00ff", "\U0010ffff", "\x80"]
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12))) for _ in range(3000)]
    _RUN_ESCAPES.clear()
    for _ in range(2):
        for text in texts:
            raw = json.dumps(text, ensure_ascii=False).encode()  # what orjson writes: UTF-8
            assert _ascii_json(raw) == json.dumps(text), repr(text)
    assert _RUN_ESCAPES


def test_the_one_step_constructors_build_what_the_dataclass_builds():
    """builder()'s objects equal the generated __init__'s: same fields, in the same order, the
    same defaults, frozen as before; unknown and missing keywords raise as the constructor does."""
    import dataclasses
    import importlib

    from runlocal import engine
    from runlocal import solve as solving
    from runlocal.frozen import builder

    feat = importlib.import_module("runlocal.speed.features")  # the package exports features()

    cat = load_catalog()
    rng = random.Random(14)
    seen = 0
    for model_id in rng.sample(sorted(cat.models), 40):
        for hw, runtime in (("2x nvidia-rtx-4090", "llama.cpp"), ("apple-m2-max-38c", "mlx")):
            q = engine.CheckQuery(model=model_id, hardware=(hw,), runtime=runtime)
            try:
                s = solving.solve(q, cat, False, None)
            except RunlocalError:
                continue
            if not isinstance(s, solving.Solved):
                continue
            f = feat.features(
                s.model.spec, s.inv, s.plan, s.depth, 80e9, None, s.runtime, s.kv_type, 1
            )
            for obj, cls in [(f, feat.SpeedFeatures), *((ld, feat.DeviceLoad) for ld in f.loads)]:
                kwargs = {k.name: getattr(obj, k.name) for k in dataclasses.fields(cls)}
                slow = cls(**kwargs)
                assert obj == slow and hash(obj) == hash(slow) and repr(obj) == repr(slow)
                assert list(vars(obj)) == list(vars(slow))
                with pytest.raises(dataclasses.FrozenInstanceError):
                    obj.quant = "x"  # type: ignore[misc]
                seen += 1
    assert seen > 60
    build = builder(feat.DeviceLoad)
    load = {k.name: getattr(f.loads[0], k.name) for k in dataclasses.fields(feat.DeviceLoad)}
    required = {k: v for k, v in load.items() if k in {"backend", "layers", "kv_bytes"}}
    with pytest.raises(TypeError):
        build(**required)
    with pytest.raises(TypeError):
        build(**load, colour="red")
    partial = {k: v for k, v in load.items() if k not in ("dp4a", "moe_layers", "gpu_arch")}
    assert build(**partial) == feat.DeviceLoad(**partial)
    with pytest.raises(TypeError):  # a default factory: not for builder()
        builder(engine.LocalMachine)


def test_a_query_read_from_json_is_the_constructors():
    """CheckQuery.from_mapping builds its query in one step (frozen.builder): the same
    object, hash and field order as CheckQuery(...), and the same errors."""
    import dataclasses

    from runlocal.engine import CheckQuery
    from runlocal.errors import InputError

    rows = [
        {"model": "m"},
        {"model": "m", "hardware": "a", "context": "32k", "ram_gb": 64},
        {"model": "m", "hardware": ["2x a"], "quant": "Q4_K_M", "batch": 4, "no_measured": True},
        {
            "model": "m",
            "runtime": "vllm",
            "gpu_memory_utilization": 0.8,
            "vram_gb": 24,
            "bandwidth_gb_s": 900,
            "tflops": 80,
            "gpu_memory_gb": 20,
            "kv_type": "q8_0",
            "context": None,
        },
    ]
    for row in rows:
        q = CheckQuery.from_mapping(row)
        slow = CheckQuery(**{f.name: getattr(q, f.name) for f in dataclasses.fields(q)})
        assert q == slow and hash(q) == hash(slow) and repr(q) == repr(slow)
        assert list(vars(q))[: len(vars(slow))] == list(vars(slow))
        with pytest.raises(dataclasses.FrozenInstanceError):
            q.model = "x"  # type: ignore[misc]
    with pytest.raises(InputError, match=r"unknown key\(s\): b, colour$"):
        CheckQuery.from_mapping({"model": "m", "colour": 1, "b": 2})
    with pytest.raises(InputError, match="model: missing"):
        CheckQuery.from_mapping({"hardware": ["a"]})


def test_speed_records_from_templates_are_the_one_step_constructors():
    """features() copies a per-device and a per-runtime template and sets the plan's share;
    each record equals what _new_load(**device_traits(device), ...) and
    _new_features(**runtime_traits(runtime), ...) build from the same values, field order
    included, and the RDNA flag is rdna_generation of the loads."""
    import importlib
    from dataclasses import fields

    from runlocal.estimate import _host_bandwidth, _host_fp32_flops, _plan

    sf = importlib.import_module("runlocal.speed.features")  # the package exports features()

    cat = load_catalog()
    rng = random.Random(21)
    hardware = ["RTX 4090", "2x RTX 3090", "RX 7900 XTX", "M3 Max", "GTX 1650", "A100 80GB"]
    checked = rdna = 0
    for spec, entry in _catalog_specs(30, seed=12):
        for name in hardware:
            devices = list(parse_hardware(cat, name))
            runtime = RUNTIMES["llama.cpp" if rng.random() < 0.7 else "ollama"]
            inv = inventory_for(spec, entry, rng.choice(["Q4_K_M", "Q8_0"]))
            context = rng.choice([4096, 32_768])
            ram = rng.choice([None, 64 * 2**30])
            plan = _plan(spec, inv, devices, ram, runtime, context, "f16", 1)
            f = sf.features(
                spec,
                inv,
                plan,
                context // 2,
                _host_bandwidth(devices, ram),
                _host_fp32_flops(devices),
                runtime,
            )
            for load, use in zip(f.loads, plan.devices, strict=True):
                traits = sf.device_traits(use.device)
                rest = {k: v for k, v in vars(load).items() if k not in traits}
                assert load == sf._new_load(**traits, **rest)
                assert list(vars(load)) == [x.name for x in fields(sf.DeviceLoad)]
                flag = sf._load_template(use.device)[1]
                assert flag == (sf.rdna_generation(load) is not None)
                rdna += flag
            traits = sf.runtime_traits(runtime)
            rest = {k: v for k, v in vars(f).items() if k not in traits}
            assert f == sf._new_features(**traits, **rest)
            assert list(vars(f)) == [x.name for x in fields(sf.SpeedFeatures)]
            checked += 1
    assert checked > 100
    assert rdna > 0


def test_quality_and_model_record_from_kept_parts_are_what_they_were_built_from():
    """quality_answer's task dicts and model_record's parameter counts kept per entry (and
    per quantization), against the same written out from the catalog entry each time; every
    answer gets its own dicts."""
    from runlocal.answer import _quality_parts, model_record, quality_answer
    from runlocal.quality import effective_params_b
    from runlocal.sources import resolve_model

    cat = load_catalog()
    checked = 0
    for model_id in sorted(cat.models)[::2]:
        try:
            model = resolve_model(model_id, cat, False, None)
        except RunlocalError:
            continue
        entry, spec = model.entry, model.spec
        assert entry is not None
        size_b = effective_params_b(entry)
        if size_b is None and spec.params_total:
            size_b = spec.params_total / 1e9
        total, active = spec.params_total, spec.params_active
        if entry.get("params_total_b"):
            total = round(float(entry.get("params_total_b")) * 1e9)
            active = round(float(entry.get("params_active_b") or entry.get("params_total_b")) * 1e9)
        for quant in ("Q4_K_M", "Q8_0", "F16", "IQ2_XS", "BF16"):
            bucket, basis, tasks = _quality_parts(cat, entry, quant, size_b)
            want = {
                "quant_loss": bucket,
                "quant_loss_basis": basis,
                "tasks": None if tasks is None else {t: dict(s) if s else None for t, s in tasks},
            }
            first, second = quality_answer(model, quant, cat), quality_answer(model, quant, cat)
            assert first == want == second, (model_id, quant)
            for task, scores in (first["tasks"] or {}).items():
                if scores is not None:
                    assert scores is not second["tasks"][task]
                    scores["score"] = None  # a caller's change stays in its answer
            assert quality_answer(model, quant, cat) == want
            inv = inventory_for(spec, entry, quant)
            record = model_record(model, inv)
            assert (record["params_total"], record["params_active"]) == (total, active)
            checked += 1
    assert checked > 300


def test_a_hash_kept_once_is_the_dataclass_hash():
    """hash_once's hash (a C callable kept on the instance, read through a property) against
    the hash dataclasses generate (the tuple of the compared fields), for devices, runtimes,
    inventories and queries, fresh, pickled, copied and replaced; and inventories and devices
    keep their worked-out attributes through replace()."""
    import copy
    import dataclasses
    import pickle

    from runlocal.engine import CheckQuery

    def dataclass_hash(obj):  # type: ignore[no-untyped-def]
        return hash(tuple(getattr(obj, f.name) for f in dataclasses.fields(obj) if f.compare))

    cat = load_catalog()
    spec, _ = next(iter(_catalog_specs(1, seed=3)))
    inv = inventory_for(spec, None, "Q4_K_M")
    objects = [
        *parse_hardware(cat, "2x RTX 4090"),
        *parse_hardware(cat, "M3 Max"),
        *RUNTIMES.values(),
        inv,
        CheckQuery.from_mapping({"model": "llama-3.1-8b", "hardware": ["RTX 4090"], "context": 8}),
        CheckQuery("llama-3.1-8b", ("RTX 4090",), context=8),
    ]
    for obj in objects:
        want = dataclass_hash(obj)
        assert hash(obj) == want == hash(obj) == obj.__hash__()
        for other in (pickle.loads(pickle.dumps(obj)), copy.copy(obj), copy.deepcopy(obj)):
            assert other == obj
            assert hash(other) == want
        first = dataclasses.fields(obj)[0].name
        changed = dataclasses.replace(obj, **{first: getattr(obj, first)})
        assert hash(changed) == want
    assert objects[-2] == objects[-1] and {objects[-2]: 1}[objects[-1]] == 1
    device = parse_hardware(cat, "RTX 4090")[0]
    smaller = dataclasses.replace(device, usable_memory_bytes=device.memory_bytes // 2)
    assert smaller.budget_bytes == device.memory_bytes // 2 != device.budget_bytes
    halved = dataclasses.replace(inv, layer_bytes=tuple(b // 2 for b in inv.layer_bytes))
    assert halved.layer_sums[-1] == sum(halved.layer_bytes) != inv.layer_sums[-1]
    assert halved.total_bytes == (
        halved.input_bytes + halved.output_bytes + sum(halved.layer_bytes) + halved.other_bytes
    )


def test_quality_and_component_lookups_kept_are_the_computations():
    """A model's quality per task (kept per model and task), whether a quantization is its
    native format (kept per entry and quantization) and whether a name is a component model
    (kept per name and catalog) against the same worked out afresh."""
    from runlocal import solve as solving
    from runlocal.answer import _quality_parts
    from runlocal.quality import TASKS, quality_model
    from runlocal.quant_loss import is_native

    cat = load_catalog()
    qm = quality_model(cat)
    names = [*sorted(cat.models), "Llama 3.1 8B", "no such model", "flux.1 dev"]
    for name in names:
        assert solving.component_entry(name, cat) is solving.component_entry.__wrapped__(name, cat)
    for entry in cat.models.values():
        for task in TASKS:
            assert qm.model_quality(entry, task) == qm._model_quality(entry, task)
            assert qm.model_quality(entry, task) is qm.model_quality(entry, task)
        for quant in ("Q4_K_M", "BF16", "MXFP4", "FP8", "AWQ-4BIT", "NVFP4", "nonsense"):
            assert is_native(entry, quant) == is_native.__wrapped__(entry, quant)
            # An answer's quality per task asks the quantization's loss once for every task.
            _, _, tasks = _quality_parts.__wrapped__(cat, entry, quant, None)
            for task, parts in tasks:
                merit = qm.merit(entry, task, quant)
                want = None if merit is None else (round(merit.value, 1), merit.basis)
                assert (None if parts is None else (parts[0][1], parts[3][1])) == want


def test_speed_fields_kept_per_model_and_weights_are_the_specs_own():
    """features() starts from a template kept per runtime, model and weights
    (_model_features_template): its model fields are what the spec and the inventory give
    (gqa_groups from every layer's KV heads, the quant family, the experts' share), in
    SpeedFeatures' field order."""
    import importlib
    from dataclasses import fields

    from runlocal.speed.params import quant_family

    sf = importlib.import_module("runlocal.speed.features")
    checked = 0
    for spec, entry in _catalog_specs(40, seed=41):
        kv_heads = max((layer.n_kv_heads for layer in spec.layers), default=0)
        groups = max(spec.n_heads // kv_heads, 1) if kv_heads else 1
        share = spec.n_experts_used / spec.n_experts if spec.n_experts > 1 else 1.0
        for quant in ("Q4_K_M", "Q8_0"):
            inv = inventory_for(spec, entry, quant)
            for runtime in (RUNTIMES["llama.cpp"], RUNTIMES["vllm"], None):
                got = sf._model_features_template(runtime, spec, inv)
                assert list(got) == [x.name for x in fields(sf.SpeedFeatures)]
                assert got["gqa_groups"] == groups
                assert got["quant_family"] == quant_family(inv.quant)
                assert got["quant"] == inv.quant.upper()
                assert got["n_layers"] == len(spec.layers)
                assert got["expert_share"] == share
                assert got["active_params"] == float(spec.params_matmul_active)
                assert got["active_expert_params"] == float(spec.routed_expert_params * share)
                assert got["n_experts"] == (spec.n_experts if spec.n_experts > 1 else 0)
                rows = sf.expert_matrix_rows(spec) if spec.n_experts > 1 else (0, 0)
                assert got["expert_rows"] == rows
                assert got["mla"] == (spec.mla is not None)
                base = sf._features_template(runtime)
                for key in sf.runtime_traits(runtime):
                    assert got[key] == base[key]
                checked += 1
    assert checked > 150


def test_devices_kept_per_hardware_and_runtime_are_the_resolved_ones():
    """_head keeps the devices as a runtime sees them per hardware fields, runtime and
    catalog: the kept tuple is what resolving them gives, for any model; hardware a runtime
    cannot use is refused every time, after an unknown model's own error."""
    from runlocal import engine
    from runlocal import solve as solving
    from runlocal.check_inputs import resolve_hardware
    from runlocal.engine import CheckQuery
    from runlocal.errors import InputError
    from runlocal.hardware import tensor_rate_for

    cat = load_catalog()
    engine.clear_caches()
    for hardware, runtime in [
        (("RTX 4090",), "llama.cpp"),
        (("2x RTX 3090",), "vllm"),
        (("RTX 4090", "RTX 3060 12GB"), "transformers"),
        (("M3 Max",), "mlx"),
    ]:
        fp32 = runtime in ("vllm", "transformers")
        for model in ("llama-3.1-8b-instruct", "qwen2.5-32b-instruct"):
            q = CheckQuery(model=model, hardware=hardware, runtime=runtime, gpu_memory_gb=10.0)
            head = solving.resolve_head(q, cat, False, None)
            assert not isinstance(head, engine.CheckResult)
            want = tuple(tensor_rate_for(d, fp32) for d in resolve_hardware(q, cat))
            assert head.devices == want
            assert head.calibrated == []
    for _ in range(2):
        with pytest.raises(InputError, match="vLLM needs"):
            solving.resolve_head(
                CheckQuery("llama-3.1-8b-instruct", ("M3 Max",), runtime="vllm"), cat, False, None
            )
        with pytest.raises(RunlocalError) as err:
            solving.resolve_head(
                CheckQuery("no-such-model-zz9", ("M3 Max",), runtime="vllm"), cat, False, None
            )
        assert "vLLM" not in str(err.value)


def test_a_catalog_model_kept_per_name_is_resolved_afresh_each_time():
    """_catalog_model keeps what a name reads as per name and catalog: each call gives the
    record resolving it gives, with a notes list of its own."""
    from runlocal import sources
    from runlocal.resolve.ids import read_model

    cat = load_catalog()
    sources._CATALOG_MODELS.clear()
    for text in ("llama-3.1-8b-instruct", "llama 3.1 8b", "qwen2.5-32b-instruct", "gpt-oss-20b"):
        first, second = sources._catalog_model(text, cat), sources._catalog_model(text, cat)
        name = read_model(cat, text)
        for got in (first, second):
            assert got.entry is name.entry
            assert got.spec is sources.catalog_spec(name.entry)
            assert (got.source, got.path, got.notes) == ("catalog", None, [])
            assert (got.quant, got.default_quant) == (name.quant, name.default_quant)
        assert first.notes is not second.notes


def test_an_answers_device_records_kept_per_device_are_its_fields():
    """The answer's "hardware" entries and the basis' devices come from dicts kept per device
    and copied: the same keys, order and values as written from the device, and each answer's
    own dicts."""
    from runlocal import answer
    from runlocal.engine import CheckQuery, check

    cat = load_catalog()
    q = CheckQuery(model="llama-3.1-8b-instruct", hardware=("RTX 4090", "RTX 3090"))
    first, second = check(q, cat).data, check(q, cat).data
    devices = [d for h in q.hardware for d in parse_hardware(cat, h)]
    want = [
        {
            "id": d.id,
            "name": d.name,
            "memory_bytes": d.memory_bytes,
            "bandwidth_bytes_per_s": d.bandwidth_bytes_per_s,
            "usable_memory_bytes": d.budget_bytes,
            "source": d.source,
        }
        for d in devices
    ]
    for data in (first, second):
        assert [list(h.items()) for h in data["hardware"]] == [list(h.items()) for h in want]
        assert data["basis"]["devices"] == [d.to_dict() for d in devices]
    first["hardware"][0]["name"] = first["basis"]["devices"][0]["name"] = "changed"
    assert answer.hardware_record(devices[0])["name"] == devices[0].name
    assert answer._device_dict(devices[0])["name"] == devices[0].name
