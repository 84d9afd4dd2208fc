"""Which hardware to buy for a model (Choose my GPU), and what every ranking shares: the
engine's answer reduced to a Fit, a model's quality merit, the use cases and size classes.
Which runtime and which catalog models suit a build is `build_advice`.

Pure functions over the catalog and the engine's answers (`check_brief()`, the part of
`check().to_dict()` a ranking reads), so every number a recommendation gives can be
reproduced with `runlocal check`.
"""

from __future__ import annotations

import datetime as dt
import math
import weakref
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .catalog import Catalog, Entry, catalog_date
from .check_inputs import default_quant
from .engine import CheckQuery, check_brief
from .errors import InputError, RunlocalError
from .quality import Merit, quality_model
from .quant_loss import quant_rank
from .runtimes import get_runtime

PLATFORMS: dict[str, str | None] = {
    "any": None,
    "nvidia": "NVIDIA",
    "amd": "AMD",
    "apple": "Apple",
    "intel": "Intel",
}
PRIORITIES = ("speed", "context", "price", "power")
USES = ("chat", "coding", "reasoning")
# Context a use case needs: a chat, a coding agent reading files, a model thinking at length.
CONTEXT_FOR_USE = {"chat": 8192, "coding": 32768, "reasoning": 16384}
QUANT = "Q4_K_M"
MAX_CARDS = 2
# Below this a reply of a few hundred tokens takes longer than most people wait.
MIN_USEFUL_TOK_S = 10.0
TEXT_MODALITIES = ("text", "vision-language", "")


@dataclass(frozen=True)
class SizeClass:
    id: str
    label: str
    params_b: float
    use: str
    preferred: tuple[str, ...]  # catalog ids that stand for the class, best first


SIZE_CLASSES = (
    SizeClass("8b-chat", "8B chat", 8.0, "chat", ("llama-3.1-8b-instruct", "qwen3-8b")),
    SizeClass("14b", "14B", 14.0, "chat", ("qwen3-14b", "phi-4", "qwen2.5-14b-instruct")),
    SizeClass(
        "32b-coding",
        "32B coding",
        32.0,
        "coding",
        ("qwen2.5-coder-32b-instruct", "qwen3-32b"),
    ),
    SizeClass("70b", "70B", 70.0, "chat", ("llama-3.3-70b-instruct", "llama-3.1-70b-instruct")),
    SizeClass("120b-moe", "120B mixture-of-experts", 117.0, "chat", ("gpt-oss-120b",)),
)


def size_class(class_id: str) -> SizeClass:
    for sc in SIZE_CLASSES:
        if sc.id == class_id:
            return sc
    raise InputError(
        f"unknown size class {class_id!r}; known: {', '.join(s.id for s in SIZE_CLASSES)}"
    )


def is_text_model(entry: Entry) -> bool:
    return str(entry.get("modality") or "") in TEXT_MODALITIES and isinstance(
        entry.get("architecture"), Mapping
    )


def params_b(entry: Entry) -> float | None:
    value = entry.get("params_total_b")
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        return None
    return float(value)


def _release(entry: Entry) -> dt.date:
    # The database's ISO text too: the site once picked another "newest of equals" than the CLI.
    return catalog_date(entry.get("release_date")) or dt.date.min


def model_for_size_class(catalog: Catalog, sc: SizeClass) -> Entry:
    """The catalog model that stands for a size class: a preferred id, else the text model
    nearest in parameters (the newest of equals)."""
    for model_id in sc.preferred:
        entry = catalog.models.get(model_id)
        if entry is not None:
            return entry
    sized = [(e, p) for e in catalog.models.values() if is_text_model(e) and (p := params_b(e))]
    if not sized:
        raise InputError(f"the catalog has no language model to stand for {sc.label}")
    best = min(
        sized,
        key=lambda ep: (abs(math.log(ep[1] / sc.params_b)), -_release(ep[0]).toordinal(), ep[0].id),
    )
    return best[0]


# --- the engine's answer, reduced to what rankings need --------------------------------------


