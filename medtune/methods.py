"""The fine-tuning methods: how the loaded base model is made trainable.

- ``qlora``     4-bit NF4 base (loaded by :func:`medtune.model.load_model`), prepared for k-bit
                training, with LoRA adapters on top
- ``lora``      LoRA adapters on the 16-bit base, or on an 8-bit (LLM.int8) one with model.load_in_8bit
- ``full``      every weight trains
- ``spectrum``  only the weight matrices with the highest signal-to-noise ratio train (:mod:`medtune.spectrum`)

Torch and PEFT are imported inside the functions.
"""

from __future__ import annotations

from typing import Any

from medtune.config import Config
from medtune.errors import ConfigError


def make_trainable(cfg: Config, model) -> tuple[Any, dict, list[str]]:
    """``(model, info, notes)``: the model with the configured method's trainable parameters,
    what to record about them (Spectrum's selection), and lines to show the user."""
    method = cfg.fine_tuning.method
    info: dict[str, Any] = {}
    notes: list[str] = []
    if method == "qlora" or cfg.model.load_in_8bit:  # a 4-bit or 8-bit base
        from peft import prepare_model_for_kbit_training

        # Gradient checkpointing is switched on by the Trainer (activation_checkpointing), once.
        model = prepare_model_for_kbit_training(model, use_gradient_checkpointing=False)
    if method in ("qlora", "lora"):
        model = add_lora(cfg, model)
    elif method == "spectrum":
        from medtune.spectrum import apply_spectrum, format_selection

        selection = apply_spectrum(model, cfg.fine_tuning.snr_threshold, cfg.fine_tuning.layers_to_finetune)
        notes.append(format_selection(selection))
        info["spectrum"] = selection.to_dict()
    else:  # full
        for p in model.parameters():
            p.requires_grad = True
    return model, info, notes


def add_lora(cfg: Config, model):
    """PEFT LoRA adapters on the configured modules; a target that matches nothing is an error."""
    from peft import LoraConfig, get_peft_model

    from medtune.model import linear_module_names, unmatched_targets

    lc = cfg.lora
    problems = []
    if isinstance(lc.target_modules, list):
        missing = unmatched_targets(model, lc.target_modules)
        if missing:
            problems.append(
                f"lora.target_modules: {', '.join(missing)} match no module of {cfg.model.base_model_name}; its linear "
                f"layers are {', '.join(linear_module_names(model))} (or use all-linear)"
            )
    missing_save = unmatched_targets(model, lc.modules_to_save or [])
    if missing_save:
        problems.append(f"lora.modules_to_save: {', '.join(missing_save)} match no module")
    if problems:
        raise ConfigError(problems)
    peft_cfg = LoraConfig(
        r=lc.r,
        lora_alpha=lc.lora_alpha,
        lora_dropout=lc.lora_dropout,
        target_modules=lc.target_modules,
        bias=lc.bias,
        task_type=lc.task_type,
        use_rslora=lc.use_rslora,
        modules_to_save=lc.modules_to_save,
    )
    return get_peft_model(model, peft_cfg)
