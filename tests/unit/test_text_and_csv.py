"""Vietnamese text, phone numbers and the agency CSV, as departments write them."""

from datetime import date

import pytest

from services.common.text import normalise_phone, search_key, unaccent
from services.registry import csvimport


def test_unaccent_maps_d_with_stroke_which_nfd_leaves_alone() -> None:
    assert unaccent("Đồng Tháp đã cập nhật") == "Dong Thap da cap nhat"
    assert search_key("  UBND  Xã Hòa Thuận ") == "ubnd xa hoa thuan"


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("0912345678", "+84912345678"),
        ("0912 345 678", "+84912345678"),
        ("091.234.5678", "+84912345678"),
        ("+84 912 345 678", "+84912345678"),
        ("84912345678", "+84912345678"),
        ("(0294) 3862 123", "+842943862123"),
    ],
)
def test_vietnamese_phones_become_e164(raw: str, e164: str) -> None:
    assert normalise_phone(raw) == e164


@pytest.mark.parametrize("raw", ["12345", "0112345678", "+1 202 555 0100", "09123456789"])
def test_other_numbers_are_refused(raw: str) -> None:
    with pytest.raises(ValueError, match="not a Vietnamese phone number"):
        normalise_phone(raw)


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
