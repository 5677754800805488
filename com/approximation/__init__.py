"""Approximation: how well a model of width m can match a target memory.

``grids``        lag grids, quadrature weights, the white-noise loss's lag weights
``fixed_rates``  li2021's fits on the fixed rate basis {e^{-kt}} and their L1 errors
``exp_sums``     exponential sums fitted in l1 over all lags (the stability witnesses)
``horizon``      errors over the infinite horizon (and over a window of T steps)
``laws``         the one log-linear fit; power laws, decay rates, the log law
"""
from . import exp_sums, fixed_rates, grids, horizon, laws

__all__ = ["exp_sums", "fixed_rates", "grids", "horizon", "laws"]
