"""A unified-memory machine's hardware page names its own default GPU share and the setting that
changes it: the page called every such machine's limit macOS's working set."""

from __future__ import annotations

from html import unescape
from pathlib import Path

import pytest

from . import factory

pytestmark = pytest.mark.django_db


def test_each_unified_machine_page_names_its_own_rule_and_setting(
    client, catalog_dir: Path
) -> None:
    factory.tiny_catalog(catalog_dir)
    factory.hardware(
        catalog_dir,
        "testapu-128gb",
        name="TestAPU 128GB",
        aliases=[],
        vendor="AMD",
        kind="unified",
        memory_gib=128.0,
        backends=["vulkan", "cpu"],
        cuda_compute_capability=None,
    )
    factory.sync()
    mac = unescape(client.get("/hardware/testmac-m9-max/").content.decode())
    assert "The GPU may use about 48.0 GiB of it by default (macOS's GPU working-set" in mac
    assert "sudo sysctl iogpu.wired_limit_mb=N changes it" in mac
    apu = unescape(client.get("/hardware/testapu-128gb/").content.decode())
    assert "The GPU may use about 96.0 GiB of it by default (3/4 of memory, the most" in apu
    assert "macOS" not in apu and "Linux's GTT (amdgpu.gttsize" in apu
