from datetime import time
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from services.common.settings import ServiceSettings
from services.notifier.templates import TEMPLATES_FILE
from services.notifier.workdays import HOLIDAYS_FILE

GatewayKind = Literal["file", "esms", "speedsms"]


class NotifierSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="EISO_NOTIFIER_", extra="ignore", frozen=True)

    service_name: str = "notifier"
    http_port: int = 8004
    database_url: str = "sqlite+aiosqlite:///.data/notifier.db"
    templates_file: Path = TEMPLATES_FILE
    holidays_file: Path = HOLIDAYS_FILE
    #: Largest number of SMS parts a template may need (linted at start).
    max_sms_segments: int = Field(default=3, ge=1, le=10)

    # SMS gateways: a primary and an optional fallback.
    sms_primary: GatewayKind = "file"
    sms_fallback: GatewayKind | None = None
    sms_file: Path = Path(".run/sms/outbox.jsonl")
    brandname: str = "SOKHCN"
    esms_url: str = "https://rest.esms.vn/MainService.svc/json/SendMultipleMessage_V4_post_json/"
    esms_api_key: SecretStr | None = None
    esms_secret_key: SecretStr | None = None
    esms_sandbox: bool = False
    speedsms_url: str = "https://api.speedsms.vn/index.php/sms/send"
    speedsms_token: SecretStr | None = None
    gateway_timeout_seconds: float = Field(default=10, gt=0)

    # E-mail: SMTP, or (for development) a folder of .eml files when `mail_folder` is set.
    mail_folder: Path | None = None
    smtp_host: str = "127.0.0.1"
    smtp_port: int = Field(default=1025, ge=1, le=65535)
    smtp_sender: str = "eiso@localhost"
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool | None = None

    # Respectful sending.
    quiet_hours_start: time = time(7, 0)
    quiet_hours_end: time = time(22, 0)
    #: Hold non-critical SMS to working days (weekends and public holidays skipped).
    working_days_only: bool = True
    throttle_per_day: int = Field(default=3, ge=1)
    digest_seconds: float = Field(default=60, ge=0)
    attempts_per_gateway: int = Field(default=3, ge=1)
    backoff_base_seconds: float = Field(default=2, gt=0)
    backoff_cap_seconds: float = Field(default=300, gt=0)
    dispatch_seconds: float = Field(default=1, gt=0)
    #: After a crash mid-attempt, the batch is tried again (same request id) once this has passed;
    #: keep it above the gateway timeout.
    lease_seconds: float = Field(default=30, gt=0)

    # Escalation ladder: officer → head after N working days → supervising agency after M more.
    escalate_to_head_days: int = Field(default=5, ge=1)
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
