"""How good a model is for a use, and what a quantization costs of it.

Three steps, each from published numbers (docs/methodology.md, "Quality"):

1. **Model quality per task, on one scale.** A model file's `[[quality]]` scores are grouped by
   benchmark (settings in parentheses ignored: "MMLU-Pro (CoT, 5-shot)" is MMLU-Pro; each
   LiveCodeBench window is its own benchmark). Each task has anchor benchmarks. The anchor
   that most catalog models report sets the task's scale; every other anchor is mapped onto it
   by a straight line fitted (reduced major axis) on the models that report both, and only
   when at least `MIN_OVERLAP` models do and they agree (correlation ≥ `MIN_R`). A model's
   quality is the mean of its mapped scores, so models are compared on the same benchmark.
   A model with no usable score is *estimated from size*: a least-squares line through the
   scored models (log2 of effective parameters and release year), less half its residual
   error, so that an estimate ranks below a published score of the same level.
2. **Quantization loss.** llama.cpp's perplexity tables (the `quants/` files): the loss of a
   type is ln(PPL / PPL_F16) on LLaMA 3 8B, the most quantization-sensitive modern reference,
   shrunk for larger models by the exponent the same tables show between sizes of one family
   (LLaMA 7B→13B, Llama 2 7B→70B).
3. **Merit** of (model, quant) = quality − loss in quality points. The conversion uses the
   tables again: the F16 perplexity gap between sizes of one family gives nats per doubling of
   parameters, so a loss is "as if the model were k doublings smaller", and k doublings cost
   k × the catalog's quality points per doubling (the slope of step 1's size line).

Standard library only; cached per loaded catalog.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
import weakref
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from statistics import fmean
from typing import Any

from .catalog import Catalog, Entry, catalog_date, code_stamp, derived_cached
from .quant_loss import (
    LIKE_GGUF,
    UNQUANTIZED,
    QuantLoss,
    finite_number,
    is_native,
    loss_bucket,
    nearest_measurement,
    quant_tables,
    size_scaling,
)

TASKS = ("chat", "coding", "reasoning")

# Anchor benchmarks per task, most telling first (a tie in reporting count goes to the first).
# Chat: Arena-Hard and IFEval are about answering and following instructions; MMLU-Pro adds
# general knowledge and is reported for most models. Reasoning: graduate science (GPQA
# Diamond), competition maths (MATH-500, AIME, MATH) and MMLU-Pro. Coding: LiveCodeBench
# (each problem window separately: their difficulty differs) and HumanEval.
TASK_ANCHORS: dict[str, tuple[str, ...]] = {
    "chat": ("arena-hard", "ifeval", "arena-elo", "mmlu-pro"),
    "coding": ("livecodebench*", "humaneval"),
    "reasoning": ("gpqa-diamond", "math-500", "aime-2024", "aime-2025", "math", "mmlu-pro"),
}
MIN_OVERLAP = 4  # models reporting both benchmarks before one is mapped onto the other
MIN_R = 0.5  # their scores must agree at least this well (Pearson correlation)
ESTIMATE_MARGIN = 0.5  # an estimate from size is lowered by this share of the fit's RMSE
GENERATION_YEARS = 1.0  # same family released within this many years: same generation
# Used only when the catalog has too few scores for a task to fit a slope (a test catalog):
# quality per doubling of parameters, in logits (Qwen2.5 7B→72B Instruct gain about 5
# MMLU-Pro points per doubling near the middle of the scale: 0.2 logits).
DEFAULT_POINTS_PER_DOUBLING = 0.2
# Percent scores are bounded: maps, size lines and quantization penalties work on their
# logits, so no mapped, estimated or penalised score leaves 0–100. Scores at the very ends
# are read as these bounds (a logit of ±5.3).
PERCENT_FLOOR, PERCENT_CEILING = 0.5, 99.5
# Patterns as text: re compiles (and caches) them on first use, which only building the
# quality fit does, never a check answered from its cached copy.
_EXCLUDE = r"open llm leaderboard|with tools|maj@|normali[sz]ed"
_LCB = r"^livecodebench\b\s*(v\d+)?\s*(?:\((\d{4}\s*-\s*\d{4}))?"
_BENCHMARKS: tuple[tuple[str, str, str, str], ...] = (
    ("mmlu-pro", "MMLU-Pro", "percent", r"^mmlu-pro\b"),
    ("gpqa-diamond", "GPQA Diamond", "percent", r"^gpqa[- ]diamond\b"),
    ("math-500", "MATH-500", "percent", r"^math-500\b"),
    ("math", "MATH", "percent", r"^math\b(?![- ]?(500|lvl|level))"),
    ("aime-2024", "AIME 2024", "percent", r"^aime\s*(20)?24\b"),
    ("aime-2025", "AIME 2025", "percent", r"^aime\s*(20)?25\b"),
    ("humaneval", "HumanEval", "percent", r"^humaneval(?![+]|\s*plus)\b"),
    ("arena-hard", "Arena-Hard", "percent", r"^arena-?hard(?!.*v2)"),
    ("ifeval", "IFEval", "percent", r"^ifeval\b"),
    ("arena-elo", "Chatbot Arena Elo", "elo", r"^(chatbot arena|lmarena)"),
)


@functools.lru_cache(maxsize=1024)
def benchmark_key(name: str) -> tuple[str, str] | None:
    """(key, label) of a published benchmark name, or None when it is not an anchor."""
    name = name.strip()
    if re.search(_EXCLUDE, name, re.I):
        return None
    m = re.match(_LCB, name, re.I)
    if m:
        version, window = m.group(1), m.group(2)
        if window:
            window = re.sub(r"\s+", "", window)
        if (version and version.lower() == "v5") or window == "2410-2502":
            return "livecodebench-v5", "LiveCodeBench v5"
        if window:
            return f"livecodebench-{window}", f"LiveCodeBench ({window})"
        if version:
            return f"livecodebench-{version.lower()}", f"LiveCodeBench {version.lower()}"
        return "livecodebench", "LiveCodeBench"
    for key, label, _scale, pattern in _BENCHMARKS:
        if re.search(pattern, name, re.I):
            return key, label
    return None


def _expected_scale(key: str) -> str:
    return "elo" if key == "arena-elo" else "percent"


def to_linear(value: float, key: str) -> float:
    """A published score where straight lines hold: the logit of a percentage (bounded at
    both ends), an Elo rating as it is (already a logit of win odds, unbounded)."""
    if _expected_scale(key) != "percent":
        return value
    p = min(max(value, PERCENT_FLOOR), PERCENT_CEILING) / 100.0
    return math.log(p / (1.0 - p))


def from_linear(z: float, key: str) -> float:
    """The inverse of to_linear: back onto the benchmark's own scale."""
    if _expected_scale(key) != "percent":
        return z
    return 100.0 / (1.0 + math.exp(-z))