@dataclass(frozen=True)
class Fit:
    verdict: str  # comfortable | tradeoffs | wont-run
    reason: str
    quant: str
    context: int | None
    best_quant: str | None
    decode_tok_s: float | None
    decode_tok_s_low: float | None
    decode_tok_s_high: float | None
    max_context: int | None  # the largest that runs, placed as the verdict is
    total_bytes: int | None  # on the accelerators
    budget_bytes: int | None
    host_bytes: int | None  # in system RAM (offloaded layers or experts)
    evidence: str
    max_context_where: str | None = None  # "accelerator" | "offload"
    # Within the budgets; false for "tradeoffs" at the edge of memory (it may fail to load).
    fits: bool = True

    @property
    def offloaded(self) -> bool:
        return self.max_context_where == "offload"

    @classmethod
    def from_result(cls, r: Mapping[str, Any]) -> Fit:
        speed = r.get("speed") or {}
        memory = r.get("memory") or {}
        return cls(
            verdict=str(r.get("verdict")),
            reason=str(r.get("reason") or ""),
            quant=str(r.get("quant")),
            context=r.get("context"),
            best_quant=r.get("best_quant"),
            decode_tok_s=speed.get("decode_tok_s"),
            decode_tok_s_low=speed.get("decode_tok_s_low"),
            decode_tok_s_high=speed.get("decode_tok_s_high"),
            max_context=r.get("max_context"),
            total_bytes=memory.get("total_bytes"),
            budget_bytes=memory.get("budget_bytes"),
            host_bytes=memory.get("host_bytes"),
            evidence=str(r.get("evidence") or "estimated"),
            max_context_where=r.get("max_context_where"),
            fits=bool(r.get("fits", True)),
        )

    @property
    def runs(self) -> bool:
        return self.verdict in ("comfortable", "tradeoffs")


CheckFn = Callable[[CheckQuery, Catalog], Mapping[str, Any]]

_MERITS: weakref.WeakKeyDictionary[Catalog, dict[tuple[str, str, str], Merit | None]] = (
    weakref.WeakKeyDictionary()
)


def model_merit(catalog: Catalog, entry: Entry, task: str, quant: str) -> Merit | None:
    """quality_model(catalog).merit(entry, task, quant), kept per loaded catalog: a fact of
    the catalog that every ranking asks again (the custom build for each of its ~150 models,
    ~25 µs each), whatever the hardware."""
    memo = _MERITS.get(catalog)
    if memo is None:
        memo = _MERITS[catalog] = {}
    key = (entry.id, task, quant)
    if key not in memo:
        memo[key] = quality_model(catalog).merit(entry, task, quant)
    return memo[key]


def engine_check(query: CheckQuery, catalog: Catalog) -> Mapping[str, Any]:
    """The default CheckFn: the engine on catalog models only, the part of its answer a Fit
    reads (check_brief: the same values as check's)."""
    return check_brief(query, catalog, allow_files=False)


# --- Choose my GPU -----------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    """One card (or two of the same card) that could be bought."""

    hardware_id: str
    name: str
    vendor: str
    kind: str
    count: int
    unit_price_usd: float
    price_basis: str  # "launch", "street", or "street, <condition>, <date>" (hardware_price)
    memory_gib: float  # per device
    unit_tdp_w: float | None  # per device

    @property
    def query_hardware(self) -> str:
        return self.hardware_id if self.count == 1 else f"{self.count}x {self.hardware_id}"

    @property
    def label(self) -> str:
        return self.name if self.count == 1 else f"{self.count}× {self.name}"

    @property
    def price_usd(self) -> float:
        return self.unit_price_usd * self.count

    @property
    def tdp_w(self) -> float | None:
        return None if self.unit_tdp_w is None else self.unit_tdp_w * self.count

    @property
    def total_memory_gib(self) -> float:
        return self.memory_gib * self.count


@dataclass(frozen=True)
class StreetPrice:
    """One dated, sourced price of one unit, from a hardware file's `[[street_prices]]`."""

    usd: float
    condition: str  # "new" or "used"
    date: dt.date
    source: str
    note: str = ""

    @property
    def basis(self) -> str:
        """How a price from it is labelled: "street, used, 2026-05-16"."""
        return f"street, {self.condition}, {self.date.isoformat()}"


