"""Every claim across many seeds: chapters x seeds (x parameter grids), on Dask.

    python -m com.sweep --scale smoke --seeds 0-7
    python -m com.sweep --chapters nonlinear_curse --seeds 0-3 -p widths=[8,16,32,64,128]

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
``<out>/summary.json`` is written from every kept run (:mod:`com.robustness`).
"""
from __future__ import annotations

import argparse
import ast
import hashlib
import itertools
import json
import numbers
import os
import re
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import yaml

from .validation import ParameterError

ROOT = Path(__file__).resolve().parent.parent
BOOK = ROOT / "book"
OUT = ROOT / "_build" / "sweep"
SCALES = ("smoke", "full")
# One thread per run: the cluster has one single-threaded worker per core, and a run
# (a kernel started by the worker) inherits these; torch reads OMP_NUM_THREADS.
RUN_ENV = {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1",
           "COM_PROGRESS": "0"}
# modules the chapters never import: editing them must not invalidate kept runs
NOT_IN_CHAPTERS = {"sweep.py", "robustness.py"}


@dataclass
class Run:
    """One chapter at one seed and one grid point."""

    chapter: str
    scale: str
    seed: int
    overrides: dict          # the -p values of this grid point ({} for none)
    parameters: dict         # everything papermill injects
    source: str              # hash of all the run depends on (code and parameters)
    path: Path               # the executed notebook, kept when the run succeeded
    notebook: str = field(default="", repr=False)   # the chapter notebook to execute

    @property
    def failure(self) -> Path:
        return self.path.with_suffix(".failed.json")

    @property
    def label(self) -> str:
        grid = " ".join(f"{k}={json.dumps(v)}" for k, v in self.overrides.items())
        return f"{self.chapter} seed {self.seed}" + (f" ({grid})" if grid else "")

    def meta(self) -> dict:
        return dict(chapter=self.chapter, scale=self.scale, seed=self.seed,
                    overrides=self.overrides, source=self.source)


# -- what to run --------------------------------------------------------------------

def parse_seeds(text: str) -> list[int]:
    """Seeds from ``'0-7'`` (inclusive), ``'3'`` or ``'0,2,5-6'``."""
    allowed = ("integers >= 0 or inclusive ranges low-high (low <= high), separated by "
               "commas, each seed once, e.g. '0-7' or '0,3,5-6'")
    seeds: list[int] = []
    for part in str(text).split(","):
        m = re.fullmatch(r"\s*(\d+)\s*(?:-\s*(\d+)\s*)?", part)
        if not m or (m[2] is not None and int(m[2]) < int(m[1])):
            raise ParameterError(f"parameter 'seeds' must be {allowed}; got {text!r}")
        seeds += range(int(m[1]), int(m[2] or m[1]) + 1)
    if len(set(seeds)) != len(seeds):
        raise ParameterError(f"parameter 'seeds' must be {allowed}; got {text!r} (a repeat)")
    return seeds


def _value(text: str):
    """A -p value: a Python literal (``[8, 16]``, ``1e-3``, ``True``), else YAML."""
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return yaml.safe_load(text)


def parse_assignments(items: list[str]) -> dict[str, list]:
    """``['steps=100', 'steps=200', 'lr=0.1']`` -> ``{'steps': [100, 200], 'lr': [0.1]}``.

    A name given more than once is a grid axis; the sweep runs every combination.
    """
    axes: dict[str, list] = {}
    for item in items:
        name, sep, text = item.partition("=")
        name = name.strip()
        if not sep or not name.isidentifier():
            raise ParameterError(f"parameter '-p' must be name=value (e.g. widths=[8,16,32]); "
                                 f"got {item!r}")
        if name == "seed":
            raise ParameterError("parameter 'seed' is set by --seeds, not by -p")
        try:
            value = _value(text)
        except yaml.YAMLError as e:
            raise ParameterError(f"parameter '{name}' must be a Python or YAML value; "
                                 f"got {text!r} ({e.__class__.__name__})") from None
        if value not in axes.setdefault(name, []):
            axes[name].append(value)
    return axes


def grid(axes: dict[str, list]) -> list[dict]:
    """Every combination of the axes' values: [{name: value, ...}, ...] ([{}] for none)."""
    names = list(axes)
    return [dict(zip(names, combo)) for combo in itertools.product(*axes.values())]


