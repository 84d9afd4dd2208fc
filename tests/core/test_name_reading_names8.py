"""Session 17 names8 rules (docs/names.md, "Session 17 names8 rules"): each a general reading
rule, checked by hand on small cases."""

from __future__ import annotations

import pytest

from runlocal.catalog import load_catalog
from runlocal.errors import InputError

from .reading import hardware


@pytest.mark.parametrize(
    "typed",
    [
        "Precision 5690 RTX 5000 Ada",  # a laptop; its RTX 5000 Ada Laptop GPU is not the card
        "Dell Precision 7780 RTX A5000",
        "Precision 5690 RTX 2000 Ada",
        "Precision 7960 RTX 5000 Ada",  # a tower, but nothing typed says so: asked, not guessed
    ],
)
def test_a_workstation_gpu_in_a_line_sold_both_ways_is_never_the_card_by_default(
    typed: str,
) -> None:
    with pytest.raises(InputError):
        hardware(typed)


def test_a_desktop_word_still_names_the_workstation_card() -> None:
    assert hardware("Precision 7960 Tower RTX 5000 Ada") == ("nvidia-rtx-5000-ada", 1)
    assert hardware("Dell Precision 3680 Tower RTX 4000 Ada") == ("nvidia-rtx-4000-ada", 1)


def test_a_consumer_gpu_with_no_laptop_part_is_read_as_before() -> None:
    # NVIDIA made no laptop RTX 3090; the rule is about workstation GPUs only
    assert hardware("Alienware R15 RTX 3090") == ("nvidia-rtx-3090", 1)


def test_zbook_and_thinkpad_are_laptop_only_lines() -> None:
    assert hardware("ZBook Studio G10 RTX 4070") == ("nvidia-rtx-4070-laptop", 1)
    assert hardware("ThinkPad P1 Gen 7 RTX 4060") == ("nvidia-rtx-4060-laptop", 1)
    with pytest.raises(InputError):  # the laptop RTX 5000 Ada, which the catalog lacks
        hardware("ZBook Fury G11 RTX 5000 Ada")


def model(text: str) -> str:
    from runlocal.resolve.models import resolve_model_name

    return resolve_model_name(load_catalog(), text).entry.id


def test_spoken_numbers_are_read_as_digits() -> None:
    from runlocal.resolve.models_respelled import spoken_readings

    known = frozenset({"zero", "gemma", "qwen"})
    assert spoken_readings(known, "gemma four 31b") == ["gemma 4 31b"]
    assert spoken_readings(known, "qwen three point five twenty seven b") == ["qwen 3.5 27 b"]
    assert spoken_readings(known, "r1 zero") == []  # a word the catalog's names use
    assert model("gemma four 31b") == "gemma-4-31b-it"
    assert model("qwen three point five 27b") == "qwen3.5-27b"


def test_a_series_number_before_the_screen_size_names_a_laptop() -> None:
    assert hardware("Lenovo Legion 7 16 RTX 5070 Ti") == ("nvidia-rtx-5070-ti-laptop", 1)
    assert hardware("Legion Pro 7 16 RTX 4090") == ("nvidia-rtx-4090-laptop", 1)
    with pytest.raises(InputError):  # 16GB is memory, not a screen: still "which one?"
        hardware("Legion 7 16GB RTX 4090")
