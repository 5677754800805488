"""bookkit.build.profiling: the per-function summary of a chapter's profile."""
import cProfile

import torch

from bookkit import cache
from bookkit.build import profiling as chapter_profile
from com.approximation import grids
from com.models import kernels


def test_top_com_names_com_functions_by_cumulative_time(tmp_path):
    t = grids.lag_grid(100.0, n_fine=50, n_coarse=50)
    rates, coeffs = torch.rand(4, 8), torch.randn(4, 8)
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(20):
        cache.cached("t.k", {"i": 0}, lambda: kernels.diagonal_kernel(t, rates, coeffs))
    prof.disable()
    prof.dump_stats(tmp_path / "x.prof")
    top = chapter_profile.top_com(tmp_path / "x.prof")
    names = [name for name, _ in top]
    assert "models.kernels.diagonal_kernel" in names
    assert all(not name.startswith(("cache.", "bookkit")) for name in names)   # com only
    assert [sec for _, sec in top] == sorted((sec for _, sec in top), reverse=True)
