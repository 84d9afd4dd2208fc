"""Session 16 names4 rules (docs/names.md, "session 16 names4"): each a general reading rule,
checked by hand on small cases."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from runlocal.catalog import Entry, load_catalog
from runlocal.errors import AmbiguousNameError, InputError
from runlocal.resolve.hardware import resolve_hardware_name
from runlocal.resolve.model_releases import release_siblings
from runlocal.resolve.models import resolve_model_name
from runlocal.validate import check_sibling_aliases


def hardware(text: str) -> tuple[str, int]:
    (part,) = resolve_hardware_name(load_catalog(), text)
    return part.entry.id, part.count


def model(text: str) -> str:
    return resolve_model_name(load_catalog(), text).entry.id


def entry(id: str, name: str, aliases: tuple[str, ...] = (), **data: Any) -> Entry:
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


# --- releases told apart only by their tune word -------------------------------------------


def test_siblings_are_names_equal_but_for_the_tune_word_released_within_a_month() -> None:
    july = dt.date(2025, 7, 29)
    entries = {
        e.id: e
        for e in (
            entry("a-instruct", "A 30B Instruct 2507", release_date=july),
            entry("a-thinking", "A 30B Thinking 2507", release_date=july + dt.timedelta(days=1)),
            # 118 days apart (Kimi K2, July; K2 Thinking, November): the name was the first's.
            entry("k-instruct", "K 2 Instruct", release_date=dt.date(2025, 7, 11)),
            entry("k-thinking", "K 2 Thinking", release_date=dt.date(2025, 11, 6)),
            # No date recorded: neither can be said to own the name.
            entry("v-instruct", "V 8B Instruct"),
            entry("v-thinking", "V 8B Thinking"),
            # No tune word in the name: no sibling.
            entry("plain", "A 30B 2507"),
        )
    }
    assert release_siblings(entries) == {
        "a-instruct": ("a-thinking",),
        "a-thinking": ("a-instruct",),
        "v-instruct": ("v-thinking",),
        "v-thinking": ("v-instruct",),
    }


@pytest.mark.parametrize(
    "text",
    [
        "Qwen3 30B A3B 2507",
        "Qwen3-30B-A3B-2507",
        "Qwen3 4B 2507",
        "Qwen3-235B-A22B-2507",
        "qwen3:30b-a3b-2507",  # no such library tag: read as a name
        "Qwen3-Next-80B-A3B",
        "Qwen3 VL 30B A3B",
    ],
)
def test_a_name_without_the_tune_word_of_two_releases_asks_which(text: str) -> None:
    with pytest.raises(AmbiguousNameError):
        resolve_model_name(load_catalog(), text)


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("qwen3 30b a3b 2507 instruct", "qwen3-30b-a3b-instruct-2507"),
        ("qwen3-30b-a3b-2507 thinking", "qwen3-30b-a3b-thinking-2507"),
        ("Qwen/Qwen3-30B-A3B-Thinking-2507-FP8", "qwen3-30b-a3b-thinking-2507"),
        ("qwen3-next:80b", "qwen3-next-80b-a3b-instruct"),  # the library's tag names one
        ("Kimi K2", "kimi-k2-instruct"),  # K2 Thinking came four months later
        ("phi 4 mini", "phi-4-mini-instruct"),
        ("Qwen3 30B A3B", "qwen3-30b-a3b"),  # the hybrid release has no tune word
    ],
)
def test_a_tune_word_typed_or_a_name_older_than_its_sibling_still_answers(
    text: str, want: str
) -> None:
    assert model(text) == want


def test_catalog_check_refuses_an_alias_that_names_both_releases() -> None:
    both = entry("a-instruct", "A 30B Instruct", ("A-30B", "A-30B-Instruct", "a:30b", "o/A-30B"))
    siblings = {"a-instruct": ("a-thinking",)}

    models = {"a-thinking": entry("a-thinking", "A 30B Thinking")}
    errors = [str(e) for e in check_sibling_aliases(both, siblings, models)]
    assert len(errors) == 1 and "'A-30B'" in errors[0]


# --- models named in a sentence, glued versions, commands ----------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "what's the difference between qwen3 8b and qwen3 14b",  # a run with unknown words
        "qwen 32b or llama 3.1 8b",  # a run naming several models
        "dolphin-llama3:8b",  # Dolphin 2.9 on Llama 3, not Dolphin 3.0
    ],
)
def test_a_second_model_or_a_glued_version_is_not_dropped(text: str) -> None:
    with pytest.raises(InputError):
        resolve_model_name(load_catalog(), text)


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("how much vram does llama 3.3 70b need", "llama-3.3-70b-instruct"),
        ("Quanto VRAM serve per Llama 3.3 70B?", "llama-3.3-70b-instruct"),
        ("hf download Qwen/Qwen3-4B-Instruct-2507", "qwen3-4b-instruct-2507"),
        ('huggingface-cli download unsloth/Qwen3-32B-GGUF --include "*Q4_K_M*"', "qwen3-32b"),
        ("Dolphin3.0-Llama3.1-8B", "dolphin3.0-llama3.1-8b"),
    ],
)
def test_questions_and_download_commands(text: str, want: str) -> None:
    assert model(text) == want


def test_a_download_command_with_a_file_reads_the_file_quant() -> None:
    name = resolve_model_name(
        load_catalog(),
        "hf download bartowski/Qwen_Qwen3-14B-GGUF Qwen_Qwen3-14B-Q5_K_M.gguf --local-dir .",
    )
    assert (name.entry.id, name.quant) == ("qwen3-14b", "Q5_K_M")


# --- hardware: other languages' laptop and count words -------------------------------------


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("ноутбук с RTX 4060", "nvidia-rtx-4060-laptop"),
        ("portátil con RTX 4070", "nvidia-rtx-4070-laptop"),
        ("笔记本 4060", "nvidia-rtx-4060-laptop"),
        ("游戏本 RTX 4060", "nvidia-rtx-4060-laptop"),
        ("ordinateur portable RTX 4080", "nvidia-rtx-4080-laptop"),
        ("ノートPC RTX 4070", "nvidia-rtx-4070-laptop"),
        ("RTX 4060", "nvidia-rtx-4060"),  # no laptop word: the card
    ],
)
def test_a_laptop_said_in_another_language(text: str, want: str) -> None:
    assert hardware(text)[0] == want


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("两张3090", 2),
        ("双卡3090", 2),
        ("四卡4090", 4),
        ("RTX 3090 2枚", 2),
        ("4枚のRTX 4090", 4),
        ("Dos RTX 3090", 2),
        ("zwei RTX 3090", 2),
        ("две RTX 3090", 2),
        ("a pair of 3090s", 2),
        ("Palit GeForce RTX 4060 Ti Dual 16GB", 1),  # a board line, not a count
    ],
)
def test_counts_said_in_other_languages(text: str, count: int) -> None:
    assert hardware(text)[1] == count


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("Meta-Llama-3.1-8B-Instruct.Q4_0.llamafile", ("llama-3.1-8b-instruct", "Q4_0")),
        ("https://www.modelscope.cn/models/Qwen/Qwen3-8B", ("qwen3-8b", None)),
    ],
)
def test_a_llamafile_and_a_modelscope_page(text: str, want: tuple[str, str | None]) -> None:
    name = resolve_model_name(load_catalog(), text)
    assert (name.entry.id, name.quant) == want


def test_a_code_hosts_page_names_no_model() -> None:
    with pytest.raises(InputError):
        resolve_model_name(load_catalog(), "https://github.com/QwenLM/Qwen3")


@pytest.mark.parametrize(
    ("text", "count"),
    [("4090 24G*2", 2), ("RTX A6000 ×2 (NVLink)", 2), ("RTX 4090 24G", 1)],
)
def test_a_count_after_a_size_or_an_emptied_bracket(text: str, count: int) -> None:
    assert hardware(text)[1] == count


def test_a_quantizers_repo_is_found_as_a_repo_never_as_a_name() -> None:
    # antirez/deepseek-v4-gguf holds DeepSeek-V4-Flash: the repo answers, its words do not.
    assert model("antirez/deepseek-v4-gguf") == "deepseek-v4-flash"
    with pytest.raises(InputError):
        resolve_model_name(load_catalog(), "DeepSeek V4")
