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

import math
import weakref
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from statistics import fmean

from .catalog import Catalog, Entry, code_stamp, derived_cached
from .quality_scores import (
    ESTIMATE_MARGIN,
    GENERATION_YEARS,
    MIN_OVERLAP,
    TASKS,
    LinearMap,
    Score,
    SizeLine,
    _anchor_order,
    _fit_size_line,
    _rma,
    _years,
    benchmark_key,
    effective_params_b,
    from_linear,
    in_task,
    published_scores,
    to_linear,
)
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

# Importable from here as before: answer.py, recommend.py and the site read TASKS and
# effective_params_b, the tests benchmark_key.
__all__ = [
    "TASKS",
    "Merit",
    "ModelQuality",
    "QualityModel",
    "benchmark_key",
    "effective_params_b",
    "quality_model",
]


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


_CODE = code_stamp(
    __file__, *(str(Path(__file__).with_name(f)) for f in ("quality_scores.py", "quant_loss.py"))
)


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
