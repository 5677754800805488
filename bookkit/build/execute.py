"""Execute a chapter at one scale into _build/executed/<scale>/<chapter>.ipynb (make's
recipe for it):

    python -m bookkit.build.execute _build/executed/smoke/<chapter>.ipynb PREREQUISITE...

One run of a target at a time: the run holds the target's lock (bookkit.files.lock);
a second make of the same target waits, after saying which process holds it, and when
the target was made meanwhile (and is no older than its PREREQUISITEs, make's ``$^``)
stops there.
Papermill executes ``book/<chapter>.ipynb`` (at smoke scale with ``-f
book/params/smoke/<chapter>.yaml``, at full scale with the defaults of its parameters
cell) into a folder of the run's own beside the target, with the run's facts
(``COM_PROVENANCE``, bookkit.provenance) in the same folder; the facts are folded into
the notebook, which is then renamed into place. So the target is only ever replaced
whole, by a finished run: an interrupted or failed run leaves it as it was (make marks
it precious), and the partly executed notebook of a failed run is kept beside it as
``<chapter>.failed.ipynb``. A cell that runs longer than ``--timeout`` seconds (make's
CELL_TIMEOUT, 4 hours) fails the run.
"""
from __future__ import annotations

import argparse
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from bookkit import files, provenance
from bookkit.chapters import BOOK, parameter_file, parameter_set


def stamp(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return st.st_ino, st.st_mtime_ns


def made_meanwhile(target: Path, before, prerequisites: list[Path]) -> bool:
    """Was ``target`` replaced since ``before`` (its stamp when this run was asked for),
    and is it no older than any of its prerequisites (make's rule)? A run make asked
    for without anyone else's (``make -B`` too) always executes."""
    now = stamp(target)
    return now is not None and now != before and all(
        p.stat().st_mtime_ns <= now[1] for p in prerequisites if p.exists())


def papermill(chapter: str, scale: str, out: Path, timeout: int) -> list[str]:
    """The papermill command that executes the chapter at ``scale`` into ``out``."""
    params = parameter_file(chapter, scale, BOOK)
    if params is not None:
        parameter_set(chapter, scale, BOOK)           # a YAML 1.1 pitfall stops it here
    return [str(Path(sys.executable).parent / "papermill"), "--log-level", "WARNING",
            "-k", "python3", "--cwd", str(BOOK), "--execution-timeout", str(timeout),
            *(["-f", str(params)] if params is not None else []),
            str(BOOK / f"{chapter}.ipynb"), str(out)]


def execute(target: Path, scale: str, timeout: int) -> int:
    """Run the chapter into a private folder, fold its facts in, rename it into place.
    -> papermill's exit status"""
    chapter = target.name.removesuffix(".ipynb")
    work = Path(tempfile.mkdtemp(dir=target.parent.resolve(), prefix=f".{chapter}."))
    try:
        part, facts = work / f"{chapter}.ipynb", work / "facts.json"
        command = papermill(chapter, scale, part, timeout)
        print(shlex.join(command), flush=True)
        run = subprocess.run(command, env={**os.environ, provenance.ENV: str(facts)})
        if run.returncode != 0:
            if part.exists():
                failed = target.with_name(f"{chapter}.failed.ipynb")
                files.write_whole(failed, part.read_bytes())
                print(f"{target}: the run failed; its partly executed notebook is "
                      f"{failed}", file=sys.stderr)
            return run.returncode
        provenance.fold(str(part), str(facts), scale)
        os.replace(part, target)
        target.with_name(f"{chapter}.failed.ipynb").unlink(missing_ok=True)
        return 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


def timeout_seconds(text: str) -> int:
    if not text.strip().isdigit() or int(text) < 1:
        raise SystemExit(f"CELL_TIMEOUT must be a whole number of seconds >= 1 (a cell "
                         f"running longer fails the run); got {text!r}")
    return int(text)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bookkit.build.execute",
                                 description=__doc__.splitlines()[0])
    ap.add_argument("target", type=Path, help="_build/executed/<scale>/<chapter>.ipynb")
    ap.add_argument("prerequisites", type=Path, nargs="*", help="make's $^")
    ap.add_argument("--timeout", default="14400", help="seconds a cell may run (CELL_TIMEOUT)")
    args = ap.parse_args(argv)
    timeout, target = timeout_seconds(args.timeout), args.target
    target.parent.mkdir(parents=True, exist_ok=True)
    before = stamp(target)
    with files.lock(target, f"make {target}"):
        if made_meanwhile(target, before, args.prerequisites):
            print(f"{target}: made meanwhile by another run; up to date")
            return 0
        return execute(target, target.parent.name, timeout)


if __name__ == "__main__":
    sys.exit(main())
