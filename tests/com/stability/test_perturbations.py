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
    dp, gp, off = perturbations.diagonal(delta, w, torch.tensor([2, 3]), betas, 4, g)
    assert dp.shape == gp.shape == (2, 2, 7, 3) and off.shape == (2, 2, 7, 1)
    unit = torch.tensor([[1.0, 1.0, 0.0], [1.0, 1.0, 1.0]])       # a padded unit stays
    for k, beta in enumerate(betas):
        for j in range(3):                                          # edge, aligned +-
            assert torch.allclose(dp[:, k, j], delta - beta * unit)     # W + beta I
        assert torch.allclose(gp[:, k, 0], w)                           # u, c held
        assert torch.allclose((dp[:, k] - delta[:, None]).abs(),    # every vertex: beta
                              beta * unit[:, None].expand(2, 7, 3))


def test_every_protocol_is_stated():
    out = perturbations.stated(*perturbations.PROTOCOLS)
    assert all(set(v) == {"moved", "norm", "held", "sup"} for v in out.values())


def test_aligned_points_move_c_along_u_over_delta():
    g = torch.Generator().manual_seed(2)
    w = {"d": torch.tensor([[0.5, 0.1]]), "u": torch.tensor([[1.0, 2.0]]),
         "b": torch.zeros(1, 2), "c": torch.tensor([[3.0, 1.0]])}
    p = perturbations.diagonal_weights(w, torch.tensor([0.1]), 2, g)
    dc = p["c"][0, 0, 1] - w["c"][0]
    assert torch.allclose(dc, 0.1 * perturbations.rows(w["u"] / w["d"])[0])
    assert torch.allclose((p["u"][0, 0, 3:] - w["u"]).norm(dim=-1), torch.tensor(0.1))


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
