from pydantic import Field
from pydantic_settings import SettingsConfigDict

from services.common.settings import ServiceSettings


class PortalSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="EISO_PORTAL_", extra="ignore", frozen=True)

    service_name: str = "portal"
    http_port: int = 8000
    #: Holds only the copy of the credentials every service keeps (who is signed in is checked here,
    #: as everywhere, without asking the identity service).
    database_url: str = "sqlite+aiosqlite:///.data/portal.db"
    #: Where the portal reaches each service's API (inside the province's network: the browser never
    #: talks to them through the portal's pages).
    registry_url: str = "http://127.0.0.1:8001"
    compliance_url: str = "http://127.0.0.1:8002"
    training_url: str = "http://127.0.0.1:8003"
    notifier_url: str = "http://127.0.0.1:8004"
    identity_url: str = "http://127.0.0.1:8005"
    #: The department that runs the portal: the pages' footer, and whom a person is told to contact.
    department_name: str = Field(default="Sở Khoa học và Công nghệ", min_length=1, max_length=200)
    #: How long a page waits for a service before it says that one is not answering.
    api_timeout_seconds: float = Field(default=15, gt=0, le=120)
