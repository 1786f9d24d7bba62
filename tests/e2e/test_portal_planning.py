"""The department's inspection planning in the portal, in Debian's Chromium, against the services as
processes: an operator signed in through the identity service makes the 2019 plan from the form (a
wrong date is refused at its field, in Vietnamese), sees each inspection with the reasons compliance
chose its agency for, moves one to another day (a weekend refused at the field) and swaps an agency
for another; a viewer reads the plan and is offered none of it."""

import json
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from tests.e2e.browser import Browser, chromium, csp_violations
from tests.e2e.stack import Stack, running, until
from tests.e2e.test_people import PASSWORD, invite
from tests.e2e.test_portal import checked
from tests.factories import unique_code

pytestmark = pytest.mark.e2e
#: A year has one plan and every test stack shares the inspections topic: this module plans 2019
#: (test_audit plans 2021, test_inspections 2022, test_replay 2023, test_portal 2024).
YEAR = 2019
#: The agencies of this module; the plan takes two of them (if another module's agencies are on the
#: broker they may be chosen instead: the test reads the plan compliance made, whatever it holds).
AGENCIES = ("UBND xã Phú Cần", "UBND xã Ngãi Hùng", "UBND xã Tân Sơn")
REASON = "Cơ quan mới hợp nhất, cần kiểm tra sớm"
#: A Wednesday in the 2019 inspection window (01/06–31/10), no holiday.
NEW_DAY = "17/07/2019"


