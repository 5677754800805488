"""Workload 3: one training step of 4 widths x 3 seeds of tanh residual RNNs.

The nonlinear RNN needs its time loop, h_{k+1} = h_k + dt tanh(W h_k + U x_k + b),
y_k = c^T h_k. Baseline: one model at a time (12 forward/backward passes and 12
Adam steps), as separate runs of the authors' code would do. com: all 12 models as
one zero-padded stack (padded units stay at 0: tanh(0) = 0, and their gradients are
exactly 0, so Adam leaves them at 0), which com.models.residual.rnn runs once per width on
the live blocks (widths=...), with its backward through time written out. Rows 3b and
3c: one call per width, and the padded stack run at the widest width.
Achieved GFLOP/s count the useful flops of the unpadded models (matmuls only,
backward = 2 x forward); the peak is a 2048 x 2048 float64 matmul in torch.
"""
from __future__ import annotations

import torch

from com.models import kernels, residual

from . import THREADS, best_time, peak_gflops, row
from .linear_epoch import target

FULL = dict(widths=(8, 16, 32, 64), seeds=3, batch=128, T=100, d=1)
QUICK = dict(widths=(2, 4), seeds=2, batch=8, T=10, d=1)
DT, LR = 1.0, 0.005


def init(m: int, d: int, seed: int) -> dict[str, torch.Tensor]:
    """One seeded model of width m: W = -I/2 + N(0, 0.01/m), U ~ N(0, 1), b ~ N(0, 0.01),
    c ~ N(0, 1/m)."""
    g = torch.Generator().manual_seed(seed)
    return {"W": -0.5 * torch.eye(m, dtype=torch.float64)
                 + 0.1 * torch.randn(m, m, dtype=torch.float64, generator=g) / m ** 0.5,
            "U": torch.randn(m, d, dtype=torch.float64, generator=g),
            "b": 0.1 * torch.randn(m, dtype=torch.float64, generator=g),
            "c": torch.randn(m, dtype=torch.float64, generator=g) / m ** 0.5}


def stack(ps: list[dict[str, torch.Tensor]], M: int) -> dict[str, torch.Tensor]:
    """Zero-pad every model to width M and stack along a leading model axis n."""
    out = {}
    for k in ("W", "U", "b", "c"):
        tensors = []
        for p in ps:
            t, m = p[k], p["c"].shape[0]
            z = t.new_zeros((M, M) if k == "W" else (M, t.shape[1]) if k == "U" else (M,))
            z[tuple(slice(0, m) for _ in range(2 if k == "W" else 1))] = t
            tensors.append(z)
        out[k] = torch.stack(tensors)
    return out


def loop_model(p, x) -> torch.Tensor:
    """One model, the authors' way: a Python loop over time.  x: (N, T, d) -> (N, T)"""
    drive = x @ p["U"].T + p["b"]                              # (N, T, m)
    h = x.new_zeros(x.shape[0], p["c"].shape[0])
    ys = []
    for k in range(x.shape[1]):
        ys.append(h @ p["c"])                                  # y_k = c^T h_k
        h = h + DT * torch.tanh(h @ p["W"].T + drive[:, k])
    return torch.stack(ys, -1)


def flops(widths, seeds, batch, T, d) -> float:
    """Useful matmul flops of one step: forward 2 N m (m + d + 1) per time step, backward
    twice that."""
    return sum(3 * T * 2 * batch * m * (m + d + 1) for m in widths) * seeds


