"""Benchmarks: the time-loop approach of the authors' code against ``com``, side by side.

Each workload module exposes ``run(quick: bool) -> dict`` returning one row
{workload, baseline_s, com_s, speedup, notes}; it asserts that both paths compute
the same thing before it reports a time. ``python -m benchmarks`` runs them all.
Times are medians of repeated runs with the torch thread count set explicitly;
each path is timed at every thread count in ``THREADS`` and its best is reported
(on a loaded 2-core machine a second intra-op thread often waits for a busy core:
small kernels then run many times slower with 2 threads than with 1).
"""
from __future__ import annotations

import os
import platform
import statistics
import time
from pathlib import Path
from typing import Callable

import torch

from bookkit.provenance import cpu_model

ROOT_DIR = Path(__file__).resolve().parent.parent


def median_time(fn: Callable[[], object], repeats: int = 5, warmup: int = 1) -> float:
    """Median wall time of ``fn()`` in seconds over ``repeats`` runs after ``warmup`` runs."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


THREADS: list[int] = [1, 2]


def best_time(fn: Callable[[], object], repeats: int = 5, warmup: int = 1) -> tuple[float, int]:
    """Best over ``THREADS`` of the median time of ``fn``: (seconds, thread count)."""
    old = torch.get_num_threads()
    results = []
    try:
        for n in THREADS:
            torch.set_num_threads(n)
            results.append((median_time(fn, repeats, warmup), n))
    finally:
        torch.set_num_threads(old)
    return min(results)


def peak_gflops(n: int = 2048, repeats: int = 5) -> float:
    """Float64 peak of this machine as torch sees it: a large n x n matmul, 2 n^3 flops."""
    a = torch.randn(n, n, dtype=torch.float64)
    b = torch.randn(n, n, dtype=torch.float64)
    return 2 * n ** 3 / median_time(lambda: a @ b, repeats=repeats) / 1e9




def load_average() -> float | None:
    try:
        return os.getloadavg()[0]
    except OSError:
        return None


def machine(threads: int) -> dict:
    """What the numbers were measured on."""
    return {"nproc": os.cpu_count(), "cpu": cpu_model(), "torch": torch.__version__,
            "python": platform.python_version(), "threads": threads,
            "load_average_1min": load_average()}


def row(workload: str, baseline: tuple[float, int] | None, com: tuple[float, int], notes: str,
        **extra) -> dict:
    """One result; ``baseline`` and ``com`` are (seconds, threads) from best_time."""
    (b, bt), (c, ct) = baseline or (None, None), com
    return {"workload": workload, "baseline_s": b, "com_s": c,
            "speedup": b / c if b is not None and c > 0 else None, "notes": notes,
            "baseline_threads": bt, "com_threads": ct, **extra}
