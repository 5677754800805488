"""What this machine can do: its memory, the time budget, and measured speeds.

Measured once per process (about 50 ms), on one thread so that a shared load does not
skew it: seconds per float64 multiply-add (a 256 x 256 matmul) and per small torch
operation. The run may use 80% of the available memory and ``COM_MAX_HOURS`` hours
(default 4). com.budget prices a chapter's run with it.
"""
from __future__ import annotations

import math
import os
import time
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable

from .params import ParameterError


@dataclass(frozen=True)
class Machine:
    """Limits and speeds of this machine: ``memory`` bytes the run may use, ``seconds``
    it may take, and measured seconds per float64 multiply-add (``flop``, a matmul)
    and per small torch operation (``op``, dominated by Python and dispatch)."""

    memory: float
    seconds: float
    flop: float
    op: float


def _available_memory() -> float:
    try:
        with open("/proc/meminfo") as f:
            info = dict(line.split(":", 1) for line in f)
        return float(info["MemAvailable"].split()[0]) * 1024
    except (OSError, KeyError, ValueError):
        return float(os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))


def _best_time(fn: Callable[[], Any], repeats: int = 5) -> float:
    best = math.inf
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


@lru_cache(maxsize=1)
def machine() -> Machine:
    """Measure this machine once (about 50 ms): 80% of the available memory,
    ``COM_MAX_HOURS`` (default 4) of time, and the speed of arithmetic and small ops."""
    import torch

    hours = os.environ.get("COM_MAX_HOURS", "4")
    try:
        seconds = float(hours) * 3600
        assert seconds > 0 and math.isfinite(seconds)
    except (ValueError, AssertionError):
        raise ParameterError(f"COM_MAX_HOURS must be a positive number of hours; got {hours!r}")
    threads = torch.get_num_threads()
    torch.set_num_threads(1)                 # one core's speed: stable under a shared load
    try:
        a = torch.rand(256, 256, dtype=torch.float64)
        flop = _best_time(lambda: a @ a) / 256 ** 3
        x = torch.rand(8, dtype=torch.float64)
        op = _best_time(lambda: [x * x for _ in range(200)]) / 200
    finally:
        torch.set_num_threads(threads)
    return Machine(0.8 * _available_memory(), seconds, flop, op)


__all__ = ["Machine", "machine"]