def street_prices(entry: Entry) -> list[StreetPrice]:
    """The well-formed `[[street_prices]]` rows, newest first (cheaper first on one date).
    Malformed rows are left out here; `runlocal catalog check` reports them."""
    out: list[StreetPrice] = []
    rows = entry.get("street_prices")
    for row in rows if isinstance(rows, list) else []:
        if not isinstance(row, dict):
            continue
        usd, when, source = row.get("usd"), catalog_date(row.get("date")), row.get("source")
        if (
            isinstance(usd, bool)
            or not isinstance(usd, int | float)
            or usd <= 0
            or row.get("condition") not in ("new", "used")
            or when is None
            or not isinstance(source, str)
        ):
            continue
        note = row.get("note")
        out.append(
            StreetPrice(
                float(usd),
                str(row["condition"]),
                when,
                source,
                note if isinstance(note, str) else "",
            )
        )
    out.sort(key=lambda p: (-p.date.toordinal(), p.usd))
    return out


def hardware_price(entry: Entry) -> tuple[float, str] | None:
    """(USD, basis) for buy recommendations and cost.

    The most recent `[[street_prices]]` row wins, new or used alike: what the card costs to buy
    now is the latest observation, and a card that is no longer sold new only has used
    prices. On one date with both, the cheaper (usually used) is taken. The basis names the
    condition and date ("street, used, 2026-05-16"). Without street prices: the older flat
    `street_price_usd` (basis "street, <its date>"), then `launch_price_usd` (basis "launch,
    <release date>"): every price says which kind it is and when it held."""
    prices = street_prices(entry)
    if prices:
        return prices[0].usd, prices[0].basis
    for key, basis in (("street_price_usd", "street"), ("launch_price_usd", "launch")):
        value = entry.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
            dated = catalog_date(
                entry.get("street_price_date" if basis == "street" else "release_date")
            )
            return float(value), f"{basis}, {dated.isoformat()}" if dated else basis
    return None


def candidates(
    catalog: Catalog, *, platform: str, budget_usd: float, max_cards: int = 1
) -> list[Candidate]:
    """GPUs and unified-memory machines with a known price within the budget, on the
    platform; two of a discrete card too when `max_cards` is 2. CPUs are not candidates."""
    if platform not in PLATFORMS:
        raise InputError(f"unknown platform {platform!r}; known: {', '.join(PLATFORMS)}")
    if not 1 <= max_cards <= MAX_CARDS:
        raise InputError(f"max_cards must be 1 to {MAX_CARDS}")
    vendor = PLATFORMS[platform]
    out: list[Candidate] = []
    for entry_vendor, per_count in priced_hardware(catalog):
        if vendor and entry_vendor != vendor:
            continue
        for cand in per_count[:max_cards]:
            if cand.price_usd > budget_usd:
                break
            out.append(cand)
    return out


def priced_hardware(catalog: Catalog) -> list[tuple[Any, tuple[Candidate, ...]]]:
    """Every GPU and unified-memory machine with a known price and memory, by id: its vendor
    as the catalog gives it, and its Candidate as one, two, … MAX_CARDS of it (one only for a
    unified machine). Kept per loaded catalog: what candidates() reads is a fact of the
    hardware entries, not of the question, and working it out (hardware_price parses every
    entry's dated street prices) took ~2.5 ms, most of a Choose my GPU first view's own work
    (issue 14, docs/performance.md Round 11)."""
    hardware = catalog.hardware
    kept = _PRICED.get(catalog)
    if kept is not None and kept[0] is hardware:  # the same entries as when it was kept
        return kept[1]
    rows: list[tuple[Any, tuple[Candidate, ...]]] = []
    for entry in sorted(hardware.values(), key=lambda e: e.id):
        kind = str(entry.get("kind") or "gpu")
        if kind not in ("gpu", "unified"):
            continue
        price = hardware_price(entry)
        memory = entry.get("memory_gib")
        if price is None or not isinstance(memory, int | float):
            continue
        tdp = entry.get("tdp_w")
        per_count = tuple(
            Candidate(
                hardware_id=entry.id,
                name=entry.name,
                vendor=str(entry.get("vendor") or ""),
                kind=kind,
                count=count,
                unit_price_usd=price[0],
                price_basis=price[1],
                memory_gib=float(memory),
                unit_tdp_w=float(tdp) if isinstance(tdp, int | float) and tdp > 0 else None,
            )
            for count in range(1, (MAX_CARDS if kind == "gpu" else 1) + 1)
        )
        rows.append((entry.get("vendor"), per_count))
    _PRICED[catalog] = (hardware, rows)
    return rows


