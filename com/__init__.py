"""com: the curse of memory in recurrent models, computed (the papers' science).

``com`` depends on torch, numpy and scipy only: it reads no environment variable,
draws no progress bar, and never imports the book's machinery (``bookkit``). Its
wings follow the papers' concepts, each concept in one module:

memory/            what is to be remembered, and how a model's memory is measured
  targets          Memory: exponential, mixture, polynomial, bump, airy (continuous);
                   geometric, power (discrete); of(kind, scale)
  function         memory_function, probe, probes (wang2024inverse, Def. 3.1)
  inputs           probe_inputs, held_inputs
  images           images read as sequences: split, mnist (IDX files), as_sequences
  slew             Slew: a nonlinear functional with polynomial memory (tanh students'
                   target), make, run, affine_floor
models/            what a recurrent model is
  kernels          powers (a^t, complex a too), exp_sum (sum_i g_i a_i^t), diagonal_kernel
                   (continuous, real or oscillating modes, gradient written out), krylov,
                   dense_kernel, convolve, convolve_lagged
  padding          live units, square masks, inert modes, pad
  residual         the residual RNN h += dt sigma(W h + U x + b): rnn (W dense or
                   diagonal), extremes, init, kernel
  random_nets      RNN, GRU, LSTM stacks at initialisation; torch_network
  ssm              vanilla and LRU-style kernels, layerwise_ssm, S4D
  parameterisations  the table of f (Parameterisation: f, inverse, scale, to/from delta)
  families         FAMILIES: Family records (family_parts: their constructions)
  classifier       diagonal complex layer under each f, read at the end (Table 1)
  modes            a normalised mode's l1 mass, shift and moves under perturbation
  packed           many diagonal residual RNNs of several widths in one program
approximation/     how well width m can match a target
  grids            lag_grid, quadrature_weights, lag_weights
  fixed_rates      fits on the fixed rates e^{-kt} of every width, exactly (an
                   orthonormal Jacobi form): errors, fixed_rate_errors
  exp_sums         l1 exponential-sum approximants over all lags: fit, fits, prune
  horizon          error over the infinite horizon, window_error
  wiener           phi(K * x) against phi(rho * x) over all time and inputs: error
  laws             log_linear_fit (the one fit), power_law_fit, decay_rate (Unresolved),
                   log_law, first_width_below, tail_slope, decays_exponentially
stability/         how the error grows under perturbation
  perturbations    the protocols: PROTOCOLS, stated (perturbed_tensors), diagonal,
                   diagonal_weights, family_directions, edge
  curves           curve (E_m(beta), the one routine), diagonal_curve, family_curve
  bounds           certified_upper, normalised_upper, family_upper, output_ball,
                   edge_bound, window_lower, crossings
  simulation       simulated E over all time of packed tanh RNNs, bracketed tail
  linearisation    complex_radius, realise, preactivation
  verdict          radius, first_approximating, radius_ratio, verdict, certified, ...
training/          training many small models at once
  loss             white_noise_loss, sampled_loss, monte_carlo_loss, mean_interval,
                   cross_entropy
  loop             train (on_step, until), DiagonalRNN (real or complex-conjugate
                   modes), init_diagonal, fit_diagonal
  students         train diagonal tanh students on the slew target (TrainConfig)
  learning_rates   adam_step (one step size per model), train_at_rates, lr_range
  classification   train: minibatches, cosine schedule, AdamW, divergence marked
  plateaus         plateau, escaped, predicted_escape, first_below, bump_projection,
                   removed_fraction, onset, plateau_decrease, airy_projection
  tasks            Task, make_task
experiments/       one pipeline per chapter that needs one
  curse            CurseConfig, measure, windows, first_moment
  nonlinear        tanh students: NonlinearConfig, run, criteria
  ssm_tanh         the 2-layer SSM with tanh readout: both sides of E, floor
  table            the README's stability table, cell by cell, without re-mapping
  filtering        linear students, narrower, prune, blowup_radius, evaluate, judge (Fig. 3)
  teachers         the filter's four teacher classes: rnns, draw, readout, difference, run
  hardtanh_students  the authors' students from linear ones: split, outputs,
                   runaway_radius, evaluate
  plateaus_sgd     sgd_and_gd: minibatch SGD against the closed form
  plateaus_airy    train_delayed: li2021's Airy target, learning time of its delay
  sequential_images  Table 1 on real data: run, paired_gap, gaps, verdict, disc
"""
from __future__ import annotations

from . import approximation, experiments, memory, models, stability, training

__version__ = "1.0.0"

__all__ = ["memory", "models", "approximation", "stability", "training", "experiments"]
