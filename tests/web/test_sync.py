from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.core.management import CommandError

from runlocal_web.catalogdb.models import Benchmark, Hardware, Model, Record, SyncState
from runlocal_web.catalogdb.store import current_catalog

from . import factory

pytestmark = pytest.mark.django_db


def snapshot() -> dict[str, list[tuple]]:
    return {
        "models": list(Model.objects.order_by("pk").values_list("pk", "name", "data", "family")),
        "hardware": list(
            Hardware.objects.order_by("pk").values_list("pk", "name", "data", "memory_gib")
        ),
        "benchmarks": list(Benchmark.objects.order_by("pk").values_list("pk", "data")),
        "state": list(SyncState.objects.values_list("digest", "n_models", "n_hardware")),
    }


def test_it_loads_the_catalog_and_prints_counts(catalog_dir: Path) -> None:
    factory.tiny_catalog(catalog_dir)
    out = factory.sync()
    assert "models: 2 added, 0 updated, 0 deleted, 0 unchanged (2 in all)" in out
    assert "hardware: 2 added, 0 updated, 0 deleted, 0 unchanged (2 in all)" in out
    assert "benchmarks: 0 added" in out
    m = Model.objects.get(pk="testllama-8b")
    assert m.name == "TestLlama 8B"
    assert m.family == "llama"
    assert m.params_total_b == 8.0
    assert m.release_date == dt.date(2024, 7, 23)
    assert m.data["architecture"]["num_hidden_layers"] == 32
    assert m.data["last_verified"] == "2026-01-15"  # dates stored as ISO strings in JSON
    assert m.aliases == ["TL 8B"]
    h = Hardware.objects.get(pk="testmac-m9-max")
    assert (h.kind, h.memory_gib, h.bandwidth_gb_s) == ("unified", 64.0, 546.0)
    state = SyncState.objects.get()
    assert (state.n_models, state.n_hardware, state.n_benchmarks) == (2, 2, 0)


def test_it_is_idempotent(catalog_dir: Path) -> None:
    factory.tiny_catalog(catalog_dir)
    factory.sync()
    before = snapshot()
    changed_at = SyncState.objects.get().changed_at
    out = factory.sync()
    assert "models: 0 added, 0 updated, 0 deleted, 2 unchanged (2 in all)" in out
    assert "hardware: 0 added, 0 updated, 0 deleted, 2 unchanged (2 in all)" in out
    assert "no changes" in out
    assert snapshot() == before
    assert SyncState.objects.get().changed_at == changed_at


def test_it_adds_updates_and_deletes(catalog_dir: Path) -> None:
    factory.tiny_catalog(catalog_dir)
    factory.sync()
    digest = SyncState.objects.get().digest
    factory.hardware(catalog_dir, memory_gib=32.0, name="TestGPU 32GB")
    (catalog_dir / "models" / "testllama-70b.toml").unlink()
    factory.model(catalog_dir, "testqwen-4b", name="TestQwen 4B", family="qwen")
    out = factory.sync()
    assert "models: 1 added, 0 updated, 1 deleted, 1 unchanged (2 in all)" in out
    assert "hardware: 0 added, 1 updated, 0 deleted, 1 unchanged (2 in all)" in out
    assert set(Model.objects.values_list("pk", flat=True)) == {"testllama-8b", "testqwen-4b"}
    h = Hardware.objects.get(pk="testgpu-24gb")
    assert (h.memory_gib, h.name, h.data["memory_gib"]) == (32.0, "TestGPU 32GB", 32.0)
    assert SyncState.objects.get().digest != digest
    # The website's catalog follows the database.
    catalog = current_catalog()
    assert set(catalog.models) == {"testllama-8b", "testqwen-4b"}
    assert catalog.find_hardware("TG 24").get("memory_gib") == 32.0


def test_it_syncs_benchmarks(catalog_dir: Path) -> None:
    factory.tiny_catalog(catalog_dir)
    factory.benchmark(
        catalog_dir,
        "bench-testgpu",
        hardware="testgpu-24gb",
        results=[
            {
                "model": "testllama-8b",
                "quant": "Q4_K_M",
                "runtime": "llama.cpp",
                "backend": "cuda",
                "n_devices": 1,
                "metric": "tg_tok_s",
                "prompt_tokens": 0,
                "gen_tokens": 128,
                "value": 140.5,
            },
        ],
    )
    factory.sync()
    b = Benchmark.objects.get()
    assert (b.hardware_id, b.n_results) == ("testgpu-24gb", 1)


