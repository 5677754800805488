"""The command line of a sweep, python -m bookkit.sweep (see bookkit.sweep.run)."""
from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

from ..params import ParameterError
from .cluster import SweepError, check_workers, connect
from .results import kept_runs, previous_sweep, write_summary
from .run import __doc__ as DOC
from .run import sweep
from .runs import OUT, plan

LISTED = 50             # a dry run lists this many runs, then counts the others


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bookkit.sweep", description=DOC.split("\n")[0])
    p.add_argument("--seeds", default="0-19", help="e.g. 0-19 or 0,3,5-6 (default 0-19)")
    p.add_argument("--scale", default="full", help="smoke or full (default full)")
    p.add_argument("-c", "--chapters", help="comma-separated (default: every chapter)")
    p.add_argument("-p", dest="assignments", action="append", default=[], metavar="NAME=VALUE",
                   help="override a chapter parameter; repeat a name for a grid axis")
    p.add_argument("--out", type=Path, default=OUT, help="where runs and summary.json go")
    p.add_argument("--scheduler", help="address of a running Dask scheduler "
                   "(default: DASK_SCHEDULER_ADDRESS, else a LocalCluster)")
    p.add_argument("--scheduler-file", help="scheduler file of a running Dask cluster")
    p.add_argument("--workers", help="LocalCluster workers (default: one per core)")
    p.add_argument("--wait-for-workers", type=float, default=None, metavar="SECONDS",
                   help="how long a scheduler without workers gets for one to join "
                   "(default 30)")
    p.add_argument("--dry-run", action="store_true", help="validate and list, run nothing")
    p.add_argument("--args", default="", help="more of these options as one string, split "
                   "as a shell would (make sweep's ARGS: never run by a shell)")
    return p


def arguments(argv: list[str] | None) -> argparse.Namespace:
    """The options, with those given as one string in --args (make's ARGS) added."""
    p = parser()
    args = p.parse_args(argv)
    if args.args:
        try:
            more = shlex.split(args.args)
        except ValueError as e:
            p.error(f"--args (make's ARGS) must be options as a shell would split them; "
                    f"got {args.args!r} ({e})")
        args = p.parse_args([*(argv if argv is not None else sys.argv[1:]), *more])
    return args


def workers(text: str | None) -> int | None:
    try:
        return check_workers(None if text is None else int(text))
    except ValueError:
        return check_workers(text)


def main(argv: list[str] | None = None) -> int:
    args = arguments(argv)
    try:
        n = workers(args.workers)
        chapters = args.chapters.split(",") if args.chapters else None
        runs = plan(chapters, args.seeds, args.scale, args.assignments, out=args.out)
        return go(args, runs, n)
    except ParameterError as e:
        print(f"bookkit.sweep: ParameterError: {e}", file=sys.stderr)
    except SweepError as e:
        print(f"bookkit.sweep: {e}", file=sys.stderr)
    return 2


def go(args: argparse.Namespace, runs: list, n: int | None) -> int:
    done = kept_runs(runs)
    print(f"{len(runs)} runs ({len({r.chapter for r in runs})} chapters, "
          f"{len({r.seed for r in runs})} seeds, scale {args.scale}); "
          f"{sum(done)} kept from an earlier sweep")
    if args.dry_run:
        for r, d in list(zip(runs, done))[:LISTED]:
            print(("kept " if d else "run  ") + r.label)
        if len(runs) > LISTED:
            print(f"... and {len(runs) - LISTED} more runs")
        return 0
    if all(done):                # nothing to run: no cluster to start, the last sweep stands
        last = previous_sweep(args.out)
    else:
        with connect(args.scheduler, args.scheduler_file, n, args.wait_for_workers) as client:
            print(f"dask: {client}")
            last = sweep(runs, client)
    summary = write_summary(args.out, last=last)
    from .report import last_sweep, overview
    print(overview(summary))
    print(f"{args.out / 'summary.json'}: " + (last_sweep(summary) if not all(done)
                                              else "every run was kept from an earlier sweep"))
    return 1 if not all(done) and last["failed"] else 0
