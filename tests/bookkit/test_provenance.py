"""The facts of a chapter's run: measured in its kernel (bookkit.provenance, via
bookkit.chapter.setup) and folded into the executed notebook with the commit and command."""
import json
import platform
import sys
from pathlib import Path

import matplotlib
import pytest
import torch
import yaml

from bookkit import provenance
from bookkit.chapter import setup

ROOT = Path(__file__).resolve().parents[2]


def test_facts_describe_this_process():
    f = provenance.facts()
    assert f["python"] == platform.python_version()
    assert f["torch"] == torch.__version__
    assert f["cores"] >= 1 and f["cpu"] and f["cpu"] != "unknown"
    assert f["executable"] == sys.executable


def test_record_writes_only_when_asked(tmp_path, monkeypatch):
    monkeypatch.delenv(provenance.ENV, raising=False)
    assert provenance.record() is None
    target = tmp_path / "deep" / "facts.json"
    monkeypatch.setenv(provenance.ENV, str(target))
    assert provenance.record() == target
    assert json.loads(target.read_text())["torch"] == torch.__version__
    assert not list(target.parent.glob("*.tmp"))


def test_setup_records_the_run(tmp_path, monkeypatch):
    target = tmp_path / "facts.json"
    monkeypatch.setenv(provenance.ENV, str(target))
    deterministic = torch.are_deterministic_algorithms_enabled()
    try:
        with matplotlib.rc_context():        # setup styles the plots: leave no trace
            setup(0)
    finally:
        torch.use_deterministic_algorithms(deterministic)
    assert json.loads(target.read_text())["python"] == platform.python_version()


def executed(parameters):
    return {"cells": [], "metadata": {"papermill": {
        "parameters": parameters, "start_time": "2026-12-01T10:00:00+00:00",
        "end_time": "2026-12-01T10:01:05+00:00", "duration": 65.0}}}


def smoke_params(name="linear_approximation"):
    return yaml.safe_load((ROOT / f"book/params/smoke/{name}.yaml").read_text())


def test_fold_adds_commit_times_and_the_command(tmp_path):
    nb_path, facts_path = tmp_path / "linear_approximation.ipynb.part.ipynb", tmp_path / "f.json"
    nb_path.write_text(json.dumps(executed(smoke_params())))
    facts_path.write_text(json.dumps(provenance.facts()))
    provenance.fold(str(nb_path), str(facts_path), "smoke")
    p = json.loads(nb_path.read_text())["metadata"]["com"]["provenance"]
    assert p["torch"] == torch.__version__ and p["duration"] == 65.0
    assert p["end"] == "2026-12-01T10:01:05+00:00" and p["scale"] == "smoke"
    assert p["command"] == ("papermill book/linear_approximation.ipynb out.ipynb -k python3 "
                            "--cwd book -f book/params/smoke/linear_approximation.yaml")
    assert p["commit"] is None or len(p["commit"]) == 40
    assert isinstance(p["uncommitted"], list)
    assert not facts_path.exists(), "the facts file is folded in, then removed"


def test_fold_refuses_a_command_that_would_not_reproduce(tmp_path):
    params = {**smoke_params(), "seed": 7}               # run with -p seed 7 on top of -f
    with pytest.raises(ValueError, match="are not book/params/smoke/linear_approximation.yaml"):
        provenance.provenance(executed(params), provenance.facts(), "linear_approximation", "smoke")


def test_full_scale_command_runs_the_defaults():
    p = provenance.provenance(executed({}), {}, "linear_approximation", "full")
    assert p["command"] == ("papermill book/linear_approximation.ipynb out.ipynb -k python3 "
                            "--cwd book")
    with pytest.raises(ValueError, match="not the defaults of its parameters cell"):
        provenance.provenance(executed({"seed": 1}), {}, "linear_approximation", "full")


def test_fold_without_facts_names_the_cause(tmp_path):
    nb_path = tmp_path / "x.ipynb.part.ipynb"
    nb_path.write_text(json.dumps(executed({})))
    with pytest.raises(SystemExit, match=r"must call bookkit.chapter.setup"):
        provenance.fold(str(nb_path), str(tmp_path / "missing.json"), "smoke")


def test_uncommitted_sources_are_named_in_full(monkeypatch):
    answers = {"status": " M book/linear_approximation.py\n?? com/new.py\n"
                         "R  com/a.py -> com/b.py\n",
               "rev-parse": "a" * 40 + "\n"}
    monkeypatch.setattr(provenance, "git", lambda *args: answers[args[0]])
    p = provenance.provenance(executed(smoke_params()), {}, "linear_approximation", "smoke")
    assert p["uncommitted"] == ["book/linear_approximation.py", "com/b.py", "com/new.py"]
    assert p["commit"] == "a" * 40


def test_setup_makes_torch_deterministic_without_the_compiler():
    """setup sets torch's deterministic flag (what use_deterministic_algorithms sets
    for eager code) and leaves the flag as it found it here."""
    before = torch.are_deterministic_algorithms_enabled()
    try:
        torch.use_deterministic_algorithms(False)
        setup(0)
        assert torch.are_deterministic_algorithms_enabled()
    finally:
        torch.use_deterministic_algorithms(before)


@pytest.mark.parametrize("where", ["folder", "relative"])
def test_com_provenance_must_name_a_file_by_its_absolute_path(tmp_path, monkeypatch, where):
    """COM_PROVENANCE naming a folder gave a traceback from setup (review E2)."""
    value = str(tmp_path) if where == "folder" else "facts.json"
    monkeypatch.setenv(provenance.ENV, value)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(provenance.ProvenanceError) as err:
        provenance.record()
    assert f"COM_PROVENANCE={value!r} must be the absolute path of a file" in str(err.value)
    assert list(tmp_path.iterdir()) == []
