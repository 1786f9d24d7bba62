"""The operator board as people see it: opened in a real headless Chromium (Debian's `chromium`) that
can reach nothing but the local host, its figures checked against the API, its Content-Security-Policy
kept, and screenshots taken for a laptop and a phone."""

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from tests.e2e.browser import chromium, csp_violations, outside
from tests.e2e.stack import Stack, running
from tests.e2e.test_people import PASSWORD, invite
from tests.factories import unique_code
from tests.kafka_tools import eventually

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def stack(
    kafka: str, database_url: Callable[[str], str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    names = ("registry", "compliance", "training")
    with running(kafka, database_url, tmp_path_factory.mktemp("logs"), names=names) as stack:
        yield stack


def board_url(stack: Stack) -> str:
    return f"{stack.url('compliance')}/board?year=2022"


async def test_the_board_shows_what_the_api_says_on_a_laptop_and_a_phone(
    stack: Stack, tmp_path: Path
) -> None:
    done, behind = unique_code("BD"), unique_code("BD")
    registry = stack.client("registry")
    for code, name in ((done, "Sở Bảng Xong"), (behind, "Sở Bảng Chậm")):
        body = {"code": code, "name": name, "level": "department", "valid_from": "2020-01-01"}
        assert registry.post("/agencies", json=body).status_code == 201
    for element in (
        "quality_policy",
        "context",
        "quality_objectives",
        "internal_audit",
        "management_review",
        "improvement",
    ):
        record = {
            "year": 2022,
            "occurred_on": "2022-03-10",
            "document_ref": "QĐ-1",
            "title": "Hồ sơ",
            "submitted_by": "Thư ký",
        }
        assert registry.put(f"/agencies/{done}/records/{element}", json=record).status_code == 201
    training = stack.client("training")
    training.post("/courses", json={"code": "ISO-BD", "title_vi": "Nhận thức TCVN ISO 9001:2015"})
    session = training.post(
        "/sessions",
        json={
            "course_code": "ISO-BD",
            "days": [{"on": "2027-05-11", "starts": "08:00", "ends": "11:30"}],
            "venue": f"Hội trường {unique_code('V')}",
            "trainer": f"Giảng viên {unique_code('T')}",
            "capacity": 30,
        },
    ).json()
    enrolment = {"agency_code": behind, "person_name": "Trần Thị Bảng", "role": "iso_officer"}
    await eventually(
        lambda: (
            training.post(f"/sessions/{session['session_id']}/enrolments", json=enrolment).status_code == 201
        ),
        what="training knows the agency",
    )

    def page() -> str | None:
        html = stack.client("compliance").get("/board", params={"year": 2022}).text
        ready = 'data-free="29"' in html and behind in str(
            stack.client("compliance").get("/reports/progress", params={"year": 2022}).json()
        )
        return html if ready else None

    await eventually(page, what="the board shows the session with one seat taken")
    unsigned = httpx.get(board_url(stack), timeout=30)
    assert unsigned.status_code == 303, "a browser not signed in is sent to sign in first"
    assert unsigned.headers["location"].startswith(f"{stack.url('identity')}/sign-in?next=")
    _, email = invite(stack, None, role="viewer")  # the People's Committee: reads the board

    origin = stack.url("compliance")
    progress = stack.client("compliance").get("/reports/progress", params={"year": 2022}).json()
    with chromium() as browser:
        browser.open(board_url(stack))
        browser.sign_in(email, PASSWORD)
        browser.wait_for(
            "return document.getElementById('notifier') !== null", "the whole board, once signed in"
        )
        assert browser.run("return location.href") == board_url(stack), "back where the person was going"
        browser.requested()  # what the sign-in pages asked for: the identity service's own
        dom = browser.source()
        for level, figures in progress["levels"].items():
            found = re.search(rf'id="level-{level}" data-total="(\d+)" data-updated="(\d+)"', dom)
            assert found, f"no section for {level}"
            assert (int(found.group(1)), int(found.group(2))) == (figures["total"], figures["updated"])
            bar = browser.run(f"return document.querySelector('#level-{level} progress').value")
            assert bar == figures["percent_updated"], f"{level}: the bar shows its share"
        assert progress["text_vi"] in dom
        assert "Sở Bảng Chậm" in dom and "Nhận thức TCVN ISO 9001:2015" in dom
        assert 'http-equiv="refresh"' in dom, "it refreshes on its own"
        styled = browser.run("return getComputedStyle(document.querySelector('header')).backgroundColor")
        assert styled == "rgb(11, 79, 138)", "its stylesheet applies"

        for name, width in (("laptop", 1366), ("phone", 390)):
            browser.open(board_url(stack), width=width, height=2400)
            browser.wait_for("return document.getElementById('notifier') !== null", "the whole board")
            shot = tmp_path / f"board-{name}.png"
            shot.write_bytes(browser.screenshot())
            assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 10_000
        console = browser.console()
        assert csp_violations(console) == [], "the board breaks its Content-Security-Policy"
        assert [e["message"] for e in console if e["level"] == "SEVERE"] == []
        assert outside(browser.requested(), origin) == [], "the board needs something from outside"
