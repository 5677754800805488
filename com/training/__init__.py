"""Training: many small models at once, and what their training shows.

``loss``            the white-noise loss (a kernel distance) and its sampled estimates
``loop``            the one training loop (GD or Adam, an on_step callback), diagonal
                    RNNs, any family on a task, all widths in one padded program
``learning_rates``  the learning-rate range: one Adam step size per model (adam_step)
``classification``  classifiers on minibatches: each its own rate, cosine, AdamW
``plateaus``        the plateau rule, half times, the derived escape time, Airy
``tasks``           target memories on a family's lag grid, with data when sampled
"""
from . import classification, learning_rates, loop, loss, plateaus, tasks

__all__ = ["classification", "learning_rates", "loop", "loss", "plateaus", "tasks"]
