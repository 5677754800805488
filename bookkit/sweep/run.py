"""Every claim across many seeds: chapters x seeds (x parameter grids), on Dask.

    python -m bookkit.sweep --scale smoke --seeds 0-7
    python -m bookkit.sweep --chapters nonlinear_curse --seeds 0-3 -p widths=[8,16,32,64,128]

A *run* is one papermill execution of one chapter at one seed and one grid point,
and one Dask task. The cluster is :mod:`bookkit.sweep.cluster`'s: an embedded
``dask.distributed.LocalCluster``, one single-threaded worker per core (torch, OpenMP
and BLAS are capped at one thread to match, ``RUN_ENV``), or an existing scheduler
(``DASK_SCHEDULER_ADDRESS``, a scheduler file), whose workers must see this repository
at the same path; a sweep never starts without workers.

Runs are executed with ``strict=False`` (a claim that does not reproduce is a
count, not an error) unless ``-p strict=true`` is given. Every parameter is
validated by the chapters' own rules before any task is submitted. A finished run's
executed notebook is kept as ``<out>/<scale>/<chapter>/seed-<k>[-<grid hash>].ipynb``
(written whole, only on success) and skipped by the next sweep unless its inputs
changed (chapter source, ``com``, parameters, the versions of python and of the
packages ``com`` computes with: ``Run.source``) or the file is damaged. A failed run
leaves ``seed-<k>[...].failed.json`` with its error (and the partly executed notebook
beside it) and the other runs go on; the next sweep retries it. A run is executed
under its lock (bookkit.files), so two sweeps at once never execute one run twice:
each takes the runs no one holds, then waits for those the other is executing. At
the end, ``<out>/summary.json`` is written from every kept run
(:mod:`bookkit.sweep.robustness`).
"""
from __future__ import annotations

import json
import os
import tempfile
import time
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

from .. import files
from ..chapters import BOOK
from .cluster import RUN_ENV, RUN_UNSET
from .results import kept, kept_runs
from .runs import Run

# a cell running longer than this (seconds) fails its run, as in the Makefile
CELL_TIMEOUT = 4 * 3600


# -- running it on Dask -------------------------------------------------------------

@contextmanager
def environment(values: dict, unset: tuple[str, ...] = ()):
    """os.environ with ``values`` set and ``unset`` removed while the block runs (the
    kernel it starts inherits it), then as it was: a caller running ``execute`` itself
    keeps its own threads."""
    saved = dict(os.environ)
    os.environ.update(values)
    for name in unset:
        os.environ.pop(name, None)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def execute(notebook: str, parameters: dict, cwd: str) -> dict:
    """One run, on a Dask worker: papermill in a fresh kernel, in a private folder.

    Returns {"error": None or "Name: message", "notebook": executed notebook (JSON
    text; the partly executed one after an error)}. An error that is not the
    chapter's own (the kernel died) is raised, for Dask to report.
    """
    import papermill

    with (environment(RUN_ENV, RUN_UNSET),
          tempfile.TemporaryDirectory(prefix="com-sweep-") as tmp):
        src, dst = Path(tmp, "input.ipynb"), Path(tmp, "output.ipynb")
        src.write_text(notebook)
        try:
            papermill.execute_notebook(str(src), str(dst), parameters=parameters, cwd=cwd,
                                       kernel_name="python3", progress_bar=False,
                                       execution_timeout=CELL_TIMEOUT)
            error = None
        except papermill.PapermillExecutionError as e:
            error = f"{e.ename}: {e.evalue}"
        return {"error": error, "notebook": dst.read_text() if dst.exists() else None}


def keep(run: Run, result: dict) -> None:
    """Store a run's outcome: its notebook on success, its error on failure."""
    partial = run.path.with_suffix(".failed.ipynb")
    if result["error"] is None:
        files.write_whole(run.path, result["notebook"])
        run.failure.unlink(missing_ok=True)
        partial.unlink(missing_ok=True)
        return
    record = {**run.meta(), "error": result["error"],
              "time": datetime.now(timezone.utc).isoformat(timespec="seconds")}
    files.write_whole(run.failure, json.dumps(record, indent=1))
    if result.get("notebook"):
        files.write_whole(partial, result["notebook"])


