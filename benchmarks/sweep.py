"""Workload 6: one sweep, on the embedded Dask cluster against the same runs one after
another.

Runs: chapters x seeds at one scale (bookkit.sweep.runs.plan), each a papermill execution in a
fresh kernel (bookkit.sweep.run.execute). Baseline: the runs executed one after another in this
process, as a shell loop over papermill would. com: bookkit.sweep.run.sweep on an embedded
LocalCluster of one single-threaded worker per core. Both are timed once (a run is
seconds to minutes: repeats would only re-measure the same kernels).
Agreement: every run succeeds on both paths with the same claim verdicts.
"""
from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path

from bookkit import chapters as book
from bookkit import claims as report
from bookkit.sweep import cluster, runs
from bookkit.sweep import run as sweep

from . import row

FULL = dict(chapters=["memory_functions", "gradient_plateaus"], seeds="0-3", scale="smoke")
QUICK = dict(chapters=["memory_functions"], seeds="0-1", scale="smoke")


def verdicts(notebook_json: str) -> dict:
    """claim id -> reproduced, from an executed notebook's glued records."""
    return {c["id"]: c["reproduced"] for c in report.read_claims(json.loads(notebook_json))}


def run(quick: bool = False) -> dict:
    cfg = QUICK if quick else FULL
    with tempfile.TemporaryDirectory(prefix="com-bench-sweep-") as tmp:
        plan = runs.plan(cfg["chapters"], cfg["seeds"], cfg["scale"], out=Path(tmp))
        start = time.perf_counter()
        one_by_one = [sweep.execute(r.notebook(), r.parameters, str(book.BOOK)) for r in plan]
        baseline = time.perf_counter() - start
        assert all(r["error"] is None for r in one_by_one), [r["error"] for r in one_by_one]
        with cluster.connect() as client:
            done = sweep.sweep(plan, client, progress=False)
            workers = done["workers"]
        assert not done["failed"], done["failed"]
        for r, alone in zip(plan, one_by_one):
            assert verdicts(r.path.read_text()) == verdicts(alone["notebook"]), r.label
    notes = (f"{len(plan)} runs ({', '.join(cfg['chapters'])} x seeds {cfg['seeds']}, "
             f"{cfg['scale']} scale). Baseline: papermill one run after another. com: "
             f"bookkit.sweep on an embedded LocalCluster of {workers} single-threaded workers, "
             "runs kept as they finish. Agreement: every run succeeds on both paths with the "
             "same claim verdicts. Timed once each.")
    return row("6. a sweep: embedded Dask vs one run after another", (baseline, 1),
               (done["wall_time"], 1), notes, runs=len(plan), workers=workers)
