"""Stability: how the error of an approximant grows when its weights are perturbed.

``perturbations``  the protocols: which perturbed models E_m(beta) takes the sup over
``curves``         E_m(beta), the one routine, for a protocol and an error
``bounds``         certificates over the whole ball, crossings of consecutive curves
``linearisation``  nonlinear RNNs through J = I + dt W: complex radius, realisation,
                   pre-activation bounds, the tanh gap
``verdict``        radius, approximating widths, ratio: stable, unstable or undecided
"""
from . import bounds, curves, linearisation, perturbations, verdict

__all__ = ["bounds", "curves", "linearisation", "perturbations", "verdict"]
