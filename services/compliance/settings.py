from pathlib import Path

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from services.common.settings import ServiceSettings
from services.compliance.scoring.rules import RULES_DIR


class ComplianceSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="EISO_COMPLIANCE_", extra="ignore", frozen=True)

    service_name: str = "compliance"
    http_port: int = 8002
    database_url: str = "sqlite+aiosqlite:///.data/compliance.db"
    #: The folder with rules.yaml and campaigns.yaml; change them and restart to re-score.
    rules_dir: Path = RULES_DIR
    #: Evaluate deadlines each day by itself (POST /evaluations works either way).
    daily_evaluation: bool = True
    #: How often the daily evaluation looks whether a new day (giờ Việt Nam) has begun.
    evaluation_check_seconds: float = Field(default=60, gt=0)
    #: How often the programme gauges (agencies per level and status) are recomputed.
    gauge_seconds: float = Field(default=60, gt=0)
