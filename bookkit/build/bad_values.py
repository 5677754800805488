"""Bad-value sweep: every parameter of every chapter given values a hostile but fair
user would try, and what the chapter does with each.

    python -m bookkit.build.bad_values                # papermill on each smoke notebook, 60 s
    python -m bookkit.build.bad_values --fast         # one process, up to the check
    python -m bookkit.build.bad_values --fast --json  # machine-readable (the tests)

Each case starts from the chapter's smoke parameters and changes one thing: a wrong
type, a negative, NaN, inf, an empty list, an unsorted list, an absurd size, a bad
choice, or a misspelled name. A case is a *clear error* when the run stops (within the
timeout) with a ParameterError naming the parameter (the misspelled name, for a
misspelling). Anything else is reported as it is: ran (the value was accepted, e.g. a
negative log10 radius), timeout, another error, or an error not naming the parameter.

``--fast`` runs the chapter's cells in this process as a kernel would (one namespace,
IPython's input history ``In``), with papermill's own parameter injection, up to and
including the parameter check (the cell calling ``bookkit.chapter.start``), and calls a
case that gets through *accepted*; it takes seconds.
"""
from __future__ import annotations

import argparse
import concurrent.futures as cf
import contextlib
import io
import json
import math
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from bookkit.chapters import ROOT, chapter_names

CHAPTERS = chapter_names()
CLEAR = re.compile(r"(ParameterError|CacheError)")


def misspell(name: str) -> str:
    """A plausible typo: two letters swapped (or a letter doubled)."""
    if len(name) >= 3 and name[1] != name[2]:
        return name[0] + name[2] + name[1] + name[3:]
    return name + name[-1]


def cases(params: dict) -> list[tuple[str, str, dict]]:
    """(parameter, kind, parameters) for every bad value of every parameter."""
    out = []

    def add(name, kind, value):
        out.append((name, kind, {**params, name: value}))

    for name, value in params.items():
        if isinstance(value, bool):
            add(name, "wrong type", "yes")
        elif isinstance(value, (int, float)):
            absurd = 10 ** 12 if isinstance(value, int) else 1e300
            negative = -1 if isinstance(value, int) else -1.0
            for kind, bad in (("wrong type", "x"), ("negative", negative),
                              ("NaN", math.nan), ("inf", math.inf), ("absurd size", absurd)):
                add(name, kind, bad)
            if isinstance(value, int):
                add(name, "not an integer", 2.5)
        elif isinstance(value, list) and value and all(isinstance(x, str) for x in value):
            for kind, bad in (("wrong type", 3), ("empty list", []), ("bad choice", ["relu"]),
                              ("unsorted list", value[::-1])):
                add(name, kind, bad)
        elif isinstance(value, list):
            ints = all(isinstance(x, int) for x in value)
            absurd = value[:-1] + [10 ** 7 if ints else 1e300]
            for kind, bad in (("wrong type", "x"), ("negative", [-abs(x) - 1 for x in value]),
                              ("NaN", value[:-1] + [math.nan]), ("inf", value[:-1] + [math.inf]),
                              ("empty list", []), ("unsorted list", value[::-1]),
                              ("absurd size", absurd)):
                if kind != "unsorted list" or len(value) > 1:
                    add(name, kind, bad)
        typo = misspell(name)
        if typo not in params:
            out.append((typo, "misspelled name", {**params, typo: value}))
    return out


def classify(name: str, returncode: int | None, text: str) -> str:
    if returncode is None:
        return "timeout"
    if returncode == 0:
        return "ran"
    if not CLEAR.search(text):
        return "other error"
    line = next((ln for ln in text.splitlines()[::-1] if CLEAR.search(ln) and ":" in ln), "")
    return "clear error" if f"'{name}'" in line else "error not naming it"


# --- papermill, for real ------------------------------------------------------------------

def run_papermill(chapter: str, params: dict, timeout: float,
                  workdir: Path) -> tuple[int | None, str, float]:
    fd, case = tempfile.mkstemp(suffix=".yaml", dir=workdir)
    with os.fdopen(fd, "w") as f:
        yaml.safe_dump(params, f)
    out = Path(case).with_suffix(".ipynb")
    env = {**os.environ, "COM_CACHE": "off", "COM_PROGRESS": "0"}
    cmd = ["nice", "-n", "10", str(Path(sys.executable).parent / "papermill"), "--log-level",
           "ERROR", "-k", "python3", "--cwd", str(ROOT / "book"), "-f", case,
           str(ROOT / "book" / f"{chapter}.ipynb"), str(out)]
    t0 = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env=env, start_new_session=True)
    try:
        text, _ = proc.communicate(timeout=timeout)
        code = proc.returncode
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)                  # papermill and its kernel
        text, _ = proc.communicate()
        code = None
    for p in (Path(case), out):
        p.unlink(missing_ok=True)
    return code, text, time.monotonic() - t0


