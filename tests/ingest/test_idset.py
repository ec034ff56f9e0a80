"""The import's sourcedId sets: exact for the ids in them, 8 bytes per id, duplicates still found by string."""

from __future__ import annotations

from pathlib import Path

from openroster.ingest import Problem
from openroster.ingest._idset import PENDING, IdSet
from openroster.ingest.reader import check_bundle

from .bundles import make_bundle
from .test_problems import problems

MANY = 3 * PENDING + 123  # several sorted arrays and a merge, and some pending hashes


def test_every_id_added_is_in_the_set_and_others_are_not() -> None:
    ids = [f"stu-{n:07d}" for n in range(MANY)]
    found = IdSet()
    assert all(found.add(i) for i in ids)
    assert len(found) == MANY
    assert all(i in found for i in ids)  # before sealing: sorted arrays and pending hashes
    assert not any(f"tch-{n:07d}" in found for n in range(0, MANY, 7))
    found.seal()
    assert all(i in found for i in ids)
    assert not any(f"stu-{n:07d}x" in found for n in range(0, MANY, 7))
    assert 42 not in found  # not a sourcedId at all
    assert len(found) == MANY


def test_an_id_added_again_is_not_new_and_not_counted_twice() -> None:
    found = IdSet(f"enr-{n}" for n in range(PENDING + 10))
    assert not found.add("enr-5")  # in a sorted array
    assert not found.add(f"enr-{PENDING + 5}")  # still pending
    assert found.add("enr-new")
    assert len(found) == PENDING + 11


def test_the_set_holds_about_9_bytes_per_id_not_the_strings() -> None:
    found = IdSet(f"enrollment-{n:012d}-of-a-very-large-district" for n in range(MANY))
    found.seal()
    assert found.memory_bytes() <= 9.5 * MANY + 1024  # the hashes, and an index entry per 8 of them
    empty = IdSet()
    assert empty.memory_bytes() < 1024


class _SameHash(str):
    """A sourcedId whose hash equals every other one's: what a (rare) hash collision looks like."""

    def __hash__(self) -> int:
        return 12345


def test_ids_of_equal_hash_look_like_one_id_to_the_set() -> None:
    found = IdSet([_SameHash("a")])
    assert _SameHash("b") in found
    assert not found.add(_SameHash("b"))


def test_a_reuse_is_reported_at_its_line_in_a_file_of_many_ids(tmp_path: Path) -> None:
    count = PENDING + 500
    lines = [f"cat-{n},t" for n in range(count)]
    lines[count - 2] = "cat-3,again"  # row n is on line n + 2 (the header is line 1)
    lines.append(f"cat-{PENDING + 7},again")
    text = "sourcedId,title\r\n" + "\r\n".join(lines) + "\r\n"
    path = make_bundle(tmp_path, {"category": []}, files={"categories.csv": text})
    message = (
        "The sourcedId '{}' is used again; it was first used on line {}. Give every record its own sourcedId."
    )
    assert problems(path) == [
        Problem("categories.csv", count, "sourcedId", message.format("cat-3", 5)),
        Problem("categories.csv", count + 2, "sourcedId", message.format(f"cat-{PENDING + 7}", PENDING + 9)),
    ]


def test_checking_a_valid_file_of_many_ids_keeps_them_all(tmp_path: Path) -> None:
    text = "sourcedId,title\r\n" + "".join(f"cat-{n},t\r\n" for n in range(MANY))
    path = make_bundle(tmp_path, {"category": []}, files={"categories.csv": text})
    checked = check_bundle(path)
    assert len(checked.ids["category"]) == MANY == checked.counts["category"]
    assert all(f"cat-{n}" in checked.ids["category"] for n in range(MANY))
    assert checked.ids["category"].memory_bytes() <= 9.5 * MANY + 1024
