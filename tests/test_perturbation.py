import pytest
import torch

from com import perturbation as pt


def _params(g):
    return {"W": torch.randn(4, 4, generator=g, dtype=torch.float64),
            "U": torch.randn(4, generator=g, dtype=torch.float64),
            "s": torch.tensor(0.3, dtype=torch.float64)}


def test_ball_sample_norms_exact():
    g = torch.Generator().manual_seed(0)
    p = _params(g)
    out = pt.ball_sample(p, 0.25, 7, g)
    assert out["W"].shape == (7, 4, 4) and out["U"].shape == (7, 4) and out["s"].shape == (7,)
    norm = torch.linalg.matrix_norm(out["W"] - p["W"], ord=2)
    assert torch.allclose(norm, torch.full((7,), 0.25))
    assert torch.allclose((out["U"] - p["U"]).norm(dim=-1), torch.full((7,), 0.25))
    assert torch.allclose((out["s"] - p["s"]).abs(), torch.full((7,), 0.25))


def test_mask_keeps_padding_inert_and_batch_dims():
    g = torch.Generator().manual_seed(1)
    W = torch.zeros(2, 3, 3, dtype=torch.float64)             # 2 models, widths 2 and 3
    mask = torch.ones(2, 3, 3, dtype=torch.float64)
    mask[0, 2, :] = 0
    mask[0, :, 2] = 0
    out = pt.ball_sample({"W": W}, 0.5, 5, g, mask={"W": mask}, batch_dims=1)["W"]
    assert out.shape == (5, 2, 3, 3)
    assert torch.all(out[:, 0, 2, :] == 0) and torch.all(out[:, 0, :, 2] == 0)
    assert torch.allclose(torch.linalg.matrix_norm(out, ord=2), torch.full((5, 2), 0.5))


def _quadratic_error(batched):
    # error = |W x|: its sup over the spectral ball of radius beta around W=0 is beta |x|
    x = torch.tensor([3.0, 4.0, 0.0, 0.0], dtype=torch.float64)
    return (batched["W"] @ x).norm(dim=-1)


def test_random_error_is_a_lower_bound_of_the_sup():
    p = {"W": torch.zeros(4, 4, dtype=torch.float64)}
    betas = torch.tensor([0.01, 0.1, 1.0], dtype=torch.float64)
    rnd = pt.random_error(p, _quadratic_error, betas, 8, torch.Generator().manual_seed(0))
    assert rnd.shape == (3,)
    assert torch.all(rnd < 5 * betas + 1e-12)                  # the sup is beta |x|
    assert torch.all(rnd > 0)


def test_stability_radius_rule():
    betas = torch.tensor([1e-3, 1e-2, 1e-1, 1.0], dtype=torch.float64)
    errors = torch.tensor([[0.01, 0.01, 0.1, 10.0],             # crosses 1 between 0.1 and 1
                           [2.0, 3.0, 4.0, 5.0],                # over at once
                           [0.0, 0.0, 0.0, 0.5],                # never
                           [0.1, 0.2, float("inf"), float("inf")]], dtype=torch.float64)
    r = pt.stability_radius(betas, errors, 1.0)
    assert r[0] == pytest.approx(10 ** -0.5)                   # log-log interpolation
    assert r[1] == 0 and r[2] == 1.0 and r[3] == pytest.approx(1e-2)
