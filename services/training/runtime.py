"""The training service's process: the common runtime plus its windows and its handlers."""

from pathlib import Path

from contracts import Topic
from services.common.service import Service
from services.training.handlers import HANDLERS
from services.training.settings import TrainingSettings
from services.training.windows import load

MIGRATIONS = Path(__file__).parent / "migrations"


class TrainingService(Service):
    def __init__(self, settings: TrainingSettings) -> None:
        super().__init__(settings, MIGRATIONS)
        self.windows = load(settings.windows_file)
        self.consume([Topic.REGISTRY_AGENCIES, Topic.COMPLIANCE_STATUS], HANDLERS)
