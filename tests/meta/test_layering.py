"""The two houses: ``com`` (the papers' science) depends on torch, numpy and scipy
only, reads no environment and never imports the book's machinery (``bookkit``);
``bookkit`` may import ``com``. Checked on the source, by walking every module's
imports (an import-linter contract, without the dependency)."""
import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCIENCE_MAY_USE = {"torch", "numpy", "scipy"}


def imports(path: Path) -> set[str]:
    """The top-level names a module imports (relative imports resolved to their package)."""
    tree = ast.parse(path.read_text())
    package = path.relative_to(ROOT).parts[:-1]
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:                                  # relative: within the package
                out.add(package[0] if len(package) >= node.level else "?")
            else:
                out.add(node.module.split(".")[0])
    return out


def environment_reads(path: Path) -> list[int]:
    """Lines that read the process environment (os.environ, os.getenv)."""
    tree = ast.parse(path.read_text())
    return [n.lineno for n in ast.walk(tree)
            if isinstance(n, ast.Attribute) and n.attr in ("environ", "getenv")]


def test_com_never_imports_the_machinery():
    modules = sorted((ROOT / "com").rglob("*.py"))
    assert len(modules) > 20
    for path in modules:
        used = imports(path) - {"com", "__future__"}
        foreign = {m for m in used if m not in sys.stdlib_module_names} - SCIENCE_MAY_USE
        assert not foreign, f"{path.relative_to(ROOT)} imports {sorted(foreign)}"
        assert "bookkit" not in used


def test_com_reads_no_environment():
    for path in sorted((ROOT / "com").rglob("*.py")):
        assert not environment_reads(path), f"{path.relative_to(ROOT)}: {environment_reads(path)}"


def test_the_check_sees_a_violation():
    bad = ROOT / "com" / "_layering_probe.py"
    try:
        bad.write_text("import os\nfrom bookkit import cache\nx = os.environ.get('X')\n")
        assert "bookkit" in imports(bad) and environment_reads(bad) == [3]
    finally:
        bad.unlink()


def test_the_chapter_list_needs_no_environment():
    """The Makefile reads the chapter list and what results depend on with any python3,
    before .venv exists: bookkit.chapters runs without site-packages."""
    import subprocess
    run = subprocess.run([sys.executable, "-S", "-m", "bookkit.chapters", "--deps"], cwd=ROOT,
                         capture_output=True, text=True, check=True)
    assert "com/models/kernels.py" in run.stdout.split()
    assert not any(line.startswith(("bookkit/sweep/", "bookkit/build/"))
                   for line in run.stdout.split())