class _Runs:
    """The runs of one sweep as they go: at most ``window`` on the cluster at a time,
    each under its lock; those another sweep holds wait for the end."""

    def __init__(self, todo: list[Run], client, cwd: Path, bar, window: int):
        from dask.distributed import as_completed
        self.queue = [(r, None) for r in reversed(todo)]      # popped from the end
        self.client, self.cwd, self.bar, self.window = client, cwd, bar, window
        self.running, self.others = {}, []
        self.done = as_completed()
        self.failed, self.elsewhere, self.run_time = [], 0, 0.0

    def fill(self) -> None:
        """Submit runs until ``window`` are on the cluster, skipping those another sweep
        holds (for later) or has finished meanwhile."""
        while self.queue and len(self.running) < self.window:
            run, held = self.queue.pop()
            held = held or files.try_lock(run.path, f"sweep {run.label}")
            if held is None:
                self.others.append(run)
            elif kept(run.path, run.source) is not None:     # another sweep finished it
                held.release()
                self.elsewhere += 1
                self.bar.update()
            else:
                future = self.client.submit(
                    execute, run.notebook(), run.parameters, str(self.cwd), pure=False,
                    key=f"{run.chapter}-seed{run.seed}-{run.source}-{time.time_ns()}")
                self.running[future] = (run, held)
                self.done.add(future)

    def finish(self, future) -> None:
        """Keep what a finished run gave, and let its lock go."""
        run, held = self.running.pop(future)
        try:
            result = future.result()
        except Exception as e:    # the worker died too often (KilledWorker), or the kernel
            result = {"error": f"{type(e).__name__}: {e}", "notebook": None}
        try:
            keep(run, result)
        finally:
            held.release()
        if result["error"] is None:
            nb = json.loads(result["notebook"])
            self.run_time += nb["metadata"].get("papermill", {}).get("duration") or 0.0
        else:
            self.failed.append(run.label)
            self.bar.write(f"failed: {run.label}: {result['error']}")
        self.bar.set_postfix(failed=len(self.failed))
        self.bar.update()

    def wait_for_others(self) -> None:
        """The runs another sweep holds: wait for each; run it if that sweep did not."""
        run = self.others.pop(0)
        self.bar.write(f"waiting: {run.label} is being run by "
                       f"{files.holder(run.path) or 'another sweep'}")
        held = files.acquire(run.path, f"sweep {run.label}", out=False)
        if kept(run.path, run.source) is None:
            self.queue.append((run, held))
        else:
            held.release()
            self.elsewhere += 1
            self.bar.update()

    def go(self) -> None:
        while True:
            self.fill()
            if self.running:
                self.finish(next(self.done))
            elif self.others:
                self.wait_for_others()
            elif not self.queue:
                return


def sweep(runs: list[Run], client, cwd: Path = BOOK, progress: bool = True) -> dict:
    """Submit every run that has no kept result, keep each outcome as it arrives.

    Returns what this sweep did: wall time, runs executed / skipped (kept from an
    earlier sweep, or finished meanwhile by another) / failed, and the summed run
    times of the executed runs (the time one after another).
    """
    from tqdm.auto import tqdm

    todo = [r for r, done in zip(runs, kept_runs(runs)) if not done]
    start = time.monotonic()
    workers = len(client.scheduler_info().get("workers", {}))
    with tqdm(total=len(todo), desc="sweep", unit="run", disable=not progress) as bar:
        state = _Runs(todo, client, cwd, bar, window=max(4, 2 * workers))
        state.go()
    return dict(wall_time=time.monotonic() - start,
                executed=len(todo) - len(state.failed) - state.elsewhere,
                skipped=len(runs) - len(todo) + state.elsewhere, failed=state.failed,
                run_time=state.run_time, workers=workers,
                end=datetime.now(timezone.utc).isoformat(timespec="seconds"))
