from pathlib import Path

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from services.common.settings import ServiceSettings

WINDOWS_FILE = Path(__file__).parent / "windows.yaml"


class TrainingSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="EISO_TRAINING_", extra="ignore", frozen=True)

    service_name: str = "training"
    http_port: int = 8003
    database_url: str = "sqlite+aiosqlite:///.data/training.db"
    #: The training window of each campaign year (a session outside it is refused).
    windows_file: Path = WINDOWS_FILE
    #: How often the seat gauges are recomputed.
    gauge_seconds: float = Field(default=60, gt=0)