def chapter_names(book: Path = BOOK) -> list[str]:
    """Every chapter: those with a smoke parameter set (as the Makefile finds them)."""
    return sorted(p.stem for p in (book / "params" / "smoke").glob("*.yaml"))


def parameter_file(chapter: str, scale: str, book: Path = BOOK) -> Path | None:
    """``book/params/<scale>/<chapter>.yaml``, or None at full scale: the full-scale
    parameters are the chapter's parameters cell (its defaults), declared once."""
    return None if scale == "full" else book / "params" / scale / f"{chapter}.yaml"


def parameter_set(chapter: str, scale: str, book: Path = BOOK) -> dict:
    """What papermill is given at ``scale``: the parameter file's values ({} at full
    scale, which runs the defaults)."""
    path = parameter_file(chapter, scale, book)
    return {} if path is None else yaml.safe_load(path.read_text()) or {}


def chapter_notebook(chapter: str, book: Path = BOOK):
    """The chapter's notebook (nbformat node) from its jupytext source ``book/<chapter>.py``."""
    import jupytext
    return jupytext.read(book / f"{chapter}.py")


def declared_parameters(nb) -> dict:
    """The parameters cell of a notebook, by papermill: {name: default} (None when the
    default is an expression rather than a literal)."""
    import nbformat
    import papermill
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp, "chapter.ipynb")
        nbformat.write(nb, path)
        found = papermill.inspect_notebook(str(path))
    out = {}
    for name, p in found.items():
        try:
            out[name] = ast.literal_eval(p["default"])
        except (ValueError, SyntaxError):
            out[name] = None
    return out


def _kind(value) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, numbers.Integral):
        return "an integer"
    if isinstance(value, numbers.Real):
        return "a number"
    if isinstance(value, (list, tuple)):
        return "a list"
    return f"a {type(value).__name__}"


def _fits(default, value) -> bool:
    """``value`` is of the kind of the chapter's ``default`` (an integer is a number)."""
    if default is None:
        return True
    if isinstance(default, bool) or isinstance(value, bool):
        return isinstance(default, bool) and isinstance(value, bool)
    if isinstance(default, numbers.Real) and not isinstance(default, numbers.Integral):
        return isinstance(value, numbers.Real)
    if isinstance(default, (list, tuple)):
        return isinstance(value, (list, tuple))
    return isinstance(value, type(default))


def check_overrides(chapter: str, declared: dict, axes: dict[str, list]) -> None:
    """Every -p name is a parameter of ``chapter``, with values of its kind."""
    for name, values in axes.items():
        if name not in declared:
            raise ParameterError(f"parameter '{name}' is not a parameter of chapter "
                                 f"'{chapter}' (it has: {', '.join(declared)})")
        for value in values:
            if not _fits(declared[name], value):
                raise ParameterError(
                    f"parameter '{name}' of chapter '{chapter}' must be "
                    f"{_kind(declared[name])} (default {declared[name]!r}); got {value!r}")


def code_hash(chapter: str, book: Path = BOOK) -> str:
    """Hash of the code a chapter's results depend on: its source and ``com``."""
    h = hashlib.sha256((book / f"{chapter}.py").read_bytes())
    for f in sorted(Path(__file__).parent.glob("*.py")):
        if f.name not in NOT_IN_CHAPTERS:
            h.update(f.name.encode() + f.read_bytes())
    return h.hexdigest()[:16]


def _digest(obj) -> str:
    return hashlib.sha256(json.dumps(obj, sort_keys=True).encode()).hexdigest()[:16]


