"""Logs carry no personal data or secrets, and user input cannot forge a log line."""

import json
import logging

import pytest
import structlog
from fastapi import FastAPI

from services.common.http import harden
from services.common.logging import configure_logging, mask_text
from tests.unit.test_http_headers import client_of


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("gọi 0912345678 nhé", "gọi ***678 nhé"),
        ("+84912345678", "***678"),
        ("84 912 345 678", "***678"),
        ("0912.345.678", "***678"),
        ("thu.ky@skhcn.travinh.gov.vn", "t***@skhcn.travinh.gov.vn"),
        ("năm 2022, 165 cơ quan", "năm 2022, 165 cơ quan"),
    ],
)
def test_phones_and_emails_are_masked(text: str, masked: str) -> None:
    assert mask_text(text) == masked


def test_json_lines_mask_nested_values_and_secrets_and_flatten_newlines(
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_logging("test", "INFO", "json")
    log = structlog.get_logger("t")
    log.info(
        "contact\nforged line",
        contact={"phone": "0987654321", "email": "ho.ten@gmail.com"},
        api_key="sk-very-secret",
        password="hunter2",
        event_id="0912345678-not-a-phone-but-an-id",
    )
    logging.getLogger("aiokafka").warning("stdlib too: 0912345678")
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 2, "one JSON line per call, whatever the input holds"
    first, second = (json.loads(line) for line in lines)
    assert first["event"] == "contact\\nforged line"
    assert first["contact"] == {"phone": "***321", "email": "h***@gmail.com"}
    assert first["api_key"] == "***" and first["password"] == "***"
    assert first["event_id"] == "0912345678-not-a-phone-but-an-id"
    assert first["service"] == "test" and first["level"] == "info"
    assert second["event"] == "stdlib too: ***678"


async def test_a_crash_is_logged_with_its_route_never_the_path_that_may_hold_a_secret(
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_logging("test", "INFO", "json")
    app = FastAPI()
    harden(app, max_body_bytes=1000)

    @app.get("/password-links/{link}")
    async def crash(link: str) -> None:
        raise RuntimeError("a bug")

    async with client_of(app) as client:
        answer = await client.get("/password-links/ab12.the-one-time-secret")
    assert answer.status_code == 500 and "error_id" in answer.json()
    entries = [json.loads(line) for line in capsys.readouterr().out.strip().splitlines()]
    served = [e for e in entries if e["logger"] != "httpx"]  # the test's own client logs its requests
    crashed = [e for e in served if e["event"] == "unhandled error"]
    assert crashed and crashed[0]["route"] == "/password-links/{link}"
    assert "the-one-time-secret" not in json.dumps(served)
