"""Vietnamese text, phone numbers and the agency CSV, as departments write them."""

from datetime import date

import pytest

from services.common.phones import PhoneKind, normalise_phone, parse_phone, phone_kind
from services.common.vietnamese import search_key, unaccent
from services.registry import csvimport


def test_unaccent_maps_d_with_stroke_which_nfd_leaves_alone() -> None:
    assert unaccent("Đồng Tháp đã cập nhật") == "Dong Thap da cap nhat"
    assert search_key("  UBND  Xã Hòa Thuận ") == "ubnd xa hoa thuan"


EXAMPLES = "(ví dụ: di động 0912 345 678 hoặc +84 912 345 678, cố định (0294) 3862 123)"


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("0912345678", "+84912345678"),
        ("0912 345 678", "+84912345678"),
        ("091.234.5678", "+84912345678"),
        ("0912.345.678", "+84912345678"),
        ("+84 912 345 678", "+84912345678"),
        ("84912345678", "+84912345678"),
        ("+84 (0) 912 345 678", "+84912345678"),  # the trunk 0 written after the country code
        ("0084 912 345 678", "+84912345678"),  # dialled from abroad
        ("0869-123-456", "+84869123456"),
    ],
)
def test_vietnamese_mobiles_become_e164(raw: str, e164: str) -> None:
    assert parse_phone(raw) == (e164, PhoneKind.MOBILE)
    assert normalise_phone(raw) == e164


@pytest.mark.parametrize(
    ("raw", "e164"),
    [("(0294) 3862 123", "+842943862123"), ("024 3912 3456", "+842439123456")],
)
def test_a_landline_is_accepted_as_a_landline(raw: str, e164: str) -> None:
    assert parse_phone(raw) == (e164, PhoneKind.LANDLINE)
    assert phone_kind(e164) == PhoneKind.LANDLINE and phone_kind("+84912345678") == PhoneKind.MOBILE


@pytest.mark.parametrize(
    "raw",
    [
        "074 123 4567",  # the shapes the old pattern let through: prefixes no carrier was given
        "080 123 4567",
        "052 123 4567",
        "055 123 4567",
        "0123 456 7890",  # the 11-digit mobiles renumbered in 2018
        "0201234567",
        "12345",
        "0112345678",
        "09123456789",
        "+1 202 555 0100",
        "0912 345 678 máy lẻ 12",
        "0912345678a",
    ],
)
def test_other_numbers_are_refused_in_vietnamese_with_the_accepted_forms(raw: str) -> None:
    with pytest.raises(ValueError) as refused:
        normalise_phone(raw)
    assert str(refused.value) == f"số điện thoại {raw!r} không phải số Việt Nam hợp lệ {EXAMPLES}"
    assert phone_kind(raw) is None


def test_a_service_number_is_nobody_s_phone() -> None:
    with pytest.raises(ValueError, match="không phải số di động hay số cố định"):
        normalise_phone("1900 1234")


def test_a_bad_phone_in_the_csv_is_its_row_s_error_naming_the_column() -> None:
    rows = csvimport.read(
        "code,name,level,officer_name,officer_phone,head_name,head_phone\n"
        "A,Sở A,department,Lê Văn Tư,0084 912 345 678,Trần Thị B,(0294) 3862 123\n"
        "B,Sở B,department,Lê Văn Tư,055 123 4567,,\n"
        "C,Sở C,department,,,Trần Thị B,0123 456 7890\n".encode()
    )
    assert rows[0].values is not None and rows[0].values["contacts"] == {
        "iso_officer": {"name": "Lê Văn Tư", "phone": "+84912345678"},
        "head": {"name": "Trần Thị B", "phone": "+842943862123"},
    }
    assert [r.error for r in rows[1:]] == [
        f"officer_phone: số điện thoại '055 123 4567' không phải số Việt Nam hợp lệ {EXAMPLES}",
        f"head_phone: số điện thoại '0123 456 7890' không phải số Việt Nam hợp lệ {EXAMPLES}",
    ]


def test_vietnamese_headers_and_values_with_a_bom_and_semicolons() -> None:
    content = (
        "\ufeffMã cơ quan;Tên cơ quan;Cấp;Nghĩa vụ;Dùng phần mềm ISO điện tử;Hiệu lực từ;Thủ trưởng\n"
        "X1;UBND xã A;Xã;được chỉ định;X;30/10/2022;Trần Văn C\n"
        "\n"
        "X2;Sở B;sở, ban, ngành;;không;;\n"
    ).encode()
    rows = csvimport.read(content)
    assert [r.number for r in rows] == [2, 4]
    first = rows[0].values
    assert first is not None
    assert (first["level"], first["obligation"], first["uses_eiso_software"]) == (
        "commune",
        "designated",
        True,
    )
    assert first["valid_from"] == date(2022, 10, 30)
    assert first["contacts"] == {"head": {"name": "Trần Văn C"}}
    assert rows[1].values is not None and rows[1].values["level"] == "department"


def test_bad_values_are_reported_per_row_and_bad_files_as_a_whole() -> None:
    rows = csvimport.read(b"code,name,level,uses_eiso_software\nA,B,province,yes\nC,D,unit,maybe\n")
    assert [r.error for r in rows] == [
        "level: 'province' is not one of commune, department, district, unit (or their Vietnamese names)",
        "uses_eiso_software: 'maybe' is not có/không (yes/no)",
    ]
    with pytest.raises(csvimport.CsvError, match="not UTF-8"):
        csvimport.read("Mã,Tên,Cấp\n".encode("utf-16"))
    with pytest.raises(csvimport.CsvError, match="unknown column"):
        csvimport.read(b"code,name,level,colour\n")
    with pytest.raises(csvimport.CsvError, match="missing column"):
        csvimport.read(b"code,name\n")
