import torch

from com import memory
from com.approximation import laws
from com.experiments import teachers
from com.models import random_nets

torch.set_default_dtype(torch.float64)


def _gen(seed=0):
    return torch.Generator().manual_seed(seed)


def test_rnns_are_symmetric_unbiased_with_the_drawn_spectral_radius():
    gains = torch.tensor([0.5, 0.9, 1.2])
    p = teachers.rnns(gains, 16, _gen())
    layer = p["layers"][0]
    W = layer["W_hh"]
    assert torch.allclose(W, W.transpose(-1, -2))
    assert torch.allclose(torch.linalg.eigvalsh(W).abs().amax(-1), gains)
    assert not layer["b_ih"].any() and not layer["b_hh"].any()


def test_contraction_bound_on_the_memory_of_a_teacher_below_gain_one():
    gains = torch.tensor([0.6, 0.95])
    p = teachers.rnns(gains, 12, _gen(1))
    T = 300
    with torch.no_grad():
        M = memory.probe(lambda x: random_nets.run(p, x), torch.tensor([0.1, 1.0, 10.0]), T)
    t = torch.arange(1, T, dtype=torch.float64)
    bound = (p["r"].norm(dim=-1) * p["layers"][0]["W_ih"][..., 0].norm(dim=-1))[:, None] \
        * gains[:, None] ** t
    assert (M <= bound + 1e-13 * M.amax(-1, keepdim=True)).all()


def test_classes_gains_and_twins():
    """Four classes of n_each; slow gains in their range; each tempered teacher is its
    power-law twin's network."""
    teach = teachers.draw(3, 8, _gen(2))
    assert teach["cls"] == [c for c in teachers.CLASSES for _ in range(3)]
    g = teach["gain"]
    lo, hi = teachers.SLOW_GAINS
    assert ((g[3:6] >= lo) & (g[3:6] <= hi)).all()
    assert torch.equal(teach["twin"], torch.tensor([*range(9), 6, 7, 8]))
    layer = teach["net"]["layers"][0]
    for k in layer:
        assert torch.equal(layer[k][9:], layer[k][6:9])
    assert torch.equal(g[9:], g[6:9]) and not torch.equal(layer["W_hh"][0], layer["W_hh"][6])


def test_memory_classes_and_the_twins_difference():
    """The power-law teachers' memory has log-log slope -p at long lags, their twins'
    decays exponentially; on any input the twins' outputs differ by at most
    difference() * max|v|, and the read-out has unit gain on a held input."""
    teach = teachers.draw(2, 12, _gen(3), power=1.5, scale=0.1, temper=50.0)
    rho = teachers.readout(teach, 1 << 16)["power-law"]
    assert abs(float(rho.sum()) + teach["filter"].tail(1 << 16) / teach["filter"].l1 - 1) < 1e-12
    T = 2000
    with torch.no_grad():
        M = memory.probe(lambda u: teachers.run(teach, u), torch.tensor([0.1, 1.0]), T)
    lags = torch.arange(1, T, dtype=torch.float64)
    pl, tw = slice(4, 6), slice(6, 8)
    assert (laws.tail_slope(lags, M[pl]) + 1.5).abs().max() < 0.05
    assert not laws.decays_exponentially(lags, M[pl], 1e-10, 4.0).any()
    assert laws.decays_exponentially(lags, M[tw], 1e-10, 4.0).all()
    x = 0.5 * memory.held_inputs((3, 400), 20.0, _gen(4))[..., None]
    with torch.no_grad():
        y, v = teachers.run(teach, x), random_nets.run(teach["net"], x)
    gap = (y[tw] - y[pl]).abs().amax((-1, -2))
    assert (gap <= teachers.difference(teach) * v[pl].abs().amax((-1, -2))).all()
    assert gap.min() > 0
