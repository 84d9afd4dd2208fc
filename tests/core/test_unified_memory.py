"""How much of a unified-memory machine's RAM the GPU may use, and the setting that changes it."""

from __future__ import annotations

from dataclasses import replace

import pytest

from runlocal.catalog import Catalog
from runlocal.engine import CheckQuery, check
from runlocal.errors import InputError
from runlocal.hardware import (
    Device,
    apple_working_set_bytes,
    device_from_entry,
    gpu_memory_default,
    unified_gpu_budget_bytes,
)
from runlocal.units import GIB


def test_apple_gives_the_gpu_two_thirds_up_to_36_gib_and_three_quarters_above() -> None:
    assert apple_working_set_bytes(16 * GIB) == int(16 * GIB * 2 / 3)  # 10,922.67 MiB
    assert apple_working_set_bytes(32 * GIB) == int(32 * GIB * 2 / 3)
    assert apple_working_set_bytes(36 * GIB) == 24 * GIB
    assert apple_working_set_bytes(48 * GIB) == 36 * GIB  # llama.cpp logs on 48 GB Macs
    assert apple_working_set_bytes(128 * GIB) == 96 * GIB


def test_other_unified_machines_keep_memory_for_the_os() -> None:
    # Strix Halo: at most 3/4 through the vendor's settings (96 of 128 GB).
    assert unified_gpu_budget_bytes("AMD", 128 * GIB) == 96 * GIB
    # DGX Spark / Jetson: 1/8 for firmware carve-outs and the OS.
    assert unified_gpu_budget_bytes("NVIDIA", 128 * GIB) == 112 * GIB
    assert unified_gpu_budget_bytes("NVIDIA", 8 * GIB) == 7 * GIB


def test_the_catalog_device_budget_follows_the_rule(catalog: Catalog) -> None:
    entry = catalog.find_hardware("Apple Test Max")
    assert device_from_entry(entry, 32.0).budget_bytes == int(32 * GIB * 2 / 3)
    assert device_from_entry(entry, 64.0).budget_bytes == 48 * GIB


def test_the_gpu_memory_setting_is_an_input_with_a_note(catalog: Catalog) -> None:
    base = CheckQuery(model="Llama 3.1 8B", hardware=("Apple Test Max 32GB",))
    default = check(base, catalog).data
    raised = check(
        CheckQuery(model="Llama 3.1 8B", hardware=("Apple Test Max 32GB",), gpu_memory_gb=28),
        catalog,
    ).data
    assert raised["memory"]["budget_bytes"] == 28 * GIB
    assert default["memory"]["budget_bytes"] == int(32 * GIB * 2 / 3)
    assert any("iogpu.wired_limit_mb" in n and "as given" in n for n in raised["notes"])


def test_the_gpu_memory_setting_cannot_exceed_the_machine(catalog: Catalog) -> None:
    with pytest.raises(InputError, match="gpu-memory-gb"):
        check(
            CheckQuery(model="Llama 3.1 8B", hardware=("Apple Test Max 32GB",), gpu_memory_gb=40),
            catalog,
        )
    with pytest.raises(InputError, match="gpu-memory-gb"):
        check(CheckQuery(model="Llama 3.1 8B", hardware=("TG24",), gpu_memory_gb=-1), catalog)


def test_pytorch_runtimes_get_the_fp32_accumulate_tensor_rate() -> None:
    from runlocal.hardware import explicit_device, tensor_rate_for

    geforce = replace(explicit_device(24, 1008, 330.3), fp32_acc_flops=165.2e12)
    assert tensor_rate_for(geforce, fp32_accumulate=True).fp16_flops == 165.2e12
    assert tensor_rate_for(geforce, fp32_accumulate=False).fp16_flops == 330.3e12
    # Cards that accumulate in FP32 at full rate carry no second figure.
    pro = explicit_device(48, 960, 364.2)
    assert tensor_rate_for(pro, fp32_accumulate=True).fp16_flops == 364.2e12


def test_each_machine_states_its_own_default_rule() -> None:
    """The pages called every unified machine's limit macOS's, and the Build page gave Apple's
    step at 64 GiB where the rule (and a 48 GB Mac's ~36 GiB) puts it above 36."""

    def unified(vendor: str) -> Device:
        return Device("x", "unified", "vulkan", 128 * GIB, 256e9, None, None, vendor=vendor)

    apple = gpu_memory_default(unified("Apple"))
    assert apple == "macOS's GPU working-set limit: 2/3 of memory up to 36 GiB, 3/4 above"
    assert gpu_memory_default(unified("AMD")).startswith("3/4 of memory, the most the BIOS")
    assert gpu_memory_default(unified("NVIDIA")).startswith("7/8 of memory: firmware")
