"""python -m benchmarks [--quick] [--book] [--only 1,2,3,5,6,7] [--threads 1,2] [--out _build]

Times the authors' time-loop approach against com on the same workloads, asserts
that both compute the same result, and writes <out>/bench.json and <out>/bench.md.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import torch

from . import ROOT_DIR, machine
from . import THREADS as _threads

WORKLOADS = {"1": "linear_epoch", "2": "perturbation", "3": "batched_step", "4": "book",
             "5": "stability_curve", "6": "sweep", "7": "book_sweep"}


def table(rows: list[dict], info: dict) -> str:
    lines = [f"Measured on {info['nproc']} cores, {info['cpu']}, torch {info['torch']}, "
             f"threads tried {info['threads']}, load average at start "
             f"{info['load_average_1min']:.2f}, at end {info['load_average_end']:.2f}.", "",
             "| workload | time-loop baseline | com | speedup | notes |", "|---|---|---|---|---|"]
    for r in rows:
        b = "-" if r["baseline_s"] is None else f"{r['baseline_s']:.3g} s"
        c = "-" if r["com_s"] is None else f"{r['com_s']:.3g} s"
        sp = "-" if r["speedup"] is None else f"{r['speedup']:.3g}x"
        lines.append(f"| {r['workload']} | {b} | {c} | {sp} | {r['notes']} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    ap.add_argument("--quick", action="store_true", help="tiny sizes (the smoke test)")
    ap.add_argument("--book", action="store_true", help="also time make book at full scale")
    ap.add_argument("--only", default="1,2,3,5,6,7",
                    help="workloads to run, e.g. 1,3 (4 = --book)")
    ap.add_argument("--threads", default="1,2", help="torch thread counts to try, e.g. 1,2")
    ap.add_argument("--out", default=str(ROOT_DIR / "_build"), help="folder for bench.json/.md")
    args = ap.parse_args(argv)

    torch.set_default_dtype(torch.float64)
    _threads[:] = [int(t) for t in args.threads.split(",")]
    wanted = [w.strip() for w in args.only.split(",") if w.strip()]
    if args.book and "4" not in wanted:      # the book before the sweep, which starts Dask
        wanted.insert(wanted.index("6") if "6" in wanted else len(wanted), "4")
    info = machine(_threads)
    rows: list[dict] = []
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    def write():
        """Called after every workload, so a slow or failing later one keeps the rest."""
        info["load_average_end"] = machine(_threads)["load_average_1min"]
        for r in rows:
            r["machine"] = info
        clean = json.loads(json.dumps(rows, default=float),
                           parse_constant=lambda c: None)      # NaN/inf -> null
        (out / "bench.json").write_text(json.dumps(clean, indent=1) + "\n")
        (out / "bench.md").write_text(table(rows, info))

    for key in wanted:
        name = WORKLOADS[key]
        start = time.perf_counter()
        print(f"[bench] workload {key} ({name}) ...", file=sys.stderr, flush=True)
        module = __import__(f"benchmarks.{name}", fromlist=["run"])
        r = module.run(quick=args.quick)
        wall = time.perf_counter() - start
        for one in r if isinstance(r, list) else [r]:
            one["wall_s"] = wall
            rows.append(one)
        write()
        print(f"[bench] workload {key} done in {wall:.0f} s", file=sys.stderr, flush=True)
    print((out / "bench.md").read_text())
    return 0


if __name__ == "__main__":
    sys.exit(main())