_PRICED: weakref.WeakKeyDictionary[
    Catalog, tuple[Mapping[str, Entry], list[tuple[Any, tuple[Candidate, ...]]]]
] = weakref.WeakKeyDictionary()


@dataclass(frozen=True)
class Pick:
    candidate: Candidate
    fit: Fit
    model_name: str
    merit: Merit | None = None  # the model's quality merit at the fit's quantization

    @property
    def rationale(self) -> tuple[str, ...]:
        """rationale() for the pick, written when read: a ranking shows a dozen of what can be
        a hundred-odd picks (two of every card within a large budget), and the lines cost
        ~16 µs a pick (issue 14, docs/performance.md Round 11)."""
        return rationale(self.candidate, self.fit, self.model_name, self.merit)

    @property
    def tok_s_per_kusd(self) -> float | None:
        """Decode tokens/s per $1,000 of purchase price."""
        d = self.fit.decode_tok_s
        return None if d is None else d / self.candidate.price_usd * 1000

    @property
    def tok_s_per_watt(self) -> float | None:
        d, w = self.fit.decode_tok_s, self.candidate.tdp_w
        return None if d is None or not w else d / w


_TIER = {"comfortable": 0, "tradeoffs": 1}
EDGE_TIER = 2  # "tradeoffs" at the edge of memory (Fit.fits false): after those that fit
OTHER_TIER = 3


def pick_tier(fit: Fit) -> tuple[int, int, int]:
    """(verdict, speed, quantization) tiers, 0 best: comfortable before tradeoffs, which
    fit before those at the edge of memory (they may fail to load); at least
    MIN_USEFUL_TOK_S before slower (a card that answers at 6 tokens/s is not one to buy for
    the model, whatever its quantization); a quantization with at most a small measured loss
    (Q4_K_M and above) before a moderate one (Q3_K_M) before a large one (Q2_K;
    quant_loss.quant_rank)."""
    tier = _TIER.get(fit.verdict, OTHER_TIER)
    return (
        EDGE_TIER if tier == 1 and not fit.fits else tier,
        0 if (fit.decode_tok_s or 0.0) >= MIN_USEFUL_TOK_S else 1,
        quant_rank(fit.quant),
    )


def pick_sort_key(pick: Pick, priority: str) -> tuple[float, ...]:
    """The tiers first, then the priority, then speed and price as tie-breaks."""
    f, c = pick.fit, pick.candidate
    tiers = tuple(float(t) for t in pick_tier(f))
    decode = f.decode_tok_s or 0.0
    if priority == "speed":
        return (*tiers, -decode, c.price_usd)
    if priority == "context":
        return (*tiers, -float(f.max_context or 0), -decode, c.price_usd)
    if priority == "price":
        return (*tiers, c.price_usd, -decode)
    if priority == "power":
        per_watt = pick.tok_s_per_watt
        return (*tiers, -(per_watt if per_watt is not None else -1.0), c.price_usd)
    raise InputError(f"unknown priority {priority!r}; known: {', '.join(PRIORITIES)}")


def rank(picks: Iterable[Pick], priority: str) -> list[Pick]:
    """The picks that run the model, best first for the priority."""
    return sorted(
        (p for p in picks if p.fit.runs),
        key=lambda p: (*pick_sort_key(p, priority), p.candidate.label),
    )


