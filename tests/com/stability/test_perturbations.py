import torch

from com.models.parameterisations import get
from com.stability import perturbations


def test_stable_parameterisations_never_reach_the_edge():
    delta = torch.tensor([1e-12, 0.5])
    for pname in ("exp", "softplus"):
        assert torch.all(perturbations.moved(delta, torch.tensor(3.0), pname) > 0)
    assert torch.all(perturbations.moved(delta, torch.tensor(1e-12), "direct")[0] <= 0)


def test_diagonal_protocol_moves_live_units_only_by_beta():
    g = torch.Generator().manual_seed(0)
    delta = torch.tensor([[0.3, 0.1, 1.0], [0.5, 0.2, 0.05]])
    w = torch.tensor([[0.4, 0.2, 0.0], [0.1, 0.3, 0.2]])
    betas = torch.tensor([1e-3, 1e-2])
    dp, gp = perturbations.diagonal(delta, w, torch.tensor([2, 3]), betas, 4, g)
    assert dp.shape == gp.shape == (2, 2, 6, 3)
    unit = torch.tensor([[1.0, 1.0, 0.0], [1.0, 1.0, 1.0]])       # a padded unit stays
    for k, beta in enumerate(betas):
        assert torch.allclose(dp[:, k, 0], delta - beta * unit)     # W + beta I
        assert torch.allclose(dp[:, k, 1], delta + beta * unit)     # W - beta I
        assert torch.allclose((dp[:, k] - delta[:, None]).abs(),    # every vertex: beta
                              beta * unit[:, None].expand(2, 6, 3))


def test_family_directions_have_unit_norm():
    g = torch.Generator().manual_seed(1)
    params = {"w": torch.randn(4, generator=g), "S": torch.randn(4, 4, generator=g),
              "c": torch.randn(4, generator=g)}
    dirs = perturbations.family_directions(params, ("S", "w"), 3, g)
    assert len(dirs) == 5 and all(set(d) == {"S", "w"} for d in dirs)
    assert torch.all(dirs[0]["w"] == 1) and torch.all(dirs[1]["w"] == -1)
    assert torch.all(dirs[0]["S"] == 0)                            # the edge: w alone
    for d in dirs[2:]:
        assert torch.allclose(torch.linalg.matrix_norm(d["S"], 2), torch.tensor(1.0))


def test_edge_moves_every_mode_by_beta_and_holds_the_weights():
    delta = torch.tensor([[0.3, 1.0]])
    out = perturbations.edge(delta, torch.tensor([0.1, 0.2]))
    assert out.shape == (1, 2, 1, 2)
    assert torch.allclose(out[0, :, 0], torch.tensor([[0.2, 0.9], [0.1, 0.8]]))
    assert get("continuous", "exp").to_delta(torch.tensor(0.0)) == 1.0
