"""The demo's 2022 training, April to October: one course in four two-day sessions, the ISO officer of
every agency of the sample province enrolled, attendance taken, certificates issued.

Enrolment closes before each session and attendance can only be taken once a day has come, so the
demo enrols while the training service's clock stands in March and takes attendance after moving it
back to the demo's November (see `eiso_cli.main.run_demo`). Safe to run twice: the course and the
sessions are found again, a person already enrolled is a 409, and attendance recorded again changes
nothing.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from eiso_cli.api import answered, operator_client
from eiso_cli.campaign import YEAR, ProvinceAgency

#: The training service's clock while people enrol: Monday 28/03/2022, 09:00 giờ Việt Nam.
ENROLMENT_CLOCK = f"{YEAR}-03-28T02:00:00Z"
COURSE = {
    "code": "ISO-9001-2015",
    "title_vi": "Xây dựng, áp dụng, duy trì và cải tiến HTQLCL theo TCVN ISO 9001:2015",
    "required_days": 2,
}
VENUE = "Hội trường Sở Khoa học và Công nghệ"
TRAINER = "Chi cục Tiêu chuẩn Đo lường Chất lượng"
FIRST_DAYS = (date(YEAR, 4, 19), date(YEAR, 6, 14), date(YEAR, 8, 16), date(YEAR, 10, 11))
CAPACITY = 42
#: Every twentieth person misses the second day, so does not complete the course.
ABSENT_EVERY = 20


@dataclass(frozen=True)
class Place:
    session: int  # index into FIRST_DAYS
    agency_code: str
    person_name: str
    attends_second_day: bool


def places(province: list[ProvinceAgency], officers: Callable[[int], str]) -> list[Place]:
    """Each agency's ISO officer, in the province's order, filling the sessions one after another."""
    return [
        Place(index // CAPACITY, agency.code, officers(index), index % ABSENT_EVERY != ABSENT_EVERY - 1)
        for index, agency in enumerate(province)
    ]


def session_body(first_day: date) -> dict[str, Any]:
    days = [first_day, first_day + timedelta(days=1)]
    return {
        "course_code": COURSE["code"],
        "days": [{"on": day.isoformat(), "starts": "07:30", "ends": "16:30"} for day in days],
        "venue": VENUE,
        "trainer": TRAINER,
        "capacity": CAPACITY,
        "enrol_opens_on": f"{YEAR}-03-21",
        "enrol_closes_on": (first_day - timedelta(days=7)).isoformat(),
    }


def enrol(training: str, key: str, seats: list[Place], say: Callable[[str], None]) -> list[str]:
    """The course, its sessions and every place (run while the training clock stands in March);
    the sessions' ids in the order of FIRST_DAYS."""
    with operator_client(key, training) as http:
        course = http.post("/courses", json=COURSE)
        if course.status_code != 409:
            answered(course)
        listed = answered(http.get("/sessions", params={"after": f"{YEAR}-01-01"}))
        existing = {(s["days"][0]["on"], s["venue"]): s["session_id"] for s in listed}
        ids = []
        for first_day in FIRST_DAYS:
            found = existing.get((first_day.isoformat(), VENUE))
            ids.append(found or answered(http.post("/sessions", json=session_body(first_day)))["session_id"])
        for place in seats:
            body = {"agency_code": place.agency_code, "person_name": place.person_name, "role": "iso_officer"}
            answer = http.post(f"/sessions/{ids[place.session]}/enrolments", json=body)
            if answer.status_code != 409:  # already enrolled by an earlier demo
                answered(answer)
        say(f"  {len(seats)} cán bộ ISO đăng ký {len(ids)} lớp")
    return ids


def attend(training: str, key: str, session_ids: list[str], seats: list[Place]) -> list[dict[str, Any]]:
    """Attendance for both days of each session (run once the training clock is back in November);
    each session with its people enrolled and completed, as the training service now has them."""
    absent = {(p.session, p.agency_code) for p in seats if not p.attends_second_day}
    held = []
    with operator_client(key, training) as http:
        for index, session_id in enumerate(session_ids):
            session = answered(http.get(f"/sessions/{session_id}"))
            people = [
                e
                for e in answered(http.get(f"/sessions/{session_id}/enrolments"))
                if e["status"] in ("confirmed", "completed")
            ]
            for number, day in enumerate(session["days"]):
                marks = [
                    {
                        "enrolment_id": e["id"],
                        "mark": "absent" if number and (index, e["agency_code"]) in absent else "present",
                    }
                    for e in people
                ]
                if marks:
                    answered(
                        http.post(
                            f"/sessions/{session_id}/attendance", json={"on": day["on"], "marks": marks}
                        )
                    )
            after = answered(http.get(f"/sessions/{session_id}/enrolments"))
            held.append(
                {
                    "days": [date.fromisoformat(d["on"]) for d in session["days"]],
                    "venue": session["venue"],
                    "enrolled": len(people),
                    "completed": sum(e["status"] == "completed" for e in after),
                }
            )
    return held


def training_text(held: list[dict[str, Any]]) -> str:
    """The training of the year as the department reads it."""
    enrolled = sum(s["enrolled"] for s in held)
    completed = sum(s["completed"] for s in held)
    lines = [
        "",
        f"Đào tạo năm {YEAR} (tháng 4–10): {len(held)} lớp «{COURSE['title_vi']}», "
        f"{enrolled} cán bộ ISO tham dự, {completed} hoàn thành và được cấp giấy chứng nhận",
    ]
    for session in held:
        first, last = session["days"][0], session["days"][-1]
        lines.append(
            f"  {first:%d}–{last:%d/%m/%Y}  {session['venue']}: "
            f"{session['enrolled']} học viên, {session['completed']} hoàn thành"
        )
    return "\n".join(lines)
