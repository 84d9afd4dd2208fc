"""The one change that would improve an answer: each suggestion is the engine's own answer
to the changed question, and it is better than the answer it improves."""

from __future__ import annotations

from dataclasses import replace

import pytest

from runlocal.advice import RANK, one_change
from runlocal.catalog import Catalog
from runlocal.cli import main
from runlocal.engine import CheckQuery, check


def _answer(catalog: Catalog, **kw: object) -> tuple[CheckQuery, dict]:  # type: ignore[type-arg]
    q = CheckQuery(**kw)  # type: ignore[arg-type]
    return q, check(q, catalog).to_dict()


def test_a_setup_that_does_not_run_gets_a_checked_change_that_runs(catalog: Catalog) -> None:
    q, r = _answer(catalog, model="mixtral-8x7b", hardware=("Test GPU 8",), context=4096, ram_gb=4)
    assert r["verdict"] == "wont-run"
    change = one_change(q, r, catalog)
    assert change is not None and RANK[change["verdict"]] > RANK["wont-run"]
    # Asked again with the change, the engine gives the answer the suggestion quotes.
    changed = {k: v for k, v in change["query"].items() if v is not None}
    changed["hardware"] = tuple(changed["hardware"])
    redo = check(replace(q, **changed), catalog).to_dict()
    assert redo["verdict"] == change["verdict"]
    assert redo["speed"]["decode_tok_s"] == change["decode_tok_s"]


def test_a_comfortable_setup_is_offered_better_quality_that_still_fits(catalog: Catalog) -> None:
    q, r = _answer(catalog, model="llama-3.1-8b", hardware=("Test GPU 24",), context=4096)
    assert r["verdict"] == "comfortable" and r["best_quant"] != r["quant"]
    change = one_change(q, r, catalog)
    assert change is not None and change["kind"] == "quant"
    assert change["verdict"] == "comfortable" and "better quality" in change["text"]
    assert change["query"]["quant"] == r["best_quant"]


def test_the_cli_prints_the_one_change(
    catalog_dir: object, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["check", "mixtral-8x7b", "--hardware", "Test GPU 8", "--ram-gb", "4"]
    assert main(["check", *argv[1:]]) == 0
    out = capsys.readouterr().out
    assert "WILL NOT RUN" in out and "one change: " in out
