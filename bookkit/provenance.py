"""Where a chapter's numbers came from: the facts of the run that produced them.

A page's "Reproduce this page" box states the Python and torch versions, the CPU
and the cores of the run that executed the chapter. They are measured inside the
chapter's own kernel, by :func:`bookkit.chapter.setup`, and written to the file named
by the environment variable ``COM_PROVENANCE`` (:func:`record`; without the variable
nothing is written). Right after papermill executed the chapter, the Makefile folds
that file into the executed notebook (:func:`fold`):

    python -m bookkit.provenance _build/executed/smoke/x.ipynb.part.ipynb FACTS smoke

adding what only the build knows (the commit, whether the chapter's sources differed
from it, papermill's start/end times) and the papermill command that reproduces the
run, as ``metadata.com.provenance`` of the notebook; ``bookkit.build.stage`` shows it
in the page's reproduce box. The FACTS file is removed once folded in.
"""
from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import yaml

from . import files
from .chapters import ROOT, parameter_file

ENV = "COM_PROVENANCE"


class ProvenanceError(ValueError):
    """COM_PROVENANCE does not name a file the run's facts can be written to."""


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
    import numpy
    import torch

    from . import cache
    return {
        "python": platform.python_version(),
        "torch": torch.__version__,
        "numpy": numpy.__version__,
        "cpu": cpu_model(),
        "cores": usable_cores(),
        "cpu_count": os.cpu_count(),
        "platform": platform.platform(terse=True),
        "executable": sys.executable,
        # a run may reuse finished work from the result cache (bookkit.cache)
        "cache": str(cache.folder()) if cache.folder() else "off",
        "measured": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }


def record() -> Path | None:
    """Write :func:`facts` to the file named by ``COM_PROVENANCE``, when it is set: the
    absolute path of a file (a chapter runs in book/, so a relative path would land
    there), written whole."""
    where = os.environ.get(ENV)
    if not where:
        return None
    path = Path(where).expanduser()
    if not path.is_absolute() or path.is_dir():
        why = ("it is a folder" if path.is_dir() else
               "a relative path would be taken from the chapter's working folder, book/")
        raise ProvenanceError(
            f"{ENV}={where!r} must be the absolute path of a file, where the run's facts "
            f"are written (make sets it to a file beside the executed notebook); {why}")
    files.write_whole(path, json.dumps(facts(), indent=1))
    return path


def git(*args: str) -> str | None:
    """Output of a git command in the repository, or None (no git, not a clone)."""
    try:
        run = subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True,
                             timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return run.stdout if run.returncode == 0 else None


def _relative(name: str, scale: str) -> str | None:
    """The chapter's parameter file at ``scale``, relative to the repository (None at
    full scale, which runs the defaults of the parameters cell)."""
    path = parameter_file(name, scale, Path("book"))
    return None if path is None else str(path)


def sources(name: str, scale: str) -> list[str]:
    """The files whose content decides a chapter's run, relative to the repository."""
    params = _relative(name, scale)
    return [f"book/{name}.py", *([params] if params else []), "com", "bookkit"]


def command(name: str, scale: str) -> str:
    """The papermill command that reruns the chapter with the same parameters."""
    params = _relative(name, scale)
    return (f"papermill book/{name}.ipynb out.ipynb -k python3 --cwd book"
            + (f" -f {params}" if params else ""))


def provenance(nb: dict, facts: dict, name: str, scale: str) -> dict:
    """Everything the reproduce box states about the run behind ``nb``."""
    pm = nb.get("metadata", {}).get("papermill", {})
    file = _relative(name, scale)
    params = (yaml.safe_load((ROOT / file).read_text()) or {}) if file else {}
    if pm.get("parameters", {}) != params:
        # the command below would not reproduce this run: say so loudly, never print it
        raise ValueError(f"{name}: the run's parameters {pm.get('parameters')} are not "
                         f"{file or 'the defaults of its parameters cell'} ({params})")
    changed = git("status", "--porcelain", "--", *sources(name, scale)) or ""
    commit = git("rev-parse", "HEAD")
    return {
        **facts,
        "commit": commit.strip() if commit else None,
        # sources differing from the commit: the commit alone does not reproduce the run
        # (porcelain lines are "XY path"; a rename is "XY old -> new")
        "uncommitted": sorted({line[3:].split(" -> ")[-1] for line in changed.splitlines()}),
        "start": pm.get("start_time"),
        "end": pm.get("end_time"),
        "duration": pm.get("duration"),
        "scale": scale,
        "command": command(name, scale),
    }


def fold(notebook: str, facts_file: str, scale: str) -> None:
    """Fold the run's facts (``facts_file``, written by :func:`record`) into the
    executed ``notebook``, and remove the facts file."""
    path, facts_path = Path(notebook), Path(facts_file)
    name = path.name.split(".")[0]
    if not facts_path.exists():
        raise SystemExit(f"{path}: no run facts in {facts_path}; every chapter must call "
                         "bookkit.chapter.setup(seed) (it records them)")
    nb = json.loads(path.read_text())
    facts = json.loads(facts_path.read_text())
    nb["metadata"].setdefault("com", {})["provenance"] = provenance(nb, facts, name, scale)
    path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n")
    facts_path.unlink()


if __name__ == "__main__":
    fold(*sys.argv[1:])
