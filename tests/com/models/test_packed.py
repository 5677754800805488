import torch

from com.models import packed, residual


def weights(pk, gen):
    U = len(pk.owner)
    return {"d": 0.05 + 0.9 * torch.rand(U, generator=gen, dtype=torch.float64),
            "u": torch.randn(U, generator=gen, dtype=torch.float64),
            "b": 0.1 * torch.randn(U, generator=gen, dtype=torch.float64),
            "c": torch.randn(U, generator=gen, dtype=torch.float64)}


def test_packed_models_are_the_residual_rnns_one_by_one():
    """Two widths in one program: each model's outputs are those of its own residual
    RNN h' = h + tanh(-d h + u x + b), y = c^T h (b = 0: both start at rest, h = 0);
    the gradient is autograd's."""
    gen = torch.Generator().manual_seed(0)
    pk = packed.Packed.of([2, 3])
    w = weights(pk, gen) | {"b": torch.zeros(5, dtype=torch.float64)}   # both from rest at 0
    x = torch.randn(4, 20, generator=gen, dtype=torch.float64)
    y = packed.run(pk, w, x, "tanh")                                      # (N, T, n)
    for j in range(pk.n):
        on = pk.owner == j
        p = {"W": torch.diag(-w["d"][on])[None], "U": w["u"][on][None, :, None],
             "b": w["b"][on][None], "c": w["c"][on][None]}
        ref = residual.rnn(p, x[None, ..., None], "tanh", 1.0)
        assert torch.allclose(y[..., j], ref.reshape(y[..., j].shape), atol=1e-12)
    wg = {k: v.clone().requires_grad_() for k, v in w.items()}
    assert torch.autograd.gradcheck(
        lambda d, u, b, c: packed.run(pk, {"d": d, "u": u, "b": b, "c": c}, x[:, :6]),
        tuple(wg[k] for k in "dubc"))


def test_held_limit_and_unstable():
    pk = packed.Packed.of([1, 1])
    w = {"d": torch.tensor([0.5, -0.1]), "u": torch.ones(2), "b": torch.zeros(2),
         "c": torch.ones(2)}
    assert float(packed.held_limit(pk, w, torch.tensor([1.0]))[0, 0]) == 2.0
    assert packed.unstable(pk, w["d"]).tolist() == [False, True]
