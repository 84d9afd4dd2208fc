"""Every verdict the hand-written content states is the engine's verdict.

Buyer guides list their claims in `checks`; quick answers state one in `expect`. Each is
re-run through `runlocal.engine.check` on the packaged catalog, so an engine or catalog
change that contradicts a published sentence fails here, and the editors rewrite the text.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from runlocal.catalog import CATALOG_DIR, Catalog, load_catalog
from runlocal.engine import CheckQuery, check

VERDICTS = {"comfortable", "tradeoffs", "wont-run"}
_COUNT_RE = re.compile(r"^\s*(\d+)\s*[x×*]\s*(.+)$")
_MEM_RE = re.compile(r"^(.*?)\s+(\d+(?:\.\d+)?)\s*gb\s*$", re.IGNORECASE)


def _files(kind: str) -> list[Path]:
    return sorted((CATALOG_DIR / kind).glob("*.toml"))


def _guide_claims() -> list[tuple[str, dict[str, Any]]]:
    import tomllib

    out = []
    for path in _files("guides"):
        data = tomllib.loads(path.read_text("utf-8"))
        for i, claim in enumerate(data.get("checks", [])):
            out.append((f"{path.stem}[{i}]", claim))
    return out


def _answers() -> list[tuple[str, dict[str, Any]]]:
    import tomllib

    return [(p.stem, tomllib.loads(p.read_text("utf-8"))) for p in _files("answers")]


@pytest.fixture
def catalog(monkeypatch: pytest.MonkeyPatch) -> Catalog:
    monkeypatch.delenv("RUNLOCAL_CATALOG_DIR", raising=False)
    return load_catalog()


def _hardware_list(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    assert isinstance(value, list) and value, f"hardware must be a name or a list: {value!r}"
    return tuple(value)


def _base_hardware_id(text: str) -> str:
    """'2x nvidia-rtx-3090' → 'nvidia-rtx-3090'; 'apple-m4-max-40c 128GB' → 'apple-m4-max-40c'."""
    m = _COUNT_RE.match(text)
    if m:
        text = m.group(2)
    m = _MEM_RE.match(text)
    if m:
        text = m.group(1)
    return text.strip()


def _query(claim: dict[str, Any]) -> CheckQuery:
    ram = claim.get("ram_gb")
    return CheckQuery(
        model=claim["model"],
        hardware=_hardware_list(claim["hardware"]),
        quant=claim.get("quant") or None,
        context=claim.get("context"),
        runtime=claim.get("runtime") or "llama.cpp",
        ram_gb=float(ram) if ram is not None else None,
    )


def _assert_known_ids(claim: dict[str, Any], catalog: Catalog, where: str) -> None:
    assert claim["model"] in catalog.models, f"{where}: unknown model id {claim['model']!r}"
    for hw in _hardware_list(claim["hardware"]):
        base = _base_hardware_id(hw)
        assert base in catalog.hardware, f"{where}: unknown hardware id {base!r} (from {hw!r})"


def test_there_is_content_to_check() -> None:
    assert len(_files("guides")) >= 8
    assert len(_files("answers")) >= 40
    assert len(_files("kits")) >= 6
    assert _guide_claims()


@pytest.mark.parametrize(("where", "claim"), [pytest.param(w, c, id=w) for w, c in _guide_claims()])
def test_a_guide_claim_is_the_engines_verdict(
    where: str, claim: dict[str, Any], catalog: Catalog
) -> None:
    assert claim.get("expect") in VERDICTS, f"{where}: expect must be one of {sorted(VERDICTS)}"
    _assert_known_ids(claim, catalog, where)
    result = check(_query(claim), catalog).to_dict()
    assert result["verdict"] == claim["expect"], (
        f"{where}: the guide says {claim['expect']}, the engine says {result['verdict']} "
        f"({result['reason']})"
    )


@pytest.mark.parametrize(("where", "answer"), [pytest.param(w, a, id=w) for w, a in _answers()])
def test_a_quick_answer_is_the_engines_verdict(
    where: str, answer: dict[str, Any], catalog: Catalog
) -> None:
    for key in ("question", "model", "hardware", "quant", "context", "runtime", "expect", "answer"):
        assert answer.get(key) not in (None, ""), f"{where}: {key} is missing"
    assert answer["expect"] in VERDICTS
    _assert_known_ids(answer, catalog, where)
    result = check(_query(answer), catalog).to_dict()
    assert result["verdict"] == answer["expect"], (
        f"{where}: the answer says {answer['expect']}, the engine says {result['verdict']} "
        f"({result['reason']})"
    )


def test_every_pick_names_catalog_hardware(catalog: Catalog) -> None:
    import tomllib

    for path in _files("guides"):
        data = tomllib.loads(path.read_text("utf-8"))
        picks = data.get("picks", [])
        assert picks, f"{path.name}: no picks"
        for pick in picks:
            hw = _base_hardware_id(pick["hardware"])
            assert hw in catalog.hardware, f"{path.name}: pick {hw!r} is not catalog hardware"
            assert pick.get("why"), f"{path.name}: pick {hw!r} has no reason"
            price = pick.get("price_usd")
            assert price is None or (isinstance(price, int | float) and price > 0)


def test_editorial_files_parse_and_carry_their_fields(catalog: Catalog) -> None:
    required = {
        "guides": ("summary", "body", "picks", "checks", "updated"),
        "learn": ("summary", "chapters"),
        "kits": ("family", "task", "chat_template", "system_prompt", "body", "settings"),
        "answers": ("question", "answer"),
        "pages": ("title", "summary", "body"),
    }
    for kind, keys in required.items():
        entries = catalog.entries(kind)
        assert entries, f"no {kind}"
        for e in entries.values():
            for key in keys:
                assert e.get(key) not in (None, "", []), f"{kind}/{e.id}.toml: {key} missing"
    for e in catalog.entries("learn").values():
        for ch in e.get("chapters"):
            assert ch.get("slug") and ch.get("title") and ch.get("body") and ch.get("minutes")
