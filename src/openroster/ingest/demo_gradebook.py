"""The demo district's resources and gradebook, built from its generated rosters.

Resources: per subject taught, a digital textbook linked to every course of that subject and a
practice site linked to every scheduled class of it. Gradebook: four district-wide categories;
each mathematics class has one lineItem per grading period of its terms, and each lineItem due
before the reference date (January 15 of the school year's spring) has results for most of the
class's students: most fully graded, some exempt, some not submitted, some above the maximum
(extra credit), a few not entered at all. Later lineItems are assigned but have no results yet.

Everything is drawn from the generator's own random stream, after the rosters, so adding the
gradebook leaves every roster record as it was.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from openroster.ingest.demo_school import Record

GRADEBOOK_ENTITIES = ("resource", "classResource", "courseResource", "category", "lineItem", "result")
GRADED_SUBJECT = "Mathematics"


@dataclass(frozen=True)
class _Category:
    sourced_id: str
    title: str
    item: str  # what one lineItem of the category is called
    maximum: float


CATEGORIES = (
    _Category("cat-homework", "Homework", "Homework", 10.0),
    _Category("cat-quizzes", "Quizzes", "Quiz", 20.0),
    _Category("cat-tests", "Tests", "Unit Test", 100.0),
    _Category("cat-projects", "Projects", "Project", 50.0),
)
_DAY_MS = 86_400_000


def _ms(day: date, hour: int) -> int:
    return int(datetime(day.year, day.month, day.day, hour, tzinfo=UTC).timestamp() * 1000)


def _slug(subject: str) -> str:
    return "".join(word[0] for word in subject.upper().split())


class _GradebookBuilder:
    def __init__(self, rng: random.Random, roster: dict[str, list[Record]], year: int) -> None:
        self.rng = rng
        self.roster = roster
        self.reference_ms = _ms(date(year, 1, 15), 0)
        self.out: dict[str, list[Record]] = {name: [] for name in GRADEBOOK_ENTITIES}

    def build(self) -> dict[str, list[Record]]:
        textbooks, practice = self.add_resources()
        for course in self.roster["course"]:
            subject = (course.get("subjects") or [None])[0]
            if subject in textbooks:
                self.out["courseResource"].append(
                    {
                        "sourcedId": "crr-" + course["sourcedId"][4:],
                        "status": "active",
                        "title": f"{course['title']} textbook",
                        "course": course["sourcedId"],
                        "resource": textbooks[subject],
                    }
                )
        for klass in self.roster["class"]:
            subject = (klass.get("subjects") or [None])[0]
            if subject in practice and klass["classType"] == "scheduled":
                self.out["classResource"].append(
                    {
                        "sourcedId": "clr-" + klass["sourcedId"][4:],
                        "status": "active",
                        "title": f"{subject} practice",
                        "class": klass["sourcedId"],
                        "resource": practice[subject],
                    }
                )
        self.out["category"] = [
            {"sourcedId": c.sourced_id, "status": "active", "title": c.title} for c in CATEGORIES
        ]
        self.add_line_items_and_results()
        return self.out

    def add_resources(self) -> tuple[dict[str, str], dict[str, str]]:
        """A textbook (for courses) and a practice site (for classes) per subject taught."""
        subjects = sorted({s for course in self.roster["course"] for s in course.get("subjects", [])})
        textbooks: dict[str, str] = {}
        practice: dict[str, str] = {}
        for number, subject in enumerate(subjects, start=1):
            slug = _slug(subject)
            for kind, title, roles, importance, ids in (
                ("TXT", f"{subject} Digital Textbook", ["student", "teacher"], "primary", textbooks),
                ("PRC", f"{subject} Practice Lab", ["student"], "secondary", practice),
            ):
                sourced_id = f"rsc-{number:03d}-{kind.lower()}"
                self.out["resource"].append(
                    {
                        "sourcedId": sourced_id,
                        "status": "active",
                        "vendorResourceId": f"{slug}-{kind}-{number:03d}",
                        "title": title,
                        "roles": roles,
                        "importance": importance,
                        "vendorId": "vnd-brightpath",
                        "applicationId": f"app-{kind.lower()}",
                    }
                )
                ids[subject] = sourced_id
        return textbooks, practice

    def add_line_items_and_results(self) -> None:
        sessions = self.roster["academicSession"]
        periods_of = {
            term["sourcedId"]: [
                s for s in sessions if s.get("parent") == term["sourcedId"] and s["type"] == "gradingPeriod"
            ]
            for term in sessions
            if term["type"] == "term"
        }
        graded = {c["sourcedId"]: c for c in self.roster["class"] if GRADED_SUBJECT in c.get("subjects", [])}
        students: dict[str, list[str]] = {class_id: [] for class_id in graded}
        for enrollment in self.roster["enrollment"]:
            if enrollment["role"] == "student" and enrollment["class"] in students:
                students[enrollment["class"]].append(enrollment["user"])
        for class_id, klass in graded.items():
            periods = [p for term in klass["terms"] for p in periods_of.get(term, [])]
            for quarter, period in enumerate(periods, start=1):
                category = CATEGORIES[(quarter - 1) % len(CATEGORIES)]
                item = self._line_item(klass, quarter, period, category)
                self.out["lineItem"].append(item)
                if item["dueDate"] < self.reference_ms:
                    self._results(item, category, students[class_id])

    def _line_item(self, klass: Record, quarter: int, period: Record, category: _Category) -> Record:
        start, end = date.fromisoformat(period["startDate"]), date.fromisoformat(period["endDate"])
        assigned = start + timedelta(days=self.rng.randrange(7, 15))
        due = max(assigned + timedelta(days=7), end - timedelta(days=self.rng.randrange(7, 12)))
        course_title = klass["title"].split(" - ")[0]
        return {
            "sourcedId": f"li-{klass['sourcedId'][4:]}-{quarter}",
            "status": "active",
            "title": f"{category.item} {quarter}: {course_title}",
            "description": f"{category.item} for {period['title']}",
            "assignDate": _ms(assigned, 8),
            "dueDate": _ms(due, 23),
            "class": klass["sourcedId"],
            "category": category.sourced_id,
            "gradingPeriod": period["sourcedId"],
            "resultValueMin": 0.0,
            "resultValueMax": category.maximum,
        }

    def _results(self, item: Record, category: _Category, students: Iterable[str]) -> None:
        rng, results = self.rng, self.out["result"]
        maximum = category.maximum
        for student in students:
            roll = rng.random()
            if roll < 0.04:
                continue  # not entered yet
            record: Record = {
                "sourcedId": f"rlt-{len(results) + 1:07d}",
                "status": "active",
                "lineItem": item["sourcedId"],
                "student": student,
            }
            if roll < 0.07:
                record["scoreStatus"] = "exempt"
                record["comment"] = "Excused"
            elif roll < 0.12:
                record["scoreStatus"] = "not submitted"
            else:
                record["scoreStatus"] = "fully graded"
                if roll < 0.16:
                    record["score"] = maximum + rng.choice((1.0, 2.0, 5.0)) * maximum / 10
                    record["comment"] = "Extra credit"
                else:
                    share = min(1.0, max(0.3, rng.gauss(0.82, 0.12)))
                    record["score"] = round(share * maximum * 2) / 2
            record["scoreDate"] = item["dueDate"] + rng.randrange(1, 6) * _DAY_MS
            results.append(record)


def generate_gradebook(
    rng: random.Random, roster: dict[str, list[Record]], year: int
) -> dict[str, list[Record]]:
    """Resources, their course and class links, categories, lineItems and results for `roster`."""
    return _GradebookBuilder(rng, roster, year).build()
