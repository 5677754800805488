"""Where a chapter's numbers came from: the facts of the run that produced them.

A page's "Reproduce this page" box states the Python and torch versions, the CPU
and the cores of the run that executed the chapter. They are measured inside the
chapter's own kernel, by :func:`com.setup`, and written to the file named by the
environment variable ``COM_PROVENANCE`` (the Makefile's papermill step sets it,
then folds the file into the executed notebook's metadata with
``tools/provenance.py``). Without the variable nothing is written.
"""
from __future__ import annotations

import json
import os
import platform
import sys
from datetime import datetime, timezone
from pathlib import Path

import torch

from . import cache

ENV = "COM_PROVENANCE"


def cpu_model() -> str:
    """The CPU's model name (``/proc/cpuinfo`` on Linux), or what ``platform`` knows."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown"


def usable_cores() -> int:
    """Cores this process may run on (its affinity mask: a container's share)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:              # not on Linux
        return os.cpu_count() or 1


def facts() -> dict:
    """The run's facts, measured in this process: versions, CPU, cores, cache, time (UTC)."""
    return {
        "python": platform.python_version(),
        "torch": torch.__version__,
        "numpy": __import__("numpy").__version__,
        "cpu": cpu_model(),
        "cores": usable_cores(),
        "cpu_count": os.cpu_count(),
        "platform": platform.platform(terse=True),
        "executable": sys.executable,
        # a run may reuse finished work from the result cache (com.cache)
        "cache": str(cache.folder()) if cache.folder() else "off",
        "measured": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }


def record() -> Path | None:
    """Write :func:`facts` to the file named by ``COM_PROVENANCE``, when it is set."""
    where = os.environ.get(ENV)
    if not where:
        return None
    path = Path(where)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(facts(), indent=1))
    tmp.replace(path)                   # never a half-written file
    return path
