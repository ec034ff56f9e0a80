"""The demo district generator: deterministic, valid against the catalogue, and SDS-ready."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from openroster.ingest.demo import (
    DEFAULT_SCHOOL_YEAR,
    ENTITY_NAMES,
    LEVELS,
    RESIDENCE_STATUSES,
    USER_FLAGS,
    generate_demo,
    school_level,
    write_demo_bundle,
)
from openroster.model.catalogue import ENTITIES, METADATA, Field, Kind
from openroster.model.values import format_datetime, parse_date, parse_datetime, parse_year

Records = dict[str, list[dict[str, Any]]]

CEDS_GRADES = {"IT", "PR", "PK", "TK", "KG", *(f"{n:02d}" for n in range(1, 14)), "PS", "UG", "Other"}
GUARDIAN_ROLES = {"parent", "guardian"}


@pytest.fixture(scope="module")
def demo() -> Records:
    return generate_demo()


@pytest.fixture(scope="module")
def larger() -> Records:
    return generate_demo(schools=7, students=2500, seed=42, school_year=2031)


@pytest.fixture(params=["demo", "larger"])
def district(request: pytest.FixtureRequest) -> Records:
    records: Records = request.getfixturevalue(request.param)
    return records


def by_id(records: Records, name: str) -> dict[str, dict[str, Any]]:
    return {r["sourcedId"]: r for r in records[name]}


def users_with(records: Records, *roles: str) -> list[dict[str, Any]]:
    return [u for u in records["user"] if u["role"] in roles]


def grade_age(grade: str) -> int:
    return 5 + (0 if grade == "KG" else int(grade))


# --- determinism and arguments ----------------------------------------------------------------


def test_same_seed_gives_the_same_records() -> None:
    assert generate_demo(schools=4, students=500, seed=9) == generate_demo(schools=4, students=500, seed=9)


def test_another_seed_gives_other_records() -> None:
    first, second = generate_demo(seed=1), generate_demo(seed=2)
    assert first["user"] != second["user"]
    assert first["demographics"] != second["demographics"]


def test_returns_exactly_the_roster_entities(demo: Records) -> None:
    assert tuple(demo) == ENTITY_NAMES
    assert set(ENTITY_NAMES) <= set(ENTITIES)


def test_default_school_year_is_a_constant_not_today(demo: Records) -> None:
    assert DEFAULT_SCHOOL_YEAR == 2026
    assert {s["schoolYear"] for s in demo["academicSession"]} == {"2026"}
    assert demo == generate_demo(school_year=2026)


def test_school_year_names_the_year_in_which_it_ends(larger: Records) -> None:
    (year,) = [s for s in larger["academicSession"] if s["type"] == "schoolYear"]
    assert year["schoolYear"] == "2031"
    assert year["startDate"].startswith("2030-08") and year["endDate"].startswith("2031-06")


@pytest.mark.parametrize("arguments", [{"schools": 0}, {"students": -1}, {"school_year": 26}])
def test_rejects_impossible_arguments(arguments: dict[str, int]) -> None:
    with pytest.raises(ValueError):
        generate_demo(**arguments)


@pytest.mark.parametrize(("schools", "students"), [(1, 0), (1, 7), (3, 300), (5, 1234), (12, 50)])
def test_counts_follow_the_arguments(schools: int, students: int) -> None:
    records = generate_demo(schools=schools, students=students, seed=3)
    orgs = records["org"]
    assert sum(o["type"] == "school" for o in orgs) == schools
    assert sum(o["type"] == "district" for o in orgs) == 1
    assert len(users_with(records, "student")) == students
    assert len(records["demographics"]) == students
    per_school = Counter(u["orgs"][0] for u in users_with(records, "student"))
    if students:
        assert max(per_school.values()) - min(per_school.values()) <= 1
    assert len(users_with(records, "administrator")) == 2


def test_more_students_need_more_classes_teachers_and_enrollments() -> None:
    small, big = generate_demo(students=300), generate_demo(students=3000)
    for name in ("class", "enrollment", "user"):
        assert len(big[name]) > 3 * len(small[name]) / 2
    assert len(users_with(big, "teacher")) > len(users_with(small, "teacher"))


# --- validity against the catalogue -------------------------------------------------------------


def check_value(f: Field, value: Any) -> None:
    kind = f.kind
    if kind in (Kind.STRING, Kind.REF):
        assert isinstance(value, str) and value.strip(), f.name
    elif kind is Kind.ENUM:
        assert value in f.enum, f.name
    elif kind is Kind.DATE:
        parse_date(value)
    elif kind is Kind.YEAR:
        parse_year(value)
    elif kind is Kind.BOOLEAN:
        assert value in ("true", "false"), f.name
    elif kind in (Kind.STRING_LIST, Kind.REF_LIST):
        assert isinstance(value, list) and value, f.name
        assert all(isinstance(item, str) and item.strip() and "," not in item for item in value), f.name
        assert len(set(value)) == len(value), f.name
    elif kind is Kind.ENUM_LIST:
        assert isinstance(value, list) and value and set(value) <= set(f.enum), f.name
    elif kind is Kind.FLOAT:
        assert isinstance(value, float), f.name
    elif kind is Kind.DATETIME:
        assert isinstance(value, int) and value > 0, f.name
    elif kind is Kind.USER_IDS:
        assert isinstance(value, list) and value
        for item in value:
            assert set(item) == {"type", "identifier"}
            assert all(isinstance(v, str) and v for v in item.values())
    else:  # pragma: no cover - the demo writes no other kinds
        pytest.fail(f"unexpected kind {kind} for {f.name}")


def test_every_record_fits_the_catalogue(district: Records) -> None:
    for name, records in district.items():
        entity = ENTITIES[name]
        stored = {f.name: f for f in entity.stored_fields}
        for record in records:
            assert set(record) <= set(stored) | {METADATA}, (name, record)
            for f in stored.values():
                if f.required:
                    assert record.get(f.name) not in (None, "", []), (name, f.name, record)
            for key, value in record.items():
                if key == METADATA:
                    assert value and all(isinstance(k, str) and isinstance(v, str) for k, v in value.items())
                else:
                    check_value(stored[key], value)


def test_every_record_is_active_and_leaves_date_last_modified_to_the_importer(district: Records) -> None:
    for records in district.values():
        for record in records:
            assert record["status"] == "active"
            assert "dateLastModified" not in record


def test_sourced_ids_are_unique_short_and_free_of_names(district: Records) -> None:
    surnames = {u["familyName"].lower() for u in district["user"]}
    for name, records in district.items():
        ids = [r["sourcedId"] for r in records]
        assert len(ids) == len(set(ids)), name
        for sourced_id in ids:
            assert len(sourced_id) <= 16 and sourced_id.isascii() and " " not in sourced_id
            assert not any(part in surnames for part in sourced_id.split("-"))


def test_every_reference_names_a_generated_record_of_the_right_entity(district: Records) -> None:
    known = {name: {r["sourcedId"] for r in records} for name, records in district.items()}
    for name, records in district.items():
        refs = [f for f in ENTITIES[name].stored_fields if f.kind in (Kind.REF, Kind.REF_LIST)]
        for record in records:
            for f in refs:
                value = record.get(f.name)
                targets = [value] if isinstance(value, str) else value or []
                assert f.ref is not None
                for target in targets:
                    assert target in known[f.ref], (name, record["sourcedId"], f.name, target)


def test_demographics_belong_to_students(district: Records) -> None:
    students = {u["sourcedId"] for u in users_with(district, "student")}
    assert [d["sourcedId"] for d in district["demographics"]] == [
        u["sourcedId"] for u in district["user"] if u["role"] == "student"
    ]
    assert set(by_id(district, "demographics")) == students


def test_grades_use_the_ceds_vocabulary(district: Records) -> None:
    for name in ("course", "class", "user"):
        for record in district[name]:
            assert set(record.get("grades", [])) <= CEDS_GRADES


def test_subject_codes_pair_with_subjects(district: Records) -> None:
    for name in ("course", "class"):
        for record in district[name]:
            assert len(record.get("subjects", [])) == len(record.get("subjectCodes", []))
            assert all(len(code) == 5 and code.isdigit() for code in record.get("subjectCodes", []))


# --- what Microsoft School Data Sync checks ------------------------------------------------------


def test_every_collection_has_at_least_three_records(demo: Records) -> None:
    for name, records in demo.items():
        assert len(records) >= 3, name


def test_orgs_and_users_have_identifiers(district: Records) -> None:
    for record in district["org"] + district["user"]:
        assert isinstance(record.get("identifier"), str) and record["identifier"].strip()
    for org in district["org"]:
        assert org["identifier"].isdigit()


def test_usernames_are_unique_and_have_no_at_sign(district: Records) -> None:
    usernames = [u["username"] for u in district["user"]]
    assert len(usernames) == len(set(usernames))
    assert not [name for name in usernames if "@" in name or " " in name]


def test_emails_are_unique_and_find_exactly_one_user(district: Records) -> None:
    emails = [u["email"] for u in district["user"] if "email" in u]
    assert len(emails) == len(set(emails))
    teachers = users_with(district, "teacher")
    assert teachers and all(t.get("email", "").count("@") == 1 for t in teachers)


def test_staff_and_students_have_ldap_ids_and_are_enabled(district: Records) -> None:
    for user in users_with(district, "teacher", "student", "administrator"):
        assert user["enabledUser"] == "true"
        assert user["userIds"] == [{"type": "LDAP", "identifier": user["username"]}]


def test_administrators_belong_to_the_district(district: Records) -> None:
    (district_org,) = [o for o in district["org"] if o["type"] == "district"]
    admins = users_with(district, "administrator")
    assert len(admins) >= 2
    assert all(a["orgs"] == [district_org["sourcedId"]] for a in admins)


def test_agents_link_guardians_and_students_both_ways(district: Records) -> None:
    users = by_id(district, "user")
    students = users_with(district, "student")
    guardians = users_with(district, *GUARDIAN_ROLES)
    assert guardians and {g["role"] for g in guardians} == GUARDIAN_ROLES
    for guardian in guardians:
        assert guardian["agents"]
        for child_id in guardian["agents"]:
            child = users[child_id]
            assert child["role"] == "student"
            assert guardian["sourcedId"] in child["agents"]
        assert set(guardian["orgs"]) == {users[c]["orgs"][0] for c in guardian["agents"]}
    for student in students:
        for guardian_id in student.get("agents", []):
            assert users[guardian_id]["role"] in GUARDIAN_ROLES
            assert student["sourcedId"] in users[guardian_id]["agents"]
    with_guardians = [s for s in students if s.get("agents")]
    assert len(with_guardians) >= 0.75 * len(students)  # most students
    assert any(len(g["agents"]) > 1 for g in guardians)  # siblings share guardians


def test_classes_have_terms_that_are_terms(district: Records) -> None:
    sessions = by_id(district, "academicSession")
    for cls in district["class"]:
        assert cls["terms"]
        assert all(sessions[t]["type"] == "term" for t in cls["terms"])
    assert {len(c["terms"]) for c in district["class"]} == {1, 2}


def test_school_years_are_four_digit_strings(district: Records) -> None:
    for session in district["academicSession"]:
        assert isinstance(session["schoolYear"], str) and len(session["schoolYear"]) == 4
        assert session["schoolYear"].isdigit()


def test_user_flags_use_the_sds_tokens(district: Records) -> None:
    flagged = [u for u in district["user"] if METADATA in u]
    assert flagged and all(u["role"] == "student" for u in flagged)
    seen: set[str] = set()
    for user in flagged:
        assert set(user[METADATA]) == {"microsoft.userFlags"}
        tokens = user[METADATA]["microsoft.userFlags"].split(",")
        assert tokens and set(tokens) <= set(USER_FLAGS) and len(tokens) == len(set(tokens))
        seen.update(tokens)
    assert {"freeLunch", "ELL", "IEP"} <= seen


# --- a realistic district -----------------------------------------------------------------------


def test_schools_belong_to_the_district_and_rotate_levels(district: Records) -> None:
    (head,) = [o for o in district["org"] if o["type"] == "district"]
    assert "parent" not in head
    schools = [o for o in district["org"] if o["type"] == "school"]
    for position, school in enumerate(schools):
        assert school["parent"] == head["sourcedId"]
        assert f" {school_level(position).name} School" in school["name"]
        assert school["identifier"].startswith(head["identifier"])


def test_calendar_is_one_year_two_terms_and_four_grading_periods(district: Records) -> None:
    sessions = district["academicSession"]
    kinds = Counter(s["type"] for s in sessions)
    assert kinds == {"schoolYear": 1, "term": 2, "gradingPeriod": 4}
    by = by_id(district, "academicSession")
    for session in sessions:
        assert session["startDate"] < session["endDate"]
        if session["type"] == "schoolYear":
            assert "parent" not in session
            continue
        parent = by[session["parent"]]
        assert parent["type"] == ("schoolYear" if session["type"] == "term" else "term")
        assert parent["startDate"] <= session["startDate"] and session["endDate"] <= parent["endDate"]
    terms = sorted((s for s in sessions if s["type"] == "term"), key=lambda s: s["startDate"])
    assert terms[0]["endDate"] < terms[1]["startDate"]
    children = Counter(s["parent"] for s in sessions if s["type"] == "gradingPeriod")
    assert sorted(children.values()) == [2, 2]


def test_courses_belong_to_a_school_and_the_school_year(district: Records) -> None:
    (year,) = [s["sourcedId"] for s in district["academicSession"] if s["type"] == "schoolYear"]
    schools = {o["sourcedId"] for o in district["org"] if o["type"] == "school"}
    courses = by_id(district, "course")
    for course in courses.values():
        assert course["schoolYear"] == year and course["org"] in schools and course["courseCode"]
    for cls in district["class"]:
        course = courses[cls["course"]]
        assert cls["school"] == course["org"]
        assert cls["grades"] == course["grades"]
        assert cls["periods"] and cls["classCode"] and cls["location"]


def test_grades_follow_the_school_level(district: Records) -> None:
    schools = [o["sourcedId"] for o in district["org"] if o["type"] == "school"]
    level_grades = {sid: set(school_level(i).grades) for i, sid in enumerate(schools)}
    for student in users_with(district, "student"):
        assert student["orgs"] == [student["orgs"][0]] and len(student["grades"]) == 1
        assert student["grades"][0] in level_grades[student["orgs"][0]]
    for course in district["course"]:
        assert set(course["grades"]) <= level_grades[course["org"]]
    for cls in district["class"]:
        assert set(cls["grades"]) <= level_grades[cls["school"]]
    assert {g for level in LEVELS for g in level.grades} == {"KG", *(f"{n:02d}" for n in range(1, 13))}


def test_each_grade_of_each_school_has_one_homeroom(district: Records) -> None:
    schools = [o["sourcedId"] for o in district["org"] if o["type"] == "school"]
    homerooms = Counter(
        (c["school"], c["grades"][0]) for c in district["class"] if c["classType"] == "homeroom"
    )
    expected = {(sid, g) for i, sid in enumerate(schools) for g in school_level(i).grades}
    assert set(homerooms) == expected and set(homerooms.values()) == {1}
    assert {c["classType"] for c in district["class"]} == {"homeroom", "scheduled"}


def test_students_sit_in_their_homeroom_and_classes_of_their_grade(district: Records) -> None:
    classes = by_id(district, "class")
    students = {u["sourcedId"]: u for u in users_with(district, "student")}
    taken: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for enrollment in district["enrollment"]:
        if enrollment["role"] == "student":
            assert "primary" not in enrollment
            taken[enrollment["user"]].append(classes[enrollment["class"]])
            assert enrollment["school"] == classes[enrollment["class"]]["school"]
    pairs = [(e["user"], e["class"]) for e in district["enrollment"]]
    assert len(pairs) == len(set(pairs))
    assert set(taken) == set(students)
    for sid, student in students.items():
        mine = taken[sid]
        grade, school = student["grades"][0], student["orgs"][0]
        assert all(grade in c["grades"] and c["school"] == school for c in mine)
        assert sum(c["classType"] == "homeroom" for c in mine) == 1
        assert sum(c["classType"] == "scheduled" for c in mine) >= 4


def test_every_class_has_one_primary_teacher_from_its_school(district: Records) -> None:
    users = by_id(district, "user")
    primaries: Counter[str] = Counter()
    co_teachers = 0
    for enrollment in district["enrollment"]:
        if enrollment["role"] != "teacher":
            continue
        teacher = users[enrollment["user"]]
        assert teacher["role"] == "teacher" and teacher["orgs"] == [enrollment["school"]]
        if enrollment["primary"] == "true":
            primaries[enrollment["class"]] += 1
        else:
            assert enrollment["primary"] == "false"
            co_teachers += 1
    assert set(primaries) == set(by_id(district, "class")) and set(primaries.values()) == {1}
    assert co_teachers > 0
    teaching = {e["user"] for e in district["enrollment"] if e["role"] == "teacher"}
    assert teaching == {t["sourcedId"] for t in users_with(district, "teacher")}


def test_a_teacher_is_never_in_two_sections_at_once(district: Records) -> None:
    classes = by_id(district, "class")
    slots: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for enrollment in district["enrollment"]:
        if enrollment["role"] == "teacher" and enrollment["primary"] == "true":
            cls = classes[enrollment["class"]]
            for period in cls["periods"]:
                for term in cls["terms"]:
                    slot = (period, term)
                    assert slot not in slots[enrollment["user"]]
                    slots[enrollment["user"]].add(slot)


def test_demographics_are_plausible_for_the_grade(district: Records) -> None:
    (year,) = [s for s in district["academicSession"] if s["type"] == "schoolYear"]
    fall = int(year["schoolYear"]) - 1
    grades = {u["sourcedId"]: u["grades"][0] for u in users_with(district, "student")}
    races = (
        "americanIndianOrAlaskaNative",
        "asian",
        "blackOrAfricanAmerican",
        "nativeHawaiianOrOtherPacificIslander",
        "white",
    )
    for record in district["demographics"]:
        born = date.fromisoformat(record["birthDate"])
        cutoff = date(fall, 9, 1)
        age = cutoff.year - born.year - ((cutoff.month, cutoff.day) < (born.month, born.day))
        assert age == grade_age(grades[record["sourcedId"]])
        assert record["sex"] in ("male", "female")
        true_races = sum(record[r] == "true" for r in races)
        assert true_races >= 1
        assert record["demographicRaceTwoOrMoreRaces"] == ("true" if true_races > 1 else "false")
        assert record["hispanicOrLatinoEthnicity"] in ("true", "false")
        assert record["countryOfBirthCode"] == "US"
        assert len(record["stateOfBirthAbbreviation"]) == 2 and record["cityOfBirth"]
        assert record["publicSchoolResidenceStatus"] in RESIDENCE_STATUSES


def test_some_students_have_middle_names(district: Records) -> None:
    students = users_with(district, "student")
    with_middle = sum("middleName" in s for s in students)
    assert 0 < with_middle < len(students)


# --- the CSV bundle -----------------------------------------------------------------------------


@pytest.mark.parametrize("target", ["bundle", "bundle.zip"])
def test_written_bundle_reads_back_as_the_same_records(tmp_path: Path, target: str) -> None:
    from openroster.ingest.reader import read_bundle

    out = tmp_path / target
    counts = write_demo_bundle(out, schools=4, students=400, seed=11)
    expected = generate_demo(schools=4, students=400, seed=11)
    assert counts == {name: len(records) for name, records in expected.items()}
    bundle = read_bundle(out)
    assert {name for name, mode in bundle.modes.items() if mode == "bulk"} == set(ENTITY_NAMES)
    assert bundle.records == expected


# --- resources and the gradebook ----------------------------------------------------------------


def test_courses_and_scheduled_classes_link_to_a_resource_of_their_subject(district: Records) -> None:
    resources = by_id(district, "resource")
    course_links = {r["course"]: resources[r["resource"]] for r in district["courseResource"]}
    class_links = {r["class"]: resources[r["resource"]] for r in district["classResource"]}
    for course in district["course"]:
        if course.get("subjects"):
            assert course_links[course["sourcedId"]]["title"].startswith(course["subjects"][0])
    for klass in district["class"]:
        if klass.get("subjects") and klass["classType"] == "scheduled":
            assert class_links[klass["sourcedId"]]["title"].startswith(klass["subjects"][0])
        else:
            assert klass["sourcedId"] not in class_links


def test_every_mathematics_class_has_a_line_item_in_each_grading_period_of_its_terms(
    district: Records,
) -> None:
    sessions = by_id(district, "academicSession")
    items_of: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for item in district["lineItem"]:
        items_of[item["class"]].append(item)
    maths = [c for c in district["class"] if "Mathematics" in c.get("subjects", [])]
    assert maths and set(items_of) == {c["sourcedId"] for c in maths}
    for klass in maths:
        periods = sorted(
            s
            for s, session in sessions.items()
            if session.get("parent") in klass["terms"] and session["type"] == "gradingPeriod"
        )
        items = items_of[klass["sourcedId"]]
        assert sorted(i["gradingPeriod"] for i in items) == periods
        for item in items:
            period = sessions[item["gradingPeriod"]]
            assert period["startDate"] <= format_datetime(item["assignDate"])[:10] <= period["endDate"]
            assert item["assignDate"] < item["dueDate"]
            assert format_datetime(item["dueDate"])[:10] <= period["endDate"]
    assert len({i["category"] for i in district["lineItem"]}) == len(district["category"])


def test_most_students_of_a_graded_class_have_results_of_every_kind(district: Records) -> None:
    items = by_id(district, "lineItem")
    enrolled = {(e["class"], e["user"]) for e in district["enrollment"] if e["role"] == "student"}
    statuses: Counter[str] = Counter()
    above = 0
    for result in district["result"]:
        item = items[result["lineItem"]]
        assert (item["class"], result["student"]) in enrolled
        assert result["scoreDate"] > item["dueDate"]
        statuses[result["scoreStatus"]] += 1
        if result["scoreStatus"] == "fully graded":
            assert item["resultValueMin"] <= result["score"]
            above += result["score"] > item["resultValueMax"]
        else:
            assert "score" not in result
    assert {"exempt", "not submitted", "fully graded"} == set(statuses) and above > 0
    reference = parse_datetime(f"{district['academicSession'][0]['endDate'][:4]}-01-15")
    due = [i for i in items.values() if i["dueDate"] < reference]
    assert due and len(due) < len(items)  # the spring's lineItems are not due yet
    seats = sum(1 for i in due for (klass, _) in enrolled if klass == i["class"])
    assert 0.9 * seats < len(district["result"]) < seats
    assert {r["lineItem"] for r in district["result"]} == {i["sourcedId"] for i in due}
