"""com.experiments.sequential_images: the batched experiment's record, and the
statistics the table and the claims read (paired gaps, verdicts, ranges, the disc)."""
import math

import pytest
import torch

from com.experiments import sequential_images as si


def toy(n=60, T=6, d=2, seed=0):
    g = torch.Generator().manual_seed(seed)
    y = torch.randint(0, 3, (n,), generator=g)
    x = torch.randn(n, T, d, generator=g) * 0.3 + y[:, None, None] * 0.5
    return {"x_train": x[:40], "y_train": y[:40], "x_test": x[40:], "y_test": y[40:]}


def test_run_records_every_model_in_table_order():
    cfg = si.Config(names=("exp", "direct"), lrs=(0.03, 3.0), repeats=2, width=4,
                    epochs=8, batch=8, classes=3, init_decay=(0.4, 4.0))
    gens = [torch.Generator().manual_seed(r) for r in range(2)]
    r = si.run(cfg, toy(), gens, torch.Generator().manual_seed(5))
    assert r["correct"].shape == (2, 2, 2, 20) and r["history"].shape == (8 * 5, 2, 2, 2)
    assert torch.equal(r["correct"].double().mean(-1), r["accuracy"])
    assert r["train_accuracy"][:, 0].min() > 0.6                  # far above chance (1/3)
    assert (r["edge"][0] < 0).all() and (r["edge"][1, 1] > 0).any()   # direct leaves
    with pytest.raises(ValueError, match="one generator per repeat"):
        si.run(cfg, toy(), gens[:1], torch.Generator())


def test_trains_needs_a_finite_run_and_the_threshold():
    r = {"accuracy": torch.tensor([0.9, 0.9, 0.5]),
         "diverged": torch.tensor([False, True, False])}
    assert si.trains(r, 0.8).tolist() == [True, False, False]


def test_summary():
    mean, spread = si.summary(torch.tensor([[0.9, 0.8, 0.7], [0.8, 0.8, 0.8]]))
    assert torch.allclose(mean, torch.tensor([0.8, 0.8]))
    assert spread[0] == pytest.approx(0.1) and spread[1] == 0


def test_paired_gap_counts_the_spread_and_the_test_set():
    n = 100
    correct = torch.zeros(2, 3, n, dtype=torch.bool)
    correct[0, :, :90] = True                          # group 0: 90 % in every repeat
    correct[1, :, 5:90] = True                         # group 1: 85 %, a subset of 0's
    gap, se = si.paired_gap(correct, 0, 1)
    assert gap == pytest.approx(0.05)
    assert se == pytest.approx(math.sqrt(5 / n ** 2))  # no spread: McNemar's b + c = 5
    correct[1, 0, 90:95] = True                        # repeat 0 of group 1: 90 %
    gap, se = si.paired_gap(correct, 0, 1)
    d = torch.tensor([0.0, 0.05, 0.05])
    assert gap == pytest.approx(float(d.mean()))
    assert se == pytest.approx(math.sqrt(float(d.var()) / 3 + (10 + 5 + 5) / 3 / n ** 2))


def test_gaps_pair_each_map_at_its_own_rate_with_the_last():
    correct = torch.zeros(3, 2, 2, 10, dtype=torch.bool)          # (P, L, R, n)
    correct[0, 1, :, :8] = True
    correct[1, 0, :, :6] = True
    correct[2, 1, :, :7] = True                                    # the reference
    g = si.gaps({"correct": correct}, [1, 0, 1])
    assert g[0][0] == pytest.approx(0.1) and g[1][0] == pytest.approx(-0.1)
    assert set(g) == {0, 1}


def test_verdicts_judge_every_gap_against_two_standard_errors():
    gap = {0: (0.03, 0.01), 1: (0.01, 0.01)}
    assert not si.verdict(gap, "better") and si.verdict(gap, "not-worse")
    assert not si.verdict(gap, "not-better")                       # 0.03 > 2 x 0.01
    assert si.verdict({0: (-0.019, 0.01)}, "not-worse")
    assert not si.verdict({0: (-0.021, 0.01)}, "not-worse")
    with pytest.raises(ValueError, match="rule"):
        si.verdict(gap, "behind")


def test_disc_reads_where_the_reference_fails():
    edge = torch.tensor([[[-0.1, -0.2]], [[0.5, -0.01]]])          # (P=2, L=1, R=2)
    ok = torch.tensor([[[True, True]], [[False, True]]])
    w = si.disc({"edge": edge}, ok, T=10)
    assert w["failed"] == 1 and w["min_failed"] == pytest.approx(5 / math.log(10))
    assert w["trained"] == 1 and w["outside"] == 0 and w["closest"] == pytest.approx(-0.1)
    assert math.isnan(si.disc({"edge": edge}, ok | True, T=10)["min_failed"])


def test_points_count_the_grid_inside_each_range():
    lrs = [1e-3, 1e-2, 1e-1, 1.0]
    assert si.points([(1e-3, 1e-2), None, (1e-2, 1.0)], lrs) == [2, 0, 3]
