"""How a portal page is made: one layout, the person's menu by role, and dates as people here read
them (dd/mm/yyyy, times giờ Việt Nam). Nothing is decided here; the services have decided it."""

from datetime import date, datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from contracts.identity import ROLE_VI, Role
from services.common.clock import VIETNAM, local_date
from services.common.docs import static_url
from services.common.http import origin_of, page_policy
from services.common.tokens import CSRF_COOKIE
from services.portal.people import Person

TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).parent.parent / "templates"),
    autoescape=select_autoescape(default=True),
)
STATIC_DIR = Path(__file__).parent.parent / "static"


def day(value: date | str | None) -> str:
    """dd/mm/yyyy, from a date or an ISO date string (as the APIs write them)."""
    if value is None or value == "":
        return ""
    parsed = date.fromisoformat(value[:10]) if isinstance(value, str) else value
    return f"{parsed:%d/%m/%Y}"


def moment(value: datetime | str | None) -> str:
    """HH:MM dd/mm/yyyy giờ Việt Nam, from an aware datetime or an ISO string (UTC on the wire)."""
    if value is None or value == "":
        return ""
    parsed = datetime.fromisoformat(value) if isinstance(value, str) else value
    return f"{parsed.astimezone(VIETNAM):%H:%M %d/%m/%Y}"


def today(request: Request) -> date:
    """Today, giờ Việt Nam, by the portal's clock (the services' on a simulated year)."""
    return local_date(request.app.state.service.clock.now())


def year_or_this(request: Request, year: int | None) -> int:
    """The year asked for, or this one."""
    return year or today(request).year


TEMPLATES.filters["day"] = day
TEMPLATES.filters["moment"] = moment

#: The menu: what each role finds in the portal (pages another role cannot use are not offered).
MENU: dict[Role, list[tuple[str, str]]] = {
    Role.AGENCY: [("/my-agency", "Cơ quan của tôi")],
    Role.OPERATOR: [
        ("/board", "Bảng theo dõi"),
        ("/registry", "Danh mục cơ quan"),
        ("/inspections", "Kiểm tra"),
        ("/training", "Đào tạo"),
        ("/notifications", "Tin nhắn, thư"),
        ("/dead-letters", "Dữ liệu bị từ chối"),
        ("/people", "Tài khoản"),
        ("/audit", "Nhật ký"),
    ],
    Role.VIEWER: [("/board", "Bảng theo dõi"), ("/registry", "Danh mục cơ quan")],
    Role.INSPECTOR: [("/inspections", "Kiểm tra của tôi")],
    Role.TRAINER: [("/training", "Lớp của tôi")],
}


def page(
    request: Request, who: Person | None, template: str, status: int = 200, **context: Any
) -> HTMLResponse:
    """A page of the portal for `who` (None: a page for someone not signed in)."""
    principal = who.principal if who else None
    html = TEMPLATES.get_template(template).render(
        static=static_url(request),
        person=principal,
        role_vi=ROLE_VI.get(principal.role, "") if principal else "",
        menu=MENU.get(principal.role, []) if principal else [],
        csrf=principal.csrf if principal else request.cookies.get(CSRF_COOKIE, ""),
        sign_out=request.app.state.service.identity_sign_out,
        department=request.app.state.service.portal_settings.department_name,
        **context,
    )
    answer = HTMLResponse(html, status_code=status)
    if identity := origin_of(request.app.state.service.identity_sign_out):  # the sign-out form posts there
        answer.headers["Content-Security-Policy"] = page_policy([identity])
    return answer
