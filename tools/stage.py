"""Stage what the book shows about its own build, from the executed chapters.

Run by the Makefile's ``build`` step on the staging copy (``_build/<scale>/src``)
before Jupyter Book sees it:

    python tools/stage.py _build/smoke/src smoke

It adds MyST substitutions to the staged ``_config.yml`` (the repository's own
``_config.yml`` is never touched):

- ``reproduce_<chapter>``: the "Reproduce this page" box of a chapter (papermill
  command, both parameter sets, runtimes at smoke and full scale). A chapter shows
  it with the one line ``{{ reproduce_<chapter> }}``. Runtimes are papermill's own
  measurement (``metadata.papermill.duration``) of the run that produced
  ``_build/executed/<scale>/<chapter>.ipynb``; a scale that has not run, or whose run
  predates the chapter's current sources, is reported as not available.
- ``chapter_map``: one entry per chapter (title and opening paragraph).
- ``claims_summary``: one table of every chapter's claims and verdicts, read from the
  ``claims`` and ``claims_table`` glue outputs of the executed notebooks in the build.
- ``robustness_summary``: the "Robustness across seeds" page's body, from the sweep
  summary ``_build/sweep/summary.json`` (``make sweep``) when there is one, else how to
  make one; runs of a chapter whose code changed since are flagged.
"""
from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path

import yaml

from com import robustness, sweep
from com.report import read_claims
from com.robustness import duration, escape

ROOT = Path(__file__).resolve().parent.parent
SCALES = ("smoke", "full")


def chapters(src: Path) -> list[str]:
    """The staged chapters (executed notebooks in ``src/book``), in table-of-contents order."""
    names = {p.stem for p in (src / "book").glob("*.ipynb")}
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [Path(c["file"]).name for c in toc.get("chapters", [])]
    return [f for f in files if f in names] + sorted(names - set(files))


def runtime(name: str, scale: str) -> str:
    """Measured runtime of ``name`` at ``scale``, or an honest "not available"."""
    nb_path = ROOT / "_build/executed" / scale / f"{name}.ipynb"
    if not nb_path.exists():
        return "not available (this scale has not been run for this build)"
    sources = [ROOT / "book" / f"{name}.py", ROOT / "book/params" / scale / f"{name}.yaml",
               *sorted((ROOT / "com").glob("*.py"))]
    if nb_path.stat().st_mtime < max(p.stat().st_mtime for p in sources if p.exists()):
        return "not available (the last run at this scale predates the current sources)"
    meta = json.loads(nb_path.read_text())["metadata"].get("papermill", {})
    if meta.get("duration") is None:
        return "not available (no timing recorded)"
    day = datetime.fromisoformat(meta["end_time"]).strftime("%Y-%m-%d")
    return f"{duration(meta['duration'])} (measured {day})"


def reproduce_box(name: str) -> str:
    params = {s: yaml.safe_load((ROOT / "book/params" / s / f"{name}.yaml").read_text()) or {}
              for s in SCALES}
    keys = list(dict.fromkeys([*params["full"], *params["smoke"]]))
    table = ["| parameter | smoke | full |", "|---|---|---|"]
    for k in keys:
        cells = [f"`{json.dumps(params[s][k])}`" if k in params[s] else "(default)" for s in SCALES]
        table.append(f"| `{k}` | {cells[0]} | {cells[1]} |")
    return "\n".join([
        ":::{admonition} Reproduce this page",
        ":class: tip reproduce",
        "After `make book` (or `make notebooks`), from the repository root:",
        "",
        "```bash",
        f"papermill book/{name}.ipynb out.ipynb --cwd book -f book/params/full/{name}.yaml",
        "```",
        "",
        f"Add `-p seed 3` for another seed; `book/params/smoke/{name}.yaml` is the quick "
        "parameter set the tests run. The two parameter sets:",
        "",
        *table,
        "",
        "Runtime (wall clock of the papermill run, on the machine that built this page; "
        "full-scale runs reuse results cached in `_build/cache` when present):",
        "",
        f"- smoke scale: {runtime(name, 'smoke')}",
        f"- full scale: {runtime(name, 'full')}",
        ":::",
    ])


def opening(nb: dict) -> tuple[str, str]:
    """Title and opening paragraph of a chapter (its first markdown cell)."""
    cell = next(c for c in nb["cells"] if c["cell_type"] == "markdown")
    lines = "".join(cell["source"]).splitlines()
    title = next(l[2:].strip() for l in lines if l.startswith("# "))
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


def robustness_summary(path: Path = sweep.OUT / "summary.json") -> str:
    """The body of the robustness page, from the sweep summary at ``path`` if any."""
    if not path.exists():
        return robustness.page(None)
    current = {c: sweep.code_hash(c) for c in sweep.chapters_at("full")}
    try:
        return robustness.page(json.loads(path.read_text()), current)
    except (ValueError, KeyError, TypeError) as e:     # damaged: say so, do not fail the book
        return robustness.page(None, error=f"{path.name}: {type(e).__name__}: {e}")


def stage(src: Path, scale: str) -> dict[str, str]:
    subs, rows, entries = {}, [], []
    for name in chapters(src):
        nb = json.loads((src / "book" / f"{name}.ipynb").read_text())
        subs[f"reproduce_{name}"] = reproduce_box(name)
        title, para = opening(nb)
        entries.append(f"- {{doc}}`{title} <{name}>`: {para}")
        for i, c in enumerate(read_claims(nb)):
            mark = "✓" if c["reproduced"] else "✗"
            chapter = f"{{doc}}`{name}`" if i == 0 else ""     # named once per chapter
            rows.append(f"| {chapter} | `{c['id']}` | {escape(c['statement'])} | "
                        f"{mark} {escape(c['verdict'])} |")
    subs["chapter_map"] = "\n".join(entries)
    subs["claims_summary"] = "\n".join(
        ["| chapter | claim | statement | verdict |", "|---|---|---|---|", *rows])
    subs["build_scale"] = scale
    subs["robustness_summary"] = robustness_summary()
    return subs


def main(src: str, scale: str) -> None:
    src = Path(src)
    config_path = src / "_config.yml"
    config = yaml.safe_load(config_path.read_text())
    config.setdefault("parse", {}).setdefault("myst_substitutions", {}).update(stage(src, scale))
    config.setdefault("sphinx", {}).setdefault("local_extensions", {})["book_sphinx"] = str(
        Path(__file__).resolve().parent)
    config_path.write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True))


if __name__ == "__main__":
    main(*sys.argv[1:])
