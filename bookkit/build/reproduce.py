"""The "Reproduce this page" box of a chapter: the run that produced the page (commit,
date, Python and torch versions, CPU and cores, measured in the run itself:
``metadata.com.provenance``, see bookkit.provenance), the papermill command that reruns
it, both parameter sets, and runtimes at smoke and full scale. Runtimes are
papermill's own measurement (``metadata.papermill.duration``) of the run that produced
``_build/executed/<scale>/<chapter>.ipynb``; a scale that has not run, or whose run
predates the chapter's current sources (bookkit.chapters.sources), is reported as not
available. bookkit.build.stage puts it in the page as ``{{ reproduce_<chapter> }}``.
"""
from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path

from bookkit import chapters as book
from bookkit.chapters import ROOT, SCALES
from bookkit.params import defaults as declared_defaults
from bookkit.sweep.report import duration, escape


def runtime(name: str, scale: str) -> str:
    """Measured runtime of ``name`` at ``scale``, or an honest "not available"."""
    nb_path = ROOT / "_build/executed" / scale / f"{name}.ipynb"
    if not nb_path.exists():
        return "not available (this scale has not been run for this build)"
    params = book.parameter_file(name, scale, ROOT / "book")
    sources = [ROOT / "book" / f"{name}.py", *([params] if params else []),
               *book.sources(ROOT)]                    # what the results depend on
    if nb_path.stat().st_mtime < max(p.stat().st_mtime for p in sources if p.exists()):
        return "not available (the last run at this scale predates the current sources)"
    meta = json.loads(nb_path.read_text())["metadata"].get("papermill", {})
    if meta.get("duration") is None:
        return "not available (no timing recorded)"
    day = datetime.fromisoformat(meta["end_time"]).strftime("%Y-%m-%d")
    return f"{duration(meta['duration'])} (measured {day})"


def when(iso: str | None) -> str:
    if not iso:
        return "not recorded"
    return datetime.fromisoformat(iso).strftime("%Y-%m-%d %H:%M UTC")


def the_run(nb: dict, scale: str) -> str:
    """The facts of the run behind the page (``metadata.com.provenance``), as a sentence."""
    p = nb.get("metadata", {}).get("com", {}).get("provenance")
    if not p:
        return (f"The run behind this page ({scale} scale) was not recorded: its notebook "
                "was executed without `bookkit.chapter.setup` recording the run; rerun it "
                "with `make`.")
    commit = f"commit `{p['commit'][:12]}`" if p.get("commit") else "an unrecorded commit"
    cores = f"{p['cores']} cores" + (f" (of {p['cpu_count']})"
                                     if p.get("cpu_count") not in (None, p["cores"]) else "")
    took = duration(p["duration"]) if p.get("duration") else "an unrecorded time"
    cache = "off" if p.get("cache") == "off" else "on: finished work may have been reused"
    text = (f"This page is the run of {commit} at the {scale} scale, finished "
            f"{when(p.get('end'))}: Python {p['python']}, torch {p['torch']}, numpy "
            f"{p['numpy']}, on {escape(p['cpu'])} with {cores}, in {took} (results cache "
            f"{cache}).")
    if p.get("uncommitted"):
        text += (" Its sources differed from the commit (uncommitted changes to "
                 + ", ".join(f"`{f}`" for f in p["uncommitted"])
                 + "), so the commit alone does not reproduce it.")
    return text


def shell(command: str) -> str:
    """A long command broken over lines before its options."""
    return re.sub(r" (-[kf]) ", r" \\\n    \1 ", command)


def parameter_table(name: str) -> list[str]:
    """Both parameter sets of a chapter as a Markdown table (the full scale is the
    declared defaults, bookkit.chapters.<chapter>.Params)."""
    params = {"smoke": book.parameter_set(name, "smoke"),
              "full": declared_defaults(book.declared(name))}
    keys = list(dict.fromkeys([*params["full"], *params["smoke"]]))
    table = ["| parameter | smoke | full |", "|---|---|---|"]
    for k in keys:
        cells = [f"`{json.dumps(params[s][k])}`" if k in params[s] else "(default)"
                 for s in SCALES]
        table.append(f"| `{k}` | {cells[0]} | {cells[1]} |")
    return table


def install_note(p: dict) -> list[str]:
    """What the notebook's own first cell installs in Colab or a fresh kernel."""
    if not p.get("commit"):
        return []
    return [f"Opened in Colab, or run in a kernel without the book's packages, the "
            f"notebook's first cell installs `com` and `bookkit` at this commit, "
            f"`{p['commit'][:12]}`, within the compatible ranges of `pyproject.toml` "
            "(Colab keeps its own torch, so its versions may differ from the ones above).",
            ""]


def reproduce_box(name: str, nb: dict, scale: str) -> str:
    """The "Reproduce this page" box of a chapter (module doc)."""
    p = nb.get("metadata", {}).get("com", {}).get("provenance") or {}
    file = book.parameter_file(name, scale, Path("book"))
    command = p.get("command") or (f"papermill book/{name}.ipynb out.ipynb -k python3 "
                                   "--cwd book" + (f" -f {file}" if file else ""))
    checkout = [f"git checkout {p['commit']}"] if p.get("commit") else []
    return "\n".join([
        "::::{admonition} Reproduce this page",
        ":class: tip reproduce",
        the_run(nb, scale),
        "To run it again, from the repository root with `.venv` activated (`make` "
        "creates it; `make notebooks` writes `book/*.ipynb`):",
        "",
        "```bash",
        *checkout,
        "make notebooks",
        shell(command),
        "```",
        "",
        *install_note(p),
        ":::{admonition} Parameter sets and runtimes",
        ":class: dropdown",
        f"Add `-p seed 3` for another seed; `book/params/smoke/{name}.yaml` is the quick "
        "parameter set the tests run, the defaults of the parameters cell (no `-f`) the "
        "book's. The two parameter sets:",
        "",
        *parameter_table(name),
        "",
        "Runtime at each scale (wall clock of the papermill run, on the machine that built "
        "this page; full-scale runs reuse results cached in `_build/cache` when present):",
        "",
        f"- smoke scale: {runtime(name, 'smoke')}",
        f"- full scale: {runtime(name, 'full')}",
        ":::",
        "::::",
    ])


__all__ = ["reproduce_box", "runtime", "the_run"]
