"""Image-generation, speech and embedding models: the memory rules that apply to them."""

from __future__ import annotations

from pathlib import Path

from runlocal.catalog import load_catalog
from runlocal.engine import CheckQuery, check
from runlocal.units import GIB

from .factories import common, write_toml


def make_sdxl(root: Path) -> None:
    data = common("sdxl-test", "SDXL Test")
    data.update({"modality": "image", "params_total_b": 3.5})
    write_toml(
        root / "models" / "sdxl-test.toml",
        data,
        tables={"image": {"native_resolution": 1024, "vae_scale": 8, "latent_channels": 4}},
        arrays={
            "components": [
                {"name": "unet", "params_b": 2.567, "dtype": "fp16"},
                {"name": "text_encoder", "params_b": 0.123, "dtype": "fp16"},
                {"name": "text_encoder_2", "params_b": 0.695, "dtype": "fp16"},
                {"name": "vae", "params_b": 0.084, "dtype": "fp16"},
            ]
        },
    )


def test_it_sizes_a_diffusion_model_by_its_components(catalog_dir: Path) -> None:
    make_sdxl(catalog_dir)
    r = check(
        CheckQuery(model="sdxl-test", hardware=("TG24",)), load_catalog(catalog_dir)
    ).to_dict()
    assert r["memory"]["weights_bytes"] == int(2.567e9 * 2) + int(0.123e9 * 2) + int(
        0.695e9 * 2
    ) + int(0.084e9 * 2)
    assert r["memory"]["kv_cache_bytes"] == 0
    assert r["verdict"] == "comfortable" and r["speed"]["decode_tok_s"] is None
    assert [c["name"] for c in r["basis"]["components"]] == [
        "unet",
        "text_encoder",
        "text_encoder_2",
        "vae",
    ]


def test_it_falls_back_to_sequential_offload_on_a_small_card(catalog_dir: Path) -> None:
    make_sdxl(catalog_dir)
    r = check(
        CheckQuery(model="sdxl-test", hardware=("Test GPU 8",)), load_catalog(catalog_dir)
    ).to_dict()
    assert r["memory"]["total_bytes"] > 6 * GIB
    assert r["verdict"] in ("tradeoffs", "comfortable")
    tiny = check(
        CheckQuery(model="sdxl-test", vram_gb=8, bandwidth_gb_s=200), load_catalog(catalog_dir)
    ).to_dict()
    assert tiny["verdict"] == "tradeoffs" and "sequential" in tiny["reason"]


def test_a_quantized_backbone_shrinks_only_the_backbone(catalog_dir: Path) -> None:
    make_sdxl(catalog_dir)
    cat = load_catalog(catalog_dir)
    full = check(CheckQuery(model="sdxl-test", hardware=("TG24",)), cat).to_dict()
    q8 = check(CheckQuery(model="sdxl-test", hardware=("TG24",), quant="Q8_0"), cat).to_dict()
    saved = full["memory"]["weights_bytes"] - q8["memory"]["weights_bytes"]
    assert saved == int(2.567e9 * 2) - int(2.567e9 * 8.5 / 8)


def test_an_embedding_model_keeps_no_kv_cache_and_does_not_decode(catalog_dir: Path) -> None:
    data = common("minilm-test", "MiniLM Test")
    data.update({"modality": "embedding", "params_total_b": 0.0227})
    write_toml(
        catalog_dir / "models" / "minilm-test.toml",
        data,
        tables={
            "architecture": {
                "model_type": "bert",
                "num_hidden_layers": 6,
                "hidden_size": 384,
                "num_attention_heads": 12,
                "intermediate_size": 1536,
                "vocab_size": 30522,
                "max_position_embeddings": 512,
                "type_vocab_size": 2,
            }
        },
    )
    r = check(
        CheckQuery(model="minilm-test", hardware=("TG24",)), load_catalog(catalog_dir)
    ).to_dict()
    assert r["context"] == 512 and r["memory"]["kv_cache_bytes"] == 0
    assert r["speed"]["decode_tok_s"] is None and r["speed"]["prefill_tok_s"] is not None
    assert 22.5e6 < r["model"]["params_total"] < 23e6 or r["model"]["params_total"] == 22_700_000
