"""`eiso demo`, `status` and `down` as a newcomer runs them (what `make demo` and `make down` call):
its own Kafka, the services in the background, the scenario's result, then everything stopped."""

import json
import os
import re
import socket
from pathlib import Path

import httpx
import pytest

from eiso_cli import campaign, demo, operate
from tests.e2e.stack import eiso, free_ports

pytestmark = pytest.mark.e2e

ARTICLE = (
    "100% sở, ngành đã cập nhật; có 02/09 huyện chưa cập nhật (huyện Duyên Hải, Châu Thành); "
    "86 cấp xã cập nhật."
)


def without_evaluations(text: str) -> str:
    """The demo's output but the line counting this run's new notices (none the second time)."""
    return "\n".join(line for line in text.splitlines() if not line.startswith("Đánh giá hằng ngày"))


def listening(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def operator_commands(env: dict[str, str], tmp_path: Path) -> None:
    """`eiso report`, `eiso publish` (a valid and a broken event), `eiso replay compliance`."""
    report = eiso(env, "report", "--year", "2022", "--as-of", "2022-10-30")
    assert report.returncode == 0 and ARTICLE in report.stdout

    event = tmp_path / "event.json"
    event.write_text(operate.example_event(), encoding="utf-8")
    published = eiso(env, "publish", str(event))
    assert published.returncode == 0, published.stderr
    assert published.stdout.startswith("published internal-audit-completed")
    broken = tmp_path / "broken.json"
    broken.write_text('{"specversion": "1.0", "type": "internal-audit-completed"}', encoding="utf-8")
    refused = eiso(env, "publish", str(broken))
    assert refused.returncode == 1 and "Traceback" not in refused.stderr
    assert refused.stderr.startswith("eiso: error: broken.json: invalid event: ")

    replayed = eiso(env, "replay", "compliance")
    assert replayed.returncode == 0, replayed.stderr
    assert "compliance: rebuilt from the topics; the old database is kept at" in replayed.stdout
    again_report = eiso(env, "report", "--year", "2022", "--as-of", "2022-10-30")
    assert again_report.stdout == report.stdout, "the rebuilt compliance gives the same report"
    registry = eiso(env, "replay", "registry")
    assert registry.returncode == 1, "the registry is the source of record: not replayed"
    assert registry.stderr.startswith("eiso: error: registry cannot be rebuilt from the topics: ")


def trained_rule_met(port: int, key: str) -> None:
    """Compliance heard of the training: R09 met for an officer who completed the course (the first
    agency), not for one who missed the second day (the twentieth)."""
    province = campaign.read_province(demo.PROVINCE)
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers={"Authorization": f"Bearer {key}"}) as api:

        def r09(code: str) -> bool:
            found = api.get(f"/agencies/{code}/compliance", params={"year": 2022}).json()
            return bool(next(r["met"] for r in found["breakdown"] if r["rule_id"] == "R09"))

        assert r09(province[0].code) and not r09(province[19].code)


def local_operator_signs_in(credentials: Path, printed: str, identity: int, registry: int) -> dict[str, str]:
    """The operator account `eiso up` made: its password kept for its owner only, said where, and it
    signs in; the registry takes the sign-in. Its bearer header."""
    assert credentials.stat().st_mode & 0o777 == 0o600, "the operator's password is for its owner only"
    assert f"{credentials}" in printed, "the demo says where the operator's password is"
    email, password = credentials.read_text().split()
    signed = httpx.post(
        f"http://127.0.0.1:{identity}/tokens", json={"email": email, "password": password}, timeout=30
    )
    assert signed.status_code == 200, signed.text
    as_person = {"Authorization": f"Bearer {signed.json()['token']}"}
    me = httpx.get(f"http://127.0.0.1:{registry}/me", headers=as_person, timeout=30).json()
    assert me["role"] == "operator"
    return as_person


def officer_opens_the_portal(credentials: Path, printed: str, identity: int, portal: int) -> None:
    """The demo prints the portal's address and where the agency officer's password is; signed in
    with it, the portal shows huyện Duyên Hải not updated for 2022, as the article has it."""
    assert f"Cổng thông tin (portal): http://127.0.0.1:{portal}" in printed
    assert f"{credentials}" in printed and credentials.stat().st_mode & 0o777 == 0o600
    email, password = credentials.read_text().split()
    signed = httpx.post(
        f"http://127.0.0.1:{identity}/tokens", json={"email": email, "password": password}, timeout=30
    )
    assert signed.status_code == 200, signed.text
    cookies = {"eiso_session": signed.json()["token"]}
    page = httpx.get(
        f"http://127.0.0.1:{portal}/my-agency", cookies=cookies, follow_redirects=True, timeout=30
    )
    assert page.status_code == 200 and "UBND huyện Duyên Hải" in page.text, page.text[:500]
    assert 'id="status"' in page.text and "đã cập nhật</span>" not in page.text, "not updated by 30/10/2022"
    assert "tin nhắn tới ***" in page.text and "— đã gửi" in page.text, "the reminders the agency was sent"
    assert "Sở Khoa học và Công nghệ tỉnh Trà Vinh · thời gian hiển thị theo giờ Việt Nam" in page.text


def printed_board_opens_signed_in(printed: str, as_person: dict[str, str]) -> None:
    """The board's printed address sends a browser not signed in to the sign-in page; it opens for
    the signed-in operator."""
    board = re.search(r"bảng điều hành \(board\): (\S+)", printed)
    assert board, "the board's address is printed"
    unsigned = httpx.get(board.group(1), timeout=30)
    assert unsigned.status_code == 303 and "/sign-in?next=" in unsigned.headers["location"]
    opened = httpx.get(board.group(1), headers=as_person, timeout=30)
    assert "Bảng điều hành ISO điện tử" in opened.text, "the printed board opens for the operator"


