"""The embedded dev model: a tiny Phi-4-mini built locally, deterministically, with no download.

It has the real architecture (`Phi3ForCausalLM`: fused qkv_proj and gate_up_proj, partial rotary
factor 0.75, tied embeddings, 3:1 query to key/value heads) and a byte-level BPE tokenizer trained
on text the project ships, carrying Phi-4-mini's special tokens and its exact chat template. It is
saved with ``save_pretrained`` into a cache directory and then loaded like any local checkpoint, so
the dev run exercises the same loading code as ``microsoft/Phi-4-mini-instruct``.

The weights are randomly initialised (seeded): the model is for proving the pipeline end to end,
not for giving medical answers.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

from medtune.errors import MedtuneError
from medtune.phi4 import ARCHITECTURE, CHAT_TEMPLATE, END, ENDOFTEXT, SPECIAL_TOKENS

EMBEDDED_PREFIX = "embedded:"
ASSETS = Path(__file__).parent / "assets"

# name -> architecture: Phi-4-mini's shape (medtune.phi4.ARCHITECTURE) with its ratios kept, tiny.
EMBEDDED_MODELS: dict[str, dict] = {
    "tiny-phi4-mini": {
        "hidden_size": 192,
        "intermediate_size": 512,
        "num_hidden_layers": 4,
        "num_attention_heads": 6,
        "num_key_value_heads": 2,
        "partial_rotary_factor": ARCHITECTURE["partial_rotary_factor"],
        "max_position_embeddings": 4096,
        "rope_theta": 10000.0,
        "tie_word_embeddings": True,
        "tokenizer_vocab_size": 4096,
        "seed": 0,
    },
}
BUILD_VERSION = 1  # bump when the build procedure changes, so caches rebuild


def is_embedded(name: str) -> bool:
    return name.startswith(EMBEDDED_PREFIX)


def default_cache_dir() -> Path:
    return Path(os.path.expanduser("~/.cache/medtune"))


def _corpus() -> tuple[list[str], str]:
    path = ASSETS / "tokenizer_corpus.txt"
    text = path.read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line.strip()], hashlib.sha256(text.encode()).hexdigest()


def embedded_model_dir(name: str, cache_dir: str | os.PathLike | None = None) -> Path:
    """Where the embedded model named ``embedded:NAME`` lives once built (keyed by its spec)."""
    key = name.removeprefix(EMBEDDED_PREFIX)
    if key not in EMBEDDED_MODELS:
        raise MedtuneError(
            f"model.base_model_name: unknown embedded model {name!r}; available: "
            + ", ".join(EMBEDDED_PREFIX + k for k in EMBEDDED_MODELS)
        )
    spec = {"spec": EMBEDDED_MODELS[key], "corpus": _corpus()[1], "build": BUILD_VERSION}
    digest = hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()[:12]
    root = Path(cache_dir) if cache_dir else default_cache_dir()
    return root / "embedded" / f"{key}-{digest}"


def ensure_embedded_model(name: str, cache_dir: str | os.PathLike | None = None) -> Path:
    """Build the embedded model on first use and return its directory; later calls reuse it."""
    target = embedded_model_dir(name, cache_dir)
    if (target / "config.json").is_file() and (target / "model.safetensors").is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    build_embedded_model(name.removeprefix(EMBEDDED_PREFIX), tmp)
    try:
        os.replace(tmp, target)  # atomic: a half-built model is never visible under its real name
    except OSError:
        shutil.rmtree(tmp, ignore_errors=True)  # another process finished first
        if not (target / "config.json").is_file():
            raise
    return target


def build_tokenizer(vocab_size: int):
    """A byte-level BPE tokenizer with Phi-4-mini's special tokens and chat template."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    lines, _ = _corpus()
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size - len(SPECIAL_TOKENS),
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        special_tokens=[],
        show_progress=False,
    )
    tok.train_from_iterator(lines, trainer=trainer)
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok,
        bos_token=ENDOFTEXT,
        eos_token=ENDOFTEXT,
        unk_token=ENDOFTEXT,
        pad_token=ENDOFTEXT,
        additional_special_tokens=SPECIAL_TOKENS[1:],
        clean_up_tokenization_spaces=False,
        model_max_length=131072,
    )
    fast.add_bos_token = False
    fast.add_eos_token = False
    fast.padding_side = "left"  # Phi-4-mini's default; the trainer pads on the right itself
    fast.chat_template = CHAT_TEMPLATE
    return fast


def build_embedded_model(key: str, out_dir: Path) -> None:
    import torch
    from transformers import GenerationConfig, Phi3Config, Phi3ForCausalLM

    spec = dict(EMBEDDED_MODELS[key])
    tokenizer = build_tokenizer(spec.pop("tokenizer_vocab_size"))
    seed = spec.pop("seed")
    eot = tokenizer.convert_tokens_to_ids(ENDOFTEXT)
    end = tokenizer.convert_tokens_to_ids(END)
    vocab = -(-len(tokenizer) // 64) * 64  # padded like Phi-4-mini's 200064
    config = Phi3Config(
        vocab_size=vocab,
        bos_token_id=eot,
        eos_token_id=eot,
        pad_token_id=eot,
        attention_dropout=0.0,
        resid_pdrop=0.0,
        embd_pdrop=0.0,
        hidden_act="silu",
        initializer_range=0.02,
        rms_norm_eps=1e-5,
        use_cache=True,
        **spec,
    )
    torch.manual_seed(seed)
    model = Phi3ForCausalLM(config)
    model.generation_config = GenerationConfig(
        bos_token_id=eot, eos_token_id=[end, eot], pad_token_id=eot, do_sample=False
    )
    out_dir.mkdir(parents=True)
    model.save_pretrained(out_dir, safe_serialization=True)
    tokenizer.save_pretrained(out_dir)
    (out_dir / "README.md").write_text(
        f"# embedded:{key}\n\nA tiny, randomly initialised (seed {seed}) model of the Phi-4-mini architecture, "
        "built locally by medtune for development runs and tests. It carries Phi-4-mini's special tokens and "
        "chat template. It knows nothing: do not use it for answers.\n",
        encoding="utf-8",
    )
