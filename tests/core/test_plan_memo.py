"""estimate.plan_answers' memo (plan_memo.PlanMemo): a whole check's plans kept up to a bound,
the site's brief answers (check_brief's keep_plan=False) only among the last few, with the
same answers either way."""

from __future__ import annotations

import random

from runlocal import engine
from runlocal.catalog import load_catalog
from runlocal.engine import CheckQuery, check, check_brief
from runlocal.errors import RunlocalError
from runlocal.estimate import BRIEF_PLANS_KEPT, plan_answers
from runlocal.plan_memo import PlanMemo


def test_each_part_keeps_its_newest_answers_and_either_answers_a_lookup() -> None:
    calls: list[int] = []

    def square(x: int) -> int:
        calls.append(x)
        return x * x

    memo = PlanMemo(square, 2, 3)
    assert [memo(1), memo(2), memo(1)] == [1, 4, 1]
    assert calls == [1, 2]  # 1 asked again: kept
    memo(3)  # a third kept answer drops the oldest (1)
    assert memo.sizes() == (2, 0)
    memo(1)
    assert calls == [1, 2, 3, 1]
    for x in (10, 11, 12, 13):  # briefs: the ring of 3 keeps 11, 12, 13
        memo(x, keep=False)
    assert memo.sizes() == (2, 3)
    assert [memo(13), memo(11, keep=False), memo(1, keep=False)] == [169, 121, 1]
    assert calls == [1, 2, 3, 1, 10, 11, 12, 13]  # a kept answer serves a brief, and back
    memo(10, keep=False)
    assert calls[-1] == 10  # dropped from the ring: worked out again
    memo.cache_clear()
    assert memo.sizes() == (0, 0)


def _queries(n: int) -> list[CheckQuery]:
    cat = load_catalog()
    rng = random.Random(1413)
    models, devices = sorted(cat.models), sorted(cat.hardware)
    return [
        CheckQuery(
            model=rng.choice(models),
            hardware=(rng.choice(devices),),
            quant=rng.choice([None, None, "Q4_K_M", "Q8_0", "F16"]),
            context=rng.choice([None, 8192]),
        )
        for _ in range(n)
    ]


def _brief(q: CheckQuery, keep_plan: bool) -> object:
    try:
        return check_brief(q, load_catalog(), allow_files=False, prefill=False, keep_plan=keep_plan)
    except RunlocalError as exc:
        return f"{type(exc).__name__}: {exc}"


def _full(q: CheckQuery) -> object:
    try:
        return check(q, load_catalog(), allow_files=False).to_dict()
    except RunlocalError as exc:
        return f"{type(exc).__name__}: {exc}"


def test_briefs_that_keep_no_plan_give_the_same_answers_and_keep_a_few_plans() -> None:
    queries = _queries(2 * BRIEF_PLANS_KEPT)
    engine.clear_caches()
    kept = [_brief(q, True) for q in queries]
    engine.clear_caches()
    full_cold = [_full(q) for q in queries]
    engine.clear_caches()
    unkept = [_brief(q, False) for q in queries]
    assert unkept == kept
    kept_part, briefs_part = plan_answers.sizes()
    assert kept_part == 0
    assert 0 < briefs_part <= BRIEF_PLANS_KEPT
    # Whole answers after the briefs (the last few plans found in the ring) are check's.
    assert [_full(q) for q in queries] == full_cold
    # And briefs after whole answers (their plans kept) are the same briefs.
    assert [_brief(q, False) for q in queries] == kept
