"""The book's bookkeeping in a chapter, folded away from its reader at staging.

A chapter's code cells hold its science (computations, figures) and the book's
bookkeeping: gluing numbers for the prose (``glue``) and recording claims
(``claims.check``, ``claims.finish``). bookkit.build.stage folds the bookkeeping
(tags ``hide-input`` and ``bookkeeping``: folded on the page, one click shows it;
``source_hidden`` in the reader's notebook, bookkit.build.reader), and never changes
what runs:

- a cell that records claims is folded, and the lines its checks printed are dropped
  from its output: the table that ``claims.finish`` shows says the same, once;
- a cell's glue statements (``glue`` of a number or a text, loops of them, and the
  assignments only they read) move, in their order, into a folded cell of their own
  right after it, where moving them is safe: nothing the cell does after them rebinds
  or mutates what they read. A cell left with nothing else is folded whole. A glued
  figure stays in the cell that draws it.
"""
from __future__ import annotations

import ast

TAG = "bookkeeping"
CLAIMS = {"check", "finish"}


def tags(cell: dict) -> list[str]:
    return cell.get("metadata", {}).get("tags", [])


def _glue_call(node) -> ast.Call | None:
    if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call) \
            and isinstance(node.value.func, ast.Name) and node.value.func.id == "glue":
        return node.value
    return None


def _is_glue(stmt, figures: set[str]) -> bool:
    """A glue of a number or text (not of a figure), or a loop of nothing else."""
    call = _glue_call(stmt)
    if call is not None:
        key = call.args[0] if call.args else None
        named = isinstance(key, ast.Constant) and key.value in figures
        draws = any(isinstance(n, ast.Attribute) and n.attr == "finish"
                    for n in ast.walk(call))
        return not (named or draws)
    if isinstance(stmt, ast.For) and not stmt.orelse:
        body = [s for s in stmt.body if not isinstance(s, ast.Assign)]
        return bool(body) and all(_is_glue(s, figures) for s in body)
    return False


def _loads(node) -> set[str]:
    """Names ``node`` reads (a comprehension's own variables are not read)."""
    local = {n.id for c in ast.walk(node) if isinstance(c, ast.comprehension)
             for n in ast.walk(c.target) if isinstance(n, ast.Name)}
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)
            and isinstance(n.ctx, ast.Load)} - local


def _stores(node) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)
            and isinstance(n.ctx, (ast.Store, ast.Del))}


# methods that change their object: list, dict and set ones, numpy's, and torch's
# in-place ones (their names end with "_")
MUTATORS = {"append", "extend", "insert", "pop", "popitem", "remove", "clear", "update",
            "setdefault", "sort", "reverse", "add", "discard", "fill", "resize", "put"}


def _mutates(call) -> bool:
    return isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and (
        call.func.attr in MUTATORS or call.func.attr.endswith("_"))


def _touches(node) -> set[str]:
    """Names ``node`` rebinds or may change (``x[i] = ``, ``x.a = ``, ``x += ``,
    ``x.append(...)``, ``x.add_(...)``)."""
    out = _stores(node)
    for n in ast.walk(node):
        target = (n.value if isinstance(n, (ast.Subscript, ast.Attribute))
                  and isinstance(n.ctx, ast.Store) else
                  n.func.value if _mutates(n) else None)
        while isinstance(target, (ast.Subscript, ast.Attribute)):
            target = target.value
        if isinstance(target, ast.Name):
            out.add(target.id)
    return out


def movable(body: list, figures: set[str], later: set[str]) -> set[int]:
    """Indices of the statements of ``body`` that can move to the cell's end: glue
    statements, and assignments read only by them (and by no later cell: ``later``),
    whose inputs nothing after them in the cell touches."""
    def safe(i, moved):
        after = [body[j] for j in range(i + 1, len(body)) if j not in moved]
        if any(_loads(body[i]) & _touches(s) for s in after):
            return False
        return not any(_stores(body[i]) & _loads(s) for s in after)

    moved = {i for i, s in enumerate(body) if _is_glue(s, figures)}
    moved = {i for i in moved if safe(i, moved)}
    changed = True
    while changed:                     # assignments feeding only moved statements
        changed = False
        for i, s in enumerate(body):
            if i in moved or not isinstance(s, (ast.Assign, ast.AnnAssign)):
                continue
            if _stores(s) & later or not any(_stores(s) & _loads(body[j]) for j in moved):
                continue
            if safe(i, moved):
                moved.add(i)
                changed = True
    return moved


