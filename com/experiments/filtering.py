"""Filtering by stability (wang2024inverse, Fig. 3): the linear students and the verdict.

The teachers are com.experiments.teachers'; the authors' hardtanh students are made
from the linear ones here (com.experiments.hardtanh_students). Linear students are
diagonal linear RNNs h_t = a h_{t-1} + u x_t, y_t = c^T h_t, with modes
a_i = 1 - delta_i (com.models.kernels' convention): a convolution y = K * x with the
kernel K_s = sum_i g_i (1 - delta_i)^s, g_i = c_i u_i, so training needs no loop over
time. The squared error of a kernel on fixed data is a quadratic form in K,

    sum_{n,t} (sum_s K_s x_{n,t-s} - y_{n,t})^2 = K^T A K - 2 b^T K + |y|^2,
    A_{s s'} = sum_{n,t} x_{n,t-s} x_{n,t-s'},   b_s = sum_{n,t} x_{n,t-s} y_{n,t},

so the data enter once, through A (T, T) and b (T,), and a training step costs a
few matrix products whatever the number of sequences. For given modes the loss is
quadratic in g, solved exactly (``best_weights``); Adam moves the modes alone
(``train``). The verdict's ingredients: the sup error on test data (``sup_error``),
pruning of modes that carry least (``prune``) and the blow-up radius
(``blowup_radius``), together ``evaluate``; the rule itself is com.stability.verdict's,
applied per teacher by ``judge``.
"""
from __future__ import annotations

import torch

from ..approximation import exp_sums
from ..approximation.horizon import unstable
from ..models.kernels import convolve, exp_sum, powers
from ..models.padding import inert, live
from ..stability import linearisation, verdict
from ..training.loop import train as train_loop


def lagged_moments(x: torch.Tensor, y: torch.Tensor) -> dict:
    """The data's moments for the quadratic loss: A (T, T), b (S, T), yy (S,) as in the
    module docstring.  x: (N, T) shared inputs; y: (S, N, T) one output set per teacher"""
    T = x.shape[-1]
    idx = torch.arange(T)[:, None] - torch.arange(T)[None, :]           # t - s
    X = torch.where(idx >= 0, x[:, idx.clamp_min(0)], torch.zeros(()))  # (N, T, T)
    return {"A": torch.einsum("nts,ntu->su", X, X),
            "b": torch.einsum("nts,knt->ks", X, y), "yy": (y ** 2).sum((-1, -2))}


def init_students(n: int, widths: list[int], generator: torch.Generator,
                  deltas: tuple[float, float], shared: torch.Tensor | None = None) -> dict:
    """Students for n teachers and every width, zero-padded to the widest: distances
    delta uniform in ``deltas`` (trainable); ``live`` (W, M) marks the units in use.
    ``shared`` (n,): teacher k starts from the draw of teacher shared[k] (twins start
    alike).  -> {"delta": (n, W, M), "live": (W, M)}"""
    M = max(widths)
    delta = torch.empty(n, len(widths), M).uniform_(*deltas, generator=generator)
    if shared is not None:
        delta = delta[shared]
    return {"delta": delta.requires_grad_(), "live": live(widths, M, torch.float64)}


def normal_equations(delta: torch.Tensor, live: torch.Tensor,
                     moments: dict) -> tuple[torch.Tensor, torch.Tensor]:
    """The loss as a quadratic in the weights g for given modes: with
    V_is = (1 - delta_i)^s over the live units i, K = V^T g, so
    |K * x - y|^2 = g^T Q g - 2 g^T q + |y|^2, Q = V A V^T, q = V b. Each width is
    computed on its live block alone (V A costs m T^2 per student: the padding would
    cost more than the units in use), then zero-padded.
    delta: (n, W, M); live: (W, M), the first units of each width  ->  Q (n, W, M, M),
    q (n, W, M)"""
    t = torch.arange(moments["A"].shape[0], dtype=torch.float64)
    M = delta.shape[-1]
    Qs, qs = [], []
    for w, m in enumerate(live.sum(-1).long().tolist()):
        V = powers(t, delta=delta[:, w, :m])                            # (n, m, T)
        Q = (V @ moments["A"]) @ V.transpose(-1, -2)                    # (n, m, m)
        Qs.append(torch.nn.functional.pad(Q, (0, M - m, 0, M - m)))
        qs.append(torch.nn.functional.pad((V @ moments["b"][:, :, None])[..., 0], (0, M - m)))
    return torch.stack(Qs, 1), torch.stack(qs, 1)


