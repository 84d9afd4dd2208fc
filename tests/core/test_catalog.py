from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from runlocal.catalog import Catalog, Entry, derived_cached, load_catalog, normalize
from runlocal.errors import AmbiguousNameError, CatalogError, UnknownNameError
from runlocal.resolve.models import resolve_model_name

from .factories import LLAMA_3_1_8B, make_model


def test_it_normalizes_names_as_people_type_them() -> None:
    assert normalize("NVIDIA GeForce RTX-4090 (24GB)") == "nvidia geforce rtx 4090 24gb"
    assert normalize("Llama 3.1 8B") == normalize("llama-3.1-8b")


def test_it_resolves_ids_names_aliases_and_unique_word_subsets(catalog: Catalog) -> None:
    assert catalog.find_model("llama-3.1-8b").id == "llama-3.1-8b"
    assert catalog.find_model("LLAMA 3.1 8B").id == "llama-3.1-8b"
    assert catalog.find_model("llama3.1:8b").id == "llama-3.1-8b"
    assert catalog.find_model("mixtral").id == "mixtral-8x7b"
    assert catalog.find_hardware("tg24").id == "gpu-24"


def test_it_lists_candidates_when_a_name_is_ambiguous(catalog: Catalog) -> None:
    with pytest.raises(UnknownNameError) as err:
        catalog.find_hardware("test gpu")
    assert set(err.value.suggestions) >= {"Test GPU 24", "Test GPU 8"}


def test_it_rereads_a_file_after_it_changes(catalog_dir: Path) -> None:
    first = Catalog(root=catalog_dir).hardware["gpu-24"]
    path = catalog_dir / "hardware" / "gpu-24.toml"
    path.write_text(path.read_text().replace("bandwidth_gb_s = 1000", "bandwidth_gb_s = 1200"))
    again = Catalog(root=catalog_dir).hardware["gpu-24"]
    assert first.get("bandwidth_gb_s") == 1000 and again.get("bandwidth_gb_s") == 1200


def test_a_cached_kind_reads_each_entry_once_as_one_object(catalog_dir: Path) -> None:
    parsed = Catalog(root=catalog_dir).hardware  # parsed, and the cache written
    cached = Catalog(root=catalog_dir).hardware  # read back from the cache
    assert cached["gpu-24"] is cached["gpu-24"] is cached.get("gpu-24")
    assert list(cached) == list(parsed) == sorted(parsed)  # file order
    assert [e.id for e in cached.values()] == list(parsed)
    assert dict(cached.items())["gpu-24"] is cached["gpu-24"]
    assert cached["gpu-24"].data == parsed["gpu-24"].data
    assert "nope" not in cached and cached.get("nope") is None and len(cached) == len(parsed)
    with pytest.raises(KeyError):
        cached["nope"]


def test_a_cached_kind_sees_an_edit_of_the_same_size(catalog_dir: Path) -> None:
    path = catalog_dir / "hardware" / "gpu-24.toml"
    Catalog(root=catalog_dir).hardware["gpu-24"]  # the cache written
    Catalog(root=catalog_dir).hardware["gpu-24"]  # and read back
    text = path.read_text()
    stat = path.stat()
    path.write_text(text.replace("bandwidth_gb_s = 1000", "bandwidth_gb_s = 1200"))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1))  # one nanosecond later
    assert path.stat().st_size == stat.st_size
    assert Catalog(root=catalog_dir).hardware["gpu-24"].get("bandwidth_gb_s") == 1200


def test_a_cache_file_is_read_only_for_the_stamp_it_was_written_for(tmp_path: Path) -> None:
    from runlocal.catalog import _through_pickle

    def build(value: str) -> Callable[[], str]:
        return lambda: value

    assert _through_pickle(tmp_path, "x", "stamp a", build("a")) == "a"
    assert _through_pickle(tmp_path, "x", "stamp a", build("b")) == "a"  # read back
    # Stamp a's file under stamp b's name, as if their checksums were equal: rebuilt.
    (written,) = tmp_path.glob("x-*.pickle")
    assert _through_pickle(tmp_path, "x", "stamp b", build("b")) == "b"
    (written_b,) = set(tmp_path.glob("x-*.pickle")) - {written}
    written.replace(written_b)
    assert _through_pickle(tmp_path, "x", "stamp b", build("c")) == "c"


def test_a_derived_cache_is_rebuilt_when_its_code_changes(catalog_dir: Path) -> None:
    catalog = Catalog(root=catalog_dir)
    assert derived_cached(catalog, "hardware", "t", "code 1", lambda: 1) == 1
    assert derived_cached(catalog, "hardware", "t", "code 1", lambda: 2) == 1
    assert derived_cached(catalog, "hardware", "t", "code 2", lambda: 3) == 3


def test_it_names_the_file_and_field_of_a_broken_entry(catalog_dir: Path) -> None:
    (catalog_dir / "models" / "broken.toml").write_text('schema_version = 1\nid = "broken"\n')
    with pytest.raises(CatalogError, match=r"models/broken\.toml: name: missing"):
        load_catalog(catalog_dir).models  # noqa: B018


def _entry_with(**data: object) -> Entry:
    return Entry(
        kind="models",
        id="m",
        name="M",
        aliases=(),
        sources=("https://example.org",),
        last_verified=dt.date(2026, 1, 1),
        reviewed_by="t",
        data=data,
        path=Path("m.toml"),
    )


def test_every_record_says_when_it_was_added() -> None:
    from runlocal.validate import check_added

    today = dt.date(2026, 6, 1)
    assert list(check_added(_entry_with(added=dt.date(2026, 5, 1)), today)) == []
    assert list(check_added(_entry_with(), today)) == []  # optional outside the shipped catalog
    assert list(check_added(_entry_with(added="2026-05-01"), today))
    assert list(check_added(_entry_with(added=dt.date(2026, 7, 1)), today))


def test_the_shipped_catalog_dates_every_record() -> None:
    import tomllib

    from runlocal.catalog import KINDS, catalog_root

    for kind in KINDS:
        for path in (catalog_root() / kind).glob("*.toml"):
            added = tomllib.loads(path.read_text(encoding="utf-8")).get("added")
            assert isinstance(added, dt.date), path


def test_a_left_out_variant_word_makes_another_model(catalog_dir: Path) -> None:
    # The catalog holds only the Flash variant of "Test LM 4.7": a typed "test lm 4.7" means the
    # full model it lacks, so the resolver calls it unknown, with the Flash first among the
    # closest names, instead of answering for the smaller one.
    make_model(catalog_dir, "test-lm-4.7-flash", "Test LM 4.7 Flash", LLAMA_3_1_8B, 8.0)
    make_model(catalog_dir, "test-lm-5", "Test LM 5", LLAMA_3_1_8B, 8.0)
    catalog = load_catalog(catalog_dir)
    with pytest.raises(UnknownNameError) as err:
        resolve_model_name(catalog, "test lm 4.7")
    assert not isinstance(err.value, AmbiguousNameError)
    assert err.value.suggestions[0] == "Test LM 4.7 Flash"
    assert resolve_model_name(catalog, "test lm 4.7 flash").entry.id == "test-lm-4.7-flash"
    # Words that only describe a release still may be left out, and without numbers the
    # one model of a name is still found.
    assert resolve_model_name(catalog, "Test LM 5 Instruct").entry.id == "test-lm-5"
    assert resolve_model_name(catalog, "mixtral").entry.id == "mixtral-8x7b"