def _segments(src: str, body: list) -> list[str] | None:
    """Each statement's source with the comment lines above it; None when two
    statements share a line (the cell is then left whole)."""
    lines = src.split("\n")
    starts = [min([s.lineno, *(d.lineno for d in getattr(s, "decorator_list", []))])
              for s in body]
    ends = [s.end_lineno for s in body]
    if any(starts[i] <= ends[i - 1] for i in range(1, len(body))):
        return None
    bounds = [0, *ends[:-1]]
    out = ["\n".join(lines[b:e]) for b, e in zip(bounds, ends)]
    if body and ends[-1] < len(lines):
        out[-1] += "\n" + "\n".join(lines[ends[-1]:])
    return out


def _figures(cell: dict) -> set[str]:
    return {o["metadata"]["scrapbook"]["name"] for o in cell.get("outputs", [])
            if "scrapbook" in o.get("metadata", {})
            and any("image/" in k for k in o.get("data", {}))}


def _record(output: dict) -> bool:
    """A glue record of a number or text: invisible wherever it stands."""
    return "scrapbook" in output.get("metadata", {}) \
        and not any("image/" in k for k in output.get("data", {}))


def split(cell: dict, later: set[str]) -> list[dict]:
    """``cell`` as [science, bookkeeping] (or as it was, alone), see the module doc."""
    src = "".join(cell["source"])
    body = ast.parse(src).body
    moved = movable(body, _figures(cell), later)
    parts = _segments(src, body) if moved else None
    if not parts:
        return [cell]
    if len(moved) == len(body):
        return [fold(cell)]
    head = [p for i, p in enumerate(parts) if i not in moved]
    tail = [p.strip("\n") for i, p in enumerate(parts) if i in moved]
    outputs = cell.get("outputs", [])
    science = {**cell, "source": "\n".join(head).strip("\n"),
               "outputs": [o for o in outputs if not _record(o)]}
    glue = {**cell, "id": f"{cell.get('id', 'cell')}-glue", "source": "\n".join(tail),
            "metadata": {**cell.get("metadata", {}), "tags": [*tags(cell)]},
            "outputs": [o for o in outputs if _record(o)]}
    return [science, fold(glue)]


def fold(cell: dict) -> dict:
    """The cell tagged as bookkeeping: folded on the page (``hide-input``)."""
    extra = [t for t in ("hide-input", TAG) if t not in tags(cell)]
    return {**cell, "metadata": {**cell.get("metadata", {}), "tags": [*tags(cell), *extra]}}


def records_claims(cell: dict, recorders: frozenset[str] = frozenset()) -> bool:
    """Whether a code cell records claims: calls ``claims.check``/``claims.finish``,
    or a function of ``recorders`` (the chapter's own functions that call them)."""
    tree = ast.parse("".join(cell["source"]))
    return any(isinstance(n, ast.Call) and (
        isinstance(n.func, ast.Attribute) and n.func.attr in CLAIMS
        and isinstance(n.func.value, ast.Name) and n.func.value.id == "claims"
        or isinstance(n.func, ast.Name) and n.func.id in recorders) for n in ast.walk(tree))


def recorders(cells: list[dict]) -> frozenset[str]:
    """The names of the functions a chapter defines that record claims."""
    defs = [n for c in cells if c["cell_type"] == "code"
            for n in ast.parse("".join(c["source"])).body if isinstance(n, ast.FunctionDef)]
    return frozenset(d.name for d in defs if records_claims({"source": ast.unparse(d)}))


def drop_claim_lines(cell: dict, lines: set[str]) -> dict:
    """The cell without the lines its checks printed (``lines``) in its outputs."""
    outputs = []
    for o in cell.get("outputs", []):
        if o.get("output_type") == "stream":
            text = "".join(o["text"]).split("\n")
            kept = "\n".join(t for t in text if t not in lines)
            if not kept.strip():
                continue
            o = {**o, "text": kept}
        outputs.append(o)
    return {**cell, "outputs": outputs}


def fold_bookkeeping(nb: dict, claim_lines: set[str]) -> None:
    """Fold a chapter's bookkeeping (module doc), in place. ``claim_lines`` are the
    lines its checks printed (``[verdict] id: evidence``)."""
    cells, out = nb["cells"], []
    own = recorders(cells)
    for i, cell in enumerate(cells):
        if cell["cell_type"] != "code" or {"parameters", "hide-input", "remove-cell"} \
                & set(tags(cell)):
            out.append(cell)
        elif records_claims(cell, own):
            out.append(fold(drop_claim_lines(cell, claim_lines)))
        else:
            later = set().union(*(_loads(ast.parse("".join(c["source"])))
                                  for c in cells[i + 1:] if c["cell_type"] == "code"))
            out += split(cell, later)
    nb["cells"] = out


__all__ = ["TAG", "fold", "fold_bookkeeping", "movable", "records_claims", "split"]
