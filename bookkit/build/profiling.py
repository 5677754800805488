"""Where a chapter's time goes: its script under cProfile, summed per ``com`` function.

    .venv/bin/python -m bookkit.build.profiling [chapter ...] [--out _build/profile]

Runs each chapter's paired .py at full scale (its parameters cell's defaults) in a
fresh Python with the result cache off, one torch thread (CPU time then means one
core's work, and load on the other core changes it little), and writes
``<out>/<chapter>.prof`` and ``<out>/profile.md``: per chapter its CPU time and the
``com`` functions with the largest cumulative time (a function's time includes what it
calls, so nested rows overlap).
"""
from __future__ import annotations

import argparse
import os
import pstats
import resource
import subprocess
import sys
from pathlib import Path

from bookkit.chapters import ROOT, chapter_names

COM = ROOT / "com"
TOP = 6


def run(chapter: str, out: Path) -> float:
    """Profile one chapter; returns the child's CPU time (user + system, seconds)."""
    env = {**os.environ, "COM_CACHE": "off", "COM_PROGRESS": "0", "MPLBACKEND": "Agg",
           "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([sys.executable, "-m", "cProfile", "-o", str(out / f"{chapter}.prof"),
                    f"{chapter}.py"], cwd=ROOT / "book", env=env, check=True,
                   stdout=subprocess.DEVNULL)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def top_com(prof: Path, n: int = TOP) -> list[tuple[str, float]]:
    """The n com functions of largest cumulative time: [(module.function, seconds)]."""
    stats = pstats.Stats(str(prof)).stats                      # key -> (cc, nc, tt, ct, callers)
    rows = [(f"{_module(file)}.{name}", ct) for (file, _, name), (_, _, _, ct, _)
            in stats.items() if COM in Path(file).parents and not name.startswith("<")]
    return sorted(rows, key=lambda r: -r[1])[:n]


def _module(file: str) -> str:
    """com's module of a source file, dotted from com: 'models.kernels'."""
    path = Path(file).relative_to(COM).with_suffix("")
    return ".".join(path.parts[:-1] if path.name == "__init__" else path.parts)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("chapters", nargs="*", help="default: every chapter")
    ap.add_argument("--out", type=Path, default=ROOT / "_build" / "profile")
    args = ap.parse_args(argv)
    chapters = args.chapters or chapter_names()
    args.out.mkdir(parents=True, exist_ok=True)
    lines = ["| chapter | CPU s | largest com functions (cumulative s) |", "|---|---|---|"]
    for ch in chapters:
        print(f"[profile] {ch} ...", file=sys.stderr, flush=True)
        cpu = run(ch, args.out)
        top = ", ".join(f"`{name}` {sec:.0f}" for name, sec in top_com(args.out / f"{ch}.prof"))
        lines.append(f"| {ch} | {cpu:.0f} | {top} |")
        (args.out / "profile.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
