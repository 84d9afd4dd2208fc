"""Hardware pages state the convention of their figures: a unified-memory machine its own
default GPU share and the setting that changes it (every one was called macOS's working set), a
GPU which accumulation its tensor rates are."""

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


def test_the_tensor_rates_say_which_accumulation_they_are(client, catalog_dir: Path) -> None:
    """A GeForce card's FP16 rate is twice what BF16/FP32-accumulate runtimes get: the page
    showed one unlabelled figure, which read as the rate vLLM and transformers get."""
    factory.tiny_catalog(catalog_dir)
    factory.hardware(
        catalog_dir, fp16_tensor_tflops=160.0, fp32_acc_tensor_tflops=80.0, fp32_tflops=40.0
    )
    factory.sync()
    page = unescape(client.get("/hardware/testgpu-24gb/").content.decode())
    assert "<dt>FP16 tensor, dense, FP16 accumulate</dt>" in page
    assert "<dt>FP16/BF16 tensor, dense, FP32 accumulate</dt>" in page
    assert page.index("160 TFLOPS") < page.index("80 TFLOPS")
    mac = unescape(client.get("/hardware/testmac-m9-max/").content.decode())
    assert "FP32 accumulate" not in mac  # no slower FP32-accumulate rate recorded