def best_weights(Q: torch.Tensor, q: torch.Tensor, live: torch.Tensor,
                 ridge: float = 1e-12) -> torch.Tensor:
    """argmin_g g^T Q g - 2 g^T q (variable projection: the loss is quadratic in g),
    g = (Q + ridge tr(Q) I)^{-1} q, the small ridge for close modes that make Q
    singular; padded units get g = 0.  Q: (n, W, M, M); q: (n, W, M)  ->  (n, W, M)"""
    eye = torch.eye(Q.shape[-1])
    pad = (1 - live)[..., None] * eye                                   # inert units
    scale = Q.diagonal(0, -2, -1).sum(-1)[..., None, None] * ridge
    return torch.linalg.solve(Q + scale * eye + pad, q) * live


def relative_loss(students: dict, moments: dict) -> torch.Tensor:
    """|K * x - y|^2 / |y|^2 on the data of ``moments`` (lagged_moments) at the best
    weights for the current modes, every teacher and width: 1 - q^T g / |y|^2 at the
    optimum g.  -> (n, W)"""
    Q, q = normal_equations(students["delta"], students["live"], moments)
    g = best_weights(Q, q, students["live"])
    return 1 - (q * g).sum(-1) / moments["yy"][:, None]


def train(students: dict, moments: dict, steps: int, lr: float,
          on_step=None) -> torch.Tensor:
    """Adam on the modes delta of every student at once (com.training.loop.train; the loss
    summed over students, which share no parameters), then the best weights g for the
    modes reached, then ``narrower``.  -> loss history (steps, n W); students gain "g"
    (n, W, M)"""
    history = train_loop([students["delta"]],
                             lambda: relative_loss(students, moments).flatten(), steps,
                             lr, on_step=on_step)
    with torch.no_grad():
        Q, q = normal_equations(students["delta"], students["live"], moments)
        students["g"] = best_weights(Q, q, students["live"])
        loss = 1 - (q * students["g"]).sum(-1) / moments["yy"][:, None]
        bad = unstable(students["delta"].detach(), students["g"])           # error inf
        narrower(students, torch.where(bad, torch.inf, loss))
    return history


def narrower(students: dict, loss: torch.Tensor) -> None:
    """In place: where a student's loss is above the next narrower one's, take that one,
    padded with inert units (delta = 1, g = 0): a width-m model can be any narrower
    one, so the loss never grows with the width. ``train`` passes the training loss,
    inf for an unstable student (a live mode with |a| >= 1: its error over the
    infinite horizon is infinite, whatever the window says).  loss: (n, W)"""
    delta, g = students["delta"].detach(), students["g"]
    for w in range(1, delta.shape[1]):
        worse = loss[:, w] > loss[:, w - 1]                             # (n,)
        delta[worse, w] = torch.where(students["live"][w - 1] > 0, delta[worse, w - 1], 1.0)
        g[worse, w] = g[worse, w - 1]
        loss[:, w] = torch.minimum(loss[:, w], loss[:, w - 1])


def kernels(students: dict, T: int) -> torch.Tensor:
    """K_s = sum_i g_i (1 - delta_i)^s, s < T, after ``train``.  -> (n, W, T)"""
    return exp_sum(students["g"], torch.arange(T, dtype=torch.float64),
                   delta=students["delta"].detach())


