"""The command line of a sweep, python -m bookkit.sweep (see bookkit.sweep.run)."""
from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

from ..params import ParameterError
from .run import __doc__ as DOC
from .run import connect, sweep
from .runs import OUT, kept, plan, previous_sweep, write_summary


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bookkit.sweep", description=DOC.split("\n")[0])
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


def main(argv: list[str] | None = None) -> int:
    args = arguments(argv)
    chapters = args.chapters.split(",") if args.chapters else None
    try:
        runs = plan(chapters, args.seeds, args.scale, args.assignments, out=args.out)
    except ParameterError as e:
        print(f"bookkit.sweep: ParameterError: {e}", file=sys.stderr)
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

