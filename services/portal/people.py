"""Who is using a page: the signed-in person as every service finds them (the portal's copy of the
credentials, `services.common.auth`), and their calls to the services, made with their own token."""

from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated

from fastapi import Depends, Request

from services.common.auth import PageCaller, Principal, check_csrf, presented_credential
from services.common.service import service_of
from services.portal.clients import Api

if TYPE_CHECKING:
    from services.portal.app import PortalService


@dataclass(frozen=True)
class Person:
    principal: Principal
    api: Api

    def check_form(self, csrf_token: str) -> None:
        """403 unless a form carries the sign-in's CSRF token (a page of ours made it)."""
        check_csrf(self.principal, csrf_token)


async def person(request: Request, caller: PageCaller) -> Person:
    """The person, or (for a browser not signed in, or whose sign-in has ended) off to sign in."""
    service: PortalService = service_of(request)
    token = presented_credential(request) or ""
    return Person(caller, Api(service.portal_settings, token, service.http))


SignedIn = Annotated[Person, Depends(person)]
