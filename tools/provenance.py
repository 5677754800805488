"""Fold the facts of a chapter's run into its executed notebook.

Run by the Makefile's papermill step, right after papermill executed a chapter:

    python tools/provenance.py _build/executed/smoke/x.ipynb.part.ipynb FACTS smoke

``FACTS`` is the JSON file that ``com.setup`` wrote from inside the chapter's kernel
(``COM_PROVENANCE``, see ``com/provenance.py``): Python, torch, CPU, cores. This adds
what only the build knows (the commit, whether the chapter's sources differed from it,
papermill's start/end times) and the papermill command that reproduces the run, and
stores it all as ``metadata.com.provenance`` of the notebook. ``tools/stage.py``
shows it in the page's reproduce box. The FACTS file is removed once folded in.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def git(*args: str) -> str | None:
    """Output of a git command in the repository, or None (no git, not a clone)."""
    try:
        run = subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True,
                             timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return run.stdout if run.returncode == 0 else None


def parameter_file(name: str, scale: str) -> str | None:
    """The chapter's parameter file at ``scale``, relative to the repository; None at
    full scale, which runs the defaults of the parameters cell (com.sweep says the same)."""
    return None if scale == "full" else f"book/params/{scale}/{name}.yaml"


def sources(name: str, scale: str) -> list[str]:
    """The files whose content decides a chapter's run, relative to the repository."""
    params = parameter_file(name, scale)
    return [f"book/{name}.py", *([params] if params else []), "com"]


def command(name: str, scale: str) -> str:
    """The papermill command that reruns the chapter with the same parameters."""
    params = parameter_file(name, scale)
    return (f"papermill book/{name}.ipynb out.ipynb -k python3 --cwd book"
            + (f" -f {params}" if params else ""))


def provenance(nb: dict, facts: dict, name: str, scale: str) -> dict:
    """Everything the reproduce box states about the run behind ``nb``."""
    pm = nb.get("metadata", {}).get("papermill", {})
    file = parameter_file(name, scale)
    params = (yaml.safe_load((ROOT / file).read_text()) or {}) if file else {}
    if pm.get("parameters", {}) != params:
        # the command below would not reproduce this run: say so loudly, never print it
        raise ValueError(f"{name}: the run's parameters {pm.get('parameters')} are not "
                         f"{file or 'the defaults of its parameters cell'} ({params})")
    changed = git("status", "--porcelain", "--", *sources(name, scale)) or ""
    commit = git("rev-parse", "HEAD")
    return {
        **facts,
        "commit": commit.strip() if commit else None,
        # sources differing from the commit: the commit alone does not reproduce the run
        # (porcelain lines are "XY path"; a rename is "XY old -> new")
        "uncommitted": sorted({line[3:].split(" -> ")[-1] for line in changed.splitlines()}),
        "start": pm.get("start_time"),
        "end": pm.get("end_time"),
        "duration": pm.get("duration"),
        "scale": scale,
        "command": command(name, scale),
    }


def main(notebook: str, facts_file: str, scale: str) -> None:
    path, facts_path = Path(notebook), Path(facts_file)
    name = path.name.split(".")[0]
    if not facts_path.exists():
        raise SystemExit(f"{path}: no run facts in {facts_path}; every chapter must call "
                         "com.setup(seed) (it records them)")
    nb = json.loads(path.read_text())
    facts = json.loads(facts_path.read_text())
    nb["metadata"].setdefault("com", {})["provenance"] = provenance(nb, facts, name, scale)
    path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n")
    facts_path.unlink()


if __name__ == "__main__":
    main(*sys.argv[1:])
