"""Packaging: pyproject.toml states compatible ranges and constraints.txt alone the
exact pins (torch's CPU build); requires-python and the README say what the pins
allow; Binder and conda install the same pins; `pip install` of the project works in
a fresh virtual environment from the configured package index."""
import importlib.metadata as im
import json
import re
import shutil
import subprocess
import sys
import tomllib
import venv
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
REQUIRES = [Requirement(d) for d in PROJECT["dependencies"]] + [
    Requirement(d) for extra in PROJECT["optional-dependencies"].values() for d in extra]
# every Python release a spec could be about, patch levels included
PYTHONS = [Version(f"3.{minor}.{patch}") for minor in range(8, 16) for patch in range(25)]


def constraint_lines() -> list[Requirement]:
    reqs = []
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        line = line.split(" #")[0].strip()
        if line and not line.startswith("#"):
            reqs.append(Requirement(line))
    return reqs


def pins() -> dict[str, Version]:
    """The exact pins that apply on this platform: name -> version."""
    return {canonicalize_name(r.name): Version(next(iter(r.specifier)).version)
            for r in constraint_lines() if r.marker is None or r.marker.evaluate()}


def test_pyproject_states_ranges_with_lower_bounds_not_pins():
    for r in REQUIRES:
        ops = {s.operator for s in r.specifier}
        assert not ops & {"==", "==="}, f"{r}: exact pins belong in constraints.txt"
        assert ">=" in ops, f"{r}: state the oldest compatible version"
    torch = next(r for r in REQUIRES if r.name == "torch")
    assert not torch.specifier.contains("2.0.0"), "torch keeps a lower bound (2.x APIs)"


def test_constraints_are_exact_pins_with_torch_cpu_on_linux():
    for r in constraint_lines():
        assert [s.operator for s in r.specifier] == ["=="], f"{r}: not an exact pin"
    torch = {str(r.marker): str(r.specifier) for r in constraint_lines() if r.name == "torch"}
    assert torch == {'sys_platform == "linux"': "==2.13.0+cpu",
                     'sys_platform != "linux"': "==2.13.0"}


def test_pins_satisfy_pyproject():
    p = pins()
    for r in REQUIRES:
        name = canonicalize_name(r.name)
        assert name in p, f"{r.name} is not pinned in constraints.txt"
        assert r.specifier.contains(p[name], prereleases=True), f"{r} excludes the pin {p[name]}"


def test_this_environment_is_the_pinned_one():
    wrong = {}
    for name, version in pins().items():
        try:
            have = Version(im.version(name))
        except im.PackageNotFoundError:
            wrong[name] = (version, "not installed")
            continue
        if have != version:
            wrong[name] = (version, have)
    assert not wrong, f"pinned vs installed: {wrong} (make env installs the pins)"


def pins_python() -> SpecifierSet:
    """The Pythons every pinned package allows (their Requires-Python, intersected)."""
    spec = SpecifierSet()
    for name in pins():
        allowed = im.metadata(name).get("Requires-Python")
        if allowed:
            spec &= SpecifierSet(allowed)
    return spec


def test_requires_python_is_what_the_pins_allow():
    ours, theirs = SpecifierSet(PROJECT["requires-python"]), pins_python()
    promised = [str(v) for v in PYTHONS if v in ours and v not in theirs]
    refused = [str(v) for v in PYTHONS if v not in ours and v in theirs]
    assert not promised, f"requires-python admits {promised[:5]}, the pins do not ({theirs})"
    assert not refused, f"requires-python refuses {refused[:5]}, the pins allow them"
    assert Version(".".join(map(str, sys.version_info[:3]))) in ours


def in_words(spec: SpecifierSet) -> str:
    """">=3.11.5,!=3.14.1" -> "3.11.5 or newer, except 3.14.1" (the README's words)."""
    low = [s.version for s in spec if s.operator == ">="]
    excluded = sorted((s.version for s in spec if s.operator == "!="), key=Version)
    words = f"{low[0]} or newer" if low else "any version"
    return words + (", except " + " and ".join(excluded) if excluded else "")


def test_readme_states_the_python_versions():
    words = in_words(SpecifierSet(PROJECT["requires-python"]))
    assert f"Python {words}" in (ROOT / "README.md").read_text(), words


