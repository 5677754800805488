"""The linter: ruff, configured in pyproject.toml ([tool.ruff]), finds nothing."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RUFF = Path(sys.executable).parent / "ruff"


def test_ruff_finds_nothing():
    run = subprocess.run([RUFF, "check", "--no-cache", "com", "bookkit", "tests", "benchmarks"],
                         cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
