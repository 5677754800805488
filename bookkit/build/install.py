"""The first code cell of a staged chapter: it installs the book's packages (``com``
and ``bookkit``, one distribution) in a kernel that lacks them (Colab, a fresh
environment) from the book's repository at the commit the chapter was run at, the
commit its reproduce box names; where they are importable (the repository's
environment, Binder) it does nothing. It is hidden on the page (``remove-cell``) and
shown in the reader's notebook, pin included.
"""
from __future__ import annotations

import re

# Its names are deleted at its end: the chapter's first cell takes any other name in the
# namespace for a misspelt parameter (bookkit.params.check_in).
INSTALL = """\
# Colab or any fresh kernel: install the book's packages (`com`, `bookkit`: one
# distribution) {pinned}.
# Where they are importable (the repository's environment) it does nothing.
import importlib, importlib.util, subprocess, sys

REPOSITORY = "{url}"
{ref_name} = "{ref}"
if not (importlib.util.find_spec("com") and importlib.util.find_spec("bookkit")):
    subprocess.run([sys.executable, "-m", "pip", "install", "-q",
                    f"com @ git+{{REPOSITORY}}@{{{ref_name}}}"], check=True)
    importlib.invalidate_caches()
del REPOSITORY, {ref_name}"""
INSTALL_ID = "install-com"
COMMIT = re.compile(r"[0-9a-f]{40}")


def pin(config: dict, nb: dict) -> tuple[str, str]:
    """(repository URL, git ref) pip installs from: the commit the chapter ran at
    (``metadata.com.provenance.commit``), else, where none was recorded (not a git
    checkout), the branch the launch buttons open."""
    repo = config.get("repository", {})
    url, branch = repo.get("url"), repo.get("branch")
    if not (url and branch):
        raise ValueError("_config.yml: repository: url: and branch: are needed "
                         "(the launch buttons and the install cell use them)")
    commit = (nb.get("metadata", {}).get("com", {}).get("provenance") or {}).get("commit")
    return url.rstrip("/"), commit if commit and COMMIT.fullmatch(commit) else branch


def install_cell(url: str, ref: str) -> str:
    """The cell's source, installing from ``url`` at ``ref`` (a commit or a branch)."""
    if COMMIT.fullmatch(ref):
        return INSTALL.format(pinned="at COMMIT, the commit this notebook was run at",
                              url=url, ref_name="COMMIT", ref=ref)
    return INSTALL.format(pinned="from BRANCH (no commit was recorded)", url=url,
                          ref_name="BRANCH", ref=ref)


def add_install_cell(nb: dict, url: str, ref: str) -> None:
    """Put the hidden install cell before the first code cell (in place; once)."""
    cells = nb["cells"]
    if any(c.get("id") == INSTALL_ID for c in cells):
        return
    cell = {"cell_type": "code", "execution_count": None, "id": INSTALL_ID,
            "metadata": {"tags": ["remove-cell", INSTALL_ID]}, "outputs": [],
            "source": install_cell(url, ref)}
    first = next(i for i, c in enumerate(cells) if c["cell_type"] == "code")
    cells.insert(first, cell)


__all__ = ["INSTALL_ID", "add_install_cell", "install_cell", "pin"]
