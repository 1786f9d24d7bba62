"""Training in the portal, in Debian's Chromium, against the services as processes: an operator signed
in through the identity service schedules a session of two seats (a wrong date refused at its field
first), enrols three people — the third waits —, cancels a confirmed one and sees the waiting person
move up, and marks both days on the sheet; the ISO officer of one of the agencies then finds the
place on the agency's page, and the certificate training issued when attendance completed it.

The stack's clock is fixed at 11/05/2022 10:00 (giờ Việt Nam), inside the 2022 training window."""

from collections.abc import Callable, Iterator

import pytest

from tests.e2e.browser import Browser, chromium, csp_violations
from tests.e2e.stack import Stack, running, until
from tests.e2e.test_people import PASSWORD, invite
from tests.e2e.test_portal import checked
from tests.e2e.training_support import NOW, agencies, anonymous, new_session
from tests.factories import unique_code

pytestmark = pytest.mark.e2e
#: A place travels training → the agency's page at the next look (compliance must know the agency).
FLOW_SECONDS = 120.0


@pytest.fixture(scope="module")
def stack(
    kafka: str, database_url: Callable[[str], str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    names = ("registry", "training", "compliance", "portal")
    logs = tmp_path_factory.mktemp("portal-training")
    with running(kafka, database_url, logs, names=names, clock_fixed_at=NOW) as stack:
        course = {"code": "ISO-NT", "title_vi": "Nhận thức TCVN ISO 9001:2015"}
        stack.client("training").post("/courses", json=course)
        yield stack


def enrol(browser: Browser, code: str, name: str, role: str) -> str:
    """A person enrolled through the session page's form: the notice training's answer gives."""
    browser.fill({"agency_code": code, "person_name": name, "role": role})
    browser.click("#enrol-form button[type=submit]")
    browser.wait_for(
        f"return (document.getElementById('notice') || {{}}).innerText?.includes({name!r})",
        f"{name} enrolled",
    )
    return browser.text("#notice")


def enrolment_of(browser: Browser, name: str) -> str:
    """The id of the element listing `name`'s enrolment (on the session page, or the sheet)."""
    return str(
        browser.run(
            "return [...document.querySelectorAll('[id^=enrolment-]')]"
            ".find(li => li.innerText.includes(arguments[0])).id",
            name,
        )
    )


def schedules(browser: Browser, venue: str, trainer: str) -> str:
    """The operator schedules a two-seat session (after a wrong date is refused at its field): its id."""
    browser.shows("schedule-form", "the form to schedule a session")
    plan = {
        "course_code": "ISO-NT",
        "days": "10/05/2022, 32/05/2022",
        "starts": "08:00",
        "ends": "11:30",
        "venue": venue,
        "trainer": trainer,
        "capacity": "2",
        "enrol_opens_on": "01/05/2022",
        "enrol_closes_on": "11/05/2022",
    }
    browser.fill(plan)
    browser.click("#schedule-form button[type=submit]")
    browser.shows("days-error", "the wrong day's error")
    assert browser.text("#days-error") == "Ngày 32/05/2022 không tồn tại."
    assert browser.value("days", "aria-invalid") == "true" and browser.value("venue") == venue
    checked(browser, "portal-operator-schedule-error")
    browser.fill({"days": "10/05/2022, 11/05/2022"})
    browser.click("#schedule-form button[type=submit]")
    browser.shows("enrol-form", "the new session's page")
    assert browser.text("#notice") == "Đã mở lớp; các cơ quan có thể đăng ký."
    return str(browser.run("return location.pathname.split('/').pop()"))


def marks_both_days(browser: Browser) -> str:
    """From the session's page, the sheet: both days marked for the two confirmed; Mai's enrolment."""
    browser.click("#sheet-link")
    browser.shows("sheet", "the attendance sheet")
    mai = enrolment_of(browser, "Nguyễn Thị Mai").removeprefix("enrolment-")
    hung = enrolment_of(browser, "Lê Văn Hùng").removeprefix("enrolment-")
    for shown, on in (("10/05/2022", "2022-05-10"), ("11/05/2022", "2022-05-11")):
        browser.fill({"on": on, f"mark-{mai}": "present", f"mark-{hung}": "late"})
        browser.click("#attendance-form button[type=submit]")
        browser.wait_for(
            f"return (document.getElementById('notice') || {{}}).innerText?.includes('{shown}')",
            f"the attendance of {shown} recorded",
        )
    assert browser.text("#notice") == "Đã ghi điểm danh ngày 11/05/2022."
    assert "đã hoàn thành khóa học" in browser.text(f"#enrolment-{mai}")
    checked(browser, "portal-operator-sheet")
    assert csp_violations(browser.console()) == []
    return mai


def sees_the_place_and_its_certificate(stack: Stack, email: str, code: str, enrolment: str) -> None:
    """The agency's officer signs in and finds, on the agency's page, the place and its certificate."""
    portal = stack.url("portal")
    with chromium() as browser:  # the officer of `code`: Mai's place, and her certificate
        browser.open(f"{portal}/my-agency")
        browser.sign_in(email, PASSWORD)
        browser.shows("status", "the agency's page")
        place = f"place-{enrolment}"

        def shown() -> bool:
            browser.open(f"{portal}/agencies/{code}?year=2022")  # once compliance knows the agency
            return browser.run(f"return document.getElementById('{place}') !== null") is True

        until(shown, "the agency's training place", FLOW_SECONDS, 1)
        row = browser.text(f"#{place}")
        assert all(part in row for part in ("Nguyễn Thị Mai", "cán bộ đầu mối ISO", "10/05/2022, 11/05/2022"))
        assert browser.text(f"#{place} .place-status") == "đã hoàn thành khóa học"
        certificate = browser.text(f"#{place} .certificate")
        assert certificate.startswith("số ") and certificate.endswith(", ngày 11/05/2022")
        number = certificate.removeprefix("số ").split(",")[0]
        verified = anonymous(stack, f"/certificates/{number}")
        assert verified.status_code == 200 and verified.json()["person_name"] == "Nguyễn Thị Mai"
        assert "Lê Văn Hùng" not in browser.text("#training"), "another agency's staff are not shown"
        checked(browser, "portal-officer-training")
        assert csp_violations(browser.console()) == []


async def test_an_operator_runs_a_session_and_the_officer_sees_the_place_and_its_certificate(
    stack: Stack,
) -> None:
    ours, theirs = await agencies(stack, 2)
    _, operator_email = invite(stack, None, role="operator", name="Nguyễn Văn Điều Hành")
    _, officer_email = invite(stack, ours, name="Lê Thị Thu")
    venue, trainer = f"Hội trường {unique_code('P')}", f"Giảng viên {unique_code('G')}"
    portal = stack.url("portal")
    with chromium() as browser:
        browser.open(f"{portal}/training?year=2022")
        browser.sign_in(operator_email, PASSWORD)
        session_id = schedules(browser, venue, trainer)
        assert "10/05/2022 (08:00–11:30); 11/05/2022 (08:00–11:30)" in browser.text("#session")

        assert "đã xác nhận" in enrol(browser, theirs, "Trần Văn Bình", "staff")
        assert "đã xác nhận" in enrol(browser, ours, "Nguyễn Thị Mai", "iso_officer")
        assert "trong danh sách chờ" in enrol(browser, theirs, "Lê Văn Hùng", "head")
        assert "Lê Văn Hùng" in browser.text("#waiting") and browser.text("#seats") == "2/2 chỗ"
        checked(browser, "portal-operator-session-full")
        browser.open(f"{portal}/training?year=2022")
        browser.shows(f"session-{session_id}", "the session in the year's list")
        row = f"#session-{session_id}"
        assert (browser.text(f"{row} .seats"), browser.text(f"{row} .waiting")) == ("2/2", "1")
        assert browser.text(f"{row} .session-status") == "đã hết chỗ"
        assert all(part in browser.text(row) for part in (venue, trainer, "10/05/2022, 11/05/2022"))
        checked(browser, "portal-operator-training")

        browser.click(f"{row} a")
        browser.shows("enrol-form", "the session's page")
        browser.click(f"#{enrolment_of(browser, 'Trần Văn Bình')} button")
        browser.wait_for(
            "return (document.getElementById('notice') || {}).innerText?.startsWith('Đã hủy')",
            "the enrolment cancelled",
        )
        assert browser.text("#notice") == (
            "Đã hủy đăng ký của Trần Văn Bình. Đã chuyển từ danh sách chờ vào lớp: Lê Văn Hùng."
        )
        assert "Lê Văn Hùng" in browser.text("#confirmed") and browser.text("#waiting") == ""
        assert "Trần Văn Bình" in browser.text("#cancelled")
        checked(browser, "portal-operator-waiting-moved-up")

        mai = marks_both_days(browser)
        assert csp_violations(browser.console()) == []

    sees_the_place_and_its_certificate(stack, officer_email, ours, mai)


async def test_an_operator_cancels_a_session_with_its_reason(stack: Stack) -> None:
    (code,) = await agencies(stack, 1)
    session = new_session(stack, capacity=3)
    body = {"agency_code": code, "person_name": "Phạm Thị Hoa", "role": "staff"}
    enrolled = stack.client("training").post(f"/sessions/{session['session_id']}/enrolments", json=body)
    assert enrolled.status_code == 201, enrolled.text
    _, operator_email = invite(stack, None, role="operator", name="Trần Thị Điều Hành")
    portal = stack.url("portal")
    with chromium() as browser:
        browser.open(f"{portal}/training/sessions/{session['session_id']}")
        browser.sign_in(operator_email, PASSWORD)
        browser.shows("cancel-form", "the session's page")
        browser.click("#cancel-form button[type=submit]")
        browser.shows("reason-error", "the reason's error")
        assert browser.text("#reason-error") == "Chưa điền."
        checked(browser, "portal-operator-cancel-error")
        browser.fill({"reason": "Giảng viên ốm, lớp chuyển sang tháng 6"})
        browser.click("#cancel-form button[type=submit]")
        browser.shows("session-cancelled", "the session cancelled")
        assert browser.text("#notice").startswith("Đã hủy lớp")
        assert "Giảng viên ốm, lớp chuyển sang tháng 6" in browser.text("#session")
        assert "Phạm Thị Hoa" in browser.text("#cancelled"), "its enrolments cancelled with it"
        browser.open(f"{portal}/training?year=2022")
        row = f"#session-{session['session_id']}"
        browser.shows(row[1:], "the cancelled session, still in the year's list")
        assert browser.text(f"{row} .session-status") == "đã hủy"
        checked(browser, "portal-operator-cancelled")
