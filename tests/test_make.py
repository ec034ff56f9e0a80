"""The Makefile's promises: `make run` installs only what running needs, `make bench` sizes and cleans up."""

from __future__ import annotations

import json
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
    assert "district.py" not in test  # the benchmark is never part of make test


def test_make_bench_runs_s_and_m_on_both_backends_and_takes_a_size(tmp_path: Path) -> None:
    default = planned("bench", tmp_path)
    assert "for size in S M;" in default and "--size $size --backend both" in default
    large = planned("bench", tmp_path, "SIZE=L", "BACKEND=sqlite", f"FOLDER={tmp_path}")
    assert "for size in L;" in large and "--backend sqlite" in large and f"--folder {tmp_path}" in large
    custom = planned("bench", tmp_path, "STUDENTS=500", "SCHOOLS=2")
    assert "--students 500 --schools 2" in custom and "--size" not in custom


def test_the_benchmark_measures_every_target_end_to_end_and_reuses_its_folder(tmp_path: Path) -> None:
    """A tiny district through the whole harness on both backends: every target gets a value and a
    verdict, and a second run reuses the bundle and stores instead of building them again."""

    def bench() -> str:
        done = subprocess.run(
            [
                sys.executable,
                str(ROOT / "benchmarks" / "district.py"),
                "--students",
                "60",
                "--backend",
                "both",
                "--repeat",
                "1",
                "--seconds",
                "0.5",
                "--memory-seconds",
                "1",
                "--walk-limits",
                "5000",
                "--folder",
                str(tmp_path / "data"),
                "--results",
                str(tmp_path / "results"),
            ],
            capture_output=True,
            text=True,
            timeout=300,
            cwd=tmp_path,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    first = bench()
    assert "sqlite: import ..." in first and "postgresql: import ..." in first
    (written,) = (tmp_path / "results").iterdir()
    result = json.loads(written.read_text())
    assert {"cores", "memory_gb", "cpu", "python", "sqlite", "postgresql", "load_average"} <= set(
        result["machine"]
    )
    rows = result["rows"]
    for backend in ("sqlite", "postgresql"):
        targets = {row["measure"] for row in rows if row["backend"] == backend and row["target"]}
        for measure in (
            "walk ÷ ceiling, users limit=5000",
            "walk ÷ ceiling, enrollments limit=5000",
            "walk ÷ ceiling, classes limit=5000",
            "walk ÷ ceiling, 1.2 users limit=5000",
            "walk ÷ ceiling, 1.2 enrollments limit=5000",
            "1.2 walk ÷ 1.1 walk, classes limit=5000",
            "console on ÷ off, walk users limit=5000",
            "console on ÷ off, walk enrollments limit=5000",
            "2 workers ÷ 1, 8 clients, users limit=5000",
            "last page ÷ first, sequential walk, users",
            "page at 90 % depth ÷ first, enrollments",
            "delta 0.1 % ÷ first page, users",
            "email lookup ÷ id lookup",
            "X-Total-Count on ÷ off, filtered, users",
            "import ÷ sqlite3 .import of the same CSV",
            "import peak memory (RssAnon)",
            "no-change re-import ÷ first",
        ):
            assert measure in targets, (backend, measure)
    assert "walk ÷ SQLite's, users limit=5000" in {
        row["measure"] for row in rows if row["backend"] == "postgresql"
    }
    # The count is left out with `Prefer: count=none` (the harness's default --count-off).
    counted = [row for row in rows if row["measure"].startswith("X-Total-Count on ÷ off")]
    assert len(counted) == 8 and all(isinstance(row["value"], float) for row in counted), counted
    for row in rows:
        assert row["verdict"] in ({"holds", "falls short", "not measured"} if row["target"] else {""}), row
        assert row["verdict"] == "not measured" or isinstance(row["value"], float), row
        assert f"{row['measure']:58}" in first
    # Every walk delivered exactly the active records the store holds (the harness checks each one).
    walks = result["measured"]["sqlite"]["walks"]
    assert walks["users limit=5000"]["records"] == walks["users limit=5000"]["runs"][0]["records"] > 60
    assert walks["1.2 users limit=5000"]["records"] == walks["users limit=5000"]["records"]

    again = bench()
    assert "import ..." not in again and "demo-data" not in again
