"""The training service's process: the common runtime plus its windows and its handlers."""

from pathlib import Path

from prometheus_client import Gauge

from contracts import Topic
from services.common.clock import local_date
from services.common.metrics import REGISTRY
from services.common.service import Service
from services.common.uow import UnitOfWork
from services.training import store
from services.training.handlers import HANDLERS
from services.training.settings import TrainingSettings
from services.training.windows import load

MIGRATIONS = Path(__file__).parent / "migrations"
SEATS = Gauge(
    "eiso_training_seats",
    "Seats of upcoming sessions: taken, free, and people on waiting lists.",
    ["state"],
    registry=REGISTRY,
)


class TrainingService(Service[UnitOfWork]):
    def __init__(self, settings: TrainingSettings) -> None:
        super().__init__(settings, MIGRATIONS, UnitOfWork)
        self.windows = load(settings.windows_file)
        self.consume([Topic.REGISTRY_AGENCIES, Topic.COMPLIANCE_STATUS], HANDLERS)
        self.every(settings.gauge_seconds, self.publish_seats)

    async def publish_seats(self) -> None:
        """Seats of the sessions still to come: taken, free, and people waiting."""
        counts = {"taken": 0, "free": 0, "waiting": 0}
        async with self.reader() as uow:
            for session in await store.upcoming_sessions(uow.session, local_date(uow.clock.now())):
                statuses = [e["status"] for e in await store.enrolments_of(uow.session, session["id"])]
                taken = statuses.count("confirmed")
                counts["taken"] += taken
                counts["free"] += max(0, session["capacity"] - taken)
                counts["waiting"] += statuses.count("waitlisted")
        for state, value in counts.items():
            SEATS.labels(state=state).set(value)
