"""The quality model: published scores on one scale per task, quantization loss from
llama.cpp-style perplexity tables, and the merit that ranks (model, quant) pairs.

Every catalog entry here is factory-made with invented numbers."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from pathlib import Path
from typing import Any

import pytest

from runlocal.build_advice import group_models, rate
from runlocal.catalog import CATALOG_DIR, Catalog, catalog_date, load_catalog
from runlocal.quality import benchmark_key, quality_model
from runlocal.quant_loss import quant_tables, size_scaling
from runlocal.recommend import Fit

from .factories import LLAMA_3_1_8B, common, write_toml

# Invented perplexity tables: one modern 8B reference with KLD, one older family at two sizes.
QUANTS: dict[str, list[dict[str, Any]]] = {
    "Q8_0": [{"model": "LLaMA 3 8B", "ppl": 6.201, "ppl_f16": 6.2, "kld": 0.001}],
    "Q4_K_M": [
        {"model": "LLaMA 3 8B", "ppl": 6.4, "ppl_f16": 6.2, "kld": 0.03, "top1_agreement": 92.0},
        {"model": "LLaMA 2 7B", "ppl": 5.9, "ppl_f16": 5.8},
        {"model": "LLaMA 2 70B", "ppl": 3.45, "ppl_f16": 3.4},
    ],
    "Q2_K": [
        {"model": "LLaMA 3 8B", "ppl": 9.6, "ppl_f16": 6.2, "kld": 0.44, "top1_agreement": 71.0},
        {"model": "LLaMA 2 7B", "ppl": 6.4, "ppl_f16": 5.8},
        {"model": "LLaMA 2 70B", "ppl": 3.7, "ppl_f16": 3.4},
    ],
}


def _quants(root: Path) -> None:
    for quant, rows in QUANTS.items():
        slug = quant.lower().replace("_", "-")
        data = common(slug, quant)
        data["quant"] = quant
        write_toml(root / "quants" / f"{slug}.toml", data, arrays={"measurements": rows})


def _model(
    root: Path,
    id: str,
    params_b: float,
    scores: dict[str, float],
    *,
    family: str = "test",
    active_b: float | None = None,
) -> None:
    data = common(id, id.replace("-", " ").title())
    data.update(
        {
            "family": family,
            "params_total_b": params_b,
            "params_active_b": active_b or params_b,
            "modality": "text",
        }
    )
    quality = [
        {"task": "chat", "benchmark": b, "score": s, "scale": "percent", "source": "https://x.org"}
        for b, s in scores.items()
    ]
    write_toml(
        root / "models" / f"{id}.toml",
        data,
        {"architecture": dict(LLAMA_3_1_8B)},
        {"quality": quality},
    )


@pytest.fixture
def catalog(tmp_path: Path) -> Catalog:
    root = tmp_path / "catalog"
    _quants(root)
    # MMLU-Pro rises with size; four models also report IFEval (on another scale).
    _model(root, "t-8b", 8, {"MMLU-Pro (CoT, 5-shot)": 48.0, "IFEval (strict-prompt)": 70.0})
    _model(root, "t-14b", 14, {"MMLU-Pro": 56.0, "IFEval": 76.0})
    _model(root, "t-32b", 32, {"MMLU-Pro": 64.0, "IFEval": 82.0})
    _model(root, "t-70b", 70, {"MMLU-Pro": 68.0, "IFEval": 85.0})
    _model(root, "ifeval-only-14b", 14, {"IFEval": 79.0}, family="other")
    _model(root, "unscored-32b", 32, {}, family="lonely")
    _model(root, "sibling-32b", 32, {}, family="other")
    _model(root, "weak-70b", 70, {"MMLU-Pro": 60.0}, family="old")
    _model(root, "mmlu-only-8b", 8, {"MMLU-Pro": 50.0}, family="old")
    return Catalog(root=root)


def _fit(quant: str, decode: float = 30.0) -> Fit:
    return Fit(
        "comfortable", "", quant, 8192, quant, decode, decode, decode, 32768, 1, 2, 0, "estimated"
    )


def test_a_32b_at_q4_k_m_ranks_above_a_70b_at_q2_k_both_fitting(catalog: Catalog) -> None:
    m = catalog.models
    small = rate(catalog, m["t-32b"], _fit("Q4_K_M"), "chat")
    big = rate(catalog, m["t-70b"], _fit("Q2_K", decode=40.0), "chat")
    assert big.params_b == 70 and big.quality is not None and small.quality is not None
    assert [x.model_id for x in group_models([big, small])["comfortable"]] == ["t-32b", "t-70b"]
    assert "Q2_K" in (big.quality_basis or "") and "KLD 0.44" in (big.quality_basis or "")
    assert "large loss" in (big.quality_basis or "")


def test_a_70b_at_q4_k_m_beats_a_32b_at_q4_k_m_when_it_scores_higher(catalog: Catalog) -> None:
    m = catalog.models
    small = rate(catalog, m["t-32b"], _fit("Q4_K_M", decode=60.0), "chat")
    big = rate(catalog, m["t-70b"], _fit("Q4_K_M", decode=20.0), "chat")
    assert [x.model_id for x in group_models([small, big])["comfortable"]] == ["t-70b", "t-32b"]
    # A 70B that scores lower than the 32B does not win on size.
    weak = rate(catalog, m["weak-70b"], _fit("Q4_K_M", decode=20.0), "chat")
    assert [x.model_id for x in group_models([weak, small])["comfortable"]] == ["t-32b", "weak-70b"]


def test_scores_of_another_benchmark_are_mapped_onto_the_scale(catalog: Catalog) -> None:
    qm = quality_model(catalog)
    assert qm.scale["chat"] == "MMLU-Pro"  # the benchmark most models report
    ifeval = qm.maps["chat"]["ifeval"]
    assert ifeval.n == 4 and ifeval.r > 0.9
    only = qm.model_quality(catalog.models["ifeval-only-14b"], "chat")
    assert only is not None and not only.estimated
    # IFEval 79 lies between the 14B's 76 and the 32B's 82: so does its MMLU-Pro equivalent.
    assert 56.0 < only.value < 64.0
    assert "IFEval 79" in only.basis


def test_a_model_without_scores_is_estimated_from_size_and_ranked_below(catalog: Catalog) -> None:
    qm = quality_model(catalog)
    est = qm.model_quality(catalog.models["unscored-32b"], "chat")
    pub = qm.model_quality(catalog.models["t-32b"], "chat")
    assert est is not None and pub is not None and est.estimated and not pub.estimated
    line = qm.lines["chat"]
    assert est.z == pytest.approx(line.predict(32) - 0.5 * line.rmse)
    assert est.value == pytest.approx(qm.on_scale("chat", est.z))
    assert "estimated from size" in est.basis
    # A model of a family with scored members of its generation takes their offset.
    sib = qm.model_quality(catalog.models["sibling-32b"], "chat")
    kin = qm.model_quality(catalog.models["ifeval-only-14b"], "chat")
    assert sib is not None and kin is not None and sib.kin == 1
    offset = kin.z - line.predict(14)
    assert sib.z == pytest.approx(est.z + offset)
    assert "1 scored sibling" in sib.basis
    # No coding scores at all: every model is estimated, and bigger is better.
    e8 = qm.model_quality(catalog.models["t-8b"], "coding")
    e70 = qm.model_quality(catalog.models["t-70b"], "coding")
    assert e8 is not None and e70 is not None and e8.estimated and e70.value > e8.value


def test_quantization_loss_is_cited_and_shrinks_with_size(catalog: Catalog) -> None:
    qm = quality_model(catalog)
    small, big = qm.quant_loss("Q2_K", 8.0), qm.quant_loss("Q2_K", 70.0)
    assert small.nats == pytest.approx(math.log(9.6 / 6.2))
    assert big.nats is not None and small.nats is not None and big.nats < small.nats
    assert small.bucket == "large" and qm.quant_loss("Q4_K_M", 8.0).bucket == "small"
    assert "top-1 71%" in small.note and "LLaMA 3 8B" in small.note
    assert qm.quant_loss("F16", 8.0).nats == 0.0
    assert qm.quant_loss("AWQ-4BIT", 8.0).note.startswith("AWQ-4BIT (read as Q4_K_M)")
    assert qm.quant_loss("Q9_Z", 8.0).bucket == "unknown"
    # The size scaling comes from the invented LLaMA 2 7B/70B rows.
    nats, alpha = size_scaling(qm.tables)
    assert nats == pytest.approx(math.log(5.8 / 3.4) / math.log2(10))
    assert 0 < alpha < 1


def test_the_loss_comes_from_the_nearest_measurement_and_names_it(catalog: Catalog) -> None:
    qm = quality_model(catalog)
    # A Llama 2 model of 70B: the LLaMA 2 70B row, its own family, generation and size.
    own = qm.quant_loss("Q2_K", 70.0, "llama", "Llama 2 70B Chat")
    assert own.nats == pytest.approx(math.log(3.7 / 3.4))
    assert "LLaMA 2 70B (same family and generation)" in own.note and "scaled" not in own.note
    # A Llama 3 model of 70B: its generation's 8B row, scaled to its size, and said so.
    gen = qm.quant_loss("Q2_K", 70.0, "llama", "Llama 3.3 70B Instruct")
    assert "LLaMA 3 8B (same family and generation; loss scaled from 8B to 70B)" in gen.note
    assert gen.nats is not None and gen.nats < math.log(9.6 / 6.2)
    # Another family: no measurement of it, so the largest scaled loss, named as such.
    other = qm.quant_loss("Q2_K", 70.0, "qwen", "Qwen2.5 72B Instruct")
    assert "no measurement of qwen models" in other.note and "upper estimate" in other.note
    assert other.nats == pytest.approx(max(own.nats or 0, gen.nats))


def test_scores_stay_inside_their_scale(catalog: Catalog) -> None:
    """A linear map between percentages would carry a strong model past 100: maps, size lines
    and penalties work on logits, so every score, published, mapped or estimated, stays in
    0–100, and a quantization still costs something."""
    qm = quality_model(catalog)
    for entry in catalog.models.values():
        for task in ("chat", "coding", "reasoning"):
            q = qm.model_quality(entry, task)
            assert q is not None and 0.0 < q.value < 100.0
            for quant in ("Q2_K", "Q4_K_M"):
                m = qm.merit(entry, task, quant)
                assert m is not None and 0.0 < m.value <= q.value


def test_the_shipped_tables_give_a_sane_size_scaling() -> None:
    nats, alpha = size_scaling(quant_tables(Catalog(root=CATALOG_DIR)))
    assert 0.05 < nats < 0.5 and 0.0 < alpha < 1.0


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("MMLU-Pro (CoT, 5-shot)", "mmlu-pro"),
        ("MMLU-Pro (Open LLM Leaderboard v2)", None),
        ("GPQA Diamond (pass@1)", "gpqa-diamond"),
        ("GPQA", None),
        ("MATH-500 (pass@1)", "math-500"),
        ("MATH (CoT, 0-shot)", "math"),
        ("MATH Lvl 5 (Open LLM Leaderboard v2)", None),
        ("AIME 2024 (with tools)", None),
        ("LiveCodeBench v5 (2410-2502)", "livecodebench-v5"),
        ("LiveCodeBench (2305-2409, evaluated by Qwen)", "livecodebench-2305-2409"),
        ("LiveCodeBench", "livecodebench"),
        ("HumanEval+", None),
        ("HumanEval (0-shot)", "humaneval"),
        ("Arena-Hard v2", None),
        ("Chatbot Arena Elo", "arena-elo"),
    ],
)
def test_it_groups_benchmark_names(name: str, key: str | None) -> None:
    found = benchmark_key(name)
    assert (found[0] if found else None) == key


def test_no_shipped_model_scores_outside_its_scale() -> None:
    catalog = Catalog(root=CATALOG_DIR)
    qm = quality_model(catalog)
    for entry in catalog.models.values():
        for task in ("chat", "coding", "reasoning"):
            m = qm.merit(entry, task, "Q4_K_M")
            if m is not None:
                assert 0.0 <= m.value <= 100.0, (entry.id, task, m.value)


class _TextDates(Catalog):
    """The packaged catalog with every date as the ISO text the website's database stores."""

    def __init__(self, source: Catalog) -> None:
        super().__init__()
        self._source = source
        self._cache: dict[str, dict[str, Any]] = {}

    def entries(self, kind: str) -> dict[str, Any]:
        if kind not in self._cache:
            self._cache[kind] = {
                i: dataclasses.replace(e, data=_as_text(e.data))
                for i, e in self._source.entries(kind).items()
            }
        return self._cache[kind]


