from datetime import time
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from services.common.mailer import MailSettings
from services.common.settings import ServiceSettings
from services.notifier.templates import TEMPLATES_FILE

GatewayKind = Literal["file", "esms", "speedsms"]


class NotifierSettings(MailSettings, ServiceSettings):
    """The notifier's settings; its e-mail ones (SMTP, or a folder of .eml files) are `MailSettings`."""

    model_config = SettingsConfigDict(env_prefix="EISO_NOTIFIER_", extra="ignore", frozen=True)

    service_name: str = "notifier"
    http_port: int = 8004
    database_url: str = "sqlite+aiosqlite:///.data/notifier.db"
    #: Message templates (Jinja2, Vietnamese), linted at start.
    templates_file: Path = TEMPLATES_FILE
    #: Largest number of SMS parts a template may need (linted at start).
    max_sms_segments: int = Field(default=3, ge=1, le=10)

    # SMS gateways: a primary and an optional fallback.
    #: SMS gateway tried first: file, esms or speedsms.
    sms_primary: GatewayKind = "file"
    #: Gateway that takes over after the primary's transient failures.
    sms_fallback: GatewayKind | None = None
    #: Where the file gateway writes (one JSON line per SMS).
    sms_file: Path = Path(".run/sms/outbox.jsonl")
    #: Sender id registered with the carriers (≤ 11 characters, unaccented).
    brandname: str = "SOKHCN"
    #: eSMS-style endpoint.
    esms_url: str = "https://rest.esms.vn/MainService.svc/json/SendMultipleMessage_V4_post_json/"
    #: eSMS-style API key (required when esms is used).
    esms_api_key: SecretStr | None = None
    #: eSMS-style secret key (required when esms is used).
    esms_secret_key: SecretStr | None = None
    #: Ask the eSMS-style gateway to validate without sending or charging.
    esms_sandbox: bool = False
    #: SpeedSMS-style endpoint.
    speedsms_url: str = "https://api.speedsms.vn/index.php/sms/send"
    #: SpeedSMS-style access token (required when speedsms is used).
    speedsms_token: SecretStr | None = None
    #: HTTP timeout of one gateway call (a timeout is retried).
    gateway_timeout_seconds: float = Field(default=10, gt=0)

    # Respectful sending.
    #: SMS are sent from this hour (giờ Việt Nam)…
    quiet_hours_start: time = time(7, 0)
    #: …until this hour; held messages wait, critical ones do not.
    quiet_hours_end: time = time(22, 0)
    #: Hold non-critical SMS to working days (weekends, public holidays and the province's days off, as
    #: EISO_WORKDAYS_FILE says, skipped).
    working_days_only: bool = True
    #: Most SMS to one person in 24 hours (more wait).
    throttle_per_day: int = Field(default=3, ge=1)
    #: Reasons due for one person within this many seconds go as one digest.
    digest_seconds: float = Field(default=60, ge=0)
    #: Tries on one gateway after transient failures before failing over.
    attempts_per_gateway: int = Field(default=3, ge=1)
    #: First retry waits up to this (exponential, full jitter)…
    backoff_base_seconds: float = Field(default=2, gt=0)
    #: …and no retry waits longer than this.
    backoff_cap_seconds: float = Field(default=300, gt=0)
    #: How often due messages are looked for.
    dispatch_seconds: float = Field(default=1, gt=0)
    #: After a crash mid-attempt, the batch is tried again (same request id) once this has passed;
    #: keep it above the gateway timeout.
    lease_seconds: float = Field(default=30, gt=0)

    # Escalation ladder: officer → head after N working days → supervising agency after M more.
    #: Working days without an update before the head is told.
    escalate_to_head_days: int = Field(default=5, ge=1)
    #: Further working days before the supervising agency is told.
    escalate_to_supervisor_days: int = Field(default=5, ge=1)
    #: The agency that supervises departments and districts: the department of science and technology.
    supervisor_code: str = "000.00.14.H59"

    #: Shared secret gateways send back on delivery callbacks (`?token=`); callbacks refused without it.
    callback_token: SecretStr | None = None

    @model_validator(mode="after")
    def _secrets_for_the_gateways_in_use(self) -> "NotifierSettings":
        used = {self.sms_primary, self.sms_fallback}
        if "esms" in used and not (self.esms_api_key and self.esms_secret_key):
            raise ValueError(
                "EISO_NOTIFIER_ESMS_API_KEY and EISO_NOTIFIER_ESMS_SECRET_KEY are required for esms"
            )
        if "speedsms" in used and not self.speedsms_token:
            raise ValueError("EISO_NOTIFIER_SPEEDSMS_TOKEN is required for speedsms")
        if self.sms_fallback == self.sms_primary:
            raise ValueError("EISO_NOTIFIER_SMS_FALLBACK must differ from the primary gateway")
        return self
