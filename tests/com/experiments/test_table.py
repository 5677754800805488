import torch

from com import memory
from com.approximation import exp_sums
from com.experiments import table


def test_the_readme_rows_are_the_models_they_name():
    assert table.readme_row("lru", "lru") == "Linear Recurrent Unit"
    assert table.readme_row("lru", "direct") is None
    assert table.readme_verdict("lru", "lru", "polynomial") == "unstable"
    assert table.readme_verdict("diagonal", "exp", "polynomial") == "stable"
    groups = table.shared(table.ROWS)
    assert sum(len(v) for v in groups.values()) == len(table.ROWS)
    assert any({"diagonal/direct", "lru/direct"} <= set(v) for v in groups.values())


def test_cells_are_judged_on_both_sides():
    mem = memory.power(1.5)
    fit = exp_sums.fits(mem, [2, 4, 8], exp_sums.delta_grid(1e-8, 10))
    betas, fine = torch.logspace(-10, -0.5, 40), torch.logspace(-10, -0.5, 64)
    cells = {}                        # the sampled radius is interpolated: one grid step
    for f, p in (("diagonal", "direct"), ("lru", "direct"), ("diagonal", "exp")):
        cells[f, p, "polynomial"] = c = table.cell(
            f, p, mem, fit, [2, 4, 8], betas, fine, 1, torch.Generator().manual_seed(0),
            0.1, 2.0, 0.05, 2.0)
        assert bool((c["radius_lower"] <= c["radius"] * float(betas[1] / betas[0])).all())
        assert c["verdict"].split(" ")[0] in ("stable", "unstable", "undecided")
    assert ("diagonal/direct", "lru/direct", "polynomial") in table.identical(cells)
