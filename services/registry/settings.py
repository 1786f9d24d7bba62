from pydantic import Field
from pydantic_settings import SettingsConfigDict

from services.common.settings import ServiceSettings


class RegistrySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="EISO_REGISTRY_", extra="ignore", frozen=True)

    service_name: str = "registry"
    http_port: int = 8001
    database_url: str = "sqlite+aiosqlite:///.data/registry.db"
    #: How far ahead of the registry's clock an inbound event's `time` may be (publishers' clocks
    #: drift); an event further in the future is dead-lettered.
    inbound_clock_skew_seconds: int = Field(default=300, ge=0, le=86_400)
