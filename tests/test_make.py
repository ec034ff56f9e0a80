"""The Makefile's promises: `make run` installs only what running needs, `make bench` sizes and cleans up."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parent.parent


def planned(target: str, tmp_path: Path, *assignments: str) -> str:
    """What `make TARGET` would run for a user without a .venv (make -n prints, runs nothing)."""
    done = subprocess.run(
        ["make", "-n", "-C", str(ROOT), target, f"VENV={tmp_path / 'venv'}", *assignments],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def test_make_run_installs_only_what_running_needs_and_says_so(tmp_path: Path) -> None:
    run = planned("run", tmp_path)
    assert "installing openroster (first run only" in run
    installs = [line for line in run.splitlines() if "pip install" in line]
    assert len(installs) == 1 and installs[0].endswith("-e .")
    assert "openroster serve --demo" in run

    test = planned("test", tmp_path)
    assert any("pip install" in line and "-e '.[test]'" in line for line in test.splitlines())
    assert "installing the test tools" in test
    assert "read_path.py" not in test  # the benchmark is never part of make test


def test_make_bench_takes_a_size_and_keeps_only_when_asked(tmp_path: Path) -> None:
    assert "--students 100000 --schools 20" in planned("bench", tmp_path)
    small = planned("bench", tmp_path, "STUDENTS=500", "SCHOOLS=2")
    assert "--students 500 --schools 2" in small and "--keep" not in small
    assert "--keep" in planned("bench", tmp_path, "KEEP=1")
    assert f"--folder {tmp_path}" in planned("bench", tmp_path, f"FOLDER={tmp_path}")


def bench(tmp_path: Path, *options: str) -> str:
    temp = tmp_path / "tmp"
    temp.mkdir(exist_ok=True)
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "read_path.py"),
            "--students",
            "40",
            "--schools",
            "1",
            *options,
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "TMPDIR": str(temp)},
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_benchmark_removes_its_temporary_folder_unless_kept(tmp_path: Path) -> None:
    output = bench(tmp_path)
    assert "import:" in output and "/users?limit=5000" in output and "records" in output
    assert list((tmp_path / "tmp").iterdir()) == []

    kept = bench(tmp_path, "--keep")
    (folder,) = (tmp_path / "tmp").iterdir()
    assert f"kept {folder}" in kept
    assert (folder / "bench.db").exists() and (folder / "bundle" / "manifest.csv").exists()
