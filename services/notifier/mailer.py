"""E-mail over SMTP (aiosmtplib): Vietnamese subject and body, plain text and HTML. The message's
request id is its Message-ID, so a resend after a crash is recognisable as the same message."""

from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr
from pathlib import Path

import aiosmtplib

from services.notifier.gateways import Outcome, Result


@dataclass
class Mailer:
    name: str
    host: str
    port: int
    sender: str
    sender_name: str = "Sở Khoa học và Công nghệ (eiso)"
    username: str | None = None
    password: str | None = None
    start_tls: bool | None = None
    timeout: float = 20.0

    def message(self, request_id: str, to: str, subject: str, text: str, html: str) -> EmailMessage:
        message = EmailMessage()
        message["From"] = formataddr((self.sender_name, self.sender))
        message["To"] = to
        message["Subject"] = subject
        message["Message-ID"] = f"<{request_id}@eiso>"
        message.set_content(text, charset="utf-8")
        message.add_alternative(html, subtype="html", charset="utf-8")
        return message

    async def send(self, request_id: str, to: str, subject: str, text: str, html: str) -> Result:
        try:
            await aiosmtplib.send(
                self.message(request_id, to, subject, text, html),
                hostname=self.host,
                port=self.port,
                username=self.username,
                password=self.password,
                start_tls=self.start_tls,
                timeout=self.timeout,
            )
        except aiosmtplib.SMTPRecipientsRefused as exc:
            codes = [r.code for r in exc.recipients]
            outcome = Outcome.PERMANENT if all(500 <= c < 600 for c in codes) else Outcome.TRANSIENT
            return Result(outcome, detail=f"SMTP recipient refused: {codes}")
        except aiosmtplib.SMTPResponseException as exc:
            outcome = Outcome.PERMANENT if 500 <= exc.code < 600 else Outcome.TRANSIENT
            return Result(outcome, detail=f"SMTP {exc.code}: {exc.message[:200]}")
        except (aiosmtplib.SMTPException, OSError) as exc:
            return Result(Outcome.TRANSIENT, detail=f"SMTP: {type(exc).__name__}")
        return Result(Outcome.ACCEPTED, request_id)


@dataclass
class FolderMailer(Mailer):
    """Development: each e-mail is an .eml file named by its request id (open it in any mail
    program); a request id already written is not written twice."""

    folder: Path = Path(".run/mail")

    async def send(self, request_id: str, to: str, subject: str, text: str, html: str) -> Result:
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"{request_id}.eml"
        if not path.exists():
            temporary = path.with_suffix(".tmp")
            temporary.write_bytes(bytes(self.message(request_id, to, subject, text, html)))
            temporary.replace(path)  # whole or not at all
        return Result(Outcome.ACCEPTED, request_id)
