"""The soak's memory verdict compares the last minute with the minute after its warm-up."""

from __future__ import annotations

from benchmarks.soak import warmed_up


def imported(*ends: float) -> list[dict[str, float]]:
    return [{"ended at second": end} for end in ends]


def test_memory_is_compared_from_when_each_bundle_was_imported_once() -> None:
    assert warmed_up(imported(180.0, 360.0, 540.0), window=60.0, elapsed=600.0) == 360.0


def test_a_run_too_short_for_two_windows_after_the_warm_up_compares_from_the_start() -> None:
    assert warmed_up(imported(180.0, 500.0), window=60.0, elapsed=600.0) == 0.0
    assert warmed_up(imported(30.0), window=20.0, elapsed=60.0) == 0.0
    assert warmed_up([], window=20.0, elapsed=60.0) == 0.0
