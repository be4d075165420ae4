"""The benchmark scripts still start: they import, parse their options and name them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("script", "options"),
    [
        ("grading.py", ["--claim-model", "--no-settle-heap", "--set", "--encoder"]),
        ("public_asag.py", ["--claim-model", "--every", "--encoder"]),
    ],
)
def test_bench_script_lists_its_options(script: str, options: list[str]) -> None:
    # Optional candidate models (WordLlama, the L3 model) are imported only when asked for.
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / script), "--help"],
        capture_output=True, text=True, timeout=120, check=False,
        env={"PYTHONPATH": f"{ROOT}:{ROOT / 'bench'}", "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stderr
    for option in options:
        assert option in done.stdout


def test_the_stolen_share_reads_the_steal_column() -> None:
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        from grading import _stolen_share
    finally:
        sys.path.remove(str(ROOT / "bench"))
    before = [100, 0, 50, 800, 0, 0, 0, 50, 0, 0]
    after = [150, 0, 60, 830, 0, 0, 0, 60, 0, 0]  # 100 ticks spent, 10 of them stolen
    assert _stolen_share(before, after) == "10%"
    assert _stolen_share(None, after) == "unknown"
