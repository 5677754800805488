"""Stage what the book shows about its own build, from the executed chapters.

Run by the Makefile's ``build`` step on the staging copy (``_build/<scale>/src``)
before Jupyter Book sees it:

    python -m bookkit.build.stage _build/smoke/src smoke

It prepares each staged chapter notebook (``src/book/<chapter>.ipynb``, a copy of
the executed one) for the page (and, through bookkit.build.reader, for the reader's
notebook behind the download, Colab and Binder buttons):

- papermill's injected-parameters cell is folded into the chapter's parameters cell:
  each value the run was given replaces the default on its line, the comment stays,
  and the injected cell is dropped (a page shows one parameters cell, the run's);
- the book's bookkeeping (gluing numbers, recording claims) is folded
  (bookkit.build.machinery), and the lines the claims printed go (their table stays);
- a hidden cell that installs the book's packages at the commit the chapter ran at
  is put before the first code cell (bookkit.build.install);
- the line ``{{ claims_<chapter> }}``, the box of the claims the page checks, is put
  before the chapter's ``{{ reproduce_<chapter> }}`` line.

It adds MyST substitutions to the staged ``_config.yml`` (the repository's own
``_config.yml`` is never touched):

- ``reproduce_<chapter>``: the "Reproduce this page" box of a chapter
  (bookkit.build.reproduce), shown with the one line ``{{ reproduce_<chapter> }}``;
- ``claims_<chapter>``: the box of its claims (bookkit.build.summary), with, when the
  full-scale sweep ran the chapter's current code, in how many seeds each held, its
  margin's spread and the figure of the margins (bookkit.build.over_seeds);
- ``chapter_map``: one entry per chapter (title and opening paragraph);
- ``claims_summary``, ``claims_counts``: the intro's table of every chapter's claims
  and verdicts, and their counts, read from the ``claims_data`` glue (JSON records) of
  the executed notebooks in the build;
- ``robustness_summary``: the "Robustness across seeds" page's body, from the sweep
  summary ``_build/sweep/summary.json`` (``make sweep``) when there is one, else how to
  make one; runs of a chapter whose code changed since are flagged.
"""
from __future__ import annotations

import ast
import json
import sys
from pathlib import Path

import yaml

from bookkit import chapters as book
from bookkit.build import install, machinery, over_seeds, summary
from bookkit.build.reproduce import reproduce_box
from bookkit.chapters import ROOT
from bookkit.claims import read_claims
from bookkit.sweep import report, runs


def chapters(src: Path) -> list[str]:
    """The staged chapters (executed notebooks in ``src/book``), in table-of-contents order."""
    names = {p.stem for p in (src / "book").glob("*.ipynb")}
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [Path(c["file"]).name for c in toc.get("chapters", [])]
    return [f for f in files if f in names] + sorted(names - set(files))


def tags(cell: dict) -> list[str]:
    return cell.get("metadata", {}).get("tags", [])


def _assignments(src: str) -> dict[str, ast.expr]:
    """Top-level ``name = value`` and ``name: type = value`` statements of a cell:
    name -> value node."""
    out = {}
    for n in ast.parse(src).body:
        if isinstance(n, ast.Assign) and len(n.targets) == 1 \
                and isinstance(n.targets[0], ast.Name):
            out[n.targets[0].id] = n.value
        elif isinstance(n, ast.AnnAssign) and isinstance(n.target, ast.Name) and n.value:
            out[n.target.id] = n.value
    return out


def _same(a: str, b: str) -> bool:
    try:
        return ast.literal_eval(a) == ast.literal_eval(b)
    except (ValueError, SyntaxError):
        return a == b


def _cut(line: str, col: int) -> tuple[str, str]:
    """``line`` split at ``col``, an offset in UTF-8 bytes (as ``ast`` counts)."""
    raw = line.encode()
    return raw[:col].decode(), raw[col:].decode()


def set_values(src: str, values: dict[str, str]) -> str:
    """A parameters cell ``src`` with each ``name = value`` of ``values`` (name -> source
    text of the value) replacing that name's default, its comment kept at its column.

    A name the cell does not assign is appended as its own line."""
    lines = src.split("\n")
    nodes = _assignments(src)
    missing = [n for n in values if n not in nodes]
    for name in sorted(set(values) - set(missing), key=lambda n: -nodes[n].lineno):
        node, text = nodes[name], values[name]
        first, last = node.lineno - 1, node.end_lineno - 1
        old = ast.get_source_segment(src, node)
        if _same(old, text):
            continue
        head, _ = _cut(lines[first], node.col_offset)
        _, tail = _cut(lines[last], node.end_col_offset)
        line = head + text
        comment = tail.lstrip()
        if comment.startswith("#"):
            column = len(lines[last]) - len(comment)      # keep the comments aligned
            line += " " * max(2, column - len(line)) + comment
        else:
            line += tail
        lines[first:last + 1] = [line]
    lines += [f"{name} = {values[name]}" for name in missing]
    return "\n".join(lines)


