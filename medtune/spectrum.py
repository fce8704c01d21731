"""Spectrum (Hartford et al., 2024): train only the weight matrices that carry the most signal.

Each weight matrix's singular values are split by the Marchenko-Pastur bound, the largest
singular value a pure-noise matrix of that shape and noise level would have. For an n x m matrix
(n >= m, beta = m / n) with noise of scale sigma per entry, the squared singular values over n follow
the Marchenko-Pastur law, whose median mu_beta is known, so (Gavish and Donoho's estimator):

    sigma_est     = sqrt(median(s^2) / (n * mu_beta))      noise scale, from the singular values
    sigma_max_mp  = sigma_est * sqrt(n) * (1 + sqrt(beta)) the bulk's upper edge
    SNR           = sum(s above sigma_max_mp) / sum(s at or below it)

Pure noise scores about 0; structure learned in pre-training rises above the bulk. Within each
module type (``self_attn.qkv_proj``, ``mlp.down_proj``...) the matrices with the highest SNR are
trained, those above the ``snr_threshold`` percentile (at least one per type), or an explicit
``layers_to_finetune`` list; every other parameter is frozen. Only the linear layers inside the
decoder layers are scanned: the (tied) embedding stays frozen.
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


def mp_median(beta: float, points: int = 2000) -> float:
    """Median of the Marchenko-Pastur law with ratio ``beta`` (0 < beta <= 1) and unit variance.

    Integrated in theta, with x = lo + (hi - lo) sin^2(theta), which removes the square-root edges
    (and the 1/sqrt(x) pole at beta = 1) from the density.
    """
    lo, hi = (1 - math.sqrt(beta)) ** 2, (1 + math.sqrt(beta)) ** 2
    step = (math.pi / 2) / points
    total, cdf, ends = 0.0, [0.0], [lo]
    for i in range(points):
        t = (i + 0.5) * step  # midpoint of the cell, whose CDF is recorded at its end
        sc = math.sin(t) * math.cos(t)
        x = lo + (hi - lo) * math.sin(t) ** 2
        total += (hi - lo) ** 2 * 2 * sc * sc / (2 * math.pi * beta * x) * step
        cdf.append(total)
        ends.append(lo + (hi - lo) * math.sin((i + 1) * step) ** 2)
    half = total / 2
    i = next(i for i, c in enumerate(cdf) if c >= half)
    frac = (half - cdf[i - 1]) / (cdf[i] - cdf[i - 1])
    return ends[i - 1] + frac * (ends[i] - ends[i - 1])


def matrix_snr(weight) -> tuple[float, float, int]:
    """``(snr, sigma_max_mp, number of singular values above it)`` of one weight matrix."""
    import torch

    w = weight.detach().float()
    if torch.cuda.is_available() and w.device.type == "cpu":
        w = w.cuda()
    s = torch.linalg.svdvals(w)
    n, m = max(w.shape[-2:]), min(w.shape[-2:])
    beta = m / n
    sigma = math.sqrt(float(torch.median(s**2)) / (n * mp_median(beta)))
    bound = sigma * math.sqrt(n) * (1 + math.sqrt(beta))
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


def keep_count(total: int, percentile: float) -> int:
    """How many of ``total`` matrices lie above the ``percentile``: the top share, at least one."""
    return max(1, math.ceil(total * (1 - percentile / 100) - 1e-9))


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
        ranked = sorted(group, key=lambda m: m.snr, reverse=True)  # stable: ties go to the earlier layer
        kept = ranked[: keep_count(len(group), percentile)]
        for m in group:
            m.selected = any(m is k for k in kept)
        cutoffs[kind] = kept[-1].snr
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
            f"spectrum: training {len(sel.selected)} of {len(sel.matrices)} weight matrices, those above the "
            f"{sel.percentile:g}th SNR percentile of their module type (SNR = sum of singular values above the "
            "Marchenko-Pastur bound / sum of those below)"
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
