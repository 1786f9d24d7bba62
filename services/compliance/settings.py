from pydantic_settings import SettingsConfigDict

from services.common.settings import ServiceSettings


class ComplianceSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="EISO_COMPLIANCE_", extra="ignore", frozen=True)

    service_name: str = "compliance"
    http_port: int = 8002
    database_url: str = "sqlite+aiosqlite:///.data/compliance.db"
