"""Training as the province runs it, services as processes on the real broker: seats under concurrent
enrolment, the waiting list, clashes, attendance to completion to the compliance score, certificates
verified without a key, calendars, invitations of lagging agencies, and a signed-in trainer who reads
and marks the sessions they teach, no other.

The stack's clock is fixed at 11/05/2022 10:00 (giờ Việt Nam), inside the 2022 training window."""

import asyncio
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from icalendar import Calendar

from contracts import Topic
from tests.e2e.stack import Stack, running
from tests.e2e.test_people import PASSWORD, invite
from tests.e2e.training_support import (
    NOW,
    agencies,
    anonymous,
    calendar_app_subscribes_with_a_feed_token_until_it_is_revoked,
    new_session,
    types_for,
)
from tests.factories import unique_code
from tests.kafka_tools import caught_up, eventually, read_until

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def stack(
    kafka: str, database_url: Callable[[str], str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    names = ("registry", "compliance", "training")
    with running(
        kafka, database_url, tmp_path_factory.mktemp("logs"), names=names, clock_fixed_at=NOW
    ) as stack:
        stack.client("training").post(
            "/courses", json={"code": "ISO-NT", "title_vi": "Nhận thức TCVN ISO 9001:2015"}
        )
        yield stack


async def test_concurrent_enrolments_sell_each_seat_once_and_a_freed_seat_goes_to_the_first_waiting(
    stack: Stack,
) -> None:
    codes = await agencies(stack, 12)
    session = new_session(stack)
    url = f"{stack.url('training')}/sessions/{session['session_id']}/enrolments"

    async def enrol(code: str) -> httpx.Response:
        bearer = {"Authorization": f"Bearer {stack.operator_key}"}
        async with httpx.AsyncClient(headers=bearer, timeout=60) as http:
            return await http.post(
                url, json={"agency_code": code, "person_name": f"Cán bộ {code}", "role": "iso_officer"}
            )

    responses = await asyncio.gather(*(enrol(code) for code in codes))
    assert [r.status_code for r in responses] == [201] * 12
    results = [r.json() for r in responses]
    confirmed = [r for r in results if r["status"] == "confirmed"]
    waiting = sorted(
        (r for r in results if r["status"] == "waitlisted"), key=lambda r: r["waitlist_position"]
    )
    assert len(confirmed) == 5, "no seat sold twice"
    assert [r["waitlist_position"] for r in waiting] == list(range(1, 8))
    listed = stack.client("training").get(f"/sessions/{session['session_id']}").json()
    assert listed["seats_taken"] == 5

    cancelled = stack.client("training").delete(f"/enrolments/{confirmed[0]['enrolment_id']}")
    assert cancelled.status_code == 200
    first_in_line = waiting[0]
    assert cancelled.json() == {"promoted": [first_in_line["enrolment_id"]]}
    told = await read_until(
        stack.kafka,
        Topic.TRAINING_SESSIONS,
        lambda kept: any(t == "enrolment-confirmed" for t, _ in types_for(kept)),
        keep=lambda r: r.key == first_in_line["agency_code"].encode(),
    )
    assert [t for t, _ in types_for(told)] == ["enrolment-waitlisted", "enrolment-confirmed"]
    gone = await read_until(
        stack.kafka,
        Topic.TRAINING_SESSIONS,
        lambda kept: any(t == "enrolment-cancelled" for t, _ in types_for(kept)),
        keep=lambda r: r.key == confirmed[0]["agency_code"].encode(),
    )
    assert [t for t, _ in types_for(gone)] == ["enrolment-confirmed", "enrolment-cancelled"]


async def test_a_venue_clash_and_a_day_outside_the_training_window_are_refused(stack: Stack) -> None:
    taken = new_session(stack)
    clash = stack.client("training").post(
        "/sessions",
        json={
            "course_code": "ISO-NT",
            "days": [{"on": "2022-05-10", "starts": "10:00", "ends": "12:00"}],
            "venue": taken["venue"],
            "trainer": "Người khác",
            "capacity": 10,
            "enrol_opens_on": "2022-05-01",
        },
    )
    assert clash.status_code == 409 and clash.json()["detail"][0]["loc"] == ["body", "venue"]
    stack.client("training").post(
        "/courses", json={"code": "DGNB", "title_vi": "Đánh giá viên nội bộ", "required_days": 3}
    )
    short = stack.client("training").post(
        "/sessions",
        json={
            "course_code": "DGNB",
            "days": [{"on": "2022-06-10", "starts": "08:00", "ends": "11:00"}],
            "venue": "Phòng họp số 2",
            "trainer": "Người khác",
            "capacity": 10,
        },
    )
    assert (
        short.status_code == 422
        and short.json()["detail"][0]["msg"] == "khóa học cần 3 ngày, lớp chỉ có 1 ngày"
    )
    late = stack.client("training").post(
        "/sessions",
        json={
            "course_code": "ISO-NT",
            "days": [{"on": "2022-11-02", "starts": "08:00", "ends": "11:00"}],
            "venue": "Phòng họp",
            "trainer": "Người khác",
            "capacity": 10,
        },
    )
    assert late.status_code == 422
    assert late.json()["detail"][0] == {
        "loc": ["body", "days", 0, "on"],
        "msg": "ngày 02/11/2022 nằm ngoài đợt đào tạo năm 2022 (01/04/2022–31/10/2022)",
        "type": "value_error",
    }


async def test_a_session_on_a_holiday_is_refused_and_one_on_a_saturday_is_not(stack: Stack) -> None:
    training = stack.client("training")
    body = {
        "course_code": "ISO-NT",
        "days": [{"on": "2022-09-02", "starts": "08:00", "ends": "11:00"}],
        "venue": f"Hội trường {unique_code('P')}",
        "trainer": "Người khác",
        "capacity": 10,
    }
    holiday = training.post("/sessions", json=body)
    assert holiday.status_code == 422
    assert holiday.json()["detail"][0] == {
        "loc": ["body", "days", 0, "on"],
        "msg": "ngày 02/09/2022 là ngày nghỉ (Quốc khánh): không mở lớp vào ngày nghỉ",
        "type": "value_error",
    }
    # Late in the window, so that it is never the next session another test's invitation suggests.
    saturday = new_session(stack, days=[{"on": "2022-10-22", "starts": "08:00", "ends": "11:00"}])
    moved = training.patch(
        f"/sessions/{saturday['session_id']}",
        json={"days": [{"on": "2022-04-30", "starts": "08:00", "ends": "11:00"}]},
    )
    assert moved.status_code == 422, "a Saturday, but Ngày Chiến thắng"
    assert moved.json()["detail"][0]["msg"] == (
        "ngày 30/04/2022 là ngày nghỉ (Ngày Chiến thắng): không mở lớp vào ngày nghỉ"
    )


async def test_attendance_completes_the_course_compliance_counts_it_and_anyone_verifies_the_certificate(
    stack: Stack,
) -> None:
    (code,) = await agencies(stack, 1)
    session = new_session(stack)
    training = stack.client("training")
    officer = training.post(
        f"/sessions/{session['session_id']}/enrolments",
        json={"agency_code": code, "person_name": "Nguyễn Thị Mai", "role": "iso_officer"},
    ).json()

    def trained() -> bool:
        body = stack.client("compliance").get(f"/agencies/{code}/compliance", params={"year": 2022}).json()
        return any(r["rule_id"] == "R09" and r["met"] for r in body.get("breakdown", []))

    assert not trained()
    day_one = training.post(
        f"/sessions/{session['session_id']}/attendance",
        json={"on": "2022-05-10", "marks": [{"enrolment_id": officer["enrolment_id"], "mark": "present"}]},
    )
    assert day_one.status_code == 200 and day_one.json()["completed"] == []
    day_two = training.post(
        f"/sessions/{session['session_id']}/attendance",
        json={"on": "2022-05-11", "marks": [{"enrolment_id": officer["enrolment_id"], "mark": "late"}]},
    ).json()
    (completion,) = day_two["completed"]
    assert (completion["completed_on"], completion["role"]) == ("2022-05-11", "iso_officer")
    await eventually(trained, what="compliance counts the training for R09")

    certificate = anonymous(stack, f"/certificates/{completion['certificate_code']}")
    assert certificate.status_code == 200
    assert certificate.json() == {
        "code": completion["certificate_code"],
        "person_name": "Nguyễn Thị Mai",
        "agency_name": f"Sở {code}",
        "course_title_vi": "Nhận thức TCVN ISO 9001:2015",
        "completed_on": "2022-05-11",
        "valid": True,
    }
    assert anonymous(stack, "/certificates/KHONGCOMA9").status_code == 404
    assert anonymous(stack, f"/agencies/{code}/calendar.ics").status_code == 401

    ics = training.get(f"/agencies/{code}/calendar.ics")
    assert ics.headers["content-type"].startswith("text/calendar")
    starts = [e.decoded("dtstart") for e in Calendar.from_ical(ics.content).walk("VEVENT")]
    assert [s.strftime("%d/%m/%Y %H:%M %z") for s in starts] == [
        "10/05/2022 08:00 +0700",
        "11/05/2022 08:00 +0700",
    ]
    calendar_app_subscribes_with_a_feed_token_until_it_is_revoked(stack, code, ics.content)


async def test_an_agency_missing_elements_near_the_deadline_is_invited_once(stack: Stack) -> None:
    (code,) = await agencies(stack, 1)
    upcoming = new_session(
        stack,
        days=[{"on": "2022-10-05", "starts": "08:00", "ends": "16:30"}],
        enrol_closes_on="2022-10-04",
        capacity=30,
    )
    compliance = stack.client("compliance")
    await eventually(
        lambda: compliance.get(f"/agencies/{code}/compliance").status_code == 200, what="compliance knows it"
    )
    for day in ("2022-09-30", "2022-10-16"):  # 30, then 14 days before the deadline
        assert compliance.post("/evaluations", json={"on": day}).status_code == 200
    await read_until(
        stack.kafka,
        Topic.COMPLIANCE_STATUS,
        lambda kept: sum(b"deadline-approaching" in r.value for r in kept) >= 2,
        keep=lambda r: r.key == code.encode(),
    )
    invited = await read_until(
        stack.kafka,
        Topic.TRAINING_SESSIONS,
        lambda kept: any(t == "training-invited" for t, _ in types_for(kept)),
        keep=lambda r: r.key == code.encode(),
    )
    invitation = next(d for t, d in types_for(invited) if t == "training-invited")
    assert invitation["session_id"] == upcoming["session_id"]
    assert invitation["first_day"] == "2022-10-05T01:00:00Z"
    assert "cơ quan còn thiếu 6/6 nội dung HTQLCL" in invitation["reason_vi"]
    # Once training has consumed the second reminder too, there is still one invitation.
    await eventually(
        lambda: caught_up(stack.kafka, stack.group_of("training"), [Topic.COMPLIANCE_STATUS.value]),
        what="training has read every reminder",
    )
    # An enrolment is published after anything training sent the agency before it (one key, in order).
    enrolled = stack.client("training").post(
        f"/sessions/{upcoming['session_id']}/enrolments",
        json={"agency_code": code, "person_name": "Trần Văn Bình", "role": "iso_officer"},
    )
    assert enrolled.status_code == 201
    again = await read_until(
        stack.kafka,
        Topic.TRAINING_SESSIONS,
        lambda kept: any(t == "enrolment-confirmed" for t, _ in types_for(kept)),
        keep=lambda r: r.key == code.encode(),
    )
    assert [t for t, _ in types_for(again)] == ["training-invited", "enrolment-confirmed"]


async def test_a_session_moved_then_cancelled_tells_everyone_and_agency_keys_stay_in_their_lane(
    stack: Stack,
) -> None:
    mine, other = await agencies(stack, 2)
    training = stack.client("training")
    session = new_session(stack, capacity=1)
    key = stack.issue_key("agency", mine)["key"]
    as_agency = stack.client("training", key)
    someone_else = {"agency_code": other, "person_name": "Lê Văn C", "role": "staff"}
    assert (
        as_agency.post(f"/sessions/{session['session_id']}/enrolments", json=someone_else).status_code == 404
    )
    own = {"agency_code": mine, "person_name": "Phạm Thị D", "role": "head"}
    assert (
        as_agency.post(f"/sessions/{session['session_id']}/enrolments", json=own).json()["status"]
        == "confirmed"
    )
    waiting = training.post(f"/sessions/{session['session_id']}/enrolments", json=someone_else).json()
    assert waiting["status"] == "waitlisted"
    again = training.post(
        f"/sessions/{session['session_id']}/enrolments", json=someone_else | {"person_name": "lê văn c"}
    )
    assert again.status_code == 409 and again.json()["detail"][0]["loc"] == ["body", "person_name"]
    plan = {
        "course_code": "ISO-NT",
        "days": [{"on": "2022-06-01", "starts": "08:00", "ends": "09:00"}],
        "venue": "Phòng họp",
        "trainer": "Cán bộ Sở",
        "capacity": 1,
    }
    assert as_agency.post("/sessions", json=plan).status_code == 403, "only operators plan sessions"

    moved = training.patch(
        f"/sessions/{session['session_id']}",
        json={"capacity": 2, "days": [{"on": "2022-05-12", "starts": "13:30", "ends": "17:00"}]},
    )
    assert moved.status_code == 200 and (moved.json()["revision"], moved.json()["seats_taken"]) == (2, 2)
    gone = training.post(f"/sessions/{session['session_id']}/cancellation", json={"reason": "Giảng viên ốm"})
    assert gone.status_code == 200 and gone.json()["cancelled"]
    assert (
        training.post(f"/sessions/{session['session_id']}/cancellation", json={"reason": "x"}).status_code
        == 409
    )

    published = await read_until(
        stack.kafka,
        Topic.TRAINING_SESSIONS,
        lambda kept: any(t == "training-cancelled" for t, _ in types_for(kept)),
        keep=lambda r: r.key == session["session_id"].encode(),
    )
    assert [(t, d["revision"]) for t, d in types_for(published)] == [
        ("training-scheduled", 1),
        ("training-rescheduled", 2),
        ("training-cancelled", 3),
    ]
    rescheduled = types_for(published)[1][1]
    assert rescheduled["days"][0]["starts_at"] == "2022-05-12T06:30:00Z"
    promoted = await read_until(
        stack.kafka,
        Topic.TRAINING_SESSIONS,
        lambda kept: any(t == "enrolment-confirmed" for t, _ in types_for(kept)),
        keep=lambda r: r.key == other.encode(),
    )
    assert [t for t, _ in types_for(promoted)] == ["enrolment-waitlisted", "enrolment-confirmed"]


async def test_a_signed_in_trainer_reads_and_marks_the_sessions_they_teach_and_no_other(
    stack: Stack,
) -> None:
    (code,) = await agencies(stack, 1)
    name = f"Giảng viên {unique_code('GV')}"
    hers, another = new_session(stack, trainer=name), new_session(stack)
    operator = stack.client("training")
    places = {
        session["session_id"]: operator.post(
            f"/sessions/{session['session_id']}/enrolments",
            json={"agency_code": code, "person_name": f"Học viên {unique_code('HV')}", "role": "staff"},
        ).json()["enrolment_id"]
        for session in (hers, another)
    }
    # Her account names her as the operator typed it there: the case differs from the session's.
    account_id, email = invite(stack, None, role="trainer", name=name.upper())
    signed_in = stack.client("identity").post("/tokens", json={"email": email, "password": PASSWORD})
    assert signed_in.status_code == 200, signed_in.text
    trainer = stack.client("training", signed_in.json()["token"])
    await eventually(lambda: trainer.get("/me").status_code == 200, what="training takes her sign-in")

    listed = trainer.get("/sessions", params={"after": "2022-05-01"}).json()
    assert [s["session_id"] for s in listed] == [hers["session_id"]], "her sessions only"
    assert trainer.get(f"/sessions/{hers['session_id']}").json()["trainer"] == name
    sheet = trainer.get(f"/sessions/{hers['session_id']}/enrolments")
    assert sheet.status_code == 200 and [e["id"] for e in sheet.json()] == [places[hers["session_id"]]]
    marks = {"on": "2022-05-10", "marks": [{"enrolment_id": places[hers["session_id"]], "mark": "present"}]}
    recorded = trainer.post(f"/sessions/{hers['session_id']}/attendance", json=marks)
    assert recorded.status_code == 200 and recorded.json()["recorded"] == 1, recorded.text

    # Another trainer's session is, to her, not there; and she plans and moves nothing.
    theirs = f"/sessions/{another['session_id']}"
    not_there = [
        {"loc": ["path", "session_id"], "msg": f"không có lớp {another['session_id']}", "type": "value_error"}
    ]
    for answer in (
        trainer.get(theirs),
        trainer.get(f"{theirs}/enrolments"),
        trainer.get(f"{theirs}/calendar.ics"),
        trainer.post(
            f"{theirs}/attendance",
            json=marks | {"marks": [{"enrolment_id": places[another["session_id"]], "mark": "absent"}]},
        ),
    ):
        assert (answer.status_code, answer.json()["detail"]) == (404, not_there), answer.request.url
    assert trainer.patch(f"/sessions/{hers['session_id']}", json={"capacity": 9}).status_code == 403
    assert operator.get(f"{theirs}/enrolments").status_code == 200, "operators still read every sheet"

    def her_entries() -> list[dict[str, Any]]:
        entries = stack.client("identity").get("/audit", params={"actor": account_id}).json()
        return [e for e in entries if e["service"] == "training"]

    await eventually(her_entries, what="her attendance on the audit trail")
    (entry,) = her_entries()
    assert (entry["action"], entry["target"]) == (
        "attendance.record_attendance",
        f"session:{hers['session_id']}",
    )
    assert (entry["actor_name"], entry["role"], entry["actor_kind"]) == (name.upper(), "trainer", "account")
