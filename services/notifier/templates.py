"""Message templates (Jinja2, Vietnamese), loaded from templates.yaml and linted when loaded: every
SMS must stay GSM-7 once unaccented and within the allowed number of parts, rendered with the longest
sample values, and every template must render with the slots its reason provides.
"""

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from jinja2 import Environment, StrictUndefined, TemplateError, select_autoescape

from services.notifier.sms import Segments, SmsTextError, segments, to_sms

TEMPLATES_FILE = Path(__file__).parent / "templates.yaml"
PARTS = ("subject", "sms", "text")

#: The longest values a slot takes in practice: a template must fit with these.
SAMPLE: dict[str, Any] = {
    "agency": "UBND xã Hòa Thuận, huyện Châu Thành, tỉnh Trà Vinh",
    "recipient": "Đồng chí Nguyễn Thị Thanh Hương",
    "code": "000.36.05.H59",
    "year": 2022,
    "deadline": "30/10/2022",
    # As long as a reason in the working-day calendar may be (services/common/workdays.REASON_MAX).
    "deadline_off": "Nghỉ Tết Nguyên đán theo phương án của Chính phủ và tỉnh nhà",
    "last_working_day": "28/10/2022",
    "days_left": 30,
    "days": 10,
    "missing": ["Chính sách chất lượng", "Bối cảnh tổ chức", "Mục tiêu chất lượng", "Đánh giá nội bộ"],
    "when": "08:00 thứ Ba 10/05/2022",
    "mode": "tại chỗ",
    "inspector": "Nguyễn Văn Thành",
    "course": "Nhận thức TCVN ISO 9001:2015",
    "venue": "Hội trường Sở Khoa học và Công nghệ",
    "reason": "Cơ quan còn thiếu 4/6 nội dung HTQLCL",
    "items": ["còn 7 ngày đến hạn 30/10/2022", "chưa đánh giá nội bộ", "mời lớp ISO 10/05"],
}


#: Slots added after messages may already be stored (a message keeps the context it was made with):
#: absent from an older context, they are empty rather than an error when it is sent.
OPTIONAL: dict[str, Any] = {"deadline_off": None, "last_working_day": None}


class TemplateFileError(ValueError):
    """A template that cannot be used; the message names the reason, the part and the problem."""


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str
    sms: str
    sms_segments: Segments


class Templates:
    def __init__(self, raw: dict[str, dict[str, str]], max_segments: int) -> None:
        self.max_segments = max_segments
        plain = Environment(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=False)
        html = Environment(undefined=StrictUndefined, autoescape=select_autoescape(default=True))
        self._items = {reason for reason, parts in raw.items() if "item" in parts}
        self._parts = {
            (reason, part): plain.from_string(source)
            for reason, parts in raw.items()
            for part, source in parts.items()
        }
        self._html = html.from_string(
            '<!doctype html><html lang="vi"><meta charset="utf-8"><title>{{ subject }}</title>'
            '<body style="font-family:Arial,sans-serif;line-height:1.5">'
            "{% for line in lines if line %}<p>{{ line }}</p>{% endfor %}"
            '<p style="color:#666;font-size:12px">Thư tự động từ hệ thống eiso của Sở Khoa học và Công nghệ; '
            "giờ hiển thị là giờ Việt Nam.</p></body></html>"
        )
        self.reasons = frozenset(raw)

    def item(self, reason: str, context: dict[str, Any]) -> str:
        """The reason's line in a digest: its `item` template, or its subject."""
        part = "item" if reason in self._items else "subject"
        return " ".join(self._parts[(reason, part)].render(OPTIONAL | context).split())

    def render(self, reason: str, context: dict[str, Any], strict: bool = False) -> Rendered:
        values = OPTIONAL | context
        subject = " ".join(self._parts[(reason, "subject")].render(values).split())
        lines = reflow(self._parts[(reason, "text")].render(values))
        sms = to_sms(self._parts[(reason, "sms")].render(values), strict)
        text = "\n".join(lines) + "\n"
        return Rendered(subject, text, self._html.render(subject=subject, lines=lines), sms, segments(sms))


def reflow(text: str) -> list[str]:
    """Paragraphs joined into single lines (templates wrap for readability), list items kept apart;
    a blank line between paragraphs is kept as an empty string."""
    out: list[str] = []
    for paragraph in text.strip().split("\n\n"):
        lines: list[str] = []
        for raw in paragraph.splitlines():
            line = " ".join(raw.split())
            if not line:
                continue
            if line.startswith("- ") or not lines or lines[-1].startswith("- "):
                lines.append(line)
            else:
                lines[-1] += " " + line
        if out:
            out.append("")
        out.extend(lines)
    return out


def load(path: Path = TEMPLATES_FILE, max_segments: int = 3) -> Templates:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise TemplateFileError(f"{path}: {exc}") from None
    for reason, parts in raw.items():
        missing = [p for p in PARTS if not isinstance(parts, dict) or p not in parts]
        if missing:
            raise TemplateFileError(f"{path}: {reason}: missing {', '.join(missing)}")
    try:
        templates = Templates(raw, max_segments)
    except TemplateError as exc:
        raise TemplateFileError(f"{path}: {exc}") from None
    for reason in raw:
        try:
            templates.render(reason, SAMPLE | OPTIONAL, strict=True)  # the branches without them too
            rendered = templates.render(reason, SAMPLE, strict=True)
            templates.item(reason, SAMPLE)
        except (TemplateError, SmsTextError) as exc:
            raise TemplateFileError(f"{path}: {reason}: {exc}") from None
        if rendered.sms_segments.count > max_segments:
            raise TemplateFileError(
                f"{path}: {reason}.sms: {rendered.sms_segments.count} SMS parts with the longest sample "
                f"values ({rendered.sms_segments.units} characters); at most {max_segments} allowed"
            )
    return templates