def _as_text(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _as_text(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_text(v) for v in value]
    return value


def test_a_date_reads_the_same_as_toml_or_as_the_databases_text() -> None:
    assert catalog_date(dt.date(2024, 7, 23)) == dt.date(2024, 7, 23)
    assert catalog_date("2024-07-23") == dt.date(2024, 7, 23)
    for other in (dt.datetime(2024, 7, 23, 12, 0), "23/07/2024", "", None, 20240723):
        assert catalog_date(other) is None


def test_estimated_quality_is_the_same_from_the_files_and_from_the_database() -> None:
    """An unscored model is estimated from its size and its scored siblings of the same
    family and generation (by release date). Read from the website's database, where dates
    are text, every model of a family once counted as one generation: the site and the CLI
    gave two scores for the same model."""
    files = load_catalog(CATALOG_DIR)
    text = _TextDates(files)
    by_files, by_text = quality_model(files), quality_model(text)
    compared = 0
    for entry in files.models.values():
        for task in ("chat", "coding"):
            a = by_files.model_quality(entry, task)
            if a is None or not a.estimated:
                continue
            b = by_text.model_quality(text.models[entry.id], task)
            assert b is not None and (a.value, a.kin) == (b.value, b.kin), (entry.id, task)
            compared += 1
    assert compared > 20