def prune(students: dict, error: torch.Tensor, scale: torch.Tensor,
          share: float = 0.1) -> dict:
    """Students without the modes that carry least (com.approximation.exp_sums.prune): mode i
    moves the output by at most m_i max|x|, m_i = |g_i| / (1 - |1 - delta_i|) its l1
    mass, so dropping modes of total mass at most share * error * scale, with
    ``error`` the relative sup error max|yhat - y| / max|y| (n, W) and ``scale`` =
    max|y| / max|x| (n,) on the same data, raises that error by at most share * error
    (triangle inequality). Stability is existential, so a pruned
    student is as good a witness as the trained one, and a weightless mode left near
    the edge by training no longer sets its radius.  -> students with delta, g pruned"""
    delta, g = students["delta"].detach(), students["g"]
    gap = torch.where(delta <= 1, delta, 2 - delta)          # 1 - |a|: the l1 denominator
    ok = gap > 0
    _, kept = exp_sums.prune(torch.where(ok, gap, 1.0), torch.where(ok, g.abs(), 0.0),
                             error * scale[:, None], share)
    keep = (kept > 0) | (~ok & (g != 0))                      # unstable live modes stay
    delta, g = inert(delta, g, keep)
    return {"delta": delta, "g": g, "live": students["live"]}


def sup_error(students: dict, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Relative sup error on test data: max_{n,t} |K * x - y| / max_{n,t} |y|, one per
    student.  x: (N, T); y: (n, N, T)  ->  (n, W)"""
    with torch.no_grad():
        yhat = convolve(kernels(students, x.shape[-1])[:, :, None], x)  # (n, W, N, T)
        return (yhat - y[:, None]).abs().amax((-1, -2)) / y.abs().amax((-1, -2))[:, None]


def blowup_radius(students: dict) -> torch.Tensor:
    """The smallest perturbation |dW|_2 that makes a student's recurrence unstable, so
    its error over the infinite horizon infinite (linearisation.complex_radius of
    J = diag(1 - delta) over the units in use; padded units sit at a = 0). For a real
    diagonal J this is min_i (1 - |1 - delta_i|), attained at theta = 0 or pi, both on
    an odd grid, so no refinement is needed.  -> (n, W)"""
    delta = torch.where(students["live"] > 0, students["delta"].detach(), 1.0)  # inert
    return linearisation.complex_radius(torch.diag_embed(-delta), n_theta=3, refine=0)


def evaluate(trained: dict, x: torch.Tensor, y: torch.Tensor, share: float) -> dict:
    """The linear students as the filter sees them: pruned (``prune``, on the sup error
    of test data x (N, T), y (n, N, T)), their relative sup error there and their
    blow-up radius.  -> {"E0", "radius": (n, W), "students": the pruned students}"""
    error = sup_error(trained, x, y)                                    # (n, W)
    scale = y.abs().amax((-1, -2)) / x.abs().max()
    students = prune(trained, error, scale, share)
    return {"E0": sup_error(students, x, y), "radius": blowup_radius(students),
            "students": students}


def judge(E0: torch.Tensor, radius: torch.Tensor, tolerance: float, shrink: float) -> dict:
    """The filter (Fig. 3), com.stability.verdict's rule per teacher: "kept" when its
    students approximate it stably over the widths (the stable verdict), "unstable"
    when their radius shrinks by more than ``shrink`` from the first width whose error
    is at most tolerance / 2 to the widest, "undecided" when fewer than two widths
    approximate.  E0, radius: (n, W)
    -> {"first": [n], "ratio": (n,), "verdict": [n], "kept": (n,) bool}"""
    first = [verdict.first_approximating(e, tolerance) for e in E0]
    ratio = torch.tensor([verdict.radius_ratio(r, f) for r, f in zip(radius, first)])
    said = [verdict.verdict(r, shrink) for r in ratio.tolist()]
    said = ["kept" if v == "stable" else v for v in said]
    return {"first": first, "ratio": ratio, "verdict": said, "kept": ratio >= 1 / shrink}


def tally(verdicts: list[str], classes: list[str]) -> dict:
    """How many teachers of each class got each verdict.
    -> {class: {"kept": k, "unstable": u, "undecided": d}}"""
    out = {c: dict.fromkeys(("kept", "unstable", "undecided"), 0) for c in dict.fromkeys(classes)}
    for v, c in zip(verdicts, classes):
        out[c][v] += 1
    return out


__all__ = ["lagged_moments", "init_students", "kernels", "relative_loss",
           "normal_equations", "best_weights", "train", "narrower", "prune", "sup_error",
           "blowup_radius", "evaluate", "judge", "tally"]
