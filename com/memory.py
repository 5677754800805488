"""Memory: the target functionals' kernels rho(t).

A linear, causal, time-homogeneous functional is H_t(x) = int_0^inf rho(s) x_{t-s} ds
(Riesz representation); its kernel rho *is* its memory. Every target here is a
function of lag ``t`` (any shape, float64) returning rho(t) of the same shape.
"""
from __future__ import annotations

import torch


def exponential(t: torch.Tensor, beta: float = 1.0) -> torch.Tensor:
    """rho(t) = e^{-beta t}: short memory, an exact one-term exponential sum."""
    return torch.exp(-beta * t)


def exponential_mixture(t: torch.Tensor, beta: float = 1.0) -> torch.Tensor:
    """rho(t) = e^{-beta t} / (1 + t): decays like e^{-beta t}, yet no finite
    exponential sum, since 1/(1+t) = int_0^inf e^{-s} e^{-s t} ds mixes all rates >= beta."""
    return torch.exp(-beta * t) / (1.0 + t)


def polynomial(t: torch.Tensor, omega: float = 0.5) -> torch.Tensor:
    """rho(t) = (1 + t)^{-(1 + omega)}: long memory, integrable for omega > 0."""
    return (1.0 + t) ** (-(1.0 + omega))


def polynomial_tail(T: float, omega: float) -> float:
    """int_T^inf (1 + t)^{-(1+omega)} dt = (1 + T)^{-omega} / omega."""
    return (1.0 + T) ** (-omega) / omega


def bump(t: torch.Tensor, t0: float = 5.0, width: float = 1.0) -> torch.Tensor:
    """rho(t) = e^{-((t - t0)/width)^2}: memory concentrated at delay t0."""
    return torch.exp(-((t - t0) / width) ** 2)


def airy(t: torch.Tensor, t0: float = 6.0, s0: float = 1.0) -> torch.Tensor:
    """rho(t) = Ai(s0 (t - t0)): oscillating memory whose bulk sits near t0."""
    return torch.special.airy_ai(s0 * (t - t0))


KINDS = {
    "exponential": (exponential, "beta"),
    "exponential_mixture": (exponential_mixture, "beta"),
    "polynomial": (polynomial, "omega"),
    "bump": (bump, "t0"),
    "airy": (airy, "t0"),
}


def target(kind: str, t: torch.Tensor, scale: float) -> torch.Tensor:
    """The kernel of memory ``kind`` with its one shape parameter ``scale``
    (beta for exponential kinds, omega for polynomial, t0 for delayed kinds)."""
    if kind not in KINDS:
        raise ValueError(f"memory kind must be one of {', '.join(map(repr, KINDS))}; "
                         f"got {kind!r}")
    fn, _ = KINDS[kind]
    return fn(t, scale)


def memory_function(outputs: torch.Tensor, magnitudes: torch.Tensor) -> torch.Tensor:
    """Discrete memory function from Heaviside responses (wang2024inverse Def. 3.1).

    outputs:    (..., X, T) model outputs y_t for inputs x 1_{t>=0}, one row per magnitude
    magnitudes: (X,) the |x| of each held input
    returns:    (..., T-1) max_x |y_{t+1} - y_t| / |x|
    """
    diff = (outputs[..., 1:] - outputs[..., :-1]).abs()      # (..., X, T-1)
    return (diff / magnitudes[:, None]).amax(dim=-2)


def decay_rate(t: torch.Tensor, memory: torch.Tensor, floor: float = 1e-12) -> float:
    """Fitted exponential decay rate: slope of -log M(t) against t (least squares),
    over the points where M(t) > floor."""
    keep = memory > floor
    x, y = t[keep], torch.log(memory[keep])
    x = x - x.mean()
    return float(-(x * (y - y.mean())).sum() / (x * x).sum())


__all__ = ["exponential", "exponential_mixture", "polynomial", "polynomial_tail", "bump",
           "airy", "KINDS", "target", "memory_function", "decay_rate", "probe_inputs", "probe",
           "probes"]


def probe_inputs(magnitudes: torch.Tensor, T: int, kind: str = "heaviside",
                 d: int = 1) -> torch.Tensor:
    """Probe inputs for the memory function: x 1_{t>=0} (Heaviside, held from t = 0) or
    x 1_{t=0} (impulse), one sequence per magnitude x, the same x in every channel.

    magnitudes: (X,)  ->  (X, T, d)
    """
    if kind not in ("heaviside", "impulse"):
        raise ValueError(f"probe kind must be 'heaviside' or 'impulse'; got {kind!r}")
    shape = torch.ones(T, dtype=magnitudes.dtype) if kind == "heaviside" else \
        (torch.arange(T) == 0).to(magnitudes.dtype)
    return magnitudes[:, None, None] * shape[None, :, None].expand(1, T, d)


def probe(model, magnitudes: torch.Tensor, T: int, kind: str = "heaviside",
          d: int = 1) -> torch.Tensor:
    """Memory function of any causal sequence model, by probing it.

    model: inputs (X, T, d) -> outputs (..., X, T).  Heaviside: the discrete memory
    function max_x |y_{t+1} - y_t| / |x| (``memory_function``), (..., T-1); impulse:
    max_x |y_{t+1}| / |x|, the response after the kick, (..., T-1) on the same lags.
    For a linear model y = K * x both equal |K_{t+1}|, the memory |rho|. The response to
    the zero input is subtracted first: with biases a model's output moves even when its
    input is 0 (h relaxes to a fixed point), and that motion is not memory of the input.
    """
    return probes(model, magnitudes, T, (kind,), d)[kind]


def probes(model, magnitudes: torch.Tensor, T: int,
           kinds: tuple[str, ...] = ("heaviside", "impulse"), d: int = 1) -> dict:
    """``probe`` for several kinds from one call of the model (the probe inputs and the
    zero input stacked into one batch).  -> {kind: (..., T-1)}"""
    inputs = [probe_inputs(magnitudes, T, k, d) for k in kinds]        # (X, T, d) each
    X = len(magnitudes)
    y = model(torch.cat(inputs + [torch.zeros_like(inputs[0][:1])]))   # (..., K X + 1, T)
    out = {}
    for i, k in enumerate(kinds):
        yk = y[..., i * X:(i + 1) * X, :] - y[..., -1:, :]             # (..., X, T)
        out[k] = memory_function(yk, magnitudes) if k == "heaviside" else \
            (yk[..., 1:].abs() / magnitudes[:, None].abs()).amax(dim=-2)
    return out
