"""The book's chapters as files: their names, parameter sets and code.

Every chapter ``book/<chapter>.py`` has a smoke parameter set
``book/params/smoke/<chapter>.yaml``; its full scale is its parameters cell's defaults
(declared once, no file). ``declared_parameters`` reads that cell as papermill does,
``code_hash`` hashes what a run's results depend on: the chapter and ``com``, except the
modules no chapter imports (a sweep's runs stay kept when only those change).
"""
from __future__ import annotations

import ast
import hashlib
import numbers
import tempfile
from pathlib import Path

import yaml

from .validation import ParameterError

ROOT = Path(__file__).resolve().parent.parent
BOOK = ROOT / "book"
SCALES = ("smoke", "full")
# modules the chapters never import: editing them must not invalidate kept runs
NOT_IN_CHAPTERS = {"sweep.py", "runs.py", "book.py", "robustness.py"}


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
