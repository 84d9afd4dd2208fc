"""Values as people type them on the command line: a negative token count with a suffix
("-32k") refused by its range, not by the argument parser; a long unknown string echoed cut
short; a runtime release past the newest runlocal knows answered with a note saying whose
rules it got."""

from __future__ import annotations

import json

import pytest

from runlocal import cli
from runlocal.errors import SHOWN_CHARS, InputError, shown
from runlocal.runtime_releases import NEWEST_KNOWN_RELEASE, release_note
from runlocal.runtimes import get_runtime
from runlocal.weights import normalize_quant

BASE = ["check", "llama-3.1-8b-instruct", "--hardware", "RTX 3090"]


def _cli(capsys, *words: str) -> tuple[int, str, str]:
    code = cli.main([*BASE, *words])
    out, err = capsys.readouterr()
    return code, out, err


def test_shown_cuts_a_long_value_and_says_how_long_it_was() -> None:
    assert shown("Q4_K_M") == "'Q4_K_M'"
    assert shown("x" * SHOWN_CHARS) == repr("x" * SHOWN_CHARS)
    assert shown("x" * 2000) == repr("x" * SHOWN_CHARS + "…") + " (2,000 characters)"


def test_a_long_unknown_quantization_is_not_echoed_whole() -> None:
    typed = "Q4_K_MXYZ" * 40  # 360 characters
    with pytest.raises(InputError) as refused:
        normalize_quant(typed)
    said = str(refused.value)
    assert said.startswith(f"unknown quantization {typed[:SHOWN_CHARS]!r}"[:-1] + "…'")
    assert "(360 characters)" in said and typed not in said


@pytest.mark.parametrize(
    ("flag", "typed", "said"),
    [
        ("--quant", "Q4_K_MXYZ" * 40, "--quant: quantization is too long (40 characters at most)"),
        ("--runtime", "vllm@" + "9" * 36, "--runtime: runtime is too long (40 characters at most)"),
        ("--kv-type", "q" * 21, "--kv-type: KV cache type is too long (20 characters at most)"),
    ],
)
def test_a_setting_past_its_length_is_refused_as_the_page_and_the_api_refuse_it(
    capsys, flag, typed, said
) -> None:
    code, out, err = _cli(capsys, flag, typed)
    assert (code, out, err) == (2, "", f"runlocal: error: {said}\n")


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        # argparse took "-32k" for a flag: "argument --context: expected one argument".
        ("-32k", "--context -32768 is out of range (1–10,000,000)"),
        ("-1.5k", "--context -1536 is out of range (1–10,000,000)"),
        ("-5", "--context -5 is out of range (1–10,000,000)"),
        ("abc", "--context: 'abc' is not a number of tokens (write 8192, 32k or 128k)"),
    ],
)
def test_a_context_starting_with_a_minus_is_refused_by_its_range(capsys, typed, said) -> None:
    code, out, err = _cli(capsys, "--context", typed)
    assert (code, out, err) == (2, "", f"runlocal: error: {said}\n")


def test_a_flag_after_a_flag_still_reads_as_a_missing_value(capsys) -> None:
    code, _, err = _cli(capsys, "--context", "--json")
    assert (code, err) == (2, "runlocal: error: --context: expected one argument\n")


def test_a_runtime_release_past_the_newest_known_is_answered_with_a_note() -> None:
    assert NEWEST_KNOWN_RELEASE["llama.cpp"] == (10600,)
    note = release_note(get_runtime("llama.cpp@b999999"))
    assert note == (
        "llama.cpp build b999999 is newer than the newest runlocal knows (build b10600); "
        "answered with the rules of build b10600, so changes made since are not in it"
    )
    assert "release 9.0 is newer" in (release_note(get_runtime("vllm@9.0")) or "")
    # Known releases, and patches of the newest known one, say nothing.
    for name in ("llama.cpp@b10600", "llama.cpp@b6000", "vllm@0.21.4", "transformers@4.53"):
        assert release_note(get_runtime(name)) is None, name
    assert release_note(get_runtime("vllm")) is None
    # A runtime whose release changes none of the rules says so for any release given.
    assert release_note(get_runtime("ollama@0.5.1")) == (
        "Ollama 0.5.1: no rule of runlocal's depends on Ollama's release, so this is the "
        "answer for any release"
    )


def test_the_answer_carries_the_release_note(capsys) -> None:
    code, out, _ = _cli(capsys, "--runtime", "llama.cpp@b999999", "--json")
    assert code == 0
    notes = json.loads(out)["notes"]
    assert any(n.startswith("llama.cpp build b999999 is newer") for n in notes), notes
    code, out, _ = _cli(capsys, "--runtime", "llama.cpp@b6000", "--json")
    assert code == 0 and not any("is newer" in n for n in json.loads(out)["notes"])
