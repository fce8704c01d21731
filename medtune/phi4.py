"""What medtune knows about Phi-4-mini, in one place (torchtune keeps the same in ``models/phi3/``).

The chat template and special tokens, the fused module names the Hugging Face implementation
uses (``Phi3ForCausalLM``), its decoder layer class, and the architecture numbers of
``microsoft/Phi-4-mini-instruct``'s config.json. The embedded dev model, the memory estimate, the
config checks and the throughput benchmark all read from here, so a change of base model is a
change in this module.

Plain constants: importing this module imports nothing.
"""

from __future__ import annotations

HUB_ID = "microsoft/Phi-4-mini-instruct"
MODEL_TYPE = "phi3"  # config.json's model_type: Phi-4-mini runs on the Phi-3 implementation
DECODER_LAYER = "Phi3DecoderLayer"  # FSDP's transformer_layer_cls_to_wrap

# Chat template, verbatim: no newlines between turns, `<|assistant|>` as the generation prompt,
# and the eos token after the last turn when no generation prompt is asked for.
CHAT_TEMPLATE = (
    "{% for message in messages %}{% if message['role'] == 'system' and 'tools' in message and "
    "message['tools'] is not none %}{{ '<|' + message['role'] + '|>' + message['content'] + '<|tool|>' + "
    "message['tools'] + '<|/tool|>' + '<|end|>' }}{% else %}{{ '<|' + message['role'] + '|>' + "
    "message['content'] + '<|end|>' }}{% endif %}{% endfor %}{% if add_generation_prompt %}"
    "{{ '<|assistant|>' }}{% else %}{{ eos_token }}{% endif %}"
)
ENDOFTEXT = "<|endoftext|>"  # bos, eos and pad
END = "<|end|>"  # closes every turn: generation stops on it and on ENDOFTEXT
SYSTEM, USER, ASSISTANT = "<|system|>", "<|user|>", "<|assistant|>"
# In Phi-4-mini's id order (199999, then 200018 onwards).
SPECIAL_TOKENS = [
    ENDOFTEXT,
    "<|endofprompt|>",
    ASSISTANT,
    END,
    USER,
    SYSTEM,
    "<|tool|>",
    "<|/tool|>",
    "<|tool_call|>",
    "<|/tool_call|>",
    "<|tool_response|>",
    "<|tag|>",
]

# Linear layers of each decoder layer. Attention's q, k and v are one fused matrix, and so are
# the MLP's gate and up projections: Llama's names match nothing here.
LINEAR_MODULES = ("qkv_proj", "o_proj", "gate_up_proj", "down_proj")
LLAMA_TO_FUSED = {
    "q_proj": "qkv_proj",
    "k_proj": "qkv_proj",
    "v_proj": "qkv_proj",
    "gate_proj": "gate_up_proj",
    "up_proj": "gate_up_proj",
}

# microsoft/Phi-4-mini-instruct's config.json (the longrope factors for contexts beyond 4096 change
# the rotary frequencies, not the shapes or the amount of work).
ARCHITECTURE = {
    "hidden_size": 3072,
    "intermediate_size": 8192,
    "num_hidden_layers": 32,
    "num_attention_heads": 24,
    "num_key_value_heads": 8,  # 3:1 grouped-query attention
    "head_dim": 128,
    "partial_rotary_factor": 0.75,  # RoPE rotates 96 of each head's 128 dimensions
    "vocab_size": 200064,  # 200019 tokens, padded to a multiple of 64
    "tie_word_embeddings": True,
    "rope_theta": 10000.0,
    "max_position_embeddings": 131072,
}