def run(quick: bool = False) -> dict:
    cfg = QUICK if quick else FULL
    widths, seeds, N, T, d = cfg["widths"], cfg["seeds"], cfg["batch"], cfg["T"], cfg["d"]
    M = max(widths)
    g = torch.Generator().manual_seed(0)
    x = torch.randn(N, T, d, dtype=torch.float64, generator=g)
    y = kernels.convolve(target(T), x[..., 0])                  # (N, T) a linear-functional target
    singles = [init(m, d, 100 * m + s) for m in widths for s in range(seeds)]

    def leaves(p):
        return {k: t.clone().requires_grad_() for k, t in p.items()}

    def loop_step():                                           # 12 runs, one after another
        out = []
        for p0 in singles:
            p = leaves(p0)
            opt = torch.optim.Adam(p.values(), lr=LR)
            loss = ((loop_model(p, x) - y) ** 2).mean()
            loss.backward()
            opt.step()
            out.append((loss.detach(), p))
        return out

    live = [q["c"].shape[0] for q in singles]

    def com_step(widths=live):                                 # all 12 in one padded stack
        p = leaves(stack(singles, M))
        opt = torch.optim.Adam(p.values(), lr=LR)
        y_hat = residual.rnn(p, x, "tanh", DT, widths=widths)   # bucketed by live width
        losses = ((y_hat - y) ** 2).mean((-1, -2))             # (n,)
        losses.sum().backward()                                # models share nothing
        opt.step()
        return losses.detach(), p

    def grouped_step():                                        # one program per width, no padding
        out = []
        for m in widths:
            p = leaves(stack([q for q in singles if q["c"].shape[0] == m], m))
            opt = torch.optim.Adam(p.values(), lr=LR)
            losses = ((residual.rnn(p, x, "tanh", DT) - y) ** 2).mean((-1, -2))
            losses.sum().backward()
            opt.step()
            out.append(losses.detach())
        return torch.cat(out)

    # agreement: same losses, same updated parameters (live blocks), padding still 0
    looped, (batched_loss, batched) = loop_step(), com_step()
    for i, (l_i, p_i) in enumerate(looped):
        m = p_i["c"].shape[0]
        assert torch.allclose(l_i, batched_loss[i], rtol=1e-10), (i, l_i, batched_loss[i])
        assert torch.allclose(p_i["W"], batched["W"][i, :m, :m], rtol=1e-9, atol=1e-12)
        assert torch.allclose(p_i["c"], batched["c"][i, :m], rtol=1e-9, atol=1e-12)
        live = torch.zeros(M, M, dtype=torch.bool)
        live[:m, :m] = True
        assert batched["W"][i][~live].count_nonzero() == 0
        assert batched["c"][i, m:].count_nonzero() == 0

    assert torch.allclose(grouped_step(), batched_loss, rtol=1e-10)
    assert torch.allclose(com_step(None)[0], batched_loss, rtol=1e-10)

    baseline = best_time(loop_step, repeats=3)
    com = best_time(com_step, repeats=3)
    grouped = best_time(grouped_step, repeats=3)
    unbucketed = best_time(lambda: com_step(None), repeats=3)
    useful = flops(widths, seeds, N, T, d)
    padded = flops((M,) * len(widths), seeds, N, T, d)
    old = torch.get_num_threads()
    torch.set_num_threads(max(THREADS))
    peak = peak_gflops(n=256 if quick else 2048)
    torch.set_num_threads(old)
    g_loop, g_com = useful / baseline[0] / 1e9, useful / com[0] / 1e9
    notes = (f"tanh residual RNNs, widths {list(widths)} x {seeds} seeds, batch {N}, T={T}, "
             "float64, forward + backward (written out) + Adam, the padded stack run per "
             f"width. Useful {useful / 1e9:.2f} GFLOP per step: baseline {g_loop:.2f} GFLOP/s, "
             f"com {g_com:.2f} GFLOP/s vs a float64 matmul peak of {peak:.1f} GFLOP/s "
             f"({256 if quick else 2048}^2 matmul, {max(THREADS)} threads). Agreement: same "
             "losses and updated parameters to 1e-9, padding stays 0.")
    g_grouped = useful / grouped[0] / 1e9
    notes_grouped = (f"the same step, com.models.residual.rnn called once per width on its "
                     f"{seeds} seeds (no padding): {g_grouped:.2f} GFLOP/s; same losses to 1e-10.")
    g_unbucketed = useful / unbucketed[0] / 1e9
    notes_unbucketed = (f"the padded stack run as one program, every model at width {M} "
                        f"(widths=None): {g_unbucketed:.2f} GFLOP/s useful, "
                        f"{padded / unbucketed[0] / 1e9:.2f} counting the padding; what "
                        "bucketing pays.")
    return [row("3. tanh RNNs, one training step (padded stack, bucketed by width)", baseline,
                com, notes, gflops_baseline=g_loop, gflops_com=g_com, gflops_peak=peak,
                gflop_per_step=useful / 1e9),
            row("3b. the same, one call per width", baseline, grouped, notes_grouped,
                gflops_com=g_grouped),
            row("3c. the same, padded to the widest, not bucketed", baseline, unbucketed,
                notes_unbucketed, gflops_com=g_unbucketed)]
