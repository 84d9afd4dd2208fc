"""Published quality scores on one scale, for runlocal.quality: which benchmark a published
name is (settings ignored), the tasks' anchor benchmarks, the logit scale on which straight
lines hold, and the fits (reduced major axis between benchmarks, least squares against size).

Its records (LinearMap, SizeLine, Score) are pickled inside the quality model
(catalog.derived_cached): they keep their module path, and quality.py re-exports them.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from statistics import fmean
from typing import Any

from .catalog import Entry, catalog_date
from .quant_loss import finite_number

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
