"""An alias naming another release of a model is a catalog error (docs/names.md, "Aliases")."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from runlocal.catalog import Entry, load_catalog
from runlocal.validate import check_alias_releases


def model(id: str, name: str, aliases: tuple[str, ...], **data: Any) -> Entry:
    return Entry(
        kind="models",
        id=id,
        name=name,
        aliases=aliases,
        sources=(),
        last_verified=dt.date(2026, 12, 7),
        reviewed_by="test",
        data=data,
        path=Path(f"/catalog/models/{id}.toml"),
    )


def flagged(e: Entry) -> list[str]:
    return [str(err) for err in check_alias_releases(e)]


def test_another_version_date_or_thinking_release_is_flagged() -> None:
    v01 = model("mistral-7b-v0.1", "Mistral 7B v0.1", ("Mistral-7B-Instruct-v0.2",))
    assert "v0.2" in flagged(v01)[0]
    q = model(
        "qwen3-4b-instruct-2507",
        "Qwen3 4B Instruct 2507",
        ("Qwen3-4B-Thinking-2507", "Qwen3-4B-Instruct-2507-GGUF"),
    )
    assert len(flagged(q)) == 1 and "think" in flagged(q)[0]
    k2 = model("kimi-k2-instruct", "Kimi K2 Instruct", ("Kimi-K2-Instruct-0905",))
    assert "0905" in flagged(k2)[0]
    gemma = model("gemma-2b-it", "Gemma 2B IT", ("gemma-1.1-2b-it", "Gemma 2B IT Q4_K_M"))
    assert len(flagged(gemma)) == 1 and "1.1" in flagged(gemma)[0]


def test_a_base_checkpoint_on_an_entry_that_names_its_tune_is_flagged() -> None:
    tuned = model("granite-3.1-1b-instruct", "Granite 3.1 1B Instruct", ("granite-3.1-1b-base",))
    assert "base checkpoint" in flagged(tuned)[0]
    plain = model("qwen3-8b", "Qwen3 8B", ("Qwen3-8B-Base",))
    assert flagged(plain) == []  # the entry names no tune: base and post-trained share it


def test_notes_that_name_the_release_make_the_alias_explicit() -> None:
    r1 = model(
        "deepseek-r1",
        "DeepSeek-R1",
        ("DeepSeek-R1-0528",),
        notes="R1-0528 has the same shapes; this entry covers both releases (0528).",
    )
    assert flagged(r1) == []


def test_the_catalog_has_no_such_alias() -> None:
    catalog = load_catalog()
    assert [m for e in catalog.models.values() for m in check_alias_releases(e)] == []


def test_notes_that_only_mention_the_release_do_not_cover_it() -> None:
    vl = model(
        "qwen3-vl-30b-a3b-instruct",
        "Qwen3-VL 30B-A3B Instruct",
        ("Qwen3-VL-30B-A3B-Thinking",),
        notes="Separate Instruct and Thinking releases share the shapes.",
    )
    assert "think" in flagged(vl)[0]
    think = model("olmo-3-32b-think", "OLMo 3 32B Think", ("Olmo-3-32B-Instruct",))
    assert "Instruct release" in flagged(think)[0]


def test_a_version_glued_to_the_name_is_its_own() -> None:
    assert flagged(model("internlm2.5-7b-chat", "InternLM2.5 7B Chat", ("InternLM 2.5 7B",))) == []
