"""The log scan finds what must not be logged, and does not cry wolf at ids."""

import json

from tests.logscan import problems


def entry(text: str) -> str:
    return json.dumps({"event": "x", "detail": text}, ensure_ascii=False)


def test_phone_numbers_e_mails_keys_and_passwords_are_found() -> None:
    lines = [
        entry("gửi tới +84912345678"),
        entry("gửi tới 0912345678"),
        entry("to mai@xa.vn"),
        entry("key eiso_0a1b2c3d4e5f_abcdefghijklmnopqrstuvwx"),
        '{"event": "x", "password": "hunter22"}',
        entry("the run's secret s3cr3t-value"),
        entry(
            "token eyJ0eXAiOiJKV1QiLCJhbGciOiJFZDI1NTE5In0.eyJzdWIiOiJhY2MtMDEyMyJ9.0vHLhQ7vZZfIvOAGaJsouVfMZ"
        ),
    ]
    found = list(problems(lines, secrets=["s3cr3t-value"]))
    assert [p.split(":")[0] for p in found] == [f"line {n}" for n in range(1, 8)]
    assert "+84912345678" not in " ".join(found), "the report masks what it found"


def test_masked_values_ids_and_times_are_not_leaks() -> None:
    lines = [
        entry("***678"),
        entry("m***@xa.vn"),
        '{"event": "x", "event_id": "eb96df62-18c2-5324-ba18-0818598271d8"}',
        '{"event": "x", "correlation_id": "cca18521-c194-4b21-8cd2-0784834473c1"}',
        '{"event": "x", "password": "**********"}',
        '{"event": "x", "timestamp": "2026-11-24T01:58:07.372780Z", "offset": 912345678}',
    ]
    assert list(problems(lines)) == []


def test_a_line_that_is_not_one_json_entry_is_a_forgery() -> None:
    found = list(problems(['{"event": "x"}', '{"event": "forged"} trailing', "plain text"]))
    assert [p.split(":")[0] for p in found] == ["line 2", "line 3"]