@pytest.fixture(scope="module")
def stack(
    kafka: str, database_url: Callable[[str], str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    names = ("registry", "compliance", "portal")
    with running(kafka, database_url, tmp_path_factory.mktemp("logs"), names=names) as stack:
        yield stack


def an_agency(stack: Stack, name: str) -> str:
    """A commune in the registry since 2018 (active when the 2019 plan ranks the risk), known to
    compliance."""
    code = unique_code("PLN")
    agency = {"code": code, "name": name, "level": "commune", "valid_from": "2018-01-01"}
    assert stack.client("registry").post("/agencies", json=agency).status_code == 201
    compliance = stack.client("compliance")
    until(lambda: compliance.get(f"/agencies/{code}/compliance").status_code == 200, "compliance knows it")
    return code


def the_plan(stack: Stack) -> list[dict[str, Any]]:
    """The plan as compliance holds it (what the page must show)."""
    answer = stack.client("compliance").get(f"/inspection-plans/{YEAR}")
    assert answer.status_code == 200, answer.text
    found: list[dict[str, Any]] = answer.json()["inspections"]
    return found


def submit(browser: Browser, form: str, values: dict[str, str]) -> None:
    browser.fill(values)
    browser.click(f"#{form} button[type=submit]")


def error_says(browser: Browser, field: str, words: str, what: str) -> None:
    """The field's error (in Vietnamese) shown beside it, the field marked invalid."""
    browser.wait_for(
        f"return (document.getElementById('{field}-error') || {{}}).innerText?.includes({json.dumps(words)})",
        what,
    )
    assert browser.value(field, "aria-invalid") == "true"


def makes_the_plan(browser: Browser, inspectors: list[str]) -> None:
    browser.shows("plan-form", "the form that makes the plan")
    assert browser.text("#no-inspections") == f"Chưa có cuộc kiểm tra nào của năm {YEAR}."
    checked(browser, "portal-operator-plan-form")
    typed = {"inspectors": "\n".join(inspectors), "mode": "onsite", "target": "2", "as_of": "30/02/2019"}
    submit(browser, "plan-form", typed)
    error_says(browser, "as_of", "Ngày 30/02/2019 không tồn tại.", "the day's error at its field")
    assert browser.text("#as_of-error") == "Ngày 30/02/2019 không tồn tại."
    assert browser.value("inspectors") == typed["inspectors"], "nothing typed is lost"
    assert browser.value("target") == "2"
    checked(browser, "portal-operator-plan-error")
    submit(browser, "plan-form", {"as_of": "20/05/2019"})
    browser.shows("notice", "the plan made")


def shows_each_inspection_with_its_reasons(browser: Browser, stack: Stack, names: dict[str, str]) -> None:
    plan = the_plan(stack)
    assert len(plan) == 2 and all(i["reasons"] for i in plan), plan
    assert browser.run("return document.getElementById('plan-form')") is None, "no second plan"
    for inspection in plan:
        section = browser.text(f"#inspection-{inspection['inspection_id']}")
        assert all(reason in section for reason in inspection["reasons"]), section
        assert inspection["agency_code"] in section
        assert f"{inspection['scheduled_on'][8:]}/{inspection['scheduled_on'][5:7]}/{YEAR}" in section
        assert inspection["inspector"] in section and "tại chỗ" in section and "đã lên lịch" in section
        if inspection["agency_code"] in names:  # one of ours: the registry's name, and why it was chosen
            heading = browser.text(f"#inspection-{inspection['inspection_id']} h2")
            assert heading == names[inspection["agency_code"]]
            assert f"Điểm tuân thủ năm {YEAR} thấp: 0%" in section
            assert "Chưa có lần kiểm tra nào được ghi nhận" in section
    checked(browser, "portal-operator-plan")


def moves(browser: Browser, inspection: dict[str, Any]) -> None:
    """To a day that is not one, to a Saturday (compliance refuses it at the field), then to NEW_DAY."""
    inspection_id = inspection["inspection_id"]
    browser.click(f"#inspection-{inspection_id} a.change-move")
    browser.shows("move-form", "the form that moves the inspection")
    assert browser.value("inspector") == inspection["inspector"], "the inspection as it stands, ready"
    submit(browser, "move-form", {"scheduled_on": "31/06/2019"})
    error_says(browser, "scheduled_on", "Ngày 31/06/2019 không tồn tại.", "the day's error")
    submit(browser, "move-form", {"scheduled_on": "15/06/2019"})
    error_says(browser, "scheduled_on", "Ngày 15/06/2019 là ngày nghỉ (Thứ Bảy).", "compliance's refusal")
    checked(browser, "portal-operator-move-error")
    submit(browser, "move-form", {"scheduled_on": NEW_DAY})
    browser.shows("notice", "the inspection moved")
    assert browser.text("#notice") == "Đã lưu lịch kiểm tra mới."
    assert browser.text(f"#inspection-{inspection_id} .inspection-day") == NEW_DAY
    checked(browser, "portal-operator-moved")


def swaps(browser: Browser, leaving: dict[str, Any], spare: str, name: str) -> None:
    """`leaving`'s agency out of the plan, `spare` in its place (the reason required)."""
    browser.click(f"#inspection-{leaving['inspection_id']} a.change-swap")
    browser.shows("swap-form", "the form that swaps the agency")
    submit(browser, "swap-form", {"add": spare, "reason": " "})
    error_says(browser, "reason", "Chưa điền.", "the reason required")
    assert browser.value("add") == spare, "nothing typed is lost"
    checked(browser, "portal-operator-swap-error")
    submit(browser, "swap-form", {"reason": REASON})
    browser.shows("notice", "the agency swapped")
    cancelled = f"#inspection-{leaving['inspection_id']}"
    assert browser.text(f"{cancelled} .inspection-status") == "đã hủy"
    assert browser.text(f"{cancelled} .inspection-note") == f"Ghi chú: Thay bằng {spare}: {REASON}"
    added = browser.run(
        "return [...document.querySelectorAll('section.inspection')].filter(s =>"
        " s.querySelector('.inspection-agency').innerText === arguments[0]).map(s => s.innerText)",
        spare,
    )
    assert len(added) == 1 and name in added[0] and "đã lên lịch" in added[0], added
    assert f"Cán bộ chọn thay cho {leaving['agency_code']}: {REASON}" in added[0], "why it was chosen"
    day = f"{leaving['scheduled_on'][8:]}/{leaving['scheduled_on'][5:7]}/{YEAR}"
    assert day in added[0] and leaving["inspector"] in added[0], "the same day, the same inspector"
    checked(browser, "portal-operator-swapped")


def test_an_operator_plans_the_year_moves_an_inspection_and_swaps_an_agency(stack: Stack) -> None:
    names = {an_agency(stack, name): name for name in AGENCIES}
    inspectors = [f"Ông Tâm {unique_code('')}", f"Bà Ngọc {unique_code('')}"]
    _, email = invite(stack, None, role="operator", name="Đặng Văn Kế Hoạch")
    portal = stack.url("portal")
    with chromium() as browser:
        browser.open(f"{portal}/inspections?year={YEAR}")
        browser.sign_in(email, PASSWORD)
        makes_the_plan(browser, inspectors)
        shows_each_inspection_with_its_reasons(browser, stack, names)

        moved, leaving = sorted(the_plan(stack), key=lambda i: i["agency_code"] not in names)  # ours first
        moves(browser, moved)
        now = {i["inspection_id"]: i for i in the_plan(stack)}
        assert now[moved["inspection_id"]]["scheduled_on"] == f"{YEAR}-07-17", "compliance moved it"

        spare = next(code for code in names if code not in {moved["agency_code"], leaving["agency_code"]})
        swaps(browser, leaving, spare, names[spare])
        scheduled = {i["agency_code"] for i in the_plan(stack) if i["status"] == "scheduled"}
        assert scheduled == {moved["agency_code"], spare}, "compliance swapped them"
        assert csp_violations(browser.console()) == [], "the portal breaks its Content-Security-Policy"


def test_a_viewer_reads_the_plan_and_is_offered_no_change(stack: Stack) -> None:
    _, email = invite(stack, None, role="viewer", name="Hồ Thị Xem")
    signed = stack.client("identity").post("/tokens", json={"email": email, "password": PASSWORD})
    viewer = httpx.Client(base_url=stack.url("portal"), cookies={"eiso_session": signed.json()["token"]})
    shown = viewer.get("/inspections", params={"year": YEAR}, timeout=30)
    assert shown.status_code == 200, shown.text
    for offered in ('id="plan-form"', "/change?", "/results?", 'method="post" action="/inspections'):
        assert offered not in shown.text, offered
