"""The config.json model_type values the parser knows, and what some of them imply."""

from __future__ import annotations

# Encoder-only models (embedding and reranking): no KV cache, bidirectional attention.
ENCODER_TYPES = frozenset(
    {"bert", "roberta", "xlm-roberta", "nomic_bert", "modernbert", "distilbert", "new"}
)
# Feed-forward blocks without a gate: one up and one down projection.
# Nemotron (4 / H / 3) uses squared-ReLU MLPs and experts with up and down only (llama.cpp
# builds them with no gate tensor).
UNGATED_FFN_TYPES = frozenset(
    {
        "phi",
        "starcoder2",
        "falcon",
        "bert",
        "roberta",
        "xlm-roberta",
        "distilbert",
        "new",
        "nemotron",
        "nemotron_h",
    }
)

# model_type values whose layout this parser knows. Others with the standard keys are sized
# as a plain dense decoder, and the result says so in its provenance (never silently).
KNOWN_MODEL_TYPES = frozenset(
    [
        "llama",
        "mistral",
        "ministral",
        "mixtral",
        "qwen2",
        "qwen2_moe",
        "qwen3",
        "qwen3_moe",
        "qwen3_next",
        "qwen3_5",
        "qwen3_5_moe",
        "gemma",
        "gemma2",
        "gemma3",
        "gemma3_text",
        "gemma3n",
        "gemma3n_text",
        "gemma4",
        "gemma4_text",
        "phi",
        "phi3",
        "phimoe",
        "deepseek_v2",
        "deepseek_v3",
        "deepseek_v32",
        "deepseek_v4",
        "kimi_k2",
        "glm",
        "glm4",
        "glm4_moe",
        "glm4_moe_lite",
        "gpt_oss",
        "cohere",
        "cohere2",
        "granite",
        "granitemoe",
        "granitemoehybrid",
        "olmo",
        "olmo2",
        "olmo3",
        "falcon",
        "falcon_h1",
        "starcoder2",
        "internlm2",
        "internlm3",
        "exaone",
        "smollm3",
        "lfm2",
        "lfm2_moe",
        "yi",
        "baichuan",
        "llama4_text",
        "ernie4_5",
        "ernie4_5_moe",
        "hunyuan",
        "hunyuan_v1_dense",
        "hunyuan_v1_moe",
        "kimi_linear",
        "seed_oss",
        "minimax",
        "minimax_m2",
        "mistral3",
        "nemotron",
        "nemotron_h",
        "nemotron-nas",
        "apertus",
        "llama4",
        "qwen3_5_text",
        "qwen3_5_moe_text",
        # Qwen3-VL's language model (text_config) has Qwen3's and Qwen3-MoE's layout:
        # transformers' Qwen3VLTextConfig / Qwen3VLMoeTextConfig keep their keys.
        "qwen3_vl",
        "qwen3_vl_text",
        "qwen3_vl_moe",
        "qwen3_vl_moe_text",
        "ministral3",
        "qwen4_exp",
        "qwen4_exp_text",
        *ENCODER_TYPES,
    ]
)

# HF's PretrainedConfig defaults tie_word_embeddings to True, but most decoder config classes
# override it to False; these are the families whose class keeps True.
TIED_BY_DEFAULT = frozenset({"gemma", "gemma2", "gemma3", "gemma3_text", "gemma3n_text"})