# --- in one process, up to the parameter check -------------------------------------------

def cells(chapter: str) -> tuple[str, list[str]]:
    """The parameters cell and the code cells after it, up to the parameter check (the
    cell calling bookkit.chapter.start)."""
    import jupytext
    nb = jupytext.read(ROOT / "book" / f"{chapter}.py")
    code = [c for c in nb.cells if c.cell_type == "code"]
    first = next(i for i, c in enumerate(code) if "parameters" in c.metadata.get("tags", []))
    last = next(i for i, c in enumerate(code) if "start(globals()" in c.source)
    return code[first].source, [c.source for c in code[first + 1:last + 1]]


def run_fast(chapter: str, params: dict, parts) -> tuple[int, str, float]:
    """Run the cells as a kernel would (each cell's source appended to ``In`` before it
    runs, one namespace), without a kernel: milliseconds per case."""
    from papermill.translators import translate_parameters
    head, rest = parts
    injected = translate_parameters("python", "python", params, "Parameters")
    ns: dict = {"__name__": "__main__", "In": [""], "Out": {}}
    t0 = time.monotonic()
    buf = io.StringIO()
    cwd = os.getcwd()
    os.chdir(ROOT / "book")
    try:
        with contextlib.redirect_stdout(buf), contextlib.redirect_stderr(buf):
            for src in [head, injected, *rest]:
                ns["In"].append(src)
                exec(compile(src, f"<cell {len(ns['In']) - 1}>", "exec"), ns)
    except Exception as err:                                # noqa: BLE001 - that is the result
        return 1, f"{type(err).__name__}: {err}", time.monotonic() - t0
    finally:
        os.chdir(cwd)
    return 0, buf.getvalue(), time.monotonic() - t0


def sweep(chapters, fast: bool, timeout: float, jobs: int, log=None) -> list[dict]:
    rows = []
    with tempfile.TemporaryDirectory() as tmp, cf.ThreadPoolExecutor(max(1, jobs)) as pool:
        for chapter in chapters:
            params = yaml.safe_load((ROOT / "book/params/smoke" / f"{chapter}.yaml").read_text())
            todo = cases(params)
            if fast:
                parts = cells(chapter)
                results = [run_fast(chapter, p, parts) for _, _, p in todo]
            else:
                results = list(pool.map(lambda c: run_papermill(chapter, c[2], timeout, Path(tmp)),
                                        todo))
            for (name, kind, p), (code, text, secs) in zip(todo, results):
                verdict = classify(name, code, text)
                if fast and verdict == "ran":
                    verdict = "accepted"
                row = {"chapter": chapter, "parameter": name, "kind": kind, "value": repr(p[name]),
                       "verdict": verdict, "seconds": round(secs, 1),
                       "message": _last_error(text) if code else ""}
                rows.append(row)
                if log:
                    print(f"{chapter:26s} {name:15s} {kind:16s} {verdict:20s} {secs:5.1f}s  "
                          f"{row['message'][:110]}", file=log, flush=True)
    return rows


def _last_error(text: str) -> str:
    lines = [ln for ln in text.splitlines() if re.match(r"^[\w.]*(Error|Exception)\w*: ", ln)
             or CLEAR.search(ln)]
    return (lines[-1] if lines else text.strip().splitlines()[-1] if text.strip() else "").strip()


def summary(rows: list[dict]) -> str:
    from collections import Counter
    verdicts = Counter(r["verdict"] for r in rows)
    lines = [f"tried {len(rows)}: " + ", ".join(f"{k} {v}" for k, v in verdicts.most_common())]
    for ch in sorted({r["chapter"] for r in rows}):
        c = Counter(r["verdict"] for r in rows if r["chapter"] == ch)
        lines.append(f"  {ch}: " + ", ".join(f"{k} {v}" for k, v in c.most_common()))
    others = [r for r in rows if r["verdict"] != "clear error"]
    if others:
        lines.append("not a clear error:")
        lines += [f"  {r['chapter']} {r['parameter']}={r['value']} ({r['kind']}): {r['verdict']}"
                  f"{' - ' + r['message'][:100] if r['message'] else ''}" for r in others]
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--chapters", nargs="*", default=CHAPTERS)
    ap.add_argument("--fast", action="store_true",
                    help="in one process, up to the parameter check")
    ap.add_argument("--timeout", type=float, default=60.0)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--json", action="store_true", help="print the rows as JSON")
    ap.add_argument("--out", type=Path, help="also write the rows as JSON here")
    args = ap.parse_args(argv)
    rows = sweep(args.chapters, args.fast, args.timeout, args.jobs,
                 log=None if args.json else sys.stderr)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(rows, indent=1))
    print(json.dumps(rows) if args.json else summary(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
