from pathlib import Path

from runlocal.cli import reference_markdown

ROOT = Path(__file__).resolve().parents[2]


def test_the_cli_reference_matches_help() -> None:
    assert (ROOT / "docs" / "cli.md").read_text(encoding="utf-8") == reference_markdown(), (
        "docs/cli.md is stale: run `python -m runlocal.cli --write-docs`"
    )
