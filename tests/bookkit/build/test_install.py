"""bookkit.build.install: the first cell of a staged chapter installs the book's
packages at the commit the chapter ran at, and does nothing where they are importable."""
import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from bookkit.build import install
from bookkit.params import parameter_like

ROOT = Path(__file__).resolve().parents[3]
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text())
URL = CONFIG["repository"]["url"]
COMMIT = "0123456789abcdef0123456789abcdef01234567"


def ran_at(commit):
    return {"metadata": {"com": {"provenance": {"commit": commit}}}, "cells": []}


def test_pinned_to_the_commit_the_chapter_ran_at():
    assert install.pin(CONFIG, ran_at(COMMIT)) == (URL, COMMIT)


def test_without_a_recorded_commit_the_launch_buttons_branch():
    assert install.pin(CONFIG, ran_at(None)) == (URL, CONFIG["repository"]["branch"])
    assert install.pin(CONFIG, ran_at("not-a-commit"))[1] == CONFIG["repository"]["branch"]
    with pytest.raises(ValueError, match="repository: url: and branch:"):
        install.pin({"repository": {"url": URL}}, ran_at(COMMIT))


def run_install_cell(find_spec_result, ref=COMMIT):
    """Run the install cell in a fresh interpreter with find_spec and pip stubbed."""
    cell = install.install_cell(URL, ref)
    probe = f"""
import importlib.util, subprocess, json
calls = []
importlib.util.find_spec = lambda name: {find_spec_result!r}
subprocess.run = lambda args, check: calls.append(args)
exec({cell!r})
print(json.dumps(calls))
"""
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True)
    return json.loads(out.stdout)


def test_does_nothing_where_com_is_importable():
    assert run_install_cell("found") == []


def test_pip_installs_the_pinned_commit_where_com_is_missing():
    calls = run_install_cell(None)
    assert len(calls) == 1 and calls[0][1:4] == ["-m", "pip", "install"]
    assert calls[0][-1] == f"com @ git+{URL}@{COMMIT}"
    assert run_install_cell(None, "executed")[0][-1] == f"com @ git+{URL}@executed"


@pytest.mark.parametrize("ref", [COMMIT, "executed"])
def test_cell_is_valid_python_within_88_columns_and_shows_its_pin(ref):
    cell = install.install_cell(URL, ref)
    ast.parse(cell)
    assert max(map(len, cell.splitlines())) <= 88
    assert f'"{ref}"' in cell


def test_added_once_before_the_first_code_cell():
    nb = {"cells": [{"cell_type": "markdown", "source": "# t", "metadata": {}},
                    {"cell_type": "code", "source": "x = 1", "metadata": {}, "outputs": []}]}
    install.add_install_cell(nb, URL, COMMIT)
    install.add_install_cell(nb, URL, COMMIT)
    assert [c.get("id") for c in nb["cells"]] == [None, install.INSTALL_ID, None]
    assert "remove-cell" in nb["cells"][1]["metadata"]["tags"]


def test_leaves_no_name_the_chapters_first_cell_would_take_for_a_parameter():
    namespace = {}
    exec(install.install_cell(URL, COMMIT), namespace)      # com is importable here
    assert parameter_like(namespace) == []
