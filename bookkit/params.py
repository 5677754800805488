"""Each chapter's parameters, declared once: one dataclass per chapter.

A chapter's parameters are the fields of one dataclass (``Params`` in
bookkit.chapters.<chapter>), each with its default, type, rule (bookkit.rules) and
help (``param``). Everything else is read from that declaration:

* the chapter's parameters cell is its rendering, ``name: type = default  # help``, one
  line a parameter (``cell``): papermill injects its -p values after that cell, and
  ``papermill --help-notebook`` shows every type and help. A test checks that the cell
  is the rendering; ``python -m bookkit.params`` rewrites the cells from the classes;
* the chapter's first hidden cell validates what papermill injected (``check_in``):
  each value against its rule and the cross-parameter rules (``Params.check``), and a
  parameter-like name the chapter does not declare, which papermill only logs, is
  refused with the closest declared name suggested. The parameters are then registered
  with the result cache (bookkit.cache): every cached result is keyed by all of them;
* a sweep checks its -p values against the same declaration (``check``).
"""
from __future__ import annotations

import ast
import dataclasses
import types
from typing import Any, Mapping

from .rules import ParameterError, Rule, boolean, integer, unknown_message

COLUMN = 42         # the help comments of a parameters cell line up at most here
WIDTH = 88          # and its lines fit the chapters' 88 columns


def param(default: Any, help: str, rule: Rule) -> Any:
    """A declared parameter: its default, help (its comment in the parameters cell and
    in papermill --help-notebook) and rule (what it may be)."""
    meta = {"help": help, "rule": rule}
    if isinstance(default, list):
        return dataclasses.field(default_factory=lambda: list(default), metadata=meta)
    return dataclasses.field(default=default, metadata=meta)


@dataclasses.dataclass(frozen=True)
class Params:
    """The parameters every chapter has (a chapter may redeclare ``seed`` for its help)."""

    seed: int = param(0, "random seed", integer(lo=0, hi=2 ** 32 - 1))
    strict: bool = param(True, "a claim that does not reproduce raises", boolean())

    def check(self) -> None:
        """Cross-parameter rules (bookkit.rules.require), after every value passed its own."""


def fields(declared: type[Params]) -> list[dataclasses.Field]:
    return list(dataclasses.fields(declared))


def defaults(declared: type[Params]) -> dict[str, Any]:
    return dataclasses.asdict(declared())


def check(declared: type[Params], values: Mapping[str, Any]) -> Params:
    """``values`` as the chapter's parameters: every declared name has a value, every
    value a declared name (else the closest is suggested), each passes its rule, then
    the cross-parameter rules.  -> the parameters (a frozen ``declared``)"""
    names = [f.name for f in fields(declared)]
    missing = sorted(set(names) - set(values))
    if missing:
        raise ParameterError(f"parameters {missing} have no value")
    unknown = sorted(set(values) - set(names))
    if unknown:
        raise ParameterError(unknown_message(unknown, names))
    for f in fields(declared):
        f.metadata["rule"](f.name, values[f.name])
    params = declared(**{n: values[n] for n in names})
    params.check()
    return params


# Names IPython/ipykernel put in a notebook's namespace: not parameters, unless a value
# was given to one (papermill's -p exit 3 replaces IPython's exit by 3).
INTERACTIVE = frozenset({"In", "Out", "get_ipython", "exit", "quit", "open", "display"})
IPYTHON_KINDS = {"In": list, "Out": dict}           # the others are callables
PAPERMILL = "# Parameters\n"                        # how papermill's injected cell starts