@pytest.mark.parametrize(
    ("break_it", "named"),
    [
        (
            lambda root: (root / "models" / "testllama-8b.toml").write_text("id = [unclosed"),
            "models/testllama-8b.toml: (file): not valid TOML",
        ),
        (
            lambda root: factory.model(root, "testllama-8b", sources=None),
            "models/testllama-8b.toml: sources: missing",
        ),
        (
            lambda root: factory.hardware(root, "testgpu-24gb", memory_gib="lots"),
            "hardware/testgpu-24gb.toml: memory_gib: expected a number",
        ),
        (
            lambda root: factory.hardware(root, "testgpu-24gb", bandwidth_gb_s=None),
            "hardware/testgpu-24gb.toml: bandwidth_gb_s: missing",
        ),
        (
            lambda root: factory.hardware(root, "testgpu-24gb", kind="fpga"),
            "hardware/testgpu-24gb.toml: kind: 'fpga' is not one of",
        ),
        (
            lambda root: factory.model(root, "testllama-8b", params_total_b=float("nan")),
            "models/testllama-8b.toml: params_total_b: nan is not a finite number",
        ),
        (
            lambda root: factory.model(root, "testllama-8b", verdict="bad\x00byte"),
            "models/testllama-8b.toml: verdict: contains a NUL character",
        ),
    ],
)
def test_it_aborts_on_a_bad_file_leaving_the_database_unchanged(
    catalog_dir: Path, break_it, named: str
) -> None:
    factory.tiny_catalog(catalog_dir)
    factory.sync()
    before = snapshot()
    # A good change and a bad one together: neither may land.
    factory.model(catalog_dir, "testqwen-4b", name="TestQwen 4B")
    break_it(catalog_dir)
    with pytest.raises(CommandError) as exc:
        factory.sync()
    assert "database unchanged" in str(exc.value)
    assert named in str(exc.value)
    assert snapshot() == before


def test_it_refuses_a_missing_catalog_folder(tmp_path: Path, settings) -> None:
    settings.RUNLOCAL_CATALOG_DIR = tmp_path / "nope"
    with pytest.raises(CommandError, match="no such catalog folder"):
        factory.sync()


def test_it_takes_the_folder_as_an_option(tmp_path: Path, settings) -> None:
    root = factory.tiny_catalog(tmp_path / "elsewhere")
    settings.RUNLOCAL_CATALOG_DIR = tmp_path / "nope"
    out = factory.sync(catalog_dir=str(root))
    assert "models: 2 added" in out


def test_it_rolls_back_when_a_write_fails_midway(catalog_dir: Path, monkeypatch) -> None:
    from runlocal_web.catalogdb import sync

    factory.tiny_catalog(catalog_dir)
    factory.sync()
    before = snapshot()
    factory.model(catalog_dir, "testqwen-4b", name="TestQwen 4B")
    factory.hardware(catalog_dir, memory_gib=48.0)
    real = sync._sync_table

    def fail_on_hardware(model, rows, now, kind):
        if model is Hardware:
            raise RuntimeError("disk full")
        return real(model, rows, now, kind)

    monkeypatch.setattr(sync, "_sync_table", fail_on_hardware)
    with pytest.raises(RuntimeError):
        factory.sync()
    assert snapshot() == before


def test_it_mirrors_every_other_kind_as_records(catalog_dir, db):
    from runlocal_web.catalogdb.models import Record
    from runlocal_web.catalogdb.store import current_catalog

    factory.tiny_catalog(catalog_dir)
    (catalog_dir / "glossary").mkdir()
    (catalog_dir / "glossary" / "kv-cache.toml").write_text(
        'schema_version = 1\nid = "kv-cache"\nname = "KV cache"\n'
        'sources = ["https://example.org/kv"]\nlast_verified = 2026-11-26\n'
        'reviewed_by = "tests"\ncategory = "memory"\nshort = "Keys and values kept per token."\n'
        'definition = "The attention keys and values of past tokens."\n',
        encoding="utf-8",
    )
    factory.sync()
    record = Record.objects.get(pk="glossary/kv-cache")
    assert record.kind == "glossary" and record.category == "memory"
    assert current_catalog().glossary["kv-cache"].name == "KV cache"


def test_it_logs_each_change_for_pulse(catalog_dir, db):
    from runlocal_web.catalogdb.models import Change

    factory.tiny_catalog(catalog_dir)
    factory.sync()
    added = Change.objects.filter(action=Change.ADDED).count()
    assert added >= 4
    factory.hardware(catalog_dir, memory_gib=48.0)
    factory.sync()
    updated = Change.objects.filter(action=Change.UPDATED).get()
    assert updated.kind == "hardware" and "memory_gib" in updated.fields
    factory.sync()
    assert Change.objects.count() == added + 1  # an unchanged sync logs nothing


# --- Every record kind is mirrored -------------------------------------------------------


@pytest.fixture
def ref(catalog_dir: Path, db) -> Path:
    factory.reference_catalog(catalog_dir)
    factory.sync()
    return catalog_dir


@pytest.fixture
def tools(catalog_dir: Path, db) -> Path:
    factory.tools_catalog(catalog_dir)
    factory.sync()
    return catalog_dir


def test_it_mirrors_every_reference_kind_into_the_database(ref: Path) -> None:
    kinds = set(Record.objects.values_list("kind", flat=True))
    assert kinds >= {
        "runtimes",
        "glossary",
        "errors",
        "guides",
        "learn",
        "kits",
        "answers",
        "pages",
    }
    assert Record.objects.filter(kind="pages").count() == len(factory.EDITORIAL_IDS)


def test_it_mirrors_the_prices_into_the_synced_catalog(tools: Path) -> None:
    prices = current_catalog().prices
    assert {p.get("kind") for p in prices.values()} == {"electricity", "cloud-gpu", "api"}
    assert prices["electricity-testland"].get("default") is True
    assert prices["testcloud-testgpu"].get("hardware") == "testgpu-24gb"
    assert "testcpu-16c" in current_catalog().hardware
