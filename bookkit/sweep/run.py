"""Every claim across many seeds: chapters x seeds (x parameter grids), on Dask.

    python -m bookkit.sweep --scale smoke --seeds 0-7
    python -m bookkit.sweep --chapters nonlinear_curse --seeds 0-3 -p widths=[8,16,32,64,128]

A *run* is one papermill execution of one chapter at one seed and one grid point,
and one Dask task. Without a scheduler address an embedded
``dask.distributed.LocalCluster`` is started, one single-threaded worker per core
(torch, OpenMP and BLAS are capped at one thread to match, ``RUN_ENV``);
``DASK_SCHEDULER_ADDRESS`` or a scheduler file (``--scheduler-file``,
``DASK_SCHEDULER_FILE``) runs the same sweep on an existing cluster, whose workers
must see this repository at the same path.

Runs are executed with ``strict=False`` (a claim that does not reproduce is a
count, not an error) unless ``-p strict=true`` is given. Every parameter is
validated before any task is submitted. A finished run's executed notebook is kept
as ``<out>/<scale>/<chapter>/seed-<k>[-<grid hash>].ipynb`` (written whole, only on
success) and skipped by the next sweep unless its inputs changed (chapter source,
``com``, parameters: ``Run.source``) or the file is damaged. A failed run leaves
``seed-<k>[...].failed.json`` with its error (and the partly executed notebook
beside it) and the other runs go on; the next sweep retries it. At the end,
``<out>/summary.json`` is written from every kept run (:mod:`bookkit.sweep.robustness`).
"""
from __future__ import annotations

import json
import os
import tempfile
import time
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

from .runs import BOOK, Run, kept, write_whole

# One thread per run: the cluster has one single-threaded worker per core, and a run
# (a kernel started by the worker) inherits these; torch reads OMP_NUM_THREADS.
# COM_BOOK_BUILD: figures glued, not shown twice (bookkit.claims.glue)
RUN_ENV = {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1",
           "COM_PROGRESS": "0", "COM_BOOK_BUILD": "1"}
# a cell running longer than this (seconds) fails its run, as in the Makefile
CELL_TIMEOUT = 4 * 3600


# -- running it on Dask -------------------------------------------------------------

@contextmanager
def _environment(values: dict):
    """os.environ with ``values`` set while the block runs (the kernel it starts inherits
    them), then as it was: a caller running ``execute`` itself keeps its own threads."""
    saved = dict(os.environ)
    os.environ.update(values)
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

    with _environment(RUN_ENV), tempfile.TemporaryDirectory(prefix="com-sweep-") as tmp:
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
        write_whole(run.path, result["notebook"])
        run.failure.unlink(missing_ok=True)
        partial.unlink(missing_ok=True)
        return
    record = {**run.meta(), "error": result["error"],
              "time": datetime.now(timezone.utc).isoformat(timespec="seconds")}
    write_whole(run.failure, json.dumps(record, indent=1))
    if result.get("notebook"):
        write_whole(partial, result["notebook"])


@contextmanager
def connect(scheduler: str | None = None, scheduler_file: str | None = None,
            workers: int | None = None):
    """A Dask client: on the given scheduler (or DASK_SCHEDULER_ADDRESS /
    DASK_SCHEDULER_FILE), else on a LocalCluster of one single-threaded worker per core."""
    from dask.distributed import Client, LocalCluster

    scheduler = scheduler or os.environ.get("DASK_SCHEDULER_ADDRESS")
    scheduler_file = scheduler_file or os.environ.get("DASK_SCHEDULER_FILE")
    if scheduler or scheduler_file:
        with Client(scheduler, scheduler_file=scheduler_file) as client:
            yield client
        return
    n = workers or len(os.sched_getaffinity(0))
    with LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                      dashboard_address=None, env=RUN_ENV) as cluster, Client(cluster) as client:
        yield client


def sweep(runs: list[Run], client, cwd: Path = BOOK, progress: bool = True) -> dict:
    """Submit every run that has no kept result, keep each outcome as it arrives.

    Returns what this sweep did: wall time, runs executed / skipped / failed, and
    the summed run times of the executed runs (the time one after another).
    """
    from dask.distributed import as_completed
    from tqdm.auto import tqdm

    todo = [r for r in runs if kept(r.path, r.source) is None]
    start = time.monotonic()
    futures = {client.submit(execute, r.notebook, r.parameters, str(cwd), pure=False,
                             key=f"{r.chapter}-seed{r.seed}-{r.source}-{time.time_ns()}"): r
               for r in todo}
    failed, run_time = [], 0.0
    with tqdm(total=len(todo), desc="sweep", unit="run", disable=not progress) as bar:
        for future in as_completed(futures):
            run = futures[future]
            try:
                result = future.result()
            except Exception as e:    # the worker died too often (KilledWorker), or the kernel
                result = {"error": f"{type(e).__name__}: {e}", "notebook": None}
            keep(run, result)
            if result["error"] is None:
                nb = json.loads(result["notebook"])
                run_time += nb["metadata"].get("papermill", {}).get("duration") or 0.0
            else:
                failed.append(run.label)
                bar.write(f"failed: {run.label}: {result['error']}")
            bar.set_postfix(failed=len(failed))
            bar.update()
    return dict(wall_time=time.monotonic() - start, executed=len(todo) - len(failed),
                skipped=len(runs) - len(todo), failed=failed, run_time=run_time,
                workers=len(client.scheduler_info().get("workers", {})),
                end=datetime.now(timezone.utc).isoformat(timespec="seconds"))
