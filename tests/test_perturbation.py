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
    assert torch.allclose(torch.linalg.matrix_norm(out["W"] - p["W"], ord=2), torch.full((7,), 0.25))
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


def test_project_clips_singular_values():
    g = torch.Generator().manual_seed(2)
    d = {"W": 3 * torch.randn(6, 4, 4, generator=g, dtype=torch.float64),
         "c": 3 * torch.randn(6, 4, generator=g, dtype=torch.float64)}
    beta = torch.linspace(0.1, 1.0, 6, dtype=torch.float64)
    out = pt.project(d, beta)
    assert torch.all(torch.linalg.matrix_norm(out["W"], ord=2) <= beta + 1e-12)
    assert torch.allclose(out["c"].norm(dim=-1), beta)
    small = pt.project({"c": 1e-3 * d["c"]}, beta)["c"]        # inside the ball: unchanged
    assert torch.allclose(small, 1e-3 * d["c"])


def _quadratic_error(batched):
    # error = |W x|: its sup over the spectral ball of radius beta around W=0 is beta |x|
    x = torch.tensor([3.0, 4.0, 0.0, 0.0], dtype=torch.float64)
    return (batched["W"] @ x).norm(dim=-1)


def test_random_below_adversarial_and_adversarial_attains_sup():
    g = torch.Generator().manual_seed(3)
    p = {"W": torch.zeros(4, 4, dtype=torch.float64)}
    betas = torch.tensor([0.01, 0.1, 1.0], dtype=torch.float64)
    rnd = pt.random_error(p, _quadratic_error, betas, 8, torch.Generator().manual_seed(0))
    adv = pt.adversarial_error(p, _quadratic_error, betas, 10, torch.Generator().manual_seed(0),
                               n_starts=8)
    assert rnd.shape == adv.shape == (3,)
    assert torch.all(adv >= rnd)                                # same starts: by construction
    assert torch.allclose(adv, 5 * betas, rtol=1e-4)           # the sup, beta |x|
    assert torch.all(rnd < 5 * betas + 1e-12)
    adv2, start = pt.adversarial_error(p, _quadratic_error, betas, 10,
                                       torch.Generator().manual_seed(0), n_starts=8,
                                       with_start=True)
    assert torch.equal(start, rnd) and torch.equal(adv2, adv)  # the starts are the random draws


def test_stability_radius_rule():
    betas = torch.tensor([1e-3, 1e-2, 1e-1, 1.0], dtype=torch.float64)
    errors = torch.tensor([[0.01, 0.01, 0.1, 10.0],             # crosses 1 between 0.1 and 1
                           [2.0, 3.0, 4.0, 5.0],                # over at once
                           [0.0, 0.0, 0.0, 0.5],                # never
                           [0.1, 0.2, float("inf"), float("inf")]], dtype=torch.float64)
    r = pt.stability_radius(betas, errors, 1.0)
    assert r[0] == pytest.approx(10 ** -0.5)                   # log-log interpolation
    assert r[1] == 0 and r[2] == 1.0 and r[3] == pytest.approx(1e-2)


def test_adversarial_from_given_starts_dominates_them():
    g = torch.Generator().manual_seed(4)
    p = {"W": torch.zeros(4, 4, dtype=torch.float64)}
    betas = torch.tensor([0.1, 1.0], dtype=torch.float64)
    dirs = pt.directions(p, 6, g)
    starts = {"W": pt.beta_grid(betas, 3)[:, None, None] * dirs["W"]}
    rnd = _quadratic_error(starts).reshape(2, 3).amax(1)
    adv = pt.adversarial_error(p, _quadratic_error, betas, 2, g, n_starts=3, starts=starts)
    assert torch.all(adv >= rnd) and torch.all(adv <= 5 * betas + 1e-12)
