"""Keep book/<chapter>.ipynb a faithful copy of book/<chapter>.py (the single source).

    python -m bookkit.build.notebooks book/<chapter>.py book/<chapter>.ipynb   # what make runs
    python -m bookkit.build.notebooks --versions _build/versions.txt

The notebook is (re)generated from the .py when it is missing or when the .py changed
since it was generated. A notebook whose cells were edited by hand (it differs from
the copy this tool last wrote, kept in _build/notebooks/) is never executed stale nor
overwritten: the tool stops with a message saying how to keep or drop the edit.
Outputs and metadata are ignored in the comparison, only the cells' text counts.

``--versions FILE`` writes the versions results depend on (python and the packages of
bookkit.chapters.versions) to FILE, touching it only when they changed, so make
re-executes the chapters after an upgrade.

Every file is written whole under a name of its writer's own (bookkit.files), and a
notebook is brought up to date under its lock: two makes at once never collide.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bookkit import files
from bookkit.chapters import ROOT, versions


class HandEdited(RuntimeError):
    """The notebook holds edits that are not in the .py."""


def text_of(path: Path) -> str:
    """The notebook's or script's cells as percent-format text (outputs dropped)."""
    import jupytext
    return jupytext.writes(jupytext.read(path), fmt="py:percent")


def base_for(ipynb: Path, build: Path) -> Path:
    """Where the text of the notebook as last generated is kept."""
    return build / "notebooks" / (ipynb.stem + ".py")


def generate(py: Path, ipynb: Path, base: Path) -> None:
    import jupytext
    nb = jupytext.read(py)
    text = jupytext.writes(nb, fmt="ipynb")
    files.write_whole(base, jupytext.writes(jupytext.reads(text, fmt="ipynb"),
                                            fmt="py:percent"))
    files.write_whole(ipynb, text)


def sync(py: Path, ipynb: Path, build: Path = ROOT / "_build") -> str:
    """Bring ``ipynb`` up to date with ``py``.  -> 'generated', 'regenerated' or 'current'.

    Raises HandEdited when the notebook was edited by hand (so the edit is not lost).
    """
    base = base_for(ipynb, build)
    if not ipynb.exists():
        generate(py, ipynb, base)
        return "generated"
    nb, src = text_of(ipynb), text_of(py)
    known = base.read_text() if base.exists() else None
    if nb == known:                                  # untouched since generated
        if src == known:
            return "current"
        generate(py, ipynb, base)
        return "regenerated"
    if nb == src:                           # edited in step with the .py (jupytext pairing)
        files.write_whole(base, nb)
        return "current"
    raise HandEdited(
        f"{ipynb} was edited by hand: its cells differ from {py} (the source of the chapter)"
        f"{'' if known is None else ' and from the notebook make generated'}. "
        f"make neither executes it stale nor overwrites it. To keep the edit, copy it into "
        f"the source with `jupytext --to py:percent {ipynb} -o {py}` (check `git diff {py}`); "
        f"to drop it, delete {ipynb}. Then run make again.")


def write_versions(path: Path) -> bool:
    """Write the versions the results depend on; touch the file only on a change."""
    text = "".join(f"{name} {version}\n" for name, version in versions().items())
    if path.exists() and path.read_text() == text:
        return False
    files.write_whole(path, text)
    return True


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("files", nargs="*", type=Path, help="book/<chapter>.py book/<chapter>.ipynb")
    ap.add_argument("--versions", type=Path, help="write the versions file")
    ap.add_argument("--build", type=Path, default=ROOT / "_build")
    args = ap.parse_args(argv)
    if args.versions:
        write_versions(args.versions)
    if args.files:
        if len(args.files) != 2:
            ap.error("give the .py and the .ipynb")
        try:
            with files.lock(args.files[1], f"make {args.files[1]}"):
                sync(*args.files, build=args.build)
        except HandEdited as err:
            print(f"error: {err}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
