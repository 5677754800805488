import math

import pytest
import torch

from com.stability import verdict


def test_stability_radius_rule():
    betas = torch.tensor([1e-3, 1e-2, 1e-1, 1.0], dtype=torch.float64)
    errors = torch.tensor([[0.01, 0.01, 0.1, 10.0],             # crosses 1 between 0.1 and 1
                           [2.0, 3.0, 4.0, 5.0],                # over at once
                           [0.0, 0.0, 0.0, 0.5],                # never
                           [0.1, 0.2, float("inf"), float("inf")]], dtype=torch.float64)
    r = verdict.stability_radius(betas, errors, 1.0)
    assert r[0] == pytest.approx(10 ** -0.5)                   # log-log interpolation
    assert r[1] == 0 and r[2] == 1.0 and r[3] == pytest.approx(1e-2)


def test_ratio_over_the_approximating_widths_and_the_verdict():
    E0 = torch.tensor([0.2, 0.04, 0.01, 0.001])
    first = verdict.first_approximating(E0, tolerance=0.1)            # E0 <= 0.05
    assert first == 1 and verdict.first_approximating(E0, 1e-6) == 4
    r = torch.tensor([1.0, 0.5, 0.4, 0.3])
    assert verdict.radius_ratio(r, first) == pytest.approx(0.6)
    assert math.isnan(verdict.radius_ratio(r, 3)) and math.isnan(verdict.radius_ratio(r, 4))
    upper, lower = r * 1.1, r * 0.9                                   # radii within bounds
    assert verdict.radius_ratio(upper, first, lower) == pytest.approx(0.3 * 1.1 / (0.5 * 0.9))
    assert verdict.verdict(0.6) == "stable" and verdict.verdict(0.4) == "unstable"
    assert verdict.verdict(0.4, shrink=3.0) == "stable"
    assert verdict.verdict(float("nan")) == "undecided"


def test_curve_shapes():
    assert verdict.crossings_shift_left(torch.tensor([1e-2, 1e-3, 1e-4]))
    assert not verdict.crossings_shift_left(torch.tensor([1e-2, 2e-2, 1e-4]))  # moved right
    assert not verdict.crossings_shift_left(torch.tensor([1e-2, math.inf]))
    assert not verdict.crossings_shift_left(torch.tensor([1e-2, 5e-3]))          # under 10x
    nest = {"first": 1, "crossings": torch.tensor([1e-9, 0.5, 0.3]),
            "radius": torch.tensor([1.0, 1.0, 1.0, 1.0])}
    assert verdict.curves_nest(nest)
    assert not verdict.curves_nest({**nest, "crossings": torch.tensor([1e-9, 0.1, 0.3])})


def test_certificates_are_checked_for_every_width():
    ok = {"edge": torch.tensor([0.1, 0.01]), "edge_bound": torch.tensor([0.2, 0.01]),
          "radius": torch.tensor([0.05, 0.01]), "radius_lower": torch.tensor([0.01, 0.001]),
          "upper_holds": True}
    assert verdict.certified(ok)
    assert not verdict.certified({**ok, "upper_holds": False})
    assert not verdict.certified({**ok, "radius": torch.tensor([0.05, 0.02])})
    # margins: the tightest room is beta* = edge at the second width (the allowance)
    assert 0 <= verdict.certified_margin(ok) < 1e-8
    assert verdict.certified_margin({**ok, "upper_holds": False}) == -math.inf
    assert verdict.certified_margin({**ok, "radius": torch.tensor([0.05, 0.02])}) == \
        pytest.approx(-math.log10(2), abs=1e-6)


def test_two_sided_margin_agrees_with_the_verdict_everywhere():
    # random radii known within bounds, log-uniform over 4 decades, some widths off
    g = torch.Generator().manual_seed(0)
    for _ in range(2000):
        W = int(torch.randint(2, 6, (1,), generator=g))
        upper = 10 ** (4 * torch.rand(W, generator=g, dtype=torch.float64) - 2)
        lower = upper * torch.rand(W, generator=g, dtype=torch.float64)
        first = int(torch.randint(0, W, (1,), generator=g))
        word = verdict.two_sided(lower, upper, first)
        m = verdict.two_sided_margin(lower, upper, first)
        if word == "undecided":
            assert math.isnan(m)
        else:
            assert (m >= 0) == word.startswith("stable"), (word, m)


def test_two_sided_margin_of_a_certified_cell_counts_its_samples_too():
    # certificate just short (a < 0), samples well inside: as far as the samples say
    lower = torch.tensor([1.0, 0.45, 0.45], dtype=torch.float64)
    upper = torch.tensor([1.0, 1.0, 1.0], dtype=torch.float64)
    assert verdict.two_sided(lower, upper, 0) == "stable (sampled)"
    assert verdict.two_sided_margin(lower, upper, 0) == pytest.approx(math.log10(2))
    # zero radii: 0 >= 0 / shrink certifies "stable" at its limit
    zero = torch.zeros(3, dtype=torch.float64)
    assert verdict.two_sided(zero, zero, 0) == "stable (certified)"
    assert verdict.two_sided_margin(zero, zero, 0) == 0.0


def test_margins_agree_with_the_verdict_the_shift_and_the_nesting():
    assert verdict.verdict_margin(0.5) == 0.0                     # at its limit: stable
    assert verdict.verdict_margin(0.05) == pytest.approx(-1.0)    # a decade short
    assert verdict.verdict_margin(0.4, shrink=3.0) > 0
    assert math.isnan(verdict.verdict_margin(float("nan")))
    assert verdict.crossings_margin(torch.tensor([1e-2, 1e-3, 1e-4])) == pytest.approx(1.0)
    assert verdict.crossings_margin(torch.tensor([1e-2, 2e-2, 1e-4])) == \
        pytest.approx(-math.log10(2))                              # moved right 2x
    assert verdict.crossings_margin(torch.tensor([1e-2, math.inf])) == -math.inf
    assert verdict.crossings_margin(torch.tensor([1e-2, 5e-3])) == pytest.approx(-0.699, abs=1e-3)
    nest = {"first": 1, "crossings": torch.tensor([1e-9, 0.5, 0.3]),
            "radius": torch.tensor([1.0, 1.0, 1.0, 1.0])}
    assert verdict.nest_margin(nest) == pytest.approx(math.log10(1.2))
    assert verdict.nest_margin({**nest, "crossings": torch.tensor([1e-9, 0.1, 0.3])}) < 0
    g = torch.Generator().manual_seed(1)
    for _ in range(500):                         # the sign is the verdict, everywhere
        c = 10 ** (-4 * torch.rand(int(torch.randint(1, 5, (1,), generator=g)),
                                   generator=g, dtype=torch.float64))
        assert (verdict.crossings_margin(c) >= 0) == verdict.crossings_shift_left(c)
        r = 10 ** (-torch.rand(len(c) + 1, generator=g, dtype=torch.float64))
        res = {"first": int(torch.randint(0, len(c), (1,), generator=g)),
               "crossings": c, "radius": r}
        assert (verdict.nest_margin(res) >= 0) == verdict.curves_nest(res)
