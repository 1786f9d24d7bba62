from pydantic_settings import SettingsConfigDict

from services.common.settings import ServiceSettings


class RegistrySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="EISO_REGISTRY_", extra="ignore", frozen=True)

    service_name: str = "registry"
    http_port: int = 8001
    database_url: str = "sqlite+aiosqlite:///.data/registry.db"
