"""An agency's training places through training's API, the service a process on the real broker: the
year's enrolments of the agency's staff with their sessions (confirmed, waiting, cancelled), the
certificate once attendance completes the course, and who may read them (an agency its own only; the
department all; a trainer not).

The stack's clock is fixed at 11/05/2022 10:00 (giờ Việt Nam), inside the 2022 training window."""

from collections.abc import Callable, Iterator

import httpx
import pytest

from tests.e2e.stack import Stack, running
from tests.e2e.training_support import NOW, agencies, anonymous, new_session
from tests.factories import unique_code

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def stack(
    kafka: str, database_url: Callable[[str], str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    names = ("registry", "training")
    with running(
        kafka, database_url, tmp_path_factory.mktemp("logs"), names=names, clock_fixed_at=NOW
    ) as stack:
        course = {"code": "ISO-NT", "title_vi": "Nhận thức TCVN ISO 9001:2015"}
        stack.client("training").post("/courses", json=course)
        yield stack


def places(client: httpx.Client, code: str, **params: int) -> httpx.Response:
    return client.get(f"/agencies/{code}/enrolments", params=params)


async def test_an_agency_reads_its_places_of_the_year_and_the_certificate_once_completed(
    stack: Stack,
) -> None:
    ours, theirs = await agencies(stack, 2)
    session = new_session(stack, capacity=1)
    training = stack.client("training")

    def enrol(code: str, name: str) -> str:
        body = {"agency_code": code, "person_name": name, "role": "iso_officer"}
        made = training.post(f"/sessions/{session['session_id']}/enrolments", json=body)
        assert made.status_code == 201, made.text
        return str(made.json()["enrolment_id"])

    seated, _, waiting = enrol(ours, "Nguyễn Thị Mai"), enrol(theirs, "Trần Văn Bình"), enrol(ours, "Lê Hùng")
    listed = places(training, ours, year=2022)
    assert listed.status_code == 200, listed.text
    assert [(p["enrolment_id"], p["status"], p["certificate_code"]) for p in listed.json()] == [
        (seated, "confirmed", None),
        (waiting, "waitlisted", None),
    ], "its own staff only, in order of arrival"
    first = listed.json()[0]
    assert first["course_title_vi"] == "Nhận thức TCVN ISO 9001:2015"
    assert first["days"] == ["2022-05-10", "2022-05-11"] and first["venue"] == session["venue"]
    assert not first["session_cancelled"]

    for on in ("2022-05-10", "2022-05-11"):
        body = {"on": on, "marks": [{"enrolment_id": seated, "mark": "present"}]}
        marked = training.post(f"/sessions/{session['session_id']}/attendance", json=body)
        assert marked.status_code == 200, marked.text
    (completion,) = marked.json()["completed"]
    done = places(training, ours, year=2022).json()[0]
    assert (done["status"], done["certificate_code"], done["completed_on"]) == (
        "completed",
        completion["certificate_code"],
        "2022-05-11",
    )
    verified = anonymous(stack, f"/certificates/{done['certificate_code']}")
    assert verified.status_code == 200 and verified.json()["person_name"] == "Nguyễn Thị Mai"
    assert places(training, ours).json() == places(training, ours, year=2022).json(), "this year by default"
    assert places(training, ours, year=2023).json() == []
    assert places(training, ours, year=1999).status_code == 422

    officer = stack.client("training", stack.issue_key("agency", ours)["key"])
    assert [p["enrolment_id"] for p in places(officer, ours, year=2022).json()] == [seated, waiting]
    assert places(officer, theirs, year=2022).status_code == 404, "another agency is not there"
    viewer = stack.client("training", stack.issue_key("viewer")["key"])
    assert len(places(viewer, theirs, year=2022).json()) == 1, "the department reads every agency"
    trainer = stack.client("training", stack.issue_key("trainer", name=session["trainer"])["key"])
    assert places(trainer, ours, year=2022).status_code == 403
    assert places(training, unique_code("X"), year=2022).status_code == 404, "an agency not known"
    assert anonymous(stack, f"/agencies/{ours}/enrolments").status_code == 401
