"""Experiments: one pipeline per chapter that needs one, configured by its arguments.

``curse``         one target memory measured end to end over the infinite horizon
                  (CurseConfig, measure), and its approximants run as nonlinear RNNs
``filtering``     random tanh teachers, diagonal students trained on them, and the
                  stability filter of Fig. 3 (wang2024inverse)
``plateaus_sgd``  plateaus on sampled data: minibatch SGD against the closed form
``sequential_images``  Table 1 of wang2024inverse on real data: every map x learning
                  rate x repeat trained at once, paired gaps, ranges
"""
from . import curse, filtering, plateaus_sgd, sequential_images

__all__ = ["curse", "filtering", "plateaus_sgd", "sequential_images"]
