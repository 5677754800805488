"""Training many small models at once: full-batch gradient descent or Adam.

Models are batched along a leading axis (seeds, widths, targets), their losses
summed: the models share no parameters, so each one's gradient is its own.
Progress is the caller's: an ``on_step(step, loss)`` callback sees every step.
``train`` is the one loop; ``fit_diagonal`` trains diagonal RNNs on a kernel.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import torch

from ..models.kernels import diagonal_kernel
from ..models.parameterisations import get
from .loss import white_noise_loss

OnStep = Callable[[int, torch.Tensor], None]


@dataclass
class DiagonalRNN:
    """Continuous-time diagonal linear RNN: rhohat(t) = sum_i c_i e^{-w_i t}, with decay
    rates w = -f(raw) for the continuous parameterisation ``pname`` of
    com.models.parameterisations ("exp": w = e^raw). With ``freqs`` nu and ``sines`` s
    its modes are complex-conjugate pairs -w_i +- i nu_i (a real RNN of 2x2 blocks,
    width 2m): rhohat(t) = sum_i e^{-w_i t} (c_i cos nu_i t + s_i sin nu_i t).

    raw, coeffs (and freqs, sines): (S, m) for S models of m modes (or mode pairs).
    """
    raw: torch.Tensor
    coeffs: torch.Tensor
    pname: str = "exp"
    freqs: torch.Tensor | None = None
    sines: torch.Tensor | None = None

    def rates(self) -> torch.Tensor:
        return -get("continuous", self.pname)(self.raw)

    def kernel(self, t: torch.Tensor) -> torch.Tensor:
        return diagonal_kernel(t, self.rates(), self.coeffs, self.freqs, self.sines)

    def parameters(self) -> list[torch.Tensor]:
        extra = [] if self.freqs is None else [self.freqs, self.sines]
        return [self.raw, self.coeffs] + extra

    def repeat(self, k: int) -> "DiagonalRNN":
        """The same S models, fresh leaves, k times over (k S, m): one copy per target,
        target-major (row j S + i is model i for target j)."""
        fresh = [p.detach().repeat(k, 1).requires_grad_() for p in self.parameters()]
        return DiagonalRNN(fresh[0], fresh[1], self.pname, *fresh[2:])


def init_diagonal(n_models: int, m: int, generator: torch.Generator, rates=(0.5, 2.0),
                  coeff_scale: float = 0.0, pname: str = "exp",
                  freqs=None) -> DiagonalRNN:
    """Rates uniform in ``rates``, coefficients N(0, coeff_scale^2) (zero by default),
    raw parameters through the inverse of ``pname``, all drawn from ``generator``;
    with ``freqs`` (lo, hi): mode pairs of frequencies uniform in it and zero sine
    weights (drawn after the rates and coefficients).  -> (n_models, m)
    The frequencies must not all be 0: at nu = s = 0 the gradient on both vanishes,
    and the model stays real for ever."""
    g = generator
    w0 = torch.empty(n_models, m, dtype=torch.float64).uniform_(*rates, generator=g)
    c0 = coeff_scale * torch.randn(n_models, m, dtype=torch.float64, generator=g)
    raw = get("continuous", pname).inverse(-w0)
    model = DiagonalRNN(raw.requires_grad_(), c0.requires_grad_(), pname)
    if freqs is not None:
        nu = torch.empty(n_models, m, dtype=torch.float64).uniform_(*freqs, generator=g)
        model.freqs, model.sines = nu.requires_grad_(), torch.zeros_like(nu).requires_grad_()
    return model


def train(params: list[torch.Tensor], loss_fn: Callable[[], torch.Tensor], steps: int,
          lr: float, method: str = "adam", record_every: int = 1,
          on_step: OnStep | None = None,
          until: Callable[[list], bool] | None = None) -> torch.Tensor:
    """Minimise the batched loss ``loss_fn() -> (S,)`` for ``steps`` steps with Adam or
    gradient descent; ``on_step(step, loss)`` is called after every step (progress);
    ``until(history)``, if given, is asked after every step whether to stop early
    (history: the (S,) losses recorded so far, a list; it should look rarely).

    Returns the loss history, (steps // record_every, S), fewer rows if stopped.
    """
    if method not in ("adam", "gd"):
        raise ValueError(f"parameter 'method' must be 'adam' or 'gd'; got {method!r}")
    opt = (torch.optim.Adam(params, lr=lr) if method == "adam"
           else torch.optim.SGD(params, lr=lr))
    history = []
    for step in range(steps):
        loss = loss_fn()                                                # (S,)
        if step % record_every == 0:
            history.append(loss.detach().clone())
        opt.zero_grad(set_to_none=True)
        loss.sum().backward()
        opt.step()
        if on_step is not None:
            on_step(step, loss)
        if until is not None and until(history):
            break
    return torch.stack(history) if history else torch.empty(0)


def fit_diagonal(t: torch.Tensor, target: torch.Tensor, weights: torch.Tensor, m: int,
                 n_models: int, steps: int, lr: float, generator: torch.Generator,
                 rates=(0.5, 2.0), on_step: OnStep | None = None) -> dict[str, torch.Tensor]:
    """Train ``n_models`` diagonal linear RNNs of width m on the white-noise loss
    sum_s weights_s (rho_s - rhohat_s)^2 with Adam, rates w = e^raw.

    target: (T,), or (K, T) for K targets trained at once, each from the same
    ``n_models`` initial models (the models share nothing, so this is K runs in one
    program: half the steps' overhead for two targets).
    Returns final ``loss`` ([K,] n_models), ``rates`` ([K,] n_models, m), ``coeffs`` and
    the loss ``history`` (steps, [K,] n_models).
    """
    K = target.shape[0] if target.dim() == 2 else 1
    model = init_diagonal(n_models, m, generator, rates=rates)
    if K > 1:                                               # the same draws for every target
        model = model.repeat(K)
    rho = target.repeat_interleave(n_models, 0) if K > 1 else target     # (K n, T) or (T,)
    history = train(model.parameters(),
                    lambda: white_noise_loss(rho, model.kernel(t), weights),
                    steps, lr, method="adam", on_step=on_step)
    with torch.no_grad():
        final = white_noise_loss(rho, model.kernel(t), weights)
    out = {"loss": final, "rates": model.rates().detach(), "coeffs": model.coeffs.detach()}
    if K > 1:
        out = {k: v.reshape(K, n_models, *v.shape[1:]) for k, v in out.items()}
        history = history.reshape(history.shape[0], K, n_models)
    return out | {"history": history}


__all__ = ["DiagonalRNN", "init_diagonal", "train", "fit_diagonal"]