@functools.lru_cache(maxsize=1024)
def in_task(key: str, task: str) -> bool:
    for anchor in TASK_ANCHORS.get(task, ()):
        if (anchor.endswith("*") and key.startswith(anchor[:-1])) or key == anchor:
            return True
    return False


@functools.lru_cache(maxsize=1024)
def _anchor_order(key: str, task: str) -> int:
    for i, anchor in enumerate(TASK_ANCHORS[task]):
        if (anchor.endswith("*") and key.startswith(anchor[:-1])) or key == anchor:
            return i
    return len(TASK_ANCHORS[task])


@dataclass(frozen=True)
class Score:
    """One published score, as the model file gives it."""

    key: str
    label: str
    benchmark: str  # as published, settings included
    score: float
    source: str
    date: dt.date | None

    @property
    def text(self) -> str:
        return f"{self.label} {self.score:g}"


def published_scores(data: Mapping[str, Any]) -> list[Score]:
    """The anchor-benchmark scores of a model file's `[[quality]]` entries."""
    items = data.get("quality")
    out: list[Score] = []
    if not isinstance(items, list):
        return out
    for q in items:
        if not isinstance(q, Mapping):
            continue
        score = finite_number(q.get("score"))
        found = benchmark_key(str(q.get("benchmark") or ""))
        if score is None or found is None:
            continue
        key, label = found
        if str(q.get("scale") or "percent") != _expected_scale(key):
            continue
        date = q.get("date")
        out.append(
            Score(
                key=key,
                label=label,
                benchmark=str(q.get("benchmark")),
                score=score,
                source=str(q.get("source") or ""),
                date=catalog_date(date),
            )
        )
    return out


