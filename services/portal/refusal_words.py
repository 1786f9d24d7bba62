"""Why the gateway refused a record, as the department reads it. The reasons are written for the
publishing system's developers (in English, on the dead-letter topic's headers, the same text here);
the page says each known kind in Vietnamese and keeps the exact reason beneath it for them."""

import re
from collections.abc import Callable

Words = Callable[[re.Match[str]], str]

#: (the reason's shape, what it means) — first match wins.
KINDS: tuple[tuple[re.Pattern[str], Words], ...] = (
    (re.compile(r"^unknown agency (\S+)"), lambda m: f"Mã định danh {m[1]} chưa có trong danh mục cơ quan."),
    (
        re.compile(r"^source (\S+) may not publish for (\S+)"),
        lambda m: f"Hệ thống {m[1]} không được phép gửi hồ sơ của cơ quan {m[2]}.",
    ),
    (
        re.compile(r"^source (\S+) is not a registered system"),
        lambda m: f"Hệ thống {m[1]} chưa được đăng ký kết nối.",
    ),
    (
        re.compile(r"^source (\S+) is not (\S+), the only system allowed"),
        lambda m: f"Hệ thống {m[1]} gửi vào kênh dành riêng cho hệ thống {m[2]}.",
    ),
    (
        re.compile(r"^record_id (\S+) was already used for other content"),
        lambda m: f"Mã hồ sơ {m[1]} đã được dùng cho một nội dung khác.",
    ),
    (
        re.compile(r"^id reused with different content"),
        lambda m: "Mã sự kiện đã được dùng cho một nội dung khác.",
    ),
    (
        re.compile(r"^time \S+ is more than"),
        lambda m: "Thời điểm ghi trên hồ sơ ở tương lai; có thể đồng hồ của hệ thống gửi bị sai.",
    ),
    (re.compile(r"^the record has no key"), lambda m: "Bản ghi Kafka không có khóa (mã cơ quan)."),
    (
        re.compile(r"^the record's key .* is not the event's"),
        lambda m: "Khóa của bản ghi Kafka khác mã cơ quan trong hồ sơ.",
    ),
    (
        re.compile(r"^(empty record value|value is not JSON|value is not a JSON object)"),
        lambda m: "Dữ liệu không đọc được (không phải JSON).",
    ),
    (re.compile(r"^type .* is not carried on"), lambda m: "Loại sự kiện không được nhận trên kênh này."),
    (
        re.compile(r"^invalid event: (.*)"),
        lambda m: (
            "Hồ sơ không đúng khuôn dạng ở trường "
            + ", ".join(sorted({part.split(":")[0].strip() for part in m[1].split(";")}))
            + "."
        ),
    ),
    (re.compile(r"^(data\.\S+|[a-z_]+): "), lambda m: f"Hồ sơ bị từ chối ở trường {m[1]}."),
)


def refusal_vi(reason: str) -> str | None:
    """The reason in Vietnamese, or None for one of no known kind (the page shows it as it is)."""
    for shape, words in KINDS:
        if found := shape.match(reason):
            return words(found)
    return None
