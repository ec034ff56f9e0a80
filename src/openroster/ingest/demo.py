"""Generate a realistic, deterministic demo school district as OneRoster 1.1 records.

`generate_demo` builds one district with its schools, the academic calendar of one school year,
courses and class sections, staff, students with their guardians, enrollments and demographics,
then resources and a gradebook for them (`openroster.ingest.demo_gradebook`).
The result is a mapping from entity name to *records* in the form defined by
`openroster.model.values` (no `dateLastModified`: the importer stamps it), ready to be written
as a CSV bundle by `write_demo_bundle`.

Properties the data is built to have (they are what Microsoft School Data Sync checks):

* everything is a pure function of the arguments: all randomness comes from one
  `random.Random(seed)` and nothing depends on today's date;
* sourcedIds are short, stable and free of personal data (``sch-0002``, ``stu-000123``,
  ``cls-0001-004``, ``enr-0000042``);
* users and orgs carry a non-empty `identifier`; usernames contain no ``@``; every email is
  unique; guardians and students point at each other through `agents`;
* every class has at least one term; students sit only in classes of their own grade, and
  a school's grades follow its level (schools rotate elementary KG-05, middle 06-08,
  high 09-12).

The run time and the output size are linear in the number of students.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from openroster.ingest.demo_gradebook import generate_gradebook
from openroster.ingest.demo_school import (
    DEFAULT_SCHOOL_YEAR,
    DISTRICT_TOWNS,
    ENTITY_NAMES,
    FAMILY_NAMES,
    FEMALE_NAMES,
    HOMEROOM_PERIOD,
    LEVELS,
    MALE_NAMES,
    RACES,
    RESIDENCE_STATUSES,
    SCHOOL_NAMESAKES,
    STATES,
    USER_FLAGS,
    CourseSpec,
    Level,
    Record,
    calendar,
    school_level,
)

__all__ = [
    "DEFAULT_SCHOOL_YEAR",
    "ENTITY_NAMES",
    "LEVELS",
    "RESIDENCE_STATUSES",
    "USER_FLAGS",
    "generate_demo",
    "school_level",
    "write_demo_bundle",
]


# --- working state of one generation run --------------------------------------------------------


@dataclass(slots=True)
class _School:
    number: int  # 1-based
    level: Level
    next_room: int = 101
    class_count: int = 0

    @property
    def sourced_id(self) -> str:
        return f"sch-{self.number:04d}"


@dataclass(slots=True)
class _Teacher:
    sourced_id: str
    family_name: str
    room: str
    free_periods: list[str]


@dataclass(slots=True)
class _Student:
    record: Record
    school: _School
    grade: str
    electives: tuple[CourseSpec, ...]


@dataclass(slots=True)
class _Section:
    """The classes of one course at one school, filled in turn."""

    class_ids: list[str]
    filled: int = 0

    def next_class(self) -> str:
        class_id = self.class_ids[self.filled % len(self.class_ids)]
        self.filled += 1
        return class_id


class _Usernames:
    """Hands out unique usernames: a letters-and-dots base, then base2, base3, ... on reuse."""

    def __init__(self) -> None:
        self._uses: dict[str, int] = {}

    def claim(self, *parts: str) -> str:
        base = ".".join(re.sub(r"[^a-z]", "", part.lower()) for part in parts)
        uses = self._uses.get(base, 0) + 1
        self._uses[base] = uses
        return base if uses == 1 else f"{base}{uses}"


@dataclass
class _Output:
    orgs: list[Record] = field(default_factory=list)
    sessions: list[Record] = field(default_factory=list)
    courses: list[Record] = field(default_factory=list)
    classes: list[Record] = field(default_factory=list)
    staff: list[Record] = field(default_factory=list)
    students: list[Record] = field(default_factory=list)
    guardians: list[Record] = field(default_factory=list)
    enrollments: list[Record] = field(default_factory=list)
    demographics: list[Record] = field(default_factory=list)

    def as_mapping(self) -> dict[str, list[Record]]:
        return {
            "org": self.orgs,
            "academicSession": self.sessions,
            "course": self.courses,
            "class": self.classes,
            "user": self.staff + self.students + self.guardians,
            "enrollment": self.enrollments,
            "demographics": self.demographics,
        }


Offerings = dict[tuple[str, str], list[CourseSpec]]  # (level name, grade) -> courses


def _offerings() -> tuple[Offerings, Offerings]:
    """Per level and grade: the courses every student takes, and the electives to choose from."""
    required: Offerings = {}
    electives: Offerings = {}
    for level in LEVELS:
        for grade in level.grades:
            offered = [c for c in level.courses if grade in c.grades]
            required[(level.name, grade)] = [c for c in offered if not c.elective]
            electives[(level.name, grade)] = [c for c in offered if c.elective]
    return required, electives


def _flag(value: bool) -> str:
    return "true" if value else "false"


class _DistrictBuilder:
    """Builds one district; methods run in a fixed order so that the random stream is stable."""

    def __init__(self, rng: random.Random, year: int) -> None:
        self.rng = rng
        self.year = year
        self.out = _Output()
        self.usernames = _Usernames()
        self.town = rng.choice(DISTRICT_TOWNS)
        self.state = rng.choice(STATES)
        slug = re.sub(r"[^a-z]", "", self.town.lower())
        self.staff_domain = f"{slug}schools.example.org"
        self.student_domain = f"students.{slug}schools.example.org"
        self.district_id = "dst-0001"
        self.lea_code = f"{self.state.fips}{rng.randrange(10_000, 100_000)}"
        self.schools: list[_School] = []
        self.required, self.electives = _offerings()
        self.term_ids = {
            "year": [f"trm-{year}-1", f"trm-{year}-2"],
            "fall": [f"trm-{year}-1"],
            "spring": [f"trm-{year}-2"],
        }
        self.sections: dict[tuple[str, str], _Section] = {}
        self.current_teacher: dict[tuple[str, str], _Teacher] = {}
        self.staff_count = 0
        self.teacher_count = 0
        self.guardian_count = 0

    # -- orchestration

    def build(self, schools: int, students: int) -> dict[str, list[Record]]:
        self.add_orgs(schools)
        self.out.sessions = calendar(self.year)
        self.add_administrators()
        planned = self.add_students_and_guardians(students)
        demand = self._course_demand(planned)
        for school in self.schools:
            self.add_courses_and_classes(school, demand)
        for student in planned:
            self.enroll(student)
        roster = self.out.as_mapping()
        return {**roster, **generate_gradebook(self.rng, roster, self.year)}

    # -- orgs

    def add_orgs(self, count: int) -> None:
        self.out.orgs.append(
            {
                "sourcedId": self.district_id,
                "status": "active",
                "name": f"{self.town} Unified School District",
                "type": "district",
                "identifier": self.lea_code,
            }
        )
        for position in range(count):
            level = school_level(position)
            namesake = SCHOOL_NAMESAKES[position % len(SCHOOL_NAMESAKES)]
            repeat = position // len(SCHOOL_NAMESAKES)
            name = f"{namesake} {level.name} School" + (f" {repeat + 1}" if repeat else "")
            school = _School(position + 1, level)
            self.schools.append(school)
            self.out.orgs.append(
                {
                    "sourcedId": school.sourced_id,
                    "status": "active",
                    "name": name,
                    "type": "school",
                    "identifier": f"{self.lea_code}{position + 1:05d}",
                    "parent": self.district_id,
                }
            )

    # -- people

    def _person_name(self, sex: str) -> tuple[str, str]:
        given = self.rng.choice(FEMALE_NAMES if sex == "female" else MALE_NAMES)
        return given, self.rng.choice(FAMILY_NAMES)

    def _staff_record(self, sourced_id: str, role: str, org: str, sex: str) -> Record:
        self.staff_count += 1
        given, family = self._person_name(sex)
        username = self.usernames.claim(given, family)
        return {
            "sourcedId": sourced_id,
            "status": "active",
            "enabledUser": "true",
            "orgs": [org],
            "role": role,
            "username": username,
            "userIds": [{"type": "LDAP", "identifier": username}],
            "givenName": given,
            "familyName": family,
            "identifier": f"E{self.staff_count:05d}",
            "email": f"{username}@{self.staff_domain}",
        }

    def add_administrators(self) -> None:
        for number in (1, 2):
            sex = self.rng.choice(("female", "male"))
            self.out.staff.append(
                self._staff_record(f"adm-{number:03d}", "administrator", self.district_id, sex)
            )

    def add_students_and_guardians(self, count: int) -> list[_Student]:
        """Students come in families of one to three children, most with one or two guardians."""
        seats = self._seats(count)
        planned: list[_Student] = []
        while len(planned) < count:
            size = min(self._family_size(), count - len(planned))
            self._add_family(seats[len(planned) : len(planned) + size], planned)
        return planned

    def _seats(self, count: int) -> list[tuple[_School, str]]:
        """School and grade of every student: schools share `count` evenly, grades are drawn from
        the school's level, and the seats are shuffled so that siblings attend any school."""
        seats: list[tuple[_School, str]] = []
        for position, school in enumerate(self.schools):
            share = count // len(self.schools) + (1 if position < count % len(self.schools) else 0)
            seats.extend((school, self.rng.choice(school.level.grades)) for _ in range(share))
        self.rng.shuffle(seats)
        return seats

    def _family_size(self) -> int:
        roll = self.rng.random()
        return 1 if roll < 0.6 else 2 if roll < 0.9 else 3

    def _add_family(self, seats: list[tuple[_School, str]], planned: list[_Student]) -> None:
        family_name = self.rng.choice(FAMILY_NAMES)
        children = []
        for school, grade in seats:
            children.append(self._add_student(school, grade, family_name, len(planned) + 1))
            planned.append(children[-1])
        guardian_ids = self._add_guardians(family_name, children)
        if guardian_ids:
            for child in children:
                child.record["agents"] = list(guardian_ids)

    def _add_student(self, school: _School, grade: str, family_name: str, number: int) -> _Student:
        rng = self.rng
        sex = rng.choice(("female", "male"))
        names = FEMALE_NAMES if sex == "female" else MALE_NAMES
        given = rng.choice(names)
        sourced_id = f"stu-{number:06d}"
        username = self.usernames.claim(given, family_name)
        record: Record = {
            "sourcedId": sourced_id,
            "status": "active",
            "enabledUser": "true",
            "orgs": [school.sourced_id],
            "role": "student",
            "username": username,
            "userIds": [{"type": "LDAP", "identifier": username}],
            "givenName": given,
            "familyName": family_name,
        }
        if rng.random() < 0.4:
            record["middleName"] = rng.choice(names)
        record["identifier"] = str(1_000_000 + number)
        record["email"] = f"{username}@{self.student_domain}"
        record["grades"] = [grade]
        flags = self._user_flags()
        if flags:
            record["metadata"] = {"microsoft.userFlags": ",".join(flags)}
        self.out.students.append(record)
        self.out.demographics.append(self._demographics(sourced_id, sex, grade))
        options = self.electives[(school.level.name, grade)]
        chosen = rng.sample(options, min(school.level.electives_per_student, len(options)))
        return _Student(record, school, grade, tuple(chosen))

    def _user_flags(self) -> list[str]:
        """SDS user flags, in the order of USER_FLAGS; LEP only ever accompanies ELL."""
        odds = {
            "freeLunch": 0.32,
            "homeless": 0.015,
            "giftedOrTalented": 0.07,
            "504": 0.04,
            "ELL": 0.09,
            "IEP": 0.12,
        }
        flags = [flag for flag, chance in odds.items() if self.rng.random() < chance]
        if "ELL" in flags and self.rng.random() < 0.5:
            flags.append("LEP")
        return sorted(flags, key=USER_FLAGS.index)

    def _add_guardians(self, family_name: str, children: list[_Student]) -> list[str]:
        if self.rng.random() < 0.1:
            return []
        count = 1 if self.rng.random() < 0.4 else 2
        child_ids = [child.record["sourcedId"] for child in children]
        schools = sorted({child.school.sourced_id for child in children})
        return [self._add_guardian(family_name, child_ids, schools) for _ in range(count)]

    def _add_guardian(self, family_name: str, child_ids: list[str], schools: list[str]) -> str:
        rng = self.rng
        self.guardian_count += 1
        number = self.guardian_count
        role = "parent" if rng.random() < 0.85 else "guardian"
        given, other_family = self._person_name(rng.choice(("female", "male")))
        family = family_name if role == "parent" and rng.random() < 0.8 else other_family
        username = self.usernames.claim(given, family)
        sourced_id = f"grd-{number:06d}"
        record: Record = {
            "sourcedId": sourced_id,
            "status": "active",
            "enabledUser": "true",
            "orgs": list(schools),
            "role": role,
            "username": username,
            "givenName": given,
            "familyName": family,
            "identifier": f"P{number:06d}",
            "email": f"{username}@{rng.choice(('example.com', 'example.net'))}",
        }
        phone = f"({self.state.area_code}) 555-01{rng.randrange(100):02d}"
        if rng.random() < 0.5:
            record["sms"] = phone
        record["phone"] = phone
        record["agents"] = list(child_ids)
        self.out.guardians.append(record)
        return sourced_id

    # -- demographics

    def _demographics(self, sourced_id: str, sex: str, grade: str) -> Record:
        rng = self.rng
        record: Record = {
            "sourcedId": sourced_id,
            "status": "active",
            "birthDate": self._birth_date(grade),
            "sex": sex,
        }
        record.update(self._races())
        record["hispanicOrLatinoEthnicity"] = _flag(rng.random() < 0.26)
        record["countryOfBirthCode"] = "US"
        record["stateOfBirthAbbreviation"], record["cityOfBirth"] = self._birthplace()
        record["publicSchoolResidenceStatus"] = rng.choices(RESIDENCE_STATUSES, weights=(86, 7, 5, 1, 1))[0]
        return record

    def _birth_date(self, grade: str) -> str:
        """A birthday that makes the student 5 + grade years old on September 1 of the fall."""
        years_in_school = 0 if grade == "KG" else int(grade)
        fall = self.year - 1
        earliest = date(fall - 6 - years_in_school, 9, 2)
        latest = date(fall - 5 - years_in_school, 9, 1)
        return (earliest + timedelta(days=self.rng.randrange((latest - earliest).days + 1))).isoformat()

    def _races(self) -> dict[str, str]:
        if self.rng.random() < 0.08:
            chosen = set(self.rng.sample(RACES, 2))
        else:
            chosen = {self.rng.choices(RACES, weights=(2, 7, 14, 1, 76))[0]}
        races = {race: _flag(race in chosen) for race in RACES}
        races["demographicRaceTwoOrMoreRaces"] = _flag(len(chosen) > 1)
        return races

    def _birthplace(self) -> tuple[str, str]:
        roll = self.rng.random()
        if roll < 0.6:
            return self.state.abbreviation, self.town
        state = self.state if roll < 0.8 else self.rng.choice(STATES)
        return state.abbreviation, self.rng.choice(state.cities)

    # -- courses, classes and their teachers

    def _courses_of(self, student: _Student) -> list[CourseSpec]:
        return self.required[(student.school.level.name, student.grade)] + list(student.electives)

    def _course_demand(self, planned: list[_Student]) -> dict[tuple[str, str], int]:
        """How many students take each (school sourcedId, course code)."""
        demand: dict[tuple[str, str], int] = {}
        for student in planned:
            for spec in self._courses_of(student):
                key = (student.school.sourced_id, spec.code)
                demand[key] = demand.get(key, 0) + 1
        return demand

    def add_courses_and_classes(self, school: _School, demand: dict[tuple[str, str], int]) -> None:
        """Every course of the school's level, with enough sections for its students (one at least,
        exactly one homeroom class per grade)."""
        for index, spec in enumerate(school.level.courses, start=1):
            course_id = f"crs-{school.number:04d}-{index:03d}"
            self.out.courses.append(self._course_record(course_id, school, spec))
            students = demand.get((school.sourced_id, spec.code), 0)
            sections = 1 if spec.homeroom else max(1, -(-students // school.level.class_size))
            class_ids = [
                self._add_class(school, spec, course_id, section) for section in range(1, sections + 1)
            ]
            self.sections[(school.sourced_id, spec.code)] = _Section(class_ids)

    def _course_record(self, course_id: str, school: _School, spec: CourseSpec) -> Record:
        record: Record = {
            "sourcedId": course_id,
            "status": "active",
            "schoolYear": f"sy-{self.year}",
            "title": spec.title,
            "courseCode": spec.code,
            "grades": list(spec.grades),
            "org": school.sourced_id,
        }
        if spec.subject:
            record["subjects"] = [spec.subject]
            record["subjectCodes"] = [spec.subject_code]
        return record

    def _add_class(self, school: _School, spec: CourseSpec, course_id: str, section: int) -> str:
        school.class_count += 1
        class_id = f"cls-{school.number:04d}-{school.class_count:03d}"
        periods = (HOMEROOM_PERIOD,) if spec.homeroom else school.level.periods
        teacher, slots = self._assign_teacher(school, spec.department, spec.periods, periods)
        if spec.homeroom:
            title = f"{spec.title} - {teacher.family_name}"
        else:
            title = f"{spec.title} - P{'/'.join(slots)} - {teacher.family_name}"
        record: Record = {
            "sourcedId": class_id,
            "status": "active",
            "title": title,
            "grades": list(spec.grades),
            "course": course_id,
            "classCode": f"{spec.code}-{section:02d}",
            "classType": "homeroom" if spec.homeroom else "scheduled",
            "location": spec.location or teacher.room,
            "school": school.sourced_id,
            "terms": list(self.term_ids[spec.terms]),
        }
        if spec.subject:
            record["subjects"] = [spec.subject]
            record["subjectCodes"] = [spec.subject_code]
        record["periods"] = slots
        self.out.classes.append(record)
        self._add_enrollment(class_id, school.sourced_id, teacher.sourced_id, "teacher", "true")
        if not (spec.homeroom or spec.elective) and self.rng.random() < 0.1:
            co_teacher, _ = self._assign_teacher(
                school, "Special Education", len(slots), school.level.periods
            )
            self._add_enrollment(class_id, school.sourced_id, co_teacher.sourced_id, "teacher", "false")
        return class_id

    def _assign_teacher(
        self, school: _School, department: str, slots: int, periods: tuple[str, ...]
    ) -> tuple[_Teacher, list[str]]:
        """The department's newest teacher takes the section if free for `slots` more periods;
        otherwise the school hires another one."""
        key = (school.sourced_id, department)
        teacher = self.current_teacher.get(key)
        if teacher is None or len(teacher.free_periods) < slots:
            teacher = self._hire_teacher(school, periods)
            self.current_teacher[key] = teacher
        taken = teacher.free_periods[:slots]
        del teacher.free_periods[:slots]
        return teacher, taken

    def _hire_teacher(self, school: _School, periods: tuple[str, ...]) -> _Teacher:
        self.teacher_count += 1
        sourced_id = f"tch-{self.teacher_count:05d}"
        record = self._staff_record(
            sourced_id, "teacher", school.sourced_id, self.rng.choice(("female", "male"))
        )
        self.out.staff.append(record)
        free = list(periods)
        if len(free) > 1:
            free.remove(self.rng.choice(free))  # the teacher's planning period
        room = f"Room {school.next_room}"
        school.next_room += 1
        return _Teacher(sourced_id, record["familyName"], room, free)

    # -- enrollments

    def _add_enrollment(
        self, class_id: str, school_id: str, user_id: str, role: str, primary: str | None = None
    ) -> None:
        record: Record = {
            "sourcedId": f"enr-{len(self.out.enrollments) + 1:07d}",
            "status": "active",
            "class": class_id,
            "school": school_id,
            "user": user_id,
            "role": role,
        }
        if primary is not None:
            record["primary"] = primary
        self.out.enrollments.append(record)

    def enroll(self, student: _Student) -> None:
        """The student joins one section of each course they take, sections filled in turn."""
        school_id = student.school.sourced_id
        for spec in self._courses_of(student):
            class_id = self.sections[(school_id, spec.code)].next_class()
            self._add_enrollment(class_id, school_id, student.record["sourcedId"], "student")


# --- public entry points ------------------------------------------------------------------------


def generate_demo(
    *, schools: int = 3, students: int = 300, seed: int = 1, school_year: int | None = None
) -> dict[str, list[dict[str, Any]]]:
    """Records of a demo district, per entity name (the names in ENTITY_NAMES).

    `schools` schools (levels in rotation: elementary, middle, high) share exactly `students`
    students. The same arguments always give the same records; `school_year` (the calendar
    year in which the school year ends) defaults to DEFAULT_SCHOOL_YEAR, never to today's.
    """
    year = DEFAULT_SCHOOL_YEAR if school_year is None else school_year
    if schools < 1:
        raise ValueError("a demo district needs at least one school")
    if students < 0:
        raise ValueError("the number of students cannot be negative")
    if not 1900 <= year <= 9999:
        raise ValueError(f"school_year {year} is not a 4-digit year from 1900 on")
    return _DistrictBuilder(random.Random(seed), year).build(schools, students)


def write_demo_bundle(out: Path, *, schools: int, students: int, seed: int) -> dict[str, int]:
    """Write a demo district as a bulk OneRoster CSV bundle at `out`; return the records per entity."""
    from openroster.ingest.writer import write_bundle

    records = generate_demo(schools=schools, students=students, seed=seed)
    write_bundle(out, records, mode="bulk")
    return {name: len(items) for name, items in records.items()}