def effective_params_b(entry: Entry | Mapping[str, Any]) -> float | None:
    """Billions of parameters that set quality: the total for a dense model; for a mixture of
    experts the geometric mean of total and active (a rule of thumb, not a measurement)."""
    data = entry.data if isinstance(entry, Entry) else entry
    total = finite_number(data.get("params_total_b"))
    if total is None or total <= 0:
        return None
    active = finite_number(data.get("params_active_b"))
    if active is None or active <= 0 or active >= total:
        return total
    return math.sqrt(total * active)


def _years(entry: Entry) -> float:
    # catalog_date: the website's database stores the date as text; read as no date, every
    # model of a family counted as the same generation there and the estimate differed from
    # the CLI's.
    d = catalog_date(entry.get("release_date"))
    if d is None:
        return 0.0
    return (d - dt.date(2023, 1, 1)).days / 365.25


# --- fitting helpers -------------------------------------------------------------------


@dataclass(frozen=True)
class LinearMap:
    """score on the task scale = slope × published score + offset, both as to_linear reads
    them (logits for percentages), so that a mapped score stays inside the scale."""

    key: str
    label: str
    slope: float
    offset: float
    n: int  # models that report both (0 for the scale itself)
    r: float

    def apply(self, x: float) -> float:
        return self.slope * x + self.offset


