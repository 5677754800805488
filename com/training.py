"""Training many small models at once: full-batch gradient descent or Adam.

Models are batched along a leading axis (seeds, widths, targets), their losses
summed: the models share no parameters, so each one's gradient is its own.
Training is checkpointed when asked, so an interrupted run resumes where it stopped.
``train`` is the one loop; ``fit_diagonal`` trains diagonal RNNs on a kernel,
``train_family`` any family of com.trained_families on a com.tasks task, all widths
in one padded program.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import torch
from tqdm import tqdm  # plain text bars: tqdm.auto warns on stderr without ipywidgets

from . import loss, models, trained_families
from .tasks import Task


def progress_enabled() -> bool:
    """Progress bars unless COM_PROGRESS=0 (set by the regression tests, whose
    comparisons must not see bars that redraw a timing-dependent number of times)."""
    return os.environ.get("COM_PROGRESS", "1") != "0"


@dataclass
class DiagonalRNN:
    """Continuous-time diagonal linear RNN: rhohat(t) = sum_i c_i e^{-w_i t}, w = f(raw).

    raw, coeffs: (S, m) for S models of width m; ``rate`` maps raw parameters to
    positive decay rates (a parameterisation, see com.parameterisations).
    """
    raw: torch.Tensor
    coeffs: torch.Tensor
    rate: Callable[[torch.Tensor], torch.Tensor] = torch.exp

    def rates(self) -> torch.Tensor:
        return self.rate(self.raw)

    def kernel(self, t: torch.Tensor) -> torch.Tensor:
        return models.diagonal_kernel(t, self.rates(), self.coeffs)   # (S, T)

    def parameters(self) -> list[torch.Tensor]:
        return [self.raw, self.coeffs]


def init_diagonal(n_models: int, m: int, seed: int, rates=(0.5, 2.0), coeff_scale: float = 0.0,
                  rate=torch.exp, inverse=torch.log) -> DiagonalRNN:
    """Rates uniform in ``rates``, coefficients N(0, coeff_scale^2) (zero by default).

    ``inverse`` maps the initial rates back to raw parameters of ``rate``.  -> (n_models, m)
    """
    g = torch.Generator().manual_seed(seed)
    w0 = torch.empty(n_models, m, dtype=torch.float64).uniform_(*rates, generator=g)
    c0 = coeff_scale * torch.randn(n_models, m, dtype=torch.float64, generator=g)
    return DiagonalRNN(inverse(w0).requires_grad_(), c0.requires_grad_(), rate)


def _resume(checkpoint: Path | None, params: list[torch.Tensor],
            opt: torch.optim.Optimizer) -> tuple[list[torch.Tensor], int]:
    """Load a checkpoint into ``params`` and ``opt`` if there is one: (history, step)."""
    if checkpoint is None or not Path(checkpoint).exists():
        return [], 0
    state = torch.load(checkpoint, weights_only=False)
    with torch.no_grad():
        for p, saved in zip(params, state["params"]):
            p.copy_(saved)
    opt.load_state_dict(state["opt"])
    return state["history"], state["step"]


def _save(checkpoint: Path | None, params: list[torch.Tensor], opt: torch.optim.Optimizer,
          history: list[torch.Tensor], step: int) -> None:
    """Write a checkpoint whole (a temporary file, then a rename); nothing without one."""
    if checkpoint is None:
        return
    Path(checkpoint).parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(checkpoint).with_suffix(".tmp")
    torch.save({"params": [p.detach().clone() for p in params], "opt": opt.state_dict(),
                "history": history, "step": step}, tmp)
    tmp.replace(checkpoint)


def train(params: list[torch.Tensor], loss_fn: Callable[[], torch.Tensor], steps: int,
          lr: float, method: str = "adam", record_every: int = 1, desc: str = "training",
          checkpoint: Path | None = None, progress: bool | None = None) -> torch.Tensor:
    """Minimise the batched loss ``loss_fn() -> (S,)`` for ``steps`` steps.

    Returns the loss history, (steps // record_every, S). With ``checkpoint``,
    parameters, optimiser state and history are saved every 10% of the run and
    on interrupt, and a rerun resumes from them.
    """
    if method not in ("adam", "gd"):
        raise ValueError(f"parameter 'method' must be 'adam' or 'gd'; got {method!r}")
    opt = (torch.optim.Adam(params, lr=lr) if method == "adam"
           else torch.optim.SGD(params, lr=lr))
    history, start = _resume(checkpoint, params, opt)

    def save(step):
        _save(checkpoint, params, opt, history, step)

    if progress is None:
        progress = progress_enabled()
    every = max(1, steps // 10)
    step = start
    try:
        for step in tqdm(range(start, steps), desc=desc, disable=not progress,
                         initial=start, total=steps, mininterval=1.0):
            loss = loss_fn()                                            # (S,)
            if step % record_every == 0:
                history.append(loss.detach().clone())
            opt.zero_grad(set_to_none=True)
            loss.sum().backward()
            opt.step()
            if (step + 1) % every == 0:
                save(step + 1)
    except KeyboardInterrupt:
        del history[(step + record_every - 1) // record_every:]   # drop the unfinished step
        save(step)
        raise
    return torch.stack(history) if history else torch.empty(0)


def fit_diagonal(t: torch.Tensor, target: torch.Tensor, weights: torch.Tensor, m: int,
                 n_models: int, steps: int, lr: float, seed: int, rates=(0.5, 2.0),
                 desc: str = "") -> dict[str, torch.Tensor]:
    """Train ``n_models`` diagonal linear RNNs of width m on the white-noise loss
    sum_s weights_s (rho_s - rhohat_s)^2 with Adam, rates w = e^raw.

    target: (T,), or (K, T) for K targets trained at once, each from the same
    ``n_models`` initial models (the models share nothing, so this is K runs in one
    program: half the steps' overhead for two targets).
    Returns final ``loss`` ([K,] n_models), ``rates`` ([K,] n_models, m), ``coeffs`` and
    the loss ``history`` (steps, [K,] n_models).
    """
    K = target.shape[0] if target.dim() == 2 else 1
    model = init_diagonal(n_models, m, seed, rates=rates)
    if K > 1:                                               # the same draws for every target
        model = DiagonalRNN(model.raw.detach().repeat(K, 1).requires_grad_(),
                            model.coeffs.detach().repeat(K, 1).requires_grad_(), model.rate)
    rho = target.repeat_interleave(n_models, 0) if K > 1 else target     # (K n, T) or (T,)
    history = train(model.parameters(),
                    lambda: loss.white_noise_loss(rho, model.kernel(t), weights),
                    steps, lr, method="adam", desc=desc or f"m={m}")
    with torch.no_grad():
        final = loss.white_noise_loss(rho, model.kernel(t), weights)
    out = {"loss": final, "rates": model.rates().detach(), "coeffs": model.coeffs.detach()}
    if K > 1:
        out = {k: v.reshape(K, n_models, *v.shape[1:]) for k, v in out.items()}
        history = history.reshape(history.shape[0], K, n_models)
    return out | {"history": history}


def train_family(task: Task, pname: str, widths: list[int], n_models: int, steps: int, lr: float,
                 generator: torch.Generator, desc: str = "") -> tuple[dict, dict]:
    """Train n_models models of each width with Adam, all widths in one padded program:
    on the closed-form white-noise loss (linear families) or the sampled loss (the others).
    -> (raw params (S, ...), masks), S = len(widths) * n_models, width-major."""
    w = torch.tensor(widths).repeat_interleave(n_models)
    init = trained_families.init_family(task.family, pname, len(w), max(widths), generator)
    masks = trained_families.width_masks(init, w)
    # A padded unit's raw eigenvalue w is inert (its b or c is zero), but S must stay in
    # the live block: Q = cayley(S - S^T) would otherwise rotate padded units into the model.
    mask = {k: (torch.ones_like(v) if k in ("w", "w1", "w2") else v) for k, v in masks.items()}
    params = {k: (v * mask[k]).requires_grad_() for k, v in init.items()}

    def live():
        return {k: v * mask[k] for k, v in params.items()}
    if not trained_families.get(task.family).linear:
        x, y = task.data["x"][0], task.data["y"][0]

        def loss_fn():
            yhat = trained_families.family_outputs(task.family, pname, live(), x)
            return ((yhat - y) ** 2).mean((-1, -2))
    else:
        def loss_fn():
            K = trained_families.family_kernel(task.family, pname, live(), task.grid)
            return loss.white_noise_loss(task.target, K, task.weights)
    train(list(params.values()), loss_fn, steps, lr, desc=desc or f"{task.family} {pname}")
    return {k: v.detach() for k, v in live().items()}, masks
