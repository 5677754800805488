"""Stage what the book shows about its own build, from the executed chapters.

Run by the Makefile's ``build`` step on the staging copy (``_build/<scale>/src``)
before Jupyter Book sees it:

    python -m bookkit.build.stage _build/smoke/src smoke

It prepares each staged chapter notebook (``src/book/<chapter>.ipynb``, a copy of
the executed one) for readers, who meet it on the page, in its download, and in
Colab or Binder (the Pages workflow publishes these staged notebooks to the
``executed`` branch that the launch buttons open):

- papermill's injected-parameters cell is folded into the chapter's parameters cell:
  each value the run was given replaces the default on its line, the comment stays,
  and the injected cell is dropped (a page shows one parameters cell, the run's);
- a hidden cell (tag ``remove-cell``) is put before the first code cell that installs
  the book's packages (``com`` and ``bookkit``) from ``repository: url:`` / ``branch:``
  of ``_config.yml`` when they are missing, and does nothing where they are importable.

It adds MyST substitutions to the staged ``_config.yml`` (the repository's own
``_config.yml`` is never touched):

- ``reproduce_<chapter>``: the "Reproduce this page" box of a chapter
  (bookkit.build.reproduce), shown with the one line ``{{ reproduce_<chapter> }}``.
- ``chapter_map``: one entry per chapter (title and opening paragraph).
- ``claims_summary``: one table of every chapter's claims and verdicts, read from the
  ``claims_data`` glue (JSON records) of the executed notebooks in the build.
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
from bookkit.build.reproduce import reproduce_box
from bookkit.chapters import ROOT
from bookkit.claims import read_claims
from bookkit.sweep import robustness, runs
from bookkit.sweep.robustness import escape


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


# Runs in Colab, Binder or any fresh kernel before the chapter imports com and bookkit.
INSTALL = """\
# Colab, Binder or any fresh kernel: install the book's packages (`com`, `bookkit`:
# one distribution) when they are missing. Where they are importable (the
# repository's environment) it does nothing.
import importlib, importlib.util, subprocess, sys

SOURCE = "com @ {source}"
if not (importlib.util.find_spec("com") and importlib.util.find_spec("bookkit")):
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", SOURCE], check=True)
    importlib.invalidate_caches()"""
INSTALL_ID = "install-com"


def install_source(config: dict) -> str:
    """pip's source of ``com``: the branch the launch buttons open, of the book's repository."""
    repo = config.get("repository", {})
    url, branch = repo.get("url"), repo.get("branch")
    if not (url and branch):
        raise ValueError("_config.yml: repository: url: and branch: are needed "
                         "(the launch buttons and the install cell use them)")
    return f"git+{url.rstrip('/')}@{branch}"


def add_install_cell(nb: dict, source: str) -> None:
    """Put the hidden install cell before the first code cell (in place; once)."""
    cells = nb["cells"]
    if any(c.get("id") == INSTALL_ID for c in cells):
        return
    cell = {"cell_type": "code", "execution_count": None, "id": INSTALL_ID,
            "metadata": {"tags": ["remove-cell", INSTALL_ID]}, "outputs": [],
            "source": INSTALL.format(source=source)}
    first = next(i for i, c in enumerate(cells) if c["cell_type"] == "code")
    cells.insert(first, cell)


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


def robustness_summary(path: Path = runs.OUT / "summary.json") -> str:
    """The body of the robustness page, from the sweep summary at ``path`` if any."""
    if not path.exists():
        return robustness.page(None)
    current = {c: book.code_hash(c) for c in book.chapter_names()}
    try:
        return robustness.page(json.loads(path.read_text()), current)
    except (ValueError, KeyError, TypeError) as e:     # damaged: say so, do not fail the book
        return robustness.page(None, error=f"{path.name}: {type(e).__name__}: {e}")


def claims_summary(records: list[tuple[str, dict]]) -> str:
    """Every chapter's claims, kind and verdict: one Markdown table (chapter named once)."""
    rows, last = [], None
    for name, c in records:
        mark = "✓" if c["reproduced"] else "✗"
        chapter = f"{{doc}}`{name}`" if name != last else ""
        last = name
        rows.append(f"| {chapter} | `{c['id']}` | {c['kind']} | "
                    f"{escape(c['statement'])} | {mark} {escape(c['verdict'])} |")
    return "\n".join(["| chapter | claim | kind | statement | verdict |",
                      "|---|---|---|---|---|", *rows])


def claims_counts(records: list[tuple[str, dict]]) -> str:
    """"N claims of the papers (k reproduced) and M checks (j hold)": counted apart,
    since a check (an identity, a proved inequality) is not evidence."""
    def count(kind):
        of = [c for _, c in records if c["kind"] == kind]
        return len(of), sum(c["reproduced"] for c in of)
    (n, k), (m, j) = count("paper"), count("check")
    return (f"{n} claims of the papers ({k} reproduced) and {m} checks of identities "
            f"and proved inequalities ({j} hold)")


def stage(src: Path, scale: str, config: dict) -> dict[str, str]:
    """Prepare the staged notebooks (in place); the substitutions for the book."""
    subs, records, entries = {}, [], []
    source = install_source(config)
    for name in chapters(src):
        path = src / "book" / f"{name}.ipynb"
        nb = json.loads(path.read_text())
        fold_parameters(nb)
        add_install_cell(nb, source)
        path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n")
        subs[f"reproduce_{name}"] = reproduce_box(name, nb, scale)
        title, para = opening(nb)
        entries.append(f"- {{doc}}`{title} <{name}>`: {para}")
        records += [(name, c) for c in read_claims(nb)]
    subs["chapter_map"] = "\n".join(entries)
    subs["claims_summary"] = claims_summary(records)
    subs["claims_counts"] = claims_counts(records)
    subs["build_scale"] = scale
    subs["robustness_summary"] = robustness_summary()
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
