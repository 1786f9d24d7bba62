from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import SettingsConfigDict

from services.common.settings import ServiceSettings


class IdentitySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="EISO_IDENTITY_", extra="ignore", frozen=True)

    service_name: str = "identity"
    http_port: int = 8005
    database_url: str = "sqlite+aiosqlite:///.data/identity.db"
    #: An operator key (eiso_<id>_<secret>) made valid at every start and published to every service,
    #: so a fresh install can be used at once and a locked-out operator can get back in.
    bootstrap_operator_key: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("EISO_BOOTSTRAP_OPERATOR_KEY")
    )