def test_demo_leaves_a_ready_stack_and_down_stops_all_of_it(tmp_path: Path) -> None:
    kafka, controller, registry, compliance, training, notifier, identity, portal = free_ports(8)
    env = {
        **os.environ,
        "EISO_KAFKA_PORT": str(kafka),
        "EISO_KAFKA_CONTROLLER_PORT": str(controller),
        "EISO_KAFKA_STATE_DIR": str(tmp_path / "kafka"),
        "EISO_RUN_DIR": str(tmp_path / "run"),
        "EISO_REGISTRY_HTTP_PORT": str(registry),
        "EISO_IDENTITY_HTTP_PORT": str(identity),
        "EISO_COMPLIANCE_HTTP_PORT": str(compliance),
        "EISO_TRAINING_HTTP_PORT": str(training),
        "EISO_NOTIFIER_HTTP_PORT": str(notifier),
        "EISO_PORTAL_HTTP_PORT": str(portal),
        "EISO_PORTAL_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'portal.db'}",
        "EISO_REGISTRY_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'registry.db'}",
        "EISO_COMPLIANCE_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'compliance.db'}",
        "EISO_TRAINING_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'training.db'}",
        "EISO_NOTIFIER_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'notifier.db'}",
        "EISO_IDENTITY_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'identity.db'}",
    }
    try:
        demo = eiso(env, "demo")
        assert demo.returncode == 0, demo.stderr
        assert "imported: 165 created, 0 updated, 0 unchanged, 0 invalid" in demo.stderr
        table = demo.stdout
        assert ARTICLE in table, "the 2022 campaign, played through the inbound topic, gives the article"
        assert "Cơ quan áp dụng ISO: 165; dùng phần mềm ISO điện tử: 134." in table
        assert "Cấp huyện          9            7    78%  huyện Duyên Hải, huyện Châu Thành" in table
        assert "tháng 10/2022" in demo.stderr, "progress is shown month by month"
        assert f"http://127.0.0.1:{registry}" in table
        as_person = local_operator_signs_in(tmp_path / "run" / "operator.password", table, identity, registry)
        printed_board_opens_signed_in(table, as_person)
        officer_opens_the_portal(tmp_path / "run" / "officer.password", table, identity, portal)
        assert "eiso.inbound.records.dlq: 3, lý do:" in table
        assert "  - unknown agency 000.99.99.H59" in table
        assert "Kế hoạch kiểm tra năm 2022: 20 cơ quan" in table
        evaluations = next(line for line in table.splitlines() if line.startswith("Đánh giá hằng ngày"))
        assert "agency-lagging 22" in evaluations, "the 20 communes and 2 districts not updated"
        assert "Đào tạo năm 2022 (tháng 4–10): 4 lớp" in table
        assert "165 cán bộ ISO tham dự, 157 hoàn thành" in table, "everyone enrolled, 8 missed day 2"
        assert "  19–20/04/2022  Hội trường Sở Khoa học và Công nghệ: 42 học viên" in table
        sent_sms = (tmp_path / "run" / "sms" / "outbox.jsonl").read_text(encoding="utf-8").splitlines()
        assert len(sent_sms) == 22, "one digest SMS to each lagging agency's ISO officer"
        assert all(json.loads(line)["text"].isascii() for line in sent_sms)
        assert len(list((tmp_path / "run" / "mail").iterdir())) == 22, "and one e-mail to each of them"

        again = eiso(env, "demo")
        assert again.returncode == 0, again.stderr
        assert without_evaluations(again.stdout) == without_evaluations(table), (
            "a second demo changes nothing"
        )
        assert "imported: 0 created, 0 updated, 165 unchanged, 0 invalid" in again.stderr
        assert len((tmp_path / "run" / "sms" / "outbox.jsonl").read_text().splitlines()) == 22, (
            "nothing resent"
        )

        operator_commands(env, tmp_path)

        key = (tmp_path / "run" / "operator.key").read_text().strip()
        with httpx.Client(
            base_url=f"http://127.0.0.1:{registry}", headers={"Authorization": f"Bearer {key}"}
        ) as api:

            def total(**filters: str) -> int:
                return int(
                    api.get("/agencies", params={**filters, "limit": 1, "as_of": "2022-10-30"}).json()[
                        "total"
                    ]
                )

            levels = {level: total(level=level) for level in ("department", "district", "commune", "unit")}
            assert levels == {"department": 19, "district": 9, "commune": 106, "unit": 31}
            assert total(uses_eiso_software="true") == 134
        trained_rule_met(compliance, key)

        status = eiso(env, "status").stdout
        assert f"registry     ready at http://127.0.0.1:{registry}" in status
        assert f"kafka        running on 127.0.0.1:{kafka}" in status
    finally:
        down = eiso(env, "down")
    assert down.returncode == 0, down.stderr
    assert not any(listening(p) for p in (kafka, registry, compliance, training, notifier, identity, portal))
    names = ("identity", "registry", "compliance", "training", "notifier", "portal", "kafka")
    assert eiso(env, "status").stdout.split() == [word for name in names for word in (name, "stopped")]


def test_errors_are_one_clear_line(tmp_path: Path) -> None:
    env = {**os.environ, "EISO_KAFKA_PORT": "nine", "EISO_RUN_DIR": str(tmp_path)}
    result = eiso(env, "up")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last == "eiso: error: kafka: error: EISO_KAFKA_PORT must be a port number, not 'nine'"
