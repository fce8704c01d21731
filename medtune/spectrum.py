"""Spectrum (Hartford et al., 2024): train only the weight matrices that carry the most signal.

Each weight matrix's singular values are split by the Marchenko-Pastur bound, the largest
singular value a random matrix of that shape and noise level would have:

    sigma_est     = IQR(singular values) / 1.349           (robust noise scale)
    sigma_max_mp  = sigma_est * (1 + sqrt(min(n, m) / max(n, m)))
    SNR           = sum(singular values above the bound) / sum(those at or below it)

Within each module type (``self_attn.qkv_proj``, ``mlp.down_proj``...) the matrices whose SNR is at
or above the ``snr_threshold`` percentile are trained; every other parameter is frozen. Only the
linear layers inside the decoder layers are scanned: the (tied) embedding stays frozen.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from medtune.errors import ConfigError

LAYER_PREFIX = re.compile(r"^(?:.*\.)?layers\.\d+\.")


@dataclass
class MatrixSNR:
    name: str  # module name, e.g. model.layers.3.self_attn.qkv_proj
    module_type: str  # self_attn.qkv_proj
    shape: tuple[int, int]
    snr: float
    bound: float  # sigma_max_mp
    signal_values: int  # singular values above the bound
    selected: bool = False


@dataclass
class SpectrumSelection:
    matrices: list[MatrixSNR]
    mode: str  # "auto" (percentile) or "explicit" (layers_to_finetune)
    percentile: float
    cutoffs: dict[str, float] = field(default_factory=dict)  # module type -> SNR cutoff

    @property
    def selected(self) -> list[MatrixSNR]:
        return [m for m in self.matrices if m.selected]

    def to_dict(self) -> dict:
        return {
            "mode": self.mode,
            "snr_threshold_percentile": self.percentile,
            "cutoffs": self.cutoffs,
            "selected": [m.name for m in self.selected],
            "snr": {m.name: round(m.snr, 6) for m in self.matrices},
        }


def matrix_snr(weight) -> tuple[float, float, int]:
    """``(snr, sigma_max_mp, number of signal singular values)`` of one weight matrix."""
    import torch

    w = weight.detach().float()
    if torch.cuda.is_available() and w.device.type == "cpu":
        w = w.cuda()
    s = torch.linalg.svdvals(w)
    n, m = w.shape[-2:]
    q75, q25 = torch.quantile(s, torch.tensor([0.75, 0.25], device=s.device))
    sigma = float(q75 - q25) / 1.349
    bound = sigma * (1 + math.sqrt(min(n, m) / max(n, m)))
    signal, noise = s[s > bound], s[s <= bound]
    noise_sum = float(noise.sum())
    snr = float(signal.sum()) / noise_sum if noise_sum > 0 else math.inf
    return snr, bound, int(signal.numel())


def module_type(name: str) -> str | None:
    """``model.layers.3.self_attn.qkv_proj`` -> ``self_attn.qkv_proj``; None outside the decoder layers."""
    return LAYER_PREFIX.sub("", name) if LAYER_PREFIX.match(name) else None


def scan(model) -> list[MatrixSNR]:
    """The SNR of every linear weight matrix inside the decoder layers."""
    import torch

    out = []
    for name, mod in model.named_modules():
        kind = module_type(name)
        if kind is None or not isinstance(mod, torch.nn.Linear):
            continue
        snr, bound, k = matrix_snr(mod.weight)
        out.append(MatrixSNR(name, kind, tuple(mod.weight.shape), snr, bound, k))
    return out


def _percentile(values: list[float], q: float) -> float:
    """Linear-interpolation percentile (numpy's default), without numpy."""
    xs = sorted(values)
    if len(xs) == 1:
        return xs[0]
    pos = (len(xs) - 1) * q / 100
    lo, hi = math.floor(pos), math.ceil(pos)
    if math.isinf(xs[lo]) or math.isinf(xs[hi]):
        return xs[lo] if pos == lo else xs[hi]
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


def select(matrices: list[MatrixSNR], percentile: float, explicit: list[str] | None = None) -> SpectrumSelection:
    """Mark the matrices to train: the top of each module type by SNR, or an explicit list."""
    if explicit is not None:
        unknown = [e for e in explicit if not any(m.name == e or m.name.endswith("." + e) for m in matrices)]
        if unknown:
            known = ", ".join(m.name for m in matrices[:4])
            raise ConfigError(
                [
                    f"fine_tuning.layers_to_finetune: {', '.join(unknown)} match no linear layer of the decoder "
                    f"(names look like {known}, ...)"
                ]
            )
        for m in matrices:
            m.selected = any(m.name == e or m.name.endswith("." + e) for e in explicit)
        return SpectrumSelection(matrices, "explicit", percentile)
    cutoffs: dict[str, float] = {}
    for kind in dict.fromkeys(m.module_type for m in matrices):
        group = [m for m in matrices if m.module_type == kind]
        cutoffs[kind] = _percentile([m.snr for m in group], percentile)
        for m in group:
            m.selected = m.snr >= cutoffs[kind]
    return SpectrumSelection(matrices, "auto", percentile, cutoffs)


def apply_spectrum(model, percentile: float, layers_to_finetune: str | list[str] = "auto") -> SpectrumSelection:
    """Scan, select and freeze: afterwards only the selected matrices require gradients."""
    matrices = scan(model)
    if not matrices:
        raise ConfigError(["fine_tuning.method: spectrum found no linear layers inside decoder layers to scan"])
    selection = select(matrices, percentile, None if layers_to_finetune == "auto" else list(layers_to_finetune))
    chosen = {m.name for m in selection.selected}
    for p in model.parameters():
        p.requires_grad = False
    for name, mod in model.named_modules():
        if name in chosen:
            for p in mod.parameters():
                p.requires_grad = True
    return selection


def format_selection(sel: SpectrumSelection) -> str:
    """Which matrices Spectrum picked and why, for the console."""
    if sel.mode == "auto":
        head = (
            f"spectrum: training {len(sel.selected)} of {len(sel.matrices)} weight matrices, those at or above the "
            f"{sel.percentile:g}th SNR percentile of their module type (SNR = signal/noise singular values, "
            "split at the Marchenko-Pastur bound)"
        )
    else:
        head = f"spectrum: training the {len(sel.selected)} matrices listed in fine_tuning.layers_to_finetune"
    lines = [head]
    for kind in dict.fromkeys(m.module_type for m in sel.matrices):
        group = [m for m in sel.matrices if m.module_type == kind]
        kept = [m for m in group if m.selected]
        cut = f", SNR >= {sel.cutoffs[kind]:.4g}" if kind in sel.cutoffs else ""
        lines.append(f"  {kind}: {len(kept)}/{len(group)}{cut}")
        for m in group:
            mark = "train " if m.selected else "frozen"
            lines.append(f"    {mark} {m.name:<40} SNR {m.snr:9.4g}  ({m.signal_values} values above bound {m.bound:.4g})")
    return "\n".join(lines)
