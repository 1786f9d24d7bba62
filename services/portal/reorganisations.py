"""A reorganisation as the operator reads it before and after it is applied: each change the registry
would publish, in a Vietnamese sentence; the forms' fields and the API each action calls."""

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from services.portal.pages.render import day

#: How one agency descends from another (the registry's lineage links), as a person reads it.
LINK_VI = {
    "merged_into": "được sáp nhập vào",
    "split_from": "được chia tách từ",
    "renamed_from": "là mã mới của",
}
#: The fields a change names (`changed` of agency-updated), as a person reads them.
FIELD_VI = {
    "parent_code": "cơ quan cấp trên",
    "contacts": "thông tin liên hệ",
    "obligation": "diện áp dụng ISO",
    "uses_eiso_software": "việc dùng phần mềm ISO điện tử",
    "name": "tên",
}


class Action(StrEnum):
    REPARENT = "reparent"
    RENAME = "rename"
    MERGE = "merge"
    DISSOLVE = "dissolve"


@dataclass(frozen=True)
class ActionForm:
    title: str
    #: (field, label, hint, required)
    fields: tuple[tuple[str, str, str, bool], ...]


EFFECTIVE = (
    "effective_on",
    "Có hiệu lực từ ngày",
    "Theo dạng ngày/tháng/năm; để trống nếu có hiệu lực từ hôm nay.",
    False,
)
FORMS: dict[Action, ActionForm] = {
    Action.REPARENT: ActionForm(
        "Chuyển cơ quan cấp trên",
        (
            (
                "parent_code",
                "Mã định danh của cơ quan cấp trên mới",
                "Để trống nếu không trực thuộc cơ quan nào.",
                False,
            ),
            EFFECTIVE,
        ),
    ),
    Action.RENAME: ActionForm(
        "Đổi tên, mã định danh",
        (
            ("name", "Tên mới", "", True),
            ("new_code", "Mã mới", "Chỉ điền khi có quyết định đổi cả mã định danh.", False),
            EFFECTIVE,
        ),
    ),
    Action.MERGE: ActionForm(
        "Sáp nhập vào cơ quan khác",
        (
            ("into", "Mã định danh của cơ quan tiếp nhận", "Cơ quan tiếp tục hoạt động sau sáp nhập.", True),
            EFFECTIVE,
        ),
    ),
    Action.DISSOLVE: ActionForm(
        "Giải thể",
        (("reason", "Lý do, căn cứ", "Ví dụ: Nghị quyết số 1234/NQ-UBTVQH15.", True), EFFECTIVE),
    ),
}


def request_of(
    action: Action, code: str, values: dict[str, str], effective_on: str | None
) -> tuple[str, dict[str, Any]]:
    """The registry path (after /previews or not) and body of `action` on agency `code`."""
    when = {"effective_on": effective_on}
    if action == Action.REPARENT:
        return f"/agencies/{code}:reparent", {"parent_code": values["parent_code"] or None, **when}
    if action == Action.RENAME:
        body = {"name": values["name"], "new_code": values["new_code"] or None, **when}
        return f"/agencies/{code}:rename", body
    if action == Action.MERGE:
        return "/agencies:merge", {"sources": [code], "into": values["into"] or None, **when}
    return f"/agencies/{code}:dissolve", {"reason": values["reason"], **when}


Names = dict[str, str]


def _named(code: str, names: Names) -> str:
    return f"{names[code]} ({code})" if names.get(code, code) != code else code


def _registered(data: dict[str, Any], names: Names) -> str:
    return f"Đăng ký cơ quan mới {data['name']} ({data['code']}) từ ngày {day(data['valid_from'])}."


def _renamed(data: dict[str, Any], names: Names) -> str:
    new_code = f", mã mới {data['code']}" if data.get("previous_code") else ""
    since = day(data["valid_from"])
    return f"{data['previous_name']} đổi tên thành {data['name']}{new_code}, từ ngày {since}."


def _merged(data: dict[str, Any], names: Names) -> str:
    sources = ", ".join(_named(code, names) for code in data["sources"])
    successor = data["successor"]["name"]
    return (
        f"{sources} sáp nhập vào {successor} ({data['code']}) từ ngày {day(data['effective_on'])}; "
        f"{successor} kế thừa hồ sơ và kết quả ISO của cơ quan bị sáp nhập."
    )


def _dissolved(data: dict[str, Any], names: Names) -> str:
    basis = str(data["reason"]).rstrip(". ")
    return f"{_named(data['code'], names)} giải thể kể từ ngày {day(data['effective_on'])} (căn cứ: {basis})."


def _split(data: dict[str, Any], names: Names) -> str:
    parts = ", ".join(f"{part['name']} ({part['code']})" for part in data["into"])
    return f"{_named(data['code'], names)} được chia thành {parts} từ ngày {day(data['effective_on'])}."


def _updated(data: dict[str, Any], names: Names) -> str:
    agency, since = f"{data['name']} ({data['code']})", day(data["valid_from"])
    if data.get("changed") == ["parent_code"]:
        parent = _named(data["parent_code"], names) if data.get("parent_code") else None
        if parent is None:
            return f"{agency} không còn trực thuộc cơ quan nào từ ngày {since}."
        return f"{agency} chuyển sang trực thuộc {parent} từ ngày {since}."
    fields = ", ".join(FIELD_VI.get(name, name) for name in data.get("changed", []))
    return f"{agency}: thay đổi {fields} từ ngày {since}."


SENTENCES = {
    "agency-registered": _registered,
    "agency-renamed": _renamed,
    "agency-merged": _merged,
    "agency-dissolved": _dissolved,
    "agency-split": _split,
    "agency-updated": _updated,
}


def describe(change: dict[str, Any], names: Names) -> str:
    """One change the registry would publish (or has published), as a sentence."""
    sentence = SENTENCES.get(change["type"])
    return sentence(change["data"], names) if sentence else f"{change['type']}: {change['subject']}"
