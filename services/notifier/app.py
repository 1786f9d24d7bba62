"""Wiring of the notifier service."""

from services.common.auth import keys_router
from services.common.replay import Replay
from services.notifier import store
from services.notifier.api import router
from services.notifier.runtime import NotifierService
from services.notifier.settings import NotifierSettings

#: Its messages are rebuilt (its own deliveries topic says which went), but not their sending details
#: (gateway, SMS parts, when sent: the cost preview and the summary), nor its escalation ladders (when
#: each started, the steps taken, what stopped it): their handlers take the clock's today, so a rebuild
#: would restart every ladder on the day it runs, in whatever order the topics interleave.
REPLAY = Replay.refused_because(
    "its escalation ladders (when each started, the steps taken, what stopped it) and the sending "
    "details of its messages (gateway, SMS parts, when sent) are kept only in its database"
)


def build(settings: NotifierSettings | None = None) -> NotifierService:
    service = NotifierService(settings or NotifierSettings())
    service.routers += [router, keys_router(store.replica.known)]
    return service
