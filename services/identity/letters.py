"""The e-mails the identity service writes to people, in the register of an official letter from the
department: Vietnamese, plain text and HTML (Jinja2, `templates/mail/`; the HTML escaped), times in
giờ Việt Nam. Pure: the use cases give the facts, and queue what comes out."""

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from services.common.clock import VIETNAM, VIETNAM_LABEL
from services.identity.people import MIN_PASSWORD

#: Only the .html templates are escaped: the plain text is sent as written.
MAIL_TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates" / "mail"),
    autoescape=select_autoescape(enabled_extensions=("html",), default=False),
    undefined=StrictUndefined,
    keep_trailing_newline=True,
)
DEPARTMENT = "Sở Khoa học và Công nghệ"


@dataclass(frozen=True)
class Letter:
    subject: str
    text: str
    html: str


def vietnam_time(at: datetime) -> str:
    """ "14:30 ngày 03/10/2022 (giờ Việt Nam)": how a person is told until when."""
    return f"{at.astimezone(VIETNAM):%H:%M ngày %d/%m/%Y} {VIETNAM_LABEL}"


def invitation(
    name: str,
    email: str,
    agency: str,
    link: str,
    sign_in: str,
    expires_at: datetime,
    department: str = DEPARTMENT,
) -> Letter:
    """The letter that invites an agency's ISO officer to eiso, with the one-time link that sets the
    password of their account (`email`)."""
    facts = {
        "name": name,
        "email": email,
        "agency": agency,
        "link": link,
        "sign_in": sign_in,
        "until": vietnam_time(expires_at),
        "department": department,
        "min_password": MIN_PASSWORD,
    }
    return Letter(
        subject=f"Mời sử dụng Hệ thống quản lý ISO điện tử — {agency}",
        text=MAIL_TEMPLATES.get_template("invitation.txt").render(facts),
        html=MAIL_TEMPLATES.get_template("invitation.html").render(facts),
    )