def _assigned(source: str) -> set[str]:
    """Names a cell's code binds (assignments, loops, defs, imports)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
    return names


def _later_names(namespace: Mapping[str, Any]) -> set[str]:
    """Names bound by this validation cell and by the cells that ran after its first run.

    In a papermill run the validation cell runs once, so these are only its own
    (imports, not yet bound). In an interactive session re-running the notebook from
    the top, the chapter's own variables (bound by later cells) are in the namespace
    too; they are not misspelt parameters.
    """
    history = namespace.get("In")
    if not isinstance(history, list) or not history:
        return set()
    current = history[-1]
    first = history.index(current)
    return set().union(*(_assigned(src) for src in history[first:]))


def _given(name: str, value: Any) -> bool:
    """Does ``name`` hold a value someone gave (not IPython's own object)?"""
    if name in INTERACTIVE:
        kind = IPYTHON_KINDS.get(name)
        return not (isinstance(value, kind) if kind else callable(value))
    return not isinstance(value, types.ModuleType) and not callable(value)


def parameter_like(namespace: Mapping[str, Any]) -> list[str]:
    """Names in a notebook namespace that could be parameters: not private, not
    modules, functions, classes or other callables, not IPython's own names as IPython
    left them."""
    return sorted(name for name, value in namespace.items()
                  if not name.startswith("_") and _given(name, value))


def injected(namespace: Mapping[str, Any]) -> set[str]:
    """Every name papermill's injected cell assigned (private and IPython's names too),
    found in IPython's input history."""
    history = namespace.get("In")
    for source in reversed(history if isinstance(history, list) else []):
        if isinstance(source, str) and source.startswith(PAPERMILL):
            return _assigned(source)
    return set()


def check_in(namespace: dict[str, Any], declared: type[Params]) -> Params:
    """Validate the parameters found in a chapter's ``namespace`` (``globals()`` right
    after its parameters cell and papermill's injected cell) against ``declared``;
    check ``COM_CACHE``; register the parameters with the result cache.  -> Params"""
    from . import cache  # cache imports torch; the declarations stay light

    names = [f.name for f in fields(declared)]
    unknown = sorted((set(parameter_like(namespace)) - _later_names(namespace)
                      | injected(namespace)) - set(names))
    if unknown:
        raise ParameterError(unknown_message(unknown, names))
    values = {n: namespace[n] for n in names if n in namespace}
    params = check(declared, values)
    cache.folder()                            # a bad COM_CACHE stops here, before any work
    cache.register(namespace, names)
    return params


def _type(f: dataclasses.Field) -> str:
    """A field's type as written: "int", "list[float]" (a string under postponed
    annotations, else the class or alias)."""
    return f.type if isinstance(f.type, str) else getattr(f.type, "__name__", str(f.type)) \
        if not hasattr(f.type, "__args__") else str(f.type)


def cell(declared: type[Params]) -> str:
    """The chapter's parameters cell: ``name: type = default  # help``, one a line."""
    lines = [(f"{f.name}: {_type(f)} = {getattr(declared(), f.name)!r}", f.metadata["help"])
             for f in fields(declared)]
    # the comments line up at one column, as far right as every line allows within 88
    column = min(COLUMN, max(len(code) + 2 for code, _ in lines),
                 min(WIDTH - 2 - len(help) for _, help in lines))
    return "\n".join(f"{code:<{column}}# {help}" if len(code) + 2 <= column
                     else f"{code}  # {help}" for code, help in lines)


MARK = '# %% tags=["parameters"]\n'


def with_cell(source: str, declared: type[Params]) -> str:
    """A chapter's jupytext source with its parameters cell rendered from ``declared``."""
    start = source.index(MARK) + len(MARK)
    end = source.index("\n\n# %%", start)
    return source[:start] + cell(declared) + source[end:]


def write_cells(check_only: bool = False) -> list[str]:
    """Render every chapter's parameters cell from its declaration (book/<chapter>.py
    rewritten where it differs).  -> the chapters whose cell differed"""
    from .chapters import BOOK, chapter_names, declared
    stale = []
    for chapter in chapter_names():
        path = BOOK / f"{chapter}.py"
        text = path.read_text()
        new = with_cell(text, declared(chapter))
        if new != text:
            stale.append(chapter)
            if not check_only:
                path.write_text(new)
    return stale


def main(argv: list[str] | None = None) -> int:
    """``python -m bookkit.params``: rewrite the chapters' parameters cells from their
    declarations; ``--check``: only list the chapters whose cell is not the rendering."""
    import sys
    argv = sys.argv[1:] if argv is None else argv
    stale = write_cells(check_only=argv == ["--check"])
    for chapter in stale:
        print(f"book/{chapter}.py: parameters cell " + ("differs from its declaration"
                                                        if argv else "rewritten"))
    return 1 if stale and argv else 0


__all__ = ["Params", "param", "fields", "defaults", "check", "check_in", "cell", "with_cell",
           "write_cells", "parameter_like", "ParameterError"]


if __name__ == "__main__":
    raise SystemExit(main())
