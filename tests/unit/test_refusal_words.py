"""The gateway's reasons as the department reads them: each kind the registry and the consumer write
said in Vietnamese, made from the real reasons (not copies of their text), and one of no known kind
left as it is."""

import json

import pytest

from contracts import EventError, Topic, parse_event
from services.portal.refusal_words import refusal_vi
from tests.factories import inbound


def refused(value: bytes) -> str:
    with pytest.raises(EventError) as error:
        parse_event(Topic.INBOUND_RECORDS, value)
    return str(error.value)


def test_the_gateways_reasons_read_in_vietnamese() -> None:
    assert (
        refusal_vi("unknown agency 000.00.22.H59")
        == "Mã định danh 000.00.22.H59 chưa có trong danh mục cơ quan."
    )
    assert refusal_vi("source eiso-software may not publish for X1") == (
        "Hệ thống eiso-software không được phép gửi hồ sơ của cơ quan X1."
    )
    assert refusal_vi(refused(b"not json")) == "Dữ liệu không đọc được (không phải JSON)."
    assert refusal_vi(refused(b"")) == "Dữ liệu không đọc được (không phải JSON)."
    event = json.loads(inbound("X1", "eiso-software").model_dump_json())
    event["data"]["year"] = "năm nay"
    assert (
        refusal_vi(refused(json.dumps(event).encode())) == "Hồ sơ không đúng khuôn dạng ở trường data.year."
    )


def test_a_reason_of_no_known_kind_is_left_as_it_is() -> None:
    assert refusal_vi("something nobody foresaw") is None
