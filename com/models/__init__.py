"""Models: what a recurrent model is and remembers.

``kernels``            powers a^t (complex a too) and exponential sums (the one routine
                       for each), the continuous diagonal kernel, dense kernels by
                       doubling, convolution
``padding``            narrower models inside wider ones: live units, inert modes
``residual``           the residual RNN h += dt sigma(W h + U x + b), many models at once
``random_nets``        RNN, GRU, LSTM stacks at torch's initialisation, many at once
``ssm``                vanilla (dense) and LRU-style recurrences, layer-wise SSMs, S4D
``parameterisations``  the table of f: raw weight -> eigenvalue, and distance to the edge
``families``           the model families, one record each (``family_parts``: their parts)
``classifier``         a diagonal complex recurrent layer under each f, read out at the
                       end of a sequence: many sequence classifiers at once
"""
from . import (
    classifier,
    families,
    kernels,
    padding,
    parameterisations,
    random_nets,
    residual,
    ssm,
)

__all__ = ["classifier", "families", "kernels", "padding", "parameterisations",
           "random_nets", "residual", "ssm"]
