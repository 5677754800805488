"""Workload 4: the whole book at full scale, wall time, from nothing.

``make book`` runs in a fresh clone of the committed repository (HEAD) that
shares this checkout's environment (.venv), with an empty result cache
(COM_CACHE in a temporary folder): every chapter executes at full scale, then
Jupyter Book builds the HTML. Chapters are made one make target at a time so
the table can show each chapter's share; the sum is the ``make book`` time.
No baseline: the authors' pipeline has no book; section 9 of the reference
notes puts one perturbation curve of theirs at about an hour.
"""
from __future__ import annotations

import os
import resource
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from bookkit.chapters import chapter_names

from . import row

ROOT = Path(__file__).resolve().parent.parent
TARGET_S = 300.0


def _cpu() -> float:
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def _make(repo: Path, target: str, env: dict, log) -> tuple[float, float]:
    """Wall time and CPU time (of make and everything it ran) of one make target."""
    start, cpu = time.perf_counter(), _cpu()
    # -o: the shared .venv counts as installed; never reinstall it from the clone
    subprocess.run(["make", "-o", ".venv/.installed", target], cwd=repo, env=env,
                   stdout=log, stderr=subprocess.STDOUT, check=True)
    return time.perf_counter() - start, _cpu() - cpu


def run(quick: bool = False, keep: bool = False) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix="com-bench-book-"))
    repo, cache = tmp / "repo", tmp / "cache"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(repo)], check=True)
    (repo / ".venv").symlink_to(ROOT / ".venv")
    env = {**os.environ, "COM_CACHE": str(cache), "COM_PROGRESS": "0",
           "PYTHONPATH": str(repo)}                            # import the clone's com
    chapters = chapter_names(repo / "book")                    # the clone's chapters
    times: dict[str, float] = {}
    cpu: dict[str, float] = {}
    log_path = tmp / "make.log"
    try:
        with open(log_path, "w") as log:
            for ch in chapters:
                times[ch], cpu[ch] = _make(repo, f"_build/executed/full/{ch}.ipynb", env, log)
            build = "(jupyter-book build)"
            times[build], cpu[build] = _make(repo, "book", env, log)
    except subprocess.CalledProcessError as err:
        raise RuntimeError(f"make book failed in the clean clone; log: {log_path}") from err
    finally:
        (ROOT / "_build").mkdir(exist_ok=True)
        shutil.copy(log_path, ROOT / "_build" / "bench-book.log")
        if not keep:
            shutil.rmtree(tmp, ignore_errors=True)
    total, total_cpu = sum(times.values()), sum(cpu.values())
    slowest = ", ".join(f"{k} {v:.0f} s" for k, v in sorted(times.items(), key=lambda kv: -kv[1]))
    notes = (f"make book at full scale in a clean clone of HEAD, empty cache, {len(chapters)} "
             f"chapters, serial make (target < {TARGET_S:.0f} s): {slowest}. CPU time "
             f"{total_cpu:.0f} s, so on an idle 2-core machine at least {total_cpu / 2:.0f} s; "
             f"wall time above {total_cpu:.0f} s means waiting for cores others used")
    return row("4. make book, full scale", None, (total, os.cpu_count()), notes,
               chapters=times, chapters_cpu_s=cpu, cpu_s=total_cpu, target_s=TARGET_S,
               meets_target=total < TARGET_S)
