"""The portal as an agency's ISO officer uses it, in Debian's Chromium, against the services as
processes: signed in through the identity service, the officer sees what the agency still lacks for
2022, is told at the field (in Vietnamese) when a date is wrong — and nothing is stored —, submits the
missing records through the form, and watches the agency become "đã cập nhật"."""

from collections.abc import Callable, Iterator

import httpx
import pytest

from contracts.vocabulary import ELEMENT_VI, UPDATE_ELEMENTS, Element
from tests.e2e.browser import Browser, chromium, csp_violations, outside
from tests.e2e.stack import PROPAGATION_SECONDS, Stack, running, until
from tests.e2e.test_people import PASSWORD, invite
from tests.e2e.training_support import NOW, agencies, new_session
from tests.factories import unique_code

pytestmark = pytest.mark.e2e
YEAR = 2022
#: What the agency has already sent before the officer opens the portal: four of the six.
SENT, MISSING = UPDATE_ELEMENTS[:4], UPDATE_ELEMENTS[4:]
#: A record travels registry → compliance → the page's next look.
FLOW_SECONDS = 120.0
PHONE = {"width": 390, "height": 1400}
GOOD = {"document_ref": "05/BC-UBND", "title": "Biên bản họp xem xét của lãnh đạo"}


@pytest.fixture(scope="module")
def stack(
    kafka: str, database_url: Callable[[str], str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    names = ("registry", "compliance", "portal")
    with running(kafka, database_url, tmp_path_factory.mktemp("logs"), names=names) as stack:
        yield stack


def an_agency(stack: Stack, name: str, sent: tuple[Element, ...] = ()) -> str:
    """A commune in the registry, with a 2022 record of each element in `sent`."""
    code = unique_code("POR")
    agency = {"code": code, "name": name, "level": "commune", "valid_from": "2020-01-01"}
    registry = stack.client("registry")
    assert registry.post("/agencies", json=agency).status_code == 201
    for element in sent:
        body = {
            "year": YEAR,
            "occurred_on": "2022-03-15",
            "document_ref": "12/QĐ-UBND",
            "title": ELEMENT_VI[element],
            "submitted_by": "Trần Văn Bình",
        }
        answer = registry.put(f"/agencies/{code}/records/{element}", json=body)
        assert answer.status_code == 201, answer.text
    return code


def stored(stack: Stack, code: str) -> set[str]:
    answer = stack.client("registry").get(f"/agencies/{code}/records", params={"year": YEAR})
    return {r["element"] for r in answer.json()}


def checked(browser: Browser, name: str) -> None:
    """A screenshot of the page kept as an artefact, and no serious or critical accessibility
    violation on it (axe-core, WCAG 2.1 A and AA)."""
    browser.keep(name)
    assert browser.accessibility_violations() == [], f"{name}: accessibility"


def submit(browser: Browser, values: dict[str, str]) -> None:
    browser.fill(values)
    browser.click("#record-form button[type=submit]")


def sees_the_two_missing(browser: Browser, page: str) -> bool:
    """Reopened: the page lists the two elements not sent, and none of the four sent earlier (once
    compliance has scored them)."""
    browser.open(page, **PHONE)
    browser.shows("status", "the agency's page")
    missing = browser.text("#missing")
    return all(ELEMENT_VI[e] in missing for e in MISSING) and not any(ELEMENT_VI[e] in missing for e in SENT)


def a_wrong_date_is_refused_at_its_field(browser: Browser, stack: Stack, code: str) -> None:
    browser.shows("occurred_on", "the record form")
    assert browser.value("submitted_by") == "Lê Thị Thu", "the person's name, ready"
    submit(browser, {**GOOD, "occurred_on": "31/02/2022"})
    browser.shows("occurred_on-error", "the date's error")
    assert browser.text("#occurred_on-error") == "Ngày 31/02/2022 không tồn tại."
    assert browser.value("occurred_on", "aria-invalid") == "true"
    assert browser.value("title") == GOOD["title"], "nothing typed is lost"
    submit(browser, {"occurred_on": "15/05/2020"})  # a date the registry refuses for a 2022 record
    browser.wait_for(
        "return (document.getElementById('occurred_on-error') || {}).innerText?.includes('2020')",
        "the registry's refusal at the field",
    )
    assert browser.text("#occurred_on-error").startswith("Ngày 15/05/2020 không thuộc năm 2022")
    checked(browser, "portal-officer-form-error-phone")
    assert MISSING[0].value not in stored(stack, code), "a refused record is not stored"


def test_an_officer_sees_what_is_missing_submits_it_and_the_agency_becomes_updated(stack: Stack) -> None:
    code = an_agency(stack, "UBND xã Hòa Thuận", SENT)
    _, email = invite(stack, code, name="Lê Thị Thu")
    portal = stack.url("portal")
    page = f"{portal}/agencies/{code}?year={YEAR}"
    with chromium() as browser:
        browser.open(f"{portal}/my-agency", **PHONE)
        browser.shows("sign-in", "the identity service's sign-in page")
        checked(browser, "identity-sign-in-phone")
        browser.sign_in(email, PASSWORD)
        browser.shows("status", "the agency's page, once signed in")
        assert browser.run("return location.pathname") == f"/agencies/{code}", "straight to the agency"
        browser.requested()  # what the sign-in asked for: the identity service's own pages
        until(lambda: sees_the_two_missing(browser, page), "the four records sent earlier", FLOW_SECONDS, 1)
        assert browser.text("#status") == "cập nhật chưa đủ"
        assert browser.text("#days-left") == "đã quá hạn hơn 30 ngày", "30/10/2022 is long past"
        assert "Lê Thị Thu" in browser.text("header")
        checked(browser, "portal-officer-status-phone")

        browser.click(f"#element-{MISSING[0]} a")
        a_wrong_date_is_refused_at_its_field(browser, stack, code)
        for element in MISSING:
            if element != MISSING[0]:
                browser.open(f"{portal}/agencies/{code}/records/{element}?year={YEAR}", **PHONE)
                browser.shows("occurred_on", "the record form")
            submit(browser, {**GOOD, "title": ELEMENT_VI[element], "occurred_on": "20/10/2022"})
            browser.shows("sent", "the record sent")
            assert ELEMENT_VI[element] in browser.text("#sent")

        browser.wait_for(
            "return (document.getElementById('status') || {}).innerText === 'đã cập nhật'",
            "the agency updated once the records have flowed (the page looks again by itself)",
            FLOW_SECONDS,
        )
        assert browser.text("#missing-none") == f"Đã có đủ hồ sơ của năm {YEAR}."
        assert stored(stack, code) >= {e.value for e in UPDATE_ELEMENTS}
        row = browser.text(f"#element-{Element.IMPROVEMENT}")
        assert all(part in row for part in ("05/BC-UBND", "20/10/2022", "Lê Thị Thu", "nhập trực tiếp"))
        checked(browser, "portal-officer-updated-phone")
        assert csp_violations(browser.console()) == [], "the portal breaks its Content-Security-Policy"
        assert outside(browser.requested(), portal) == [], "the portal needs something from outside"


def test_a_page_not_signed_in_goes_to_sign_in_and_another_agency_is_not_there(stack: Stack) -> None:
    portal = stack.url("portal")
    away = httpx.get(f"{portal}/my-agency", timeout=30)
    assert away.status_code == 303 and away.headers["location"].startswith(f"{stack.url('identity')}/sign-in")
    mine, theirs = an_agency(stack, "UBND xã An Phú"), an_agency(stack, "UBND xã Long Hòa")
    _, email = invite(stack, mine)
    signed = stack.client("identity").post("/tokens", json={"email": email, "password": PASSWORD})
    officer = httpx.Client(base_url=portal, cookies={"eiso_session": signed.json()["token"]}, timeout=30)
    other = officer.get(f"/agencies/{theirs}", params={"year": YEAR})
    assert other.status_code == 404 and "Không tìm thấy" in other.text
    assert officer.get(f"/agencies/{mine}", params={"year": YEAR}).status_code == 200


def found_in_the_registry(browser: Browser, portal: str, code: str) -> None:
    """The agency found without its diacritics, its registry page, and from there its status."""
    browser.open(f"{portal}/registry?q=long duc")
    browser.shows("found", "the registry's search")
    assert "UBND xã Long Đức" in browser.text(f"#agency-{code}")
    checked(browser, "portal-operator-registry-search")
    browser.click(f"#agency-{code} a")
    browser.shows("details", "the agency as the registry keeps it")
    browser.click("#status-link")
    browser.shows("rules", "the agency's page")


def test_an_operator_drills_down_to_the_evidence_and_revokes_the_officer_whose_next_click_is_refused(
    stack: Stack,
) -> None:
    code = an_agency(stack, "UBND xã Long Đức", SENT)
    officer_id, officer_email = invite(stack, code, name="Phạm Văn Lâm")
    _, operator_email = invite(stack, None, role="operator", name="Nguyễn Văn Điều Hành")
    signed = stack.client("identity").post("/tokens", json={"email": officer_email, "password": PASSWORD})
    portal = stack.url("portal")
    officer = httpx.Client(base_url=portal, cookies={"eiso_session": signed.json()["token"]}, timeout=30)
    assert officer.get(f"/agencies/{code}", params={"year": YEAR}).status_code == 200

    with chromium() as browser:
        browser.open(f"{portal}/board?year={YEAR}")
        browser.sign_in(operator_email, PASSWORD)
        browser.shows("level-commune", "the board, once signed in")
        assert browser.text("#report-sentence"), "the department's sentence"
        checked(browser, "portal-operator-board")

        def listed() -> bool:  # compliance has scored the agency's four records: lagging, listed
            browser.open(f"{portal}/board?year={YEAR}")
            browser.click("#level-commune a.lagging")
            browser.shows("agencies", "the list of communes not updated")
            return code in browser.run("return document.getElementById('agencies').innerHTML")

        until(listed, "the agency in the list of communes not updated", FLOW_SECONDS, 1)
        assert browser.text(f"#agency-{code} .status") == "cập nhật chưa đủ"
        checked(browser, "portal-operator-list")
        found_in_the_registry(browser, portal, code)
        if "year=" not in browser.run("return location.search"):
            browser.open(f"{portal}/agencies/{code}?year={YEAR}")
            browser.shows("rules", "the agency's page for 2022")
        assert browser.text("#status") == "cập nhật chưa đủ"
        evidence = browser.text(f"#element-{SENT[0]}")
        assert "12/QĐ-UBND" in evidence and "15/03/2022" in evidence and "Trần Văn Bình" in evidence
        assert "✗" in browser.text("#rules") and "✓" in browser.text("#rules"), "criteria met and not"
        checked(browser, "portal-operator-drilldown")

        browser.open(f"{portal}/people")
        browser.shows(f"account-{officer_id}", "the officer's account")
        checked(browser, "portal-operator-people")
        browser.click(f"#account-{officer_id} button")
        browser.shows("notice", "the account disabled")
        assert "đã khóa" in browser.text(f"#account-{officer_id}")

        def audited() -> bool:  # the disabling, by the operator, on the trail
            browser.open(f"{portal}/audit?target=account:{officer_id}")
            browser.shows("trail", "the audit trail")
            return "people.change_account" in browser.text("#trail")

        until(audited, "the disabling in the audit trail", PROPAGATION_SECONDS, 0.5)
        assert "Nguyễn Văn Điều Hành" in browser.text("#trail")
        assert "thay đổi tài khoản" in browser.text("#trail"), "the action in Vietnamese"
        checked(browser, "portal-operator-audit")
        assert csp_violations(browser.console()) == []

    def refused() -> bool:
        answer = officer.get(f"/agencies/{code}", params={"year": YEAR})
        return answer.status_code == 303 and "/sign-in" in answer.headers["location"]

    until(refused, "the officer's next click refused", PROPAGATION_SECONDS)


#: The inspections travel on a topic every test stack shares, and a year has one plan: this module
#: plans its own year (test_audit plans 2021, test_inspections 2022, test_replay 2023).
INSPECTED = 2024


def planned_for(stack: Stack, code: str, inspector: str) -> str:
    """An inspection of `code` in INSPECTED's plan, by `inspector` (the plan made, or taken as it is,
    and the agency swapped in): its id."""
    compliance = stack.client("compliance")
    until(lambda: compliance.get(f"/agencies/{code}/compliance").status_code == 200, "compliance knows it")
    body = {"year": INSPECTED, "inspectors": [inspector], "as_of": "2024-05-20", "target": 1}
    made = compliance.post("/inspection-plans", json=body)
    assert made.status_code in (201, 409), made.text
    plan = compliance.get(f"/inspection-plans/{INSPECTED}").json()["inspections"]
    if not any(i["agency_code"] == code and i["status"] == "scheduled" for i in plan):
        other = next(i for i in plan if i["status"] == "scheduled")
        swap = {"remove": other["agency_code"], "add": code, "reason": "Đưa vào kế hoạch để kiểm tra"}
        swapped = compliance.post(f"/inspection-plans/{INSPECTED}/swaps", json=swap)
        assert swapped.status_code == 200, swapped.text
        plan = swapped.json()["inspections"]
    ours = next(i for i in plan if i["agency_code"] == code and i["status"] == "scheduled")
    if ours["inspector"] != inspector:
        moved = compliance.patch(f"/inspections/{ours['inspection_id']}", json={"inspector": inspector})
        assert moved.status_code == 200, moved.text
    return str(ours["inspection_id"])


def test_an_inspector_records_findings_on_a_phone_and_the_officer_sees_them(stack: Stack) -> None:
    code = an_agency(stack, "UBND xã Tân Hòa")
    inspector = f"Bà Hạnh {unique_code('')}"
    inspection = planned_for(stack, code, inspector)
    _, inspector_email = invite(stack, None, role="inspector", name=inspector)
    _, officer_email = invite(stack, code, name="Võ Thị Mến")
    portal = stack.url("portal")
    with chromium() as browser:
        browser.open(f"{portal}/inspections?year={INSPECTED}", **PHONE)
        browser.sign_in(inspector_email, PASSWORD)
        browser.shows(f"inspection-{inspection}", "her inspections")
        shown = browser.run(
            "return [...document.querySelectorAll('section.inspection')].map(s => s.innerText)"
        )
        assert all(inspector in text for text in shown), "hers only (one she lost to a swap, shown cancelled)"
        assert "UBND xã Tân Hòa" in browser.text(f"#inspection-{inspection} h2")
        browser.click(f"#inspection-{inspection} a.button")
        browser.shows("results-form", "the results form")
        findings = {
            "held_on": "32/06/2024",
            "finding-0-description": "Chưa cập nhật danh mục tài liệu bên ngoài",
            "finding-0-severity": "minor",
            "finding-0-clause": "7.5.3",
            "action-0-description": "Cập nhật danh mục tài liệu bên ngoài",
            "action-0-due_on": "30/09/2024",
            "action-0-finding": "0",
        }
        browser.fill(findings)
        browser.click("#results-form button[type=submit]")
        browser.shows("held_on-error", "the date's error")
        assert browser.text("#held_on-error") == "Ngày 32/06/2024 không tồn tại."
        assert browser.value("action-0-description") == findings["action-0-description"], "nothing lost"
        checked(browser, "portal-inspector-form-error-phone")
        browser.fill({"held_on": "15/06/2024"})
        browser.click("#results-form button[type=submit]")
        browser.shows(f"inspection-{inspection}", "the list again")
        assert browser.text(f"#inspection-{inspection} .inspection-status") == "đã kiểm tra ngày 15/06/2024"
        assert "Không phù hợp nhẹ (điều khoản 7.5.3)" in browser.text(f"#inspection-{inspection}")
        checked(browser, "portal-inspector-recorded-phone")

    with chromium() as browser:  # the officer sees the finding and reports the action done
        browser.open(f"{portal}/agencies/{code}?year={INSPECTED}", **PHONE)
        browser.sign_in(officer_email, PASSWORD)
        action = f"action-{inspection}-0"
        browser.shows(action, "the corrective action on the agency's page")
        assert "Chưa cập nhật danh mục tài liệu bên ngoài" in browser.text("#inspections"), "the finding"
        assert "Cập nhật danh mục tài liệu bên ngoài — hạn 30/09/2024 (phát hiện số 1)" in browser.text(
            f"#{action}"
        )
        browser.click(f"#{action} a")
        browser.shows("action-form", "the form to report it done")
        browser.fill({"done_on": "10/06/2024", "evidence": "Quyết định số 25/QĐ-UBND ngày 20/08/2024"})
        browser.click("#action-form button[type=submit]")
        browser.shows("done_on-error", "the date refused: before the inspection")
        assert "không được trước ngày kiểm tra (15/06/2024)" in browser.text("#done_on-error")
        checked(browser, "portal-officer-action-error-phone")
        browser.fill({"done_on": "20/08/2024"})
        browser.click("#action-form button[type=submit]")
        browser.shows(action, "the agency's page again")
        assert browser.text(f"#{action} .done") == "Đã hoàn thành ngày 20/08/2024"
        assert "Quyết định số 25/QĐ-UBND" in browser.text(f"#{action}")
        checked(browser, "portal-officer-action-closed-phone")


@pytest.fixture(scope="module")
def classroom(
    kafka: str, database_url: Callable[[str], str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    """Registry, training and the portal with their clocks on the second day of a May 2022 session."""
    names = ("registry", "training", "portal")
    logs = tmp_path_factory.mktemp("classroom")
    with running(kafka, database_url, logs, names=names, clock_fixed_at=NOW) as stack:
        course = {"code": "ISO-NT", "title_vi": "Nhận thức TCVN ISO 9001:2015"}
        stack.client("training").post("/courses", json=course)
        yield stack


async def test_a_trainer_marks_attendance_on_the_sheet_of_the_session_they_teach(classroom: Stack) -> None:
    (code,) = await agencies(classroom, 1)
    name = f"Giảng viên {unique_code('GV')}"
    session = new_session(classroom, trainer=name)
    trainee = f"Học viên {unique_code('HV')}"
    enrolled = classroom.client("training").post(
        f"/sessions/{session['session_id']}/enrolments",
        json={"agency_code": code, "person_name": trainee, "role": "iso_officer"},
    )
    assert enrolled.status_code == 201, enrolled.text
    _, email = invite(classroom, None, role="trainer", name=name)
    portal = classroom.url("portal")
    with chromium() as browser:
        browser.open(f"{portal}/", **PHONE)
        browser.sign_in(email, PASSWORD)
        browser.shows(f"session-{session['session_id']}", "her session, once signed in")
        assert browser.run("return document.querySelectorAll('section[id^=session-]').length") == 1
        browser.click(f"#session-{session['session_id']} a")
        browser.shows("sheet", "the attendance sheet")
        assert trainee in browser.text("#sheet") and "cán bộ đầu mối ISO" in browser.text("#sheet")
        enrolment = enrolled.json()["enrolment_id"]
        browser.fill({"on": "2022-05-10", f"mark-{enrolment}": "present"})
        browser.click("#attendance-form button[type=submit]")
        browser.shows("notice", "the attendance recorded")
        assert browser.text("#notice") == "Đã ghi điểm danh ngày 10/05/2022."
        checked(browser, "portal-trainer-sheet-phone")
