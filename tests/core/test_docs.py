from pathlib import Path

import pytest

from runlocal.cli import reference_markdown

ROOT = Path(__file__).resolve().parents[2]


def test_the_cli_reference_matches_help() -> None:
    assert (ROOT / "docs" / "cli.md").read_text(encoding="utf-8") == reference_markdown(), (
        "docs/cli.md is stale: run `python -m runlocal.cli --write-docs`"
    )


CALIBRATION = ROOT.parent / "shared" / "calibration" / "measured-llm-inference.csv"
EXTRA = ROOT / "bench" / "data" / "measured-extra.csv"


def test_the_accuracy_report_matches_the_engine(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """docs/accuracy.md is what `runlocal accuracy --markdown` prints for the current engine."""
    if not CALIBRATION.exists():
        pytest.skip("the calibration file is not beside this checkout")
    monkeypatch.delenv("RUNLOCAL_CATALOG_DIR", raising=False)  # the real catalog
    from runlocal.accuracy_report import run_accuracy

    run_accuracy([str(CALIBRATION), str(EXTRA)], markdown=True)
    assert capsys.readouterr().out == (ROOT / "docs" / "accuracy.md").read_text(encoding="utf-8"), (
        "docs/accuracy.md is stale: run `runlocal accuracy --data "
        "../shared/calibration/measured-llm-inference.csv --data bench/data/measured-extra.csv "
        "--markdown > docs/accuracy.md`"
    )


def test_the_packaged_accuracy_report_matches_the_engine(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """src/runlocal/data/accuracy.json feeds the website's Methodology page."""
    if not CALIBRATION.exists():
        pytest.skip("the calibration file is not beside this checkout")
    monkeypatch.delenv("RUNLOCAL_CATALOG_DIR", raising=False)
    from runlocal.accuracy_report import run_accuracy

    run_accuracy([str(CALIBRATION), str(EXTRA)], as_json=True)
    packaged = ROOT / "src" / "runlocal" / "data" / "accuracy.json"
    assert capsys.readouterr().out == packaged.read_text(encoding="utf-8"), (
        "src/runlocal/data/accuracy.json is stale: run `runlocal accuracy --data "
        "../shared/calibration/measured-llm-inference.csv --data bench/data/measured-extra.csv "
        "--json > src/runlocal/data/accuracy.json`"
    )