def fold_parameters(nb: dict) -> list[str]:
    """Fold papermill's injected-parameters cell into the parameters cell (in place).

    Returns the names whose value the run changed from the cell's default."""
    cells = nb["cells"]
    injected = [c for c in cells if "injected-parameters" in tags(c)]
    if not injected:
        return []
    params = [c for c in cells if "parameters" in tags(c)]
    if len(injected) != 1 or len(params) != 1:
        raise ValueError(f"expected one parameters and one injected-parameters cell, found "
                         f"{len(params)} and {len(injected)}")
    inj_src = "".join(injected[0]["source"])
    values = {n: ast.get_source_segment(inj_src, v) for n, v in _assignments(inj_src).items()}
    src = "".join(params[0]["source"])
    defaults = {n: ast.get_source_segment(src, v) for n, v in _assignments(src).items()}
    params[0]["source"] = set_values(src, values)
    cells.remove(injected[0])
    return [n for n, v in values.items() if n not in defaults or not _same(defaults[n], v)]


def opening(nb: dict) -> tuple[str, str]:
    """Title and opening paragraph of a chapter (its first markdown cell)."""
    cell = next(c for c in nb["cells"] if c["cell_type"] == "markdown")
    lines = "".join(cell["source"]).splitlines()
    title = next(line[2:].strip() for line in lines if line.startswith("# "))
    paragraph, started = [], False
    for line in lines:
        if line.startswith("#") or line.lstrip().startswith(("{{", ":::", "```")):
            if started:
                break
            continue
        if not line.strip():
            if started:
                break
            continue
        started = True
        paragraph.append(line.strip())
    return title, " ".join(paragraph)


def sweep_summary(path: Path = runs.OUT / "summary.json") -> tuple[dict | None, str]:
    """The sweep summary at ``path`` (None if there is none or it is damaged), and the
    body of the robustness page made from it (saying why, if it could not be read)."""
    if not path.exists():
        return None, report.page(None)
    current = {c: book.code_hash(c) for c in book.chapter_names()}
    try:
        summary = json.loads(path.read_text())
        return summary, report.page(summary, current)
    except (ValueError, KeyError, TypeError) as e:     # damaged: say so, do not fail the book
        return None, report.page(None, error=f"{path.name}: {type(e).__name__}: {e}")


def robustness_summary(path: Path = runs.OUT / "summary.json") -> str:
    """The body of the robustness page, from the sweep summary at ``path`` if any."""
    return sweep_summary(path)[1]


def put_claims_box(nb: dict, name: str) -> None:
    """``{{ claims_<name> }}`` before the chapter's reproduce line, or at the end of its
    first markdown cell (in place; once)."""
    cell = next(c for c in nb["cells"] if c["cell_type"] == "markdown")
    text, line = "".join(cell["source"]), f"{{{{ claims_{name} }}}}"
    if line in text:
        return
    box = f"{{{{ reproduce_{name} }}}}"
    cell["source"] = (text.replace(box, f"{line}\n\n{box}", 1) if box in text
                      else f"{text.rstrip()}\n\n{line}\n")


def stage_chapter(nb: dict, name: str, config: dict) -> list[dict]:
    """Prepare one staged chapter (module doc), in place; its claims' records."""
    claims = read_claims(nb)
    fold_parameters(nb)
    machinery.fold_bookkeeping(nb, {f"[{c['verdict']}] {c['id']}: {c['evidence']}"
                                    for c in claims})
    install.add_install_cell(nb, *install.pin(config, nb))
    put_claims_box(nb, name)
    return claims


def stage(src: Path, scale: str, config: dict) -> dict[str, str]:
    """Prepare the staged notebooks (in place); the substitutions for the book."""
    subs, records, entries = {}, [], []
    swept, subs["robustness_summary"] = sweep_summary()
    for name in chapters(src):
        path = src / "book" / f"{name}.ipynb"
        nb = json.loads(path.read_text())
        claims = stage_chapter(nb, name, config)
        path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n")
        subs[f"reproduce_{name}"] = reproduce_box(name, nb, scale)
        seeds = over_seeds.evidence_sweep(swept, name, book.code_hash(name))
        subs[f"claims_{name}"] = summary.claims_box(
            name, claims, seeds=seeds,
            figure=over_seeds.draw(name, seeds, src / "book")
            if seeds and over_seeds.recorded(seeds) else "")
        title, para = opening(nb)
        entries.append(f"- {{doc}}`{title} <{name}>`: {para}")
        records += [(name, c) for c in claims]
    subs["chapter_map"] = "\n".join(entries)
    subs["claims_summary"] = summary.claims_summary(records)
    subs["claims_counts"] = summary.claims_counts(records)
    subs["build_scale"] = scale
    return subs


def main(src: str, scale: str) -> None:
    src = Path(src)
    config_path = src / "_config.yml"
    config = yaml.safe_load(config_path.read_text())
    config.setdefault("parse", {}).setdefault("myst_substitutions", {}).update(
        stage(src, scale, config))
    extensions = config.setdefault("sphinx", {}).setdefault("extra_extensions", [])
    if "bookkit.build.book_sphinx" not in extensions:
        extensions.append("bookkit.build.book_sphinx")
    config_path.write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True))


if __name__ == "__main__":
    main(*sys.argv[1:])
