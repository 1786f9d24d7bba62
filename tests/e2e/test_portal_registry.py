"""The registry in the portal, as the department's operator uses it, in Debian's Chromium against the
services as processes: an agency's page with its contacts, its versions and its lineage; a merger
previewed (who ends, who moves below whom, whose records count where — nothing applied yet), refused
at its field when the date is wrong, then confirmed; and a dissolution the registry refuses, said on
the page with nothing changed."""

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.e2e.browser import chromium
from tests.e2e.stack import Stack, running
from tests.e2e.test_people import PASSWORD, invite
from tests.e2e.test_portal import checked
from tests.factories import unique_code

pytestmark = pytest.mark.e2e
OFFICER = {"name": "Trần Thị Hoa", "phone": "+84912000061", "email": "hoa@xa.travinh.gov.vn"}


@pytest.fixture(scope="module")
def stack(
    kafka: str, database_url: Callable[[str], str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    names = ("registry", "compliance", "portal")
    with running(kafka, database_url, tmp_path_factory.mktemp("logs"), names=names) as stack:
        yield stack


def register(stack: Stack, name: str, level: str, parent: str | None = None, **extra: Any) -> str:
    code = unique_code("REG")
    body = {"code": code, "name": name, "level": level, "valid_from": "2020-01-01", "parent_code": parent}
    answer = stack.client("registry").post("/agencies", json={**body, **extra})
    assert answer.status_code == 201, answer.text
    return code


def test_an_operator_previews_a_merger_sees_what_moves_and_confirms_it(stack: Stack) -> None:
    district = register(stack, "UBND huyện Châu Thành", "district")
    merged = register(stack, "UBND xã Hòa Lợi", "commune", district, contacts={"iso_officer": OFFICER})
    successor = register(stack, "UBND xã Hòa Minh", "commune", district)
    school = register(stack, "Trường Mầm non Hòa Lợi", "unit", merged)
    _, operator = invite(stack, None, role="operator", name="Nguyễn Văn Điều Hành")
    portal = stack.url("portal")
    registry = stack.client("registry")

    with chromium() as browser:
        browser.open(f"{portal}/registry?q=hoa loi")
        browser.sign_in(operator, PASSWORD)
        browser.shows("found", "the registry's search")
        browser.click(f"#agency-{merged} a")
        browser.shows("details", "the agency's registry page")
        assert "Trần Thị Hoa · +84912000061 · hoa@xa.travinh.gov.vn" in browser.text("#contact-iso_officer")
        assert "UBND huyện Châu Thành" in browser.text("#details")
        assert browser.text("#lineage") == "Chưa sáp nhập, chia tách hay đổi mã lần nào."
        checked(browser, "portal-operator-registry-agency")

        browser.click("#action-merge")
        browser.shows("reorganisation-form", "the merger's form")
        browser.fill({"into": successor, "effective_on": "31/06/2025"})
        browser.click("#preview-button")
        browser.shows("effective_on-error", "the wrong date, at its field")
        assert browser.text("#effective_on-error") == "Ngày 31/06/2025 không tồn tại."

        browser.fill({"effective_on": "01/07/2025"})
        browser.click("#preview-button")
        browser.shows("changes", "the preview of what the merger does")
        changes = browser.text("#changes")
        assert "Trường Mầm non Hòa Lợi" in changes and "chuyển sang trực thuộc UBND xã Hòa Minh" in changes
        assert (
            f"UBND xã Hòa Lợi ({merged}) sáp nhập vào UBND xã Hòa Minh ({successor}) từ ngày 01/07/2025"
            in changes
        )
        assert "UBND xã Hòa Minh kế thừa hồ sơ và kết quả ISO" in changes
        checked(browser, "portal-operator-merger-preview")
        assert registry.get(f"/agencies/{merged}").json()["valid_to"] is None, "a preview applies nothing"
        assert registry.get(f"/agencies/{school}").json()["parent_code"] == merged

        browser.click("#apply")
        browser.shows("done", "the merger applied")
        assert browser.text("#done") == "Đã ghi nhận việc sáp nhập."
        assert "ngừng hoạt động từ ngày 01/07/2025" in browser.text("#active")
        assert "sáp nhập vào UBND xã Hòa Minh từ ngày 01/07/2025" in browser.text("#lineage")
        assert browser.run("return document.getElementById('reorganise')") is None, "an ended agency stays"
        assert registry.get(f"/agencies/{school}").json()["parent_code"] == successor

        browser.open(f"{portal}/registry/{district}/reorganisation/dissolve")
        browser.fill({"reason": "Nghị quyết số 1687/NQ-UBTVQH15", "effective_on": "01/07/2025"})
        browser.click("#preview-button")
        browser.shows("effective_on-error", "the registry's refusal, at the date")
        refusal = browser.text("#effective_on-error")
        assert f"Cơ quan {district} còn 1 cơ quan trực thuộc ({successor})" in refusal, refusal
        assert registry.get(f"/agencies/{district}").json()["valid_to"] is None, "nothing dissolved"
        assert browser.run("return document.getElementById('apply')") is None, "nothing to confirm"