def rationale(
    candidate: Candidate, fit: Fit, model_name: str, merit: Merit | None = None
) -> tuple[str, ...]:
    """The numbers behind a pick, one short line each; the quantization's measured quality
    loss last."""
    lines: list[str] = []
    if fit.decode_tok_s is not None:
        rng = ""
        if fit.decode_tok_s_low is not None and fit.decode_tok_s_high is not None:
            rng = f" (likely {fit.decode_tok_s_low:g}–{fit.decode_tok_s_high:g})"
        lines.append(
            f"Runs {model_name} at {fit.quant}: {fit.decode_tok_s:g} tokens/s{rng}, {fit.evidence}."
        )
    if fit.best_quant:
        lines.append(f"Fits comfortably up to {fit.best_quant}.")
    else:
        lines.append(f"No quantization fits comfortably: {fit.reason}.")
    if fit.max_context:
        where = "with system RAM" if fit.offloaded else "on the accelerator"
        lines.append(f"Largest context that runs {where}: {fit.max_context:,} tokens.")
    basis = candidate.price_basis.replace("street", "street price", 1).replace(
        "launch", "launch price", 1
    )
    money = f"${candidate.price_usd:,.0f} ({basis}"
    money += f", 2 × ${candidate.unit_price_usd:,.0f})" if candidate.count == 2 else ")"
    if fit.decode_tok_s is not None:
        money += f": {fit.decode_tok_s / candidate.price_usd * 1000:.1f} tokens/s per $1,000"
    lines.append(money + ".")
    if candidate.tdp_w and fit.decode_tok_s is not None:
        lines.append(
            f"{candidate.tdp_w:g} W board power: {fit.decode_tok_s / candidate.tdp_w:.2f} tokens/s per watt."
        )
    if merit is not None:
        penalty = (
            f", about −{merit.penalty:.1f} points at this size" if merit.penalty >= 0.05 else ""
        )
        lines.append(f"Quality: {merit.loss.note}{penalty}.")
    return tuple(lines)


@dataclass(frozen=True)
class GpuQuestion:
    budget_usd: float
    model: str  # a catalog model id or name
    platform: str = "any"
    priority: str = "speed"
    context: int = CONTEXT_FOR_USE["chat"]
    max_cards: int = 1

    def validate(self) -> None:
        if not (math.isfinite(self.budget_usd) and 0 < self.budget_usd <= 10_000_000):
            raise InputError("the budget must be between $1 and $10,000,000")
        if self.platform not in PLATFORMS:
            raise InputError(f"unknown platform {self.platform!r}")
        if self.priority not in PRIORITIES:
            raise InputError(f"unknown priority {self.priority!r}")
        if not 1 <= self.context <= 10_000_000:
            raise InputError("context must be 1 to 10,000,000 tokens")


@dataclass(frozen=True)
class GpuAnswer:
    model: Entry
    picks: list[Pick]
    considered: int  # candidates checked (cards within budget on the platform)
    too_small: list[Candidate] = field(default_factory=list)  # within budget, does not fit


def _fit_for(
    candidate: Candidate, model_id: str, context: int, catalog: Catalog, check_fn: CheckFn
) -> Fit:
    """The fit at the model's default quantization (the engine's: Q4_K_M, or the format the
    model ships in), or at the best lower quantization that fits comfortably."""
    q = CheckQuery(model=model_id, hardware=(candidate.query_hardware,), context=context)
    fit = Fit.from_result(check_fn(q, catalog))
    if fit.verdict != "comfortable" and fit.best_quant and fit.best_quant != fit.quant:
        lower = CheckQuery(
            model=model_id,
            hardware=(candidate.query_hardware,),
            quant=fit.best_quant,
            context=context,
        )
        fit = Fit.from_result(check_fn(lower, catalog))
    return fit


def choose_gpu(
    question: GpuQuestion, catalog: Catalog, check_fn: CheckFn = engine_check
) -> GpuAnswer:
    """Cards within the budget that run the model, ranked for the priority. Two of a card are
    considered only where one of it does not run the model comfortably at Q4_K_M."""
    question.validate()
    entry = catalog.find_model(question.model)
    cands = candidates(
        catalog,
        platform=question.platform,
        budget_usd=question.budget_usd,
        max_cards=question.max_cards,
    )
    native = default_quant(entry, get_runtime("llama.cpp"))
    picks: list[Pick] = []
    too_small: list[Candidate] = []
    comfortable_alone: set[str] = set()
    for cand in sorted(cands, key=lambda c: c.count):
        if cand.count > 1 and cand.hardware_id in comfortable_alone:
            continue
        try:
            fit = _fit_for(cand, entry.id, question.context, catalog, check_fn)
        except RunlocalError:
            continue  # e.g. a runtime that cannot use this card: not a candidate
        if fit.verdict == "comfortable" and fit.quant == native and cand.count == 1:
            comfortable_alone.add(cand.hardware_id)
        if fit.runs:
            merit = model_merit(catalog, entry, "chat", fit.quant)
            picks.append(Pick(cand, fit, entry.name, merit))
        else:
            too_small.append(cand)
    return GpuAnswer(
        model=entry,
        picks=rank(picks, question.priority),
        considered=len(cands),
        too_small=too_small,
    )
