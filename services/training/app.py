"""Wiring of the training service: its unit of work, its timetable, its consumer, the seat gauges and
the routes."""

from dataclasses import asdict
from pathlib import Path

from prometheus_client import Gauge

from contracts import Topic
from services.common.metrics import REGISTRY
from services.common.replay import Replay
from services.common.service import Service
from services.training import windows
from services.training.api import ROUTERS
from services.training.domain import Timetable
from services.training.handlers import HANDLERS
from services.training.settings import TrainingSettings
from services.training.store import TrainingUnitOfWork
from services.training.usecases.sessions import seat_counts

MIGRATIONS = Path(__file__).parent / "migrations"
REPLAY = Replay.refused_because(
    "courses, sessions, enrolments, attendance and certificates are entered through its API and kept "
    "only in its database (its topic tells the others what they need, not enough to rebuild them)"
)
SEATS = Gauge(
    "eiso_training_seats",
    "Seats of upcoming sessions: taken, free, and people on waiting lists.",
    ["state"],
    registry=REGISTRY,
)


class TrainingService(Service[TrainingUnitOfWork]):
    """The common runtime with the timetable sessions are planned in (`api.common.timetable_of`)."""

    def __init__(self, settings: TrainingSettings) -> None:
        super().__init__(settings, MIGRATIONS, TrainingUnitOfWork)
        #: The training windows (EISO_TRAINING_WINDOWS_FILE): a wrong entry stops the service here.
        self.timetable = Timetable(windows.load(settings.windows_file), self.calendar)

    async def publish_seats(self) -> None:
        """Seats of the sessions still to come: taken, free, and people waiting."""
        for state, value in asdict(await self.query(seat_counts)).items():
            SEATS.labels(state=state).set(value)


def build(settings: TrainingSettings | None = None) -> TrainingService:
    settings = settings or TrainingSettings()
    service = TrainingService(settings)
    service.consume([Topic.REGISTRY_AGENCIES, Topic.COMPLIANCE_STATUS, Topic.IDENTITY_CREDENTIALS], HANDLERS)
    service.every(settings.gauge_seconds, service.publish_seats)
    service.routers += ROUTERS
    return service
