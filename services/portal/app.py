"""Wiring of the portal: the common runtime (its copy of the credentials, health, metrics), one pool
of connections to the services, and the pages."""

from pathlib import Path

import httpx
from fastapi import FastAPI

from contracts import Topic
from services.common.credentials import CREDENTIAL_HANDLERS
from services.common.replay import Replay
from services.common.service import Service
from services.common.uow import UnitOfWork
from services.portal.clients import ApiError
from services.portal.pages import (
    actions,
    agency,
    agency_registry,
    audit,
    board,
    dead_letters,
    errors,
    home,
    inspection_plan,
    inspections,
    notifications,
    people,
    registry,
    render,
    training,
    training_admin,
)
from services.portal.settings import PortalSettings

MIGRATIONS = Path(__file__).parent / "migrations"
#: Its one table of state, the copy of the credentials, is rebuilt from the credentials topic.
REPLAY = Replay()


class PortalService(Service[UnitOfWork]):
    def __init__(self, settings: PortalSettings) -> None:
        super().__init__(settings, MIGRATIONS, UnitOfWork)
        self.portal_settings = settings
        self.http = httpx.AsyncClient(timeout=settings.api_timeout_seconds)
        self.on_stop.append(self.http.aclose)
        sign_in = settings.sign_in_url
        #: The identity service's sign-out, where the portal's sign-out button posts.
        self.identity_sign_out = f"{sign_in.removesuffix('/sign-in')}/sign-out"

    def app(self) -> FastAPI:
        app = super().app()
        app.add_exception_handler(ApiError, errors.api_error)
        return app


def build(settings: PortalSettings | None = None) -> PortalService:
    service = PortalService(settings or PortalSettings())
    service.consume([Topic.IDENTITY_CREDENTIALS], dict(CREDENTIAL_HANDLERS))
    service.routers += [
        home.router,
        board.router,
        agency.router,
        actions.router,
        inspections.router,
        inspection_plan.router,
        training.router,
        training_admin.router,
        notifications.router,
        registry.router,
        agency_registry.router,
        dead_letters.router,
        people.router,
        audit.router,
    ]
    service.static_dirs.append(render.STATIC_DIR)
    return service
