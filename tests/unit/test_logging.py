"""Logs carry no personal data or secrets, and user input cannot forge a log line."""

import json
import logging

import pytest
import structlog

from services.common.logging import configure_logging, mask_text


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
