"""The book's chapters as files: the one list of them, their scales, parameter sets
and what their results depend on.

Every chapter ``book/<chapter>.py`` has a smoke parameter set
``book/params/smoke/<chapter>.yaml``; its full scale is its parameters cell's defaults
(declared once, no file), rendered from the declaration bookkit.chapters.<chapter>.Params
(``declared``, bookkit.params).
``sources`` lists what a chapter's results depend on besides its own source (``com``
and the machinery a chapter runs, not the sweep's or the build's), and ``versions``
the versions of python and of the packages ``com`` computes with (``PACKAGES``), in
one place: the Makefile's prerequisites (``python -m bookkit.chapters --deps``,
_build/versions.txt), the result cache's keys, the sweep's kept runs and the staging
tools all read them. ``python -m bookkit.chapters`` lists
the chapters (the Makefile's CHAPTERS).

This module reads files only (``yaml`` and papermill on demand), so that the Makefile
can run it with any ``python3``, before the environment exists.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BOOK = ROOT / "book"
SCALES = ("smoke", "full")
# machinery no chapter runs: editing it must not invalidate kept runs or cached results
NOT_IN_CHAPTERS = ("bookkit/sweep/", "bookkit/build/")
# the packages com computes with (tests/meta/test_layering.py: it imports no other),
# whose versions every result depends on
PACKAGES = ("torch", "numpy", "scipy")


def chapter_names(book: Path = BOOK) -> list[str]:
    """Every chapter: those with a smoke parameter set (as the Makefile finds them)."""
    return sorted(p.stem for p in (book / "params" / "smoke").glob("*.yaml"))


def parameter_file(chapter: str, scale: str, book: Path = BOOK) -> Path | None:
    """``book/params/<scale>/<chapter>.yaml``, or None at full scale: the full-scale
    parameters are the chapter's parameters cell (its defaults), declared once."""
    return None if scale == "full" else book / "params" / scale / f"{chapter}.yaml"


def parameter_set(chapter: str, scale: str, book: Path = BOOK) -> dict:
    """What papermill is given at ``scale``: the parameter file's values ({} at full
    scale, which runs the defaults), each read as written (bookkit.yaml11)."""
    from ..yaml11 import from_yaml
    path = parameter_file(chapter, scale, book)
    return {} if path is None else from_yaml(path.read_text(), str(path))


def declared(chapter: str):
    """The chapter's declared parameters: the class ``Params`` of
    bookkit.chapters.<chapter> (bookkit.params)."""
    import importlib
    return importlib.import_module(f"{__name__}.{chapter}").Params


def chapter_notebook(chapter: str, book: Path = BOOK):
    """The chapter's notebook (nbformat node) from its jupytext source ``book/<chapter>.py``."""
    import jupytext
    return jupytext.read(book / f"{chapter}.py")


def check_run(chapter: str, parameters: dict) -> None:
    """A run's parameters (what papermill injects: the scale's set and any -p values)
    checked against the chapter's declaration before any run starts: the same rules
    as in the chapter's own first cell, naming the parameter and the chapter."""
    from ..params import ParameterError, check, defaults
    params = declared(chapter)
    known = defaults(params)
    unknown = [name for name in parameters if name not in known]
    if unknown:
        raise ParameterError(f"parameter '{unknown[0]}' is not a parameter of chapter "
                             f"'{chapter}' (it has: {', '.join(known)})")
    try:
        check(params, {**known, **parameters})
    except ParameterError as e:
        raise ParameterError(f"{e} (chapter '{chapter}')") from None


def sources(root: Path = ROOT) -> list[Path]:
    """The code every chapter's results depend on, besides the chapter itself: the
    science (``com``) and the machinery a chapter runs (``bookkit``, except the sweep
    and the build, which no chapter imports).  -> paths, sorted"""
    files = [*root.glob("com/**/*.py"), *root.glob("bookkit/**/*.py")]
    return sorted(f for f in files
                  if not str(f.relative_to(root)).startswith(NOT_IN_CHAPTERS))


def sources_hash(root: Path = ROOT) -> str:
    """Hash of ``sources``: their paths and contents."""
    h = hashlib.sha256()
    for f in sources(root):
        h.update(str(f.relative_to(root)).encode() + b"\0" + f.read_bytes())
    return h.hexdigest()[:16]


def versions() -> dict[str, str]:
    """The versions results depend on: python's and those of ``PACKAGES``."""
    import platform
    from importlib import metadata
    return {"python": platform.python_version(),
            **{name: metadata.version(name) for name in PACKAGES}}


def code_hash(chapter: str, book: Path = BOOK) -> str:
    """Hash of the code a chapter's results depend on: its code cells (its prose is
    not hashed: a sentence edited after a sweep leaves the sweep's runs current) and
    ``sources``."""
    cells = chapter_notebook(chapter, book).cells
    code = "\0".join(c.source for c in cells if c.cell_type == "code")
    h = hashlib.sha256(code.encode())
    h.update(sources_hash(book.parent).encode())
    return h.hexdigest()[:16]


def main(argv: list[str] | None = None) -> int:
    """``python -m bookkit.chapters``: the chapters, one a line; ``--deps``: the files
    their results depend on (relative to the repository), for the Makefile."""
    import sys
    argv = sys.argv[1:] if argv is None else argv
    if argv == ["--deps"]:
        print("\n".join(str(f.relative_to(ROOT)) for f in sources()))
    elif not argv:
        print("\n".join(chapter_names()))
    else:
        print("usage: python -m bookkit.chapters [--deps]", file=sys.stderr)
        return 2
    return 0