def plan(chapters: list[str] | None, seeds, scale: str, assignments: list[str] = (),
         book: Path = BOOK, out: Path = OUT) -> list[Run]:
    """Every run of the sweep, validated: raises ParameterError, naming the parameter,
    for an unknown scale or chapter, a bad seed range or a -p the chapter lacks."""
    if scale not in SCALES:
        raise ParameterError(f"parameter 'scale' must be one of {', '.join(SCALES)}; "
                             f"got {scale!r}")
    available = chapter_names(book)
    chapters = list(chapters or available)
    unknown = [c for c in chapters if c not in available]
    if unknown or not chapters:
        raise ParameterError(f"parameter 'chapters' must name chapters among "
                             f"{', '.join(available)}; got {unknown or chapters}")
    seeds = parse_seeds(seeds) if isinstance(seeds, str) else list(seeds)
    if not seeds or not all(isinstance(s, int) and s >= 0 for s in seeds):
        raise ParameterError(f"parameter 'seeds' must be integers >= 0; got {seeds!r}")
    axes = parse_assignments(list(assignments))
    import nbformat
    runs = []
    for chapter in chapters:
        nb = chapter_notebook(chapter, book)
        check_overrides(chapter, declared_parameters(nb), axes)
        base = parameter_set(chapter, scale, book)
        code = code_hash(chapter, book)
        for point in grid(axes):
            for seed in seeds:
                parameters = {**base, "strict": False, **point, "seed": seed}
                name = f"seed-{seed}" + (f"-{_digest(point)[:8]}" if point else "")
                run = Run(chapter, scale, seed, point, parameters,
                          _digest([code, parameters]), out / scale / chapter / f"{name}.ipynb")
                nb.metadata["com_sweep"] = run.meta()
                run.notebook = nbformat.writes(nb)
                runs.append(run)
    return runs


