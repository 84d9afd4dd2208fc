"""The resolver against names as people type them (tests/core/data/typed_names/*.tsv).

Each line: what was typed, the expected reading (an entry id with mem=/count=/quant=, or
"refuse"), and where that way of typing comes from. A right answer matches; a refusal of a
line that has an answer is counted but allowed up to a small share; a wrong entry, memory,
count or quant is never allowed: a silent wrong answer is worse than a question back.
"""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

from runlocal.catalog import load_catalog
from runlocal.errors import InputError
from runlocal.resolve.hardware import resolve_hardware_name
from runlocal.resolve.models import resolve_model_name

DATA = Path(__file__).with_name("data") / "typed_names"


@dataclass(frozen=True)
class Line:
    typed: str
    expected: dict[str, str]  # {"id": ..., "mem": ..., "count": ..., "quant": ...} or {}
    source: str


def read(name: str) -> list[Line]:
    lines: list[Line] = []
    with (DATA / name).open(encoding="utf-8", newline="") as f:
        rows = [r for r in csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE) if r]
    for row in rows:
        if row[0].startswith("#") or row[0] == "typed":
            continue
        typed, expected, source = row[0], row[1], row[2] if len(row) > 2 else ""
        parts = expected.split()
        want = {} if parts == ["refuse"] else {"id": parts[0]}
        for p in parts[1:]:
            key, _, value = p.partition("=")
            want[key] = value
        lines.append(Line(typed, want, source))
    return lines


def hardware_answer(catalog, typed: str) -> dict[str, str]:
    (part,) = resolve_hardware_name(catalog, typed)
    configs = part.entry.get("memory_configs_gib") or []
    memory = part.memory_gib if part.memory_gib is not None else part.entry.get("memory_gib")
    out = {"id": part.entry.id, "count": str(part.count)}
    if len(configs) > 1:
        out["mem"] = f"{float(memory):g}"
    return out


def model_answer(catalog, typed: str) -> dict[str, str]:
    name = resolve_model_name(catalog, typed)
    quant = name.quant or name.default_quant
    return {"id": name.entry.id, **({"quant": quant} if quant else {})}


def score(lines: list[Line], answer) -> tuple[Counter[str], list[str]]:
    catalog = load_catalog()
    tally: Counter[str] = Counter()
    wrong: list[str] = []
    for line in lines:
        try:
            got = answer(catalog, line.typed)
        except InputError:
            tally["refused" if line.expected else "right"] += 1
            continue
        want = dict(line.expected)
        if not want:
            tally["wrong"] += 1
            wrong.append(f"{line.typed!r}: expected a refusal, got {got}")
            continue
        if "count" in got:
            want.setdefault("count", "1")
        if "mem" in want:
            want["mem"] = f"{float(want['mem']):g}"
        else:
            got.pop("mem", None)
        if "quant" not in want:
            got.pop("quant", None)
        if {k: got.get(k) for k in want} == want:
            tally["right"] += 1
        else:
            tally["wrong"] += 1
            wrong.append(f"{line.typed!r}: expected {line.expected}, got {got}")
    return tally, wrong


@pytest.mark.parametrize(
    ("name", "answer"), [("hardware.tsv", hardware_answer), ("models.tsv", model_answer)]
)
def test_typed_names_are_understood_and_never_silently_wrong(name: str, answer) -> None:
    lines = read(name)
    assert len(lines) >= 200
    tally, wrong = score(lines, answer)
    assert not wrong, f"{len(wrong)} silent wrong answers:\n" + "\n".join(wrong)
    assert tally["right"] / len(lines) >= 0.95, tally


def test_the_names_page_shows_these_counts() -> None:
    """docs/names.md quotes the counts this test set gives today."""
    page = (Path(__file__).resolve().parents[2] / "docs" / "names.md").read_text(encoding="utf-8")
    for label, name, answer in (
        ("hardware", "hardware.tsv", hardware_answer),
        ("models", "models.tsv", model_answer),
    ):
        lines = read(name)
        tally, _ = score(lines, answer)
        row = (
            f"| {label} | {len(lines)} | {tally['right']} | {tally['wrong']} | {tally['refused']} |"
        )
        assert row in page, f"docs/names.md is stale: expected the row {row}"
