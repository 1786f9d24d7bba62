"""E-mail over SMTP (aiosmtplib), or as .eml files in a folder for development: Vietnamese subject and
body, plain text and HTML, UTF-8. One implementation for every service that writes to people (the
notifier's reminders, the identity service's invitations), and one set of settings each reads under
its own prefix (`MailSettings`).

The message's request id is its Message-ID, so a resend after a crash is recognisable as the same
message (and the folder writes it once)."""

from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from pathlib import Path

import aiosmtplib
from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from services.common.delivery import Outcome, Result

DEFAULT_SENDER_NAME = "Sở Khoa học và Công nghệ (eiso)"


class MailSettings(BaseSettings):
    """The e-mail settings of a service that sends e-mail, read under the service's own prefix
    (`EISO_NOTIFIER_SMTP_HOST`, `EISO_IDENTITY_SMTP_HOST`…): SMTP, or (for development) a folder of
    .eml files when `mail_folder` is set."""

    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    #: Write e-mails as .eml files here instead of sending them (development).
    mail_folder: Path | None = None
    #: SMTP server.
    smtp_host: str = "127.0.0.1"
    #: SMTP port.
    smtp_port: int = Field(default=1025, ge=1, le=65535)
    #: From address of the e-mails.
    smtp_sender: str = "eiso@localhost"
    #: SMTP user, if the server wants one.
    smtp_username: str | None = None
    #: SMTP password (never logged).
    smtp_password: SecretStr | None = None
    #: Force STARTTLS on or off (default: when the server offers it).
    smtp_starttls: bool | None = None


@dataclass
class Mailer:
    name: str
    host: str
    port: int
    sender: str
    sender_name: str = DEFAULT_SENDER_NAME
    username: str | None = None
    password: str | None = None
    start_tls: bool | None = None
    timeout: float = 20.0

    def message(
        self, request_id: str, to: str, subject: str, text: str, html: str, at: datetime | None = None
    ) -> EmailMessage:
        """The message as sent; `at` is its Date (the service's clock; now unless told)."""
        message = EmailMessage()
        message["From"] = formataddr((self.sender_name, self.sender))
        message["To"] = to
        message["Subject"] = subject
        message["Date"] = format_datetime((at or datetime.now(UTC)).astimezone(UTC))
        message["Message-ID"] = f"<{request_id}@eiso>"
        message.set_content(text, charset="utf-8")
        message.add_alternative(html, subtype="html", charset="utf-8")
        return message

    async def send(
        self, request_id: str, to: str, subject: str, text: str, html: str, at: datetime | None = None
    ) -> Result:
        try:
            await aiosmtplib.send(
                self.message(request_id, to, subject, text, html, at),
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

    async def send(
        self, request_id: str, to: str, subject: str, text: str, html: str, at: datetime | None = None
    ) -> Result:
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"{request_id}.eml"
        if not path.exists():
            temporary = path.with_suffix(".tmp")
            temporary.write_bytes(bytes(self.message(request_id, to, subject, text, html, at)))
            temporary.replace(path)  # whole or not at all
        return Result(Outcome.ACCEPTED, request_id)


def mailer_from(settings: MailSettings, sender_name: str = DEFAULT_SENDER_NAME) -> Mailer:
    """The folder when `mail_folder` is set, else SMTP."""
    if settings.mail_folder:
        return FolderMailer(
            "folder", "", 0, settings.smtp_sender, sender_name=sender_name, folder=settings.mail_folder
        )
    return Mailer(
        "smtp",
        settings.smtp_host,
        settings.smtp_port,
        settings.smtp_sender,
        sender_name=sender_name,
        username=settings.smtp_username,
        password=settings.smtp_password.get_secret_value() if settings.smtp_password else None,
        start_tls=settings.smtp_starttls,
    )