def kept(path: Path, source: str | None = None) -> dict | None:
    """The kept executed notebook at ``path`` (a dict), if it is whole and, when
    ``source`` is given, was computed from those inputs; else None (to be rerun)."""
    try:
        nb = json.loads(path.read_text())
        meta = nb["metadata"]["com_sweep"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return nb if source is None or meta.get("source") == source else None


# -- running it on Dask -------------------------------------------------------------

def execute(notebook: str, parameters: dict, cwd: str) -> dict:
    """One run, on a Dask worker: papermill in a fresh kernel, in a private folder.

    Returns {"error": None or "Name: message", "notebook": executed notebook (JSON
    text; the partly executed one after an error)}. An error that is not the
    chapter's own (the kernel died) is raised, for Dask to report.
    """
    import papermill

    os.environ.update(RUN_ENV)      # same values for every task: safe in a shared worker
    with tempfile.TemporaryDirectory(prefix="com-sweep-") as tmp:
        src, dst = Path(tmp, "input.ipynb"), Path(tmp, "output.ipynb")
        src.write_text(notebook)
        try:
            papermill.execute_notebook(str(src), str(dst), parameters=parameters, cwd=cwd,
                                       kernel_name="python3", progress_bar=False)
            error = None
        except papermill.PapermillExecutionError as e:
            error = f"{e.ename}: {e.evalue}"
        return {"error": error, "notebook": dst.read_text() if dst.exists() else None}


def _write(path: Path, text: str) -> None:
    """Write whole or not at all: a temporary name, then a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    tmp.write_text(text)
    tmp.replace(path)


def keep(run: Run, result: dict) -> None:
    """Store a run's outcome: its notebook on success, its error on failure."""
    partial = run.path.with_suffix(".failed.ipynb")
    if result["error"] is None:
        _write(run.path, result["notebook"])
        run.failure.unlink(missing_ok=True)
        partial.unlink(missing_ok=True)
        return
    record = {**run.meta(), "error": result["error"],
              "time": datetime.now(timezone.utc).isoformat(timespec="seconds")}
    _write(run.failure, json.dumps(record, indent=1))
    if result.get("notebook"):
        _write(partial, result["notebook"])


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


# -- what the kept runs say ---------------------------------------------------------

def collect(out: Path = OUT, book: Path = BOOK) -> list[dict]:
    """Every kept run under ``out`` whose inputs are still the current ones, as records
    for :func:`com.robustness.summarise`: the successful runs and the failed ones
    (a failure with a successful run beside it is superseded). Stale or damaged files
    are counted under ``{"stale": n}`` records, never summarised."""
    from .report import read_claims

    records, codes = [], {}
    for path in sorted(out.glob("*/*/seed-*.ipynb")):
        if path.name.endswith(".failed.ipynb"):
            continue
        nb = kept(path)
        meta = nb and nb["metadata"]["com_sweep"]
        if not meta or not _current(meta, book, codes):
            records.append({"stale": str(path)})
            continue
        records.append({**meta, "status": "done", "claims": read_claims(nb),
                        "duration": nb["metadata"].get("papermill", {}).get("duration"),
                        "code": codes[meta["chapter"]]})
    for path in sorted(out.glob("*/*/seed-*.failed.json")):
        try:
            meta = json.loads(path.read_text())
        except (OSError, ValueError):
            meta = None
        done = Path(str(path).removesuffix(".failed.json") + ".ipynb")
        if not meta or not _current(meta, book, codes):
            records.append({"stale": str(path)})
        elif kept(done, meta["source"]) is None:
            records.append({**meta, "status": "failed", "claims": [], "duration": None,
                            "code": codes[meta["chapter"]]})
    return records


def _current(meta: dict, book: Path, codes: dict) -> bool:
    """Was this run computed from the current chapter, com and parameter set?"""
    chapter, scale = meta.get("chapter"), meta.get("scale")
    if scale not in SCALES or not (book / f"{chapter}.py").exists():
        return False
    params = parameter_file(chapter, scale, book)
    if params is not None and not params.exists():
        return False
    codes.setdefault(chapter, code_hash(chapter, book))
    base = parameter_set(chapter, scale, book)
    parameters = {**base, "strict": False, **meta["overrides"], "seed": meta["seed"]}
    return meta.get("source") == _digest([codes[chapter], parameters])


def previous_sweep(out: Path = OUT) -> dict | None:
    """What the sweep that last wrote ``out/summary.json`` did, if it can be read."""
    try:
        return json.loads((out / "summary.json").read_text()).get("last_sweep")
    except (OSError, ValueError, AttributeError):
        return None


def write_summary(out: Path = OUT, book: Path = BOOK, last: dict | None = None) -> dict:
    """Summarise every current kept run into ``out/summary.json``; returns the summary."""
    from .robustness import summarise
    summary = summarise(collect(out, book), last=last)
    _write(out / "summary.json", json.dumps(summary, indent=1))
    return summary


# -- command line -------------------------------------------------------------------

def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m com.sweep", description=__doc__.split("\n")[0])
    p.add_argument("--seeds", default="0-7", help="e.g. 0-7 or 0,3,5-6 (default 0-7)")
    p.add_argument("--scale", default="full", help="smoke or full (default full)")
    p.add_argument("-c", "--chapters", help="comma-separated (default: every chapter)")
    p.add_argument("-p", dest="assignments", action="append", default=[], metavar="NAME=VALUE",
                   help="override a chapter parameter; repeat a name for a grid axis")
    p.add_argument("--out", type=Path, default=OUT, help="where runs and summary.json go")
    p.add_argument("--scheduler", help="address of a running Dask scheduler "
                   "(default: DASK_SCHEDULER_ADDRESS, else a LocalCluster)")
    p.add_argument("--scheduler-file", help="scheduler file of a running Dask cluster")
    p.add_argument("--workers", type=int, help="LocalCluster workers (default: one per core)")
    p.add_argument("--dry-run", action="store_true", help="validate and list, run nothing")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    chapters = args.chapters.split(",") if args.chapters else None
    try:
        runs = plan(chapters, args.seeds, args.scale, args.assignments, out=args.out)
    except ParameterError as e:
        print(f"com.sweep: ParameterError: {e}", file=sys.stderr)
        return 2
    done = sum(kept(r.path, r.source) is not None for r in runs)
    print(f"{len(runs)} runs ({len({r.chapter for r in runs})} chapters, "
          f"{len({r.seed for r in runs})} seeds, scale {args.scale}); "
          f"{done} kept from an earlier sweep")
    if args.dry_run:
        for r in runs:
            print(("kept " if kept(r.path, r.source) else "run  ") + r.label)
        return 0
    if done == len(runs):        # nothing to run: no cluster to start, the last sweep stands
        last = previous_sweep(args.out)
    else:
        with connect(args.scheduler, args.scheduler_file, args.workers) as client:
            print(f"dask: {client}")
            last = sweep(runs, client)
    summary = write_summary(args.out, last=last)
    from .robustness import last_sweep, overview
    print(overview(summary))
    print(f"{args.out / 'summary.json'}: " + (last_sweep(summary) if done < len(runs)
                                              else "every run was kept from an earlier sweep"))
    return 1 if done < len(runs) and last["failed"] else 0


if __name__ == "__main__":
    # the module's own name, so Dask pickles by reference
    from com.sweep import main as _main
    sys.exit(_main())