def test_binder_and_conda_install_the_pins():
    binder = (ROOT / "binder/requirements.txt").read_text().splitlines()
    assert "-c ../constraints.txt" in binder and ".[book]" in binder
    assert "--extra-index-url https://download.pytorch.org/whl/cpu" in binder
    runtime = (ROOT / "binder/runtime.txt").read_text().strip()
    minor = re.fullmatch(r"python-(3\.\d+)", runtime).group(1)
    spec = SpecifierSet(PROJECT["requires-python"])
    assert any(v in spec for v in PYTHONS if f"{v.major}.{v.minor}" == minor)
    conda = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert f"python={minor}" in conda["dependencies"]
    pip = next(d["pip"] for d in conda["dependencies"] if isinstance(d, dict))
    assert "-c constraints.txt" in pip and "-e .[book,test,sweep]" in pip
    for wf in (ROOT / ".github/workflows").glob("*.yml"):
        assert f'python-version: "{minor}"' in wf.read_text(), wf.name


# -- a fresh virtual environment ---------------------------------------------------
@pytest.fixture(scope="module")
def fresh(tmp_path_factory):
    """A new venv, and a copy of what `pip install .` needs (the build writes into it)."""
    tmp = tmp_path_factory.mktemp("fresh")
    project = tmp / "project"
    project.mkdir()
    for f in ("pyproject.toml", "README.md", "LICENSE", "constraints.txt"):
        shutil.copy(ROOT / f, project / f)
    for package in ("com", "bookkit"):
        shutil.copytree(ROOT / package, project / package,
                        ignore=shutil.ignore_patterns("__pycache__"))
    (project / "binder").mkdir()
    # PyTorch's CPU index is out of reach here; the configured index serves the CPU build
    lines = (ROOT / "binder/requirements.txt").read_text().splitlines()
    (project / "binder/requirements.txt").write_text(
        "\n".join(line for line in lines if not line.startswith("--extra-index-url")) + "\n")
    venv.create(tmp / "venv", with_pip=True)
    return project, tmp / "venv/bin/python"


def pip(python, *args, cwd):
    return subprocess.run(["nice", "-n", "10", str(python), "-m", "pip",
                           "--disable-pip-version-check", *args],
                          cwd=cwd, capture_output=True, text=True, timeout=900)


def test_pip_install_into_a_fresh_venv(fresh):
    project, python = fresh
    run = pip(python, "install", "--quiet", "--no-deps", ".", cwd=project)
    assert run.returncode == 0, run.stderr[-3000:]
    probe = ("import importlib.metadata as m, json; d = m.metadata('com'); "
             "print(json.dumps([d['Requires-Python'], m.requires('com'), "
             "[str(f) for f in m.files('com')]]))")
    out = subprocess.run([str(python), "-c", probe], capture_output=True, text=True,
                         check=True, cwd="/")
    requires_python, requires, files = json.loads(out.stdout)
    assert SpecifierSet(requires_python) == SpecifierSet(PROJECT["requires-python"])
    assert {str(Requirement(r)) for r in requires if "extra ==" not in r} == {
        str(Requirement(d)) for d in PROJECT["dependencies"]}
    installed = {f for f in files if f.startswith(("com/", "bookkit/"))}
    for package in ("com", "bookkit"):                 # every module, subpackages too
        ours = {str(p.relative_to(ROOT)) for p in (ROOT / package).rglob("*.py")}
        assert ours <= installed, sorted(ours - installed)[:5]


def test_binder_requirements_resolve_to_exactly_the_pins(fresh):
    project, python = fresh
    report = project / "report.json"
    run = pip(python, "install", "--dry-run", "--quiet", "--ignore-installed", "--report",
              str(report), "-r", "binder/requirements.txt", cwd=project)
    assert run.returncode == 0, run.stderr[-3000:]
    resolved = {canonicalize_name(i["metadata"]["name"]): Version(i["metadata"]["version"])
                for i in json.loads(report.read_text())["install"]}
    resolved.pop("com")
    p = pins()
    assert not set(resolved) - set(p), f"resolved but not pinned: {set(resolved) - set(p)}"
    wrong = {n: (str(v), str(p[n])) for n, v in resolved.items() if v != p[n]}
    assert not wrong, f"resolved vs pinned: {wrong}"
    assert str(resolved["torch"]) == "2.13.0+cpu"
