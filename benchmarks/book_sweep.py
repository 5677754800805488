"""Workload 7: the book's sweep, every chapter at full scale over seeds 0-3, projected to
the published 20 seeds, against the same sweep measured before issue 25's speed work.

Runs: every chapter x seeds 0-3 at full scale (bookkit.sweep.runs.plan) into a fresh
folder with a fresh result cache (nothing kept is reused; seed-free work is computed
once, by the first seed that needs it, as in a sweep from scratch), on the embedded
LocalCluster of one single-threaded worker per core (bookkit.sweep.run.sweep).
Reported: the wall time, projected to 20 seeds as wall x 20/4, and per chapter the
median papermill run time of a run (a single-threaded kernel on a core of its own: its
CPU time, give or take the kernel's start). Baseline: the recorded sweep of seeds 0-1
at commit d376660 (benchmarks/recorded/sweep_d376660.json), projected the same way.
Agreement: every run finishes, and every claim of the papers reproduces in every run.
"""
from __future__ import annotations

import json
import statistics
import tempfile
from pathlib import Path

from bookkit import chapters as book
from bookkit.claims import read_claims
from bookkit.sweep import cluster, runs
from bookkit.sweep import run as sweep

from . import row

BEFORE = Path(__file__).parent / "recorded" / "sweep_d376660.json"
SEEDS, PUBLISHED = "0-3", 20
QUICK = dict(chapters=["memory_functions"], seeds="0", scale="smoke")


def per_chapter(plan) -> dict[str, float]:
    """chapter -> median papermill run time (s) of its runs."""
    times: dict[str, list[float]] = {}
    for r in plan:
        nb = json.loads(r.path.read_text())
        times.setdefault(r.chapter, []).append(nb["metadata"]["papermill"]["duration"])
    return {c: statistics.median(t) for c, t in times.items()}


def failures(plan) -> list[str]:
    """The paper claims that did not reproduce, as "chapter seed id"."""
    return [f"{r.chapter} {r.seed} {c['id']}" for r in plan
            for c in read_claims(json.loads(r.path.read_text()))
            if c["kind"] == "paper" and not c["reproduced"]]


def run(quick: bool = False) -> dict:
    cfg = QUICK if quick else dict(chapters=book.chapter_names(), seeds=SEEDS, scale="full")
    with tempfile.TemporaryDirectory(prefix="com-bench-book-sweep-") as tmp:
        plan = runs.plan(cfg["chapters"], cfg["seeds"], cfg["scale"], out=Path(tmp))
        cache = Path(tmp, "cache")
        cache.mkdir(mode=0o700)              # private: the result cache refuses shared ones
        # the workers started inside inherit it, and their kernels from them
        with sweep.environment({"COM_CACHE": str(cache)}), cluster.connect() as client:
            done = sweep.sweep(plan, client, progress=True)
        assert not done["failed"], done["failed"]
        after, wrong = per_chapter(plan), failures(plan)
    assert quick or not wrong, f"paper claims not reproduced: {wrong}"
    n_seeds = len({r.seed for r in plan})
    before = json.loads(BEFORE.read_text())
    projected = done["wall_time"] * PUBLISHED / n_seeds
    was = before["wall_s"] * PUBLISHED / len(before["seeds"])
    chapters = "; ".join(f"{c} {before['per_chapter_median_s'].get(c, '-')} -> {t:.0f} s"
                         for c, t in after.items())
    notes = (f"{len(plan)} runs ({len(cfg['chapters'])} chapters x seeds {cfg['seeds']}, "
             f"{cfg['scale']} scale) on {done['workers']} single-threaded Dask workers in "
             f"{done['wall_time']:.0f} s, projected to {PUBLISHED} seeds (x{PUBLISHED}/"
             f"{n_seeds}). Baseline: the same sweep at {before['commit']} (seeds "
             f"{before['seeds'][0]}-{before['seeds'][-1]}, {before['wall_s']:.0f} s), "
             f"projected alike. Per chapter, median run time before -> after: {chapters}.")
    return row(f"7. the book's sweep, projected to {PUBLISHED} seeds", (was, 1),
               (projected, 1), notes, runs=len(plan), workers=done["workers"],
               per_chapter_s=after, before_per_chapter_s=before["per_chapter_median_s"])