def _rma(xs: Sequence[float], ys: Sequence[float]) -> tuple[float, float, float] | None:
    """Reduced-major-axis line through (x, y): (slope, offset, r); None when it is not
    defined or the two disagree."""
    n = len(xs)
    if n < MIN_OVERLAP:
        return None
    mx, my = fmean(xs), fmean(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    if sxx <= 0 or syy <= 0:
        return None
    r = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / math.sqrt(sxx * syy)
    if r < MIN_R:
        return None
    slope = math.sqrt(syy / sxx)
    return slope, my - slope * mx, r


def _least_squares(rows: Sequence[Sequence[float]], ys: Sequence[float]) -> list[float] | None:
    """Ordinary least squares by the normal equations (a few columns only)."""
    k = len(rows[0]) if rows else 0
    if k == 0 or len(rows) < k + 1:
        return None
    a = [[sum(r[i] * r[j] for r in rows) for j in range(k)] for i in range(k)]
    b = [sum(r[i] * y for r, y in zip(rows, ys, strict=True)) for i in range(k)]
    for col in range(k):  # Gaussian elimination with partial pivoting
        piv = max(range(col, k), key=lambda i: abs(a[i][col]))
        if abs(a[piv][col]) < 1e-12:
            return None
        a[col], a[piv] = a[piv], a[col]
        b[col], b[piv] = b[piv], b[col]
        for i in range(col + 1, k):
            f = a[i][col] / a[col][col]
            for j in range(col, k):
                a[i][j] -= f * a[col][j]
            b[i] -= f * b[col]
    x = [0.0] * k
    for i in reversed(range(k)):
        x[i] = (b[i] - sum(a[i][j] * x[j] for j in range(i + 1, k))) / a[i][i]
    return x


@dataclass(frozen=True)
class SizeLine:
    """quality ≈ intercept + per_doubling × log2(effective billions of parameters), with
    quality as to_linear reads the task's scale (logits for a percentage)."""

    intercept: float
    per_doubling: float
    rmse: float
    n: int

    def predict(self, params_b: float) -> float:
        return self.intercept + self.per_doubling * math.log2(params_b)


def _fit_size_line(points: Sequence[tuple[float, float]]) -> SizeLine:
    """points: (log2 params, quality)."""
    if not points:
        return SizeLine(0.0, DEFAULT_POINTS_PER_DOUBLING, 0.0, 0)
    ys = [p[1] for p in points]
    coef = _least_squares([(1.0, p[0]) for p in points], ys) if len(points) >= 3 else None
    if coef is None or coef[1] <= 0:
        slope = DEFAULT_POINTS_PER_DOUBLING
        coef = [fmean(y - slope * p[0] for p, y in zip(points, ys, strict=True)), slope]
    residuals = [y - (coef[0] + coef[1] * p[0]) for p, y in zip(points, ys, strict=True)]
    rmse = math.sqrt(fmean(r * r for r in residuals))
    return SizeLine(coef[0], coef[1], rmse, len(points))


# --- the model ------------------------------------------------------------------------


@dataclass(frozen=True)
class ModelQuality:
    """A model's standing on one task: published scores, or an estimate from its size."""

    task: str
    value: float  # on the task's scale
    scale: str  # the label of the scale benchmark
    estimated: bool  # from size, no published score on the task's anchors
    scores: tuple[Score, ...]  # the published scores used
    kin: int = 0  # estimated: scored models of the same family and generation it follows
    z: float = 0.0  # value as to_linear reads the scale (logit of a percentage)

    @property
    def basis(self) -> str:
        if self.estimated:
            kin = f" and {self.kin} scored {'sibling' if self.kin == 1 else 'siblings'}"
            return f"{self.task}: no published score; estimated from size{kin if self.kin else ''}"
        used = ", ".join(s.text for s in self.scores)
        return f"{self.task}: {used} (published)"


@dataclass(frozen=True)
class Merit:
    """Quality of a model at a quantization for a task, in points of the task's scale."""

    value: float
    model: ModelQuality
    loss: QuantLoss
    penalty: float  # points taken off for the quantization

    @property
    def estimated(self) -> bool:
        return self.model.estimated

    @property
    def basis(self) -> str:
        """One line with the numbers: what the quality rests on and what the quant costs."""
        q = self.model
        head = f"{q.basis} → {q.value:.1f} on the {q.scale} scale"
        cost = f"{self.loss.note}"
        if self.penalty >= 0.05:
            cost += f", −{self.penalty:.1f} at this size"
        return f"{head}; {cost}."


class QualityModel:
    """The fitted scales, size lines and quantization tables of one catalog."""

    def __init__(self, catalog: Catalog) -> None:
        self.tables = quant_tables(catalog)
        self.nats_per_doubling, self.size_exponent = size_scaling(self.tables)
        # quant_loss per (quant, size, family, name, native): a check asks once per task.
        self._losses: dict[tuple[str, float | None, str | None, str | None, bool], QuantLoss] = {}
        # model_quality per (model id, task): the same at every quantization a check asks.
        self._qualities: dict[tuple[str, str], ModelQuality | None] = {}
        models = [e for e in catalog.models.values() if effective_params_b(e) is not None]
        self._scores = {e.id: published_scores(e.data) for e in models}
        self.scale: dict[str, str] = {}
        self.scale_key: dict[str, str] = {}
        self.maps: dict[str, dict[str, LinearMap]] = {}
        self.lines: dict[str, SizeLine] = {}
        self._published: dict[str, dict[str, ModelQuality]] = {}
        # (family, years since 2023, quality − size line) of each model with published scores
        self._residuals: dict[str, list[tuple[str, float, float]]] = {}
        for task in TASKS:
            self._fit_task(task, models)

    def _fit_task(self, task: str, models: Sequence[Entry]) -> None:
        table: dict[str, dict[str, float]] = {}
        labels: dict[str, str] = {}
        for e in models:
            by_key: dict[str, list[float]] = {}
            for s in self._scores[e.id]:
                if in_task(s.key, task):
                    by_key.setdefault(s.key, []).append(s.score)
                    labels[s.key] = s.label
            if by_key:
                table[e.id] = {k: fmean(v) for k, v in by_key.items()}
        counts: dict[str, int] = {}
        for scores in table.values():
            for k in scores:
                counts[k] = counts.get(k, 0) + 1
        maps: dict[str, LinearMap] = {}
        if counts:
            scale = min(counts, key=lambda k: (-counts[k], _anchor_order(k, task), k))
            maps[scale] = LinearMap(scale, labels[scale], 1.0, 0.0, 0, 1.0)
            self.scale[task] = labels[scale]
            self.scale_key[task] = scale
            rejected: set[str] = set()
            while True:
                best: tuple[str, list[float], list[float]] | None = None
                for key in sorted(set(counts) - set(maps) - rejected):
                    xs: list[float] = []
                    ys: list[float] = []
                    for scores in table.values():
                        known = [
                            maps[k].apply(to_linear(v, k)) for k, v in scores.items() if k in maps
                        ]
                        if key in scores and known:
                            xs.append(to_linear(scores[key], key))
                            ys.append(fmean(known))
                    if len(xs) >= MIN_OVERLAP and (best is None or len(xs) > len(best[1])):
                        best = (key, xs, ys)
                if best is None:
                    break
                key, xs, ys = best
                fit = _rma(xs, ys)
                if fit is None:
                    rejected.add(key)
                    continue
                maps[key] = LinearMap(key, labels[key], fit[0], fit[1], len(xs), fit[2])
        else:
            self.scale[task] = "size"
            self.scale_key[task] = "mmlu-pro"  # no scores: a percentage, read as logits
        self.maps[task] = maps
        published: dict[str, ModelQuality] = {}
        for e in models:
            used = [s for s in self._scores[e.id] if s.key in maps and in_task(s.key, task)]
            if not used:
                continue
            grouped: dict[str, list[float]] = {}
            for s in used:
                grouped.setdefault(s.key, []).append(s.score)
            z = fmean(maps[k].apply(to_linear(fmean(v), k)) for k, v in grouped.items())
            published[e.id] = ModelQuality(
                task, self.on_scale(task, z), self.scale[task], False, tuple(used), z=z
            )
        self._published[task] = published
        points = []
        for e in models:
            q = published.get(e.id)
            size = effective_params_b(e)
            if q is not None and size is not None:
                points.append((math.log2(size), q.z))
        line = self.lines[task] = _fit_size_line(points)
        self._residuals[task] = [
            (str(e.get("family") or ""), _years(e), q.z - line.predict(size))
            for e in models
            if (q := published.get(e.id)) is not None and (size := effective_params_b(e))
        ]

    def model_quality(self, entry: Entry, task: str) -> ModelQuality | None:
        """Published (mapped onto the task's scale) or, failing that, estimated from size."""
        key = (entry.id, task)
        if key in self._qualities:
            return self._qualities[key]
        found = self._qualities[key] = self._model_quality(entry, task)
        return found

    def _model_quality(self, entry: Entry, task: str) -> ModelQuality | None:
        if task not in TASKS:
            raise ValueError(f"unknown task {task!r}")
        found = self._published[task].get(entry.id)
        if found is not None:
            return found
        size = effective_params_b(entry)
        if size is None:
            return None
        line = self.lines[task]
        family, years = str(entry.get("family") or ""), _years(entry)
        kin = [
            r
            for f, y, r in self._residuals[task]
            if family and f == family and abs(y - years) <= GENERATION_YEARS
        ]
        offset = fmean(kin) if kin else 0.0
        z = line.predict(size) + offset - ESTIMATE_MARGIN * line.rmse
        return ModelQuality(task, self.on_scale(task, z), self.scale[task], True, (), len(kin), z)

    def on_scale(self, task: str, z: float) -> float:
        """A value as to_linear reads it, back on the task's scale (0–100 for a percentage)."""
        return from_linear(z, self.scale_key.get(task, "mmlu-pro"))

    def quant_loss(
        self,
        quant: str,
        params_b: float | None,
        family: str | None = None,
        model_name: str | None = None,
        native: bool = False,
    ) -> QuantLoss:
        """The expected loss of a quantization at this size, with the cited numbers: from the
        measurement nearest the model's own family (and generation) and size, scaled to its
        size; with no measurement of its family, from the most sensitive one measured (an
        upper estimate), saying so."""
        key = (quant, params_b, family, model_name, native)
        found = self._losses.get(key)
        if found is None:
            found = self._losses[key] = self._quant_loss(*key)
        return found

    def _quant_loss(
        self,
        quant: str,
        params_b: float | None,
        family: str | None,
        model_name: str | None,
        native: bool,
    ) -> QuantLoss:
        name = quant.upper()
        if name in UNQUANTIZED:
            return QuantLoss(quant, 0.0, "none", f"{quant}: unquantized")
        like = LIKE_GGUF.get(name)
        table = self.tables.get(like or name)
        size = params_b or 8.0
        picked = (
            nearest_measurement(table, size, family, model_name, self.size_exponent)
            if table is not None
            else None
        )
        if native:
            # The format the model is released in: nothing is lost against the release.
            return QuantLoss(quant, 0.0, "none", f"{quant}: the format the model ships in")
        if picked is None:
            return QuantLoss(quant, None, "unknown", f"{quant}: no published loss table")
        ref, measured_b, nats, relation = picked
        parts = []
        kld, top1 = finite_number(ref.get("kld")), finite_number(ref.get("top1_agreement"))
        if kld is not None:
            parts.append(f"KLD {kld:.3g}")
        ppl, f16 = finite_number(ref.get("ppl")), finite_number(ref.get("ppl_f16"))
        if ppl is not None and f16 is not None:
            parts.append(f"PPL +{(ppl / f16 - 1) * 100:.1f}%")
        if top1 is not None:
            parts.append(f"top-1 {top1:.0f}%")
        bucket = loss_bucket(nats)
        head = f"{quant} (read as {like})" if like else quant
        scaled = (
            f"; loss scaled from {measured_b:g}B to {size:.3g}B"
            if abs(math.log(size / measured_b)) > 0.05
            else ""
        )
        note = (
            f"{head}: {', '.join(parts)} vs FP16 on {ref.get('model')} ({relation}{scaled}), "
            f"{bucket} loss"
        )
        return QuantLoss(quant, nats, bucket, note)

    def merit(self, entry: Entry, task: str, quant: str) -> Merit | None:
        q = self.model_quality(entry, task)
        if q is None:
            return None
        return self.merit_with(q, task, self.entry_quant_loss(entry, quant))

    def entry_quant_loss(self, entry: Entry, quant: str) -> QuantLoss:
        """quant_loss for a catalog model at ``quant``, as merit reads it: the same for every
        task, so a model's merits at one quantization ask it once."""
        return self.quant_loss(
            quant,
            effective_params_b(entry),
            str(entry.get("family") or "") or None,
            entry.name,
            native=is_native(entry, quant),
        )

    def merit_with(self, q: ModelQuality, task: str, loss: QuantLoss) -> Merit:
        """merit of a model of quality ``q`` on ``task`` at a quantization losing ``loss``."""
        doublings = (loss.nats or 0.0) / self.nats_per_doubling
        value = self.on_scale(task, q.z - doublings * self.lines[task].per_doubling)
        return Merit(value, q, loss, q.value - value)


_MODELS: weakref.WeakKeyDictionary[Catalog, QualityModel] = weakref.WeakKeyDictionary()


def quality_model(catalog: Catalog) -> QualityModel:
    """The quality model of a catalog, built once per loaded catalog."""
    found = _MODELS.get(catalog)
    if found is None:
        # Fitting costs a cold `runlocal check` ~10 ms: keep the fit beside the parse cache.
        found = derived_cached(
            catalog, ("models", "quants"), "quality", _CODE, lambda: QualityModel(catalog)
        )
        _MODELS[catalog] = found
    return found


_CODE = code_stamp(__file__, str(Path(__file__).with_name("quant_loss.py")))


def describe(catalog: Catalog) -> Iterable[str]:
    """The fitted scales and lines, for `python -m runlocal.quality` and the docs."""
    qm = quality_model(catalog)
    yield (
        f"quant tables: {qm.nats_per_doubling:.3f} nats of F16 perplexity per doubling, "
        f"loss ∝ size^-{qm.size_exponent:.2f}"
    )
    for task in TASKS:
        line = qm.lines[task]
        yield (
            f"{task}: scale {qm.scale[task]}, {len(qm._published[task])} models published; "
            f"size line (logits) {line.intercept:.2f} + {line.per_doubling:.3f}/doubling, "
            f"RMSE {line.rmse:.1f} (n={line.n})"
        )
        for m in qm.maps[task].values():
            if m.n:
                yield f"  {m.label}: ×{m.slope:.3f} {m.offset:+.1f} (n={m.n}, r={m.r:.2f})"


if __name__ == "__main__":  # pragma: no cover
    from .catalog import load_catalog

    for text in describe(load_catalog()):
        print(text)
