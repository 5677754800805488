"""Memory: target kernels rho (``targets``), the memory function of a model measured
by probing it (``function``), the inputs that reveal memory (``inputs``), and images
read as sequences (``images``: the 8x8 digits split, MNIST's IDX files)."""
from . import images
from .function import memory_function, probe, probes
from .inputs import held_inputs, probe_inputs
from .targets import (
    KINDS,
    Memory,
    airy,
    bump,
    exponential,
    exponential_mixture,
    geometric,
    of,
    polynomial,
    power,
)

__all__ = ["Memory", "exponential", "exponential_mixture", "polynomial", "bump", "airy",
           "geometric", "power", "KINDS", "of", "memory_function", "probe", "probes",
           "probe_inputs", "held_inputs", "images"]
