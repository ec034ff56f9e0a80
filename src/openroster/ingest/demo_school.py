"""The shape of a demo district: name vocabularies, school levels with their courses, the calendar.

Pure data and small pure functions, used by `openroster.ingest.demo` to build the district.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

Record = dict[str, Any]

DEFAULT_SCHOOL_YEAR = 2026
"""The school year generated when none is asked for: 2025-2026 (named, as OneRoster does, by
the calendar year in which it ends), the one containing the fixed reference date 2026-01-15.
It is a constant on purpose, so that the demo data never drifts with the calendar."""

ENTITY_NAMES = (
    "org",
    "academicSession",
    "course",
    "class",
    "user",
    "enrollment",
    "demographics",
    "resource",
    "classResource",
    "courseResource",
    "category",
    "lineItem",
    "result",
)
USER_FLAGS = ("freeLunch", "homeless", "giftedOrTalented", "504", "ELL", "LEP", "IEP")
RESIDENCE_STATUSES = ("01652", "01653", "01654", "01655", "01656")
RACES = (
    "americanIndianOrAlaskaNative",
    "asian",
    "blackOrAfricanAmerican",
    "nativeHawaiianOrOtherPacificIslander",
    "white",
)

# --- name and place vocabularies (ASCII only, so usernames can be derived from them) ----------

FEMALE_NAMES = (
    "Amara",
    "Beatriz",
    "Camila",
    "Delia",
    "Elena",
    "Farah",
    "Greta",
    "Hana",
    "Imani",
    "Josefina",
    "Keiko",
    "Leona",
    "Marisol",
    "Nadia",
    "Odette",
    "Priya",
    "Quinn",
    "Rosalind",
    "Sienna",
    "Tamsin",
    "Ursula",
    "Vivian",
    "Wren",
    "Ximena",
    "Yara",
    "Zoe",
    "Adele",
    "Bronwyn",
    "Clementine",
    "Daphne",
)
MALE_NAMES = (
    "Anselm",
    "Bruno",
    "Cyrus",
    "Dmitri",
    "Emeka",
    "Felix",
    "Gideon",
    "Hugo",
    "Ignacio",
    "Jasper",
    "Kofi",
    "Lorenzo",
    "Magnus",
    "Nikhil",
    "Oscar",
    "Pavel",
    "Rafael",
    "Soren",
    "Tobias",
    "Umar",
    "Vikram",
    "Wesley",
    "Xavier",
    "Yusuf",
    "Zane",
    "Ambrose",
    "Bastian",
    "Cormac",
    "Desmond",
    "Elio",
)
FAMILY_NAMES = (
    "Abernathy",
    "Balogun",
    "Castellanos",
    "Dunmore",
    "Eriksen",
    "Fairweather",
    "Gallagher",
    "Hargrove",
    "Iwasaki",
    "Jablonski",
    "Kowalczyk",
    "Lindqvist",
    "Mbeki",
    "Nakamura",
    "Okonkwo",
    "Pemberton",
    "Quintero",
    "Rasmussen",
    "Sandoval",
    "Thornbury",
    "Underhill",
    "Valdivia",
    "Whitcombe",
    "Yamamoto",
    "Zielinski",
    "Ashdown",
    "Brightwater",
    "Cavanagh",
    "Delacroix",
    "Esposito",
    "Fitzgerald",
    "Grimaldi",
    "Holloway",
    "Ingram",
    "Kapoor",
    "Larkspur",
    "Montague",
    "Novak",
    "O'Rourke",
    "Petrov",
    "Ramanathan",
    "Stroud",
    "Tanaka",
    "Van der Berg",
    "Winslow",
)
SCHOOL_NAMESAKES = (
    "Alder Creek",
    "Bramblewood",
    "Cobalt Ridge",
    "Dovetail",
    "Elm Hollow",
    "Fernbrook",
    "Granite Bay",
    "Heron Point",
    "Ironwood",
    "Juniper Flats",
    "Kestrel Hill",
    "Larch Valley",
)
DISTRICT_TOWNS = ("Marrowfield", "Quillbrook", "Stonemere", "Tallowgate", "Wrenford")


@dataclass(frozen=True)
class State:
    abbreviation: str
    fips: str  # two-digit code that prefixes NCES identifiers
    area_code: str
    cities: tuple[str, ...]


STATES = (
    State("OR", "41", "503", ("Salem", "Eugene", "Bend", "Medford")),
    State("CO", "08", "720", ("Boulder", "Pueblo", "Greeley", "Durango")),
    State("MN", "27", "651", ("Duluth", "Rochester", "Bemidji", "Mankato")),
    State("OH", "39", "614", ("Akron", "Dayton", "Toledo", "Zanesville")),
    State("VA", "51", "540", ("Roanoke", "Norfolk", "Lynchburg", "Winchester")),
    State("WI", "55", "608", ("Madison", "Green Bay", "Eau Claire", "Oshkosh")),
)

# --- school levels and the courses each offers -------------------------------------------------


@dataclass(frozen=True)
class CourseSpec:
    """A course a school of some level offers; each school gets its own course record."""

    title: str
    code: str
    grades: tuple[str, ...]
    department: str  # teachers are hired per school and department
    subject: str = ""
    subject_code: str = ""  # SCED-style: 2-digit subject area + 3-digit course number
    terms: str = "year"  # 'year', 'fall' or 'spring'
    periods: int = 1  # timetable slots one section takes (labs take two)
    elective: bool = False  # chosen by some students instead of taken by all of the grades
    homeroom: bool = False
    location: str = ""  # a fixed room; '' means the teacher's own room


@dataclass(frozen=True)
class Level:
    name: str  # 'Elementary', 'Middle' or 'High'
    grades: tuple[str, ...]
    courses: tuple[CourseSpec, ...]
    electives_per_student: int
    class_size: int
    periods: tuple[str, ...]  # timetable slots of a teaching day


HOMEROOM_PERIOD = "HR"


def _grade_label(grade: str) -> str:
    return "Kindergarten" if grade == "KG" else f"Grade {int(grade)}"


def _homerooms(grades: tuple[str, ...]) -> tuple[CourseSpec, ...]:
    return tuple(
        CourseSpec(f"{_grade_label(g)} Homeroom", f"HR-{g}", (g,), "Homeroom", homeroom=True) for g in grades
    )


def _elementary_courses(grades: tuple[str, ...]) -> tuple[CourseSpec, ...]:
    core = (
        ("Mathematics", "MATH", "02"),
        ("English Language Arts", "ELA", "01"),
        ("Science", "SCI", "03"),
        ("Social Studies", "SS", "04"),
    )
    specials = (
        ("Art", "ART", "05", "fall", "Art Room"),
        ("Music", "MUS", "05", "spring", "Music Room"),
        ("Physical Education", "PE", "08", "year", "Gymnasium"),
    )
    courses: list[CourseSpec] = []
    for number, grade in enumerate(grades):
        label = _grade_label(grade)
        for subject, short, area in core:
            courses.append(
                CourseSpec(
                    f"{label} {subject}", f"{short}-{grade}", (grade,), label, subject, f"{area}9{number}1"
                )
            )
        for subject, short, area, terms, room in specials:
            courses.append(
                CourseSpec(
                    f"{label} {subject}",
                    f"{short}-{grade}",
                    (grade,),
                    subject,
                    subject,
                    f"{area}9{number}5",
                    terms,
                    location=room,
                )
            )
    return tuple(courses)


def _middle_courses(grades: tuple[str, ...]) -> tuple[CourseSpec, ...]:
    core = (
        ("Mathematics", "MATH", "02"),
        ("English", "ENG", "01"),
        ("Science", "SCI", "03"),
        ("Social Studies", "SS", "04"),
    )
    courses = [
        CourseSpec(f"{subject} {int(g)}", f"{short}{int(g)}", (g,), subject, subject, f"{area}8{int(g)}2")
        for g in grades
        for subject, short, area in core
    ]
    courses.append(
        CourseSpec(
            "Middle School Physical Education",
            "PE-MS",
            grades,
            "Physical Education",
            "Physical Education",
            "08811",
            location="Gymnasium",
        )
    )
    electives = (
        ("Concert Band", "BAND-MS", "Music", "05812", "Band Room"),
        ("Spanish Exploratory", "SPAN-MS", "World Languages", "06813", ""),
        ("Art and Design", "ART-MS", "Art", "05814", "Art Room"),
        ("Computer Technology", "TECH-MS", "Computer Science", "10815", "Computer Lab"),
    )
    courses.extend(
        CourseSpec(title, code, grades, subject, subject, sced, elective=True, location=room)
        for title, code, subject, sced, room in electives
    )
    return tuple(courses)


def _high_courses(grades: tuple[str, ...]) -> tuple[CourseSpec, ...]:
    # (title, code, grade, subject, SCED-style code, terms, periods)
    required = (
        ("Algebra I", "ALG1", "09", "Mathematics", "02721", "year", 1),
        ("Geometry", "GEOM", "10", "Mathematics", "02722", "year", 1),
        ("Algebra II", "ALG2", "11", "Mathematics", "02723", "year", 1),
        ("Precalculus", "PCAL", "12", "Mathematics", "02724", "year", 1),
        ("English 9", "ENG9", "09", "English", "01731", "year", 1),
        ("English 10", "ENG10", "10", "English", "01732", "year", 1),
        ("English 11", "ENG11", "11", "English", "01733", "year", 1),
        ("English 12", "ENG12", "12", "English", "01734", "year", 1),
        ("Biology", "BIO", "09", "Science", "03741", "year", 2),
        ("Chemistry", "CHEM", "10", "Science", "03742", "year", 2),
        ("Physics", "PHYS", "11", "Science", "03743", "year", 2),
        ("Environmental Science", "ENVS", "12", "Science", "03744", "year", 1),
        ("World Geography", "WGEO", "09", "Social Studies", "04751", "year", 1),
        ("World History", "WHIS", "10", "Social Studies", "04752", "year", 1),
        ("U.S. History", "USHIS", "11", "Social Studies", "04753", "year", 1),
        ("U.S. Government", "GOVT", "12", "Social Studies", "04754", "fall", 1),
        ("Economics", "ECON", "12", "Social Studies", "04755", "spring", 1),
    )
    electives = (
        ("Spanish I", "SPAN1", "World Languages", "06761", "year", ""),
        ("French I", "FREN1", "World Languages", "06762", "year", ""),
        ("Studio Art", "ART1", "Art", "05763", "year", "Art Room"),
        ("Concert Band", "BAND", "Music", "05764", "year", "Band Room"),
        ("Computer Science Principles", "CSP", "Computer Science", "10765", "year", "Computer Lab"),
        ("Physical Education", "PE", "Physical Education", "08766", "year", "Gymnasium"),
        ("Health", "HLTH", "Physical Education", "08767", "fall", ""),
        ("Psychology", "PSYC", "Social Studies", "04768", "spring", ""),
        ("Journalism", "JOUR", "English", "01769", "year", ""),
    )
    courses = [
        CourseSpec(title, code, (grade,), subject, subject, sced, terms, periods)
        for title, code, grade, subject, sced, terms, periods in required
    ]
    courses.extend(
        CourseSpec(title, code, grades, subject, subject, sced, terms, elective=True, location=room)
        for title, code, subject, sced, terms, room in electives
    )
    return tuple(courses)


def _level(name: str, grades: tuple[str, ...], electives: int, class_size: int, periods: int) -> Level:
    offered = {"Elementary": _elementary_courses, "Middle": _middle_courses, "High": _high_courses}[name](
        grades
    )
    return Level(
        name,
        grades,
        _homerooms(grades) + offered,
        electives,
        class_size,
        tuple(str(p) for p in range(1, periods + 1)),
    )


LEVELS = (
    _level("Elementary", ("KG", "01", "02", "03", "04", "05"), 0, 22, 6),
    _level("Middle", ("06", "07", "08"), 1, 26, 7),
    _level("High", ("09", "10", "11", "12"), 2, 28, 7),
)
"""School levels, assigned to the schools in rotation (the first school is elementary)."""


def school_level(position: int) -> Level:
    """The level of the school at 0-based `position` in the generated org list (after the district)."""
    return LEVELS[position % len(LEVELS)]


# --- the calendar -------------------------------------------------------------------------------


def _monday_on_or_after(day: date) -> date:
    return day + timedelta(days=(7 - day.weekday()) % 7)


def _friday_on_or_before(day: date) -> date:
    return day - timedelta(days=(day.weekday() - 4) % 7)


def _session(
    sourced_id: str, title: str, kind: str, start: date, end: date, year: int, parent: str | None = None
) -> Record:
    record: Record = {
        "sourcedId": sourced_id,
        "status": "active",
        "title": title,
        "type": kind,
        "startDate": start.isoformat(),
        "endDate": end.isoformat(),
    }
    if parent is not None:
        record["parent"] = parent
    record["schoolYear"] = str(year)
    return record


def calendar(year: int) -> list[Record]:
    """One school year (ending in `year`), two semesters of type term, two grading periods each."""
    first_day = _monday_on_or_after(date(year - 1, 8, 18))
    last_day = _friday_on_or_before(date(year, 6, 12))
    fall_end = _friday_on_or_before(date(year, 1, 16))
    spring_start = fall_end + timedelta(days=3)
    year_id = f"sy-{year}"
    sessions = [_session(year_id, f"{year - 1}-{year} School Year", "schoolYear", first_day, last_day, year)]
    terms = (
        (1, f"Fall Semester {year - 1}", first_day, fall_end),
        (2, f"Spring Semester {year}", spring_start, last_day),
    )
    for number, title, start, end in terms:
        term_id = f"trm-{year}-{number}"
        sessions.append(_session(term_id, title, "term", start, end, year, year_id))
        middle = _friday_on_or_before(start + (end - start) / 2)
        halves = ((start, middle), (middle + timedelta(days=3), end))
        for half, (gp_start, gp_end) in enumerate(halves, start=1):
            quarter = 2 * (number - 1) + half
            sessions.append(
                _session(
                    f"gp-{year}-{quarter}",
                    f"Quarter {quarter} {year - 1}-{year}",
                    "gradingPeriod",
                    gp_start,
                    gp_end,
                    year,
                    term_id,
                )
            )
    return sessions
