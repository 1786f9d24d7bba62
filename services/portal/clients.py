"""The services' APIs as the portal calls them: always with the signed-in person's own token, so that
each service decides, as it does for any caller, what this person may see and do, and records it in
the audit trail under their name. The portal adds no permission and holds no rule of its own."""

from dataclasses import dataclass, field
from typing import Any

import httpx

from services.portal.settings import PortalSettings

#: The services a page may call, by name.
SERVICES = ("registry", "compliance", "training", "notifier", "identity")


@dataclass
class ApiError(Exception):
    """A service refused (4xx) or failed (5xx, or did not answer: status 503)."""

    service: str
    status: int
    detail: Any = None

    def __str__(self) -> str:
        return f"{self.service} answered {self.status}: {self.detail}"

    def field_errors(self) -> list[tuple[str, str, str]]:
        """(field, error type, message) for each refused field of a 422, or of a 409 that names its
        field (FastAPI's shape: `loc` is [body|query|path, field, …]; a venue already taken is a 409
        beside the venue); empty for any other answer."""
        if self.status not in (409, 422) or not isinstance(self.detail, list):
            return []
        found = []
        for entry in self.detail:
            if isinstance(entry, dict) and isinstance(entry.get("loc"), list) and entry["loc"]:
                where = [str(part) for part in entry["loc"][1:]] or [str(entry["loc"][0])]
                found.append((".".join(where), str(entry.get("type", "")), str(entry.get("msg", ""))))
        return found


@dataclass
class Api:
    """One person's calls to the services, for one request of theirs."""

    settings: PortalSettings
    token: str
    client: httpx.AsyncClient = field(repr=False)

    def url(self, service: str, path: str) -> str:
        base: str = getattr(self.settings, f"{service}_url")
        return f"{base.rstrip('/')}{path}"

    async def call(self, method: str, service: str, path: str, **options: Any) -> Any:
        """The JSON answer; `ApiError` for anything but 2xx (a 404 is a thing not there *for this
        person*: another agency's page is, to an officer, not there)."""
        headers = {"Authorization": f"Bearer {self.token}"}
        try:
            answer = await self.client.request(method, self.url(service, path), headers=headers, **options)
        except httpx.HTTPError as failed:
            raise ApiError(service, 503, f"{type(failed).__name__}") from None
        if answer.status_code >= 400:
            try:
                detail = answer.json().get("detail")
            except ValueError:
                detail = answer.text[:300]
            raise ApiError(service, answer.status_code, detail)
        return answer.json() if answer.content else None

    async def get(self, service: str, path: str, **params: Any) -> Any:
        return await self.call(
            "GET", service, path, params={k: v for k, v in params.items() if v is not None}
        )

    async def put(self, service: str, path: str, body: dict[str, Any]) -> Any:
        return await self.call("PUT", service, path, json=body)

    async def post(self, service: str, path: str, body: dict[str, Any] | None = None) -> Any:
        return await self.call("POST", service, path, json=body)

    async def patch(self, service: str, path: str, body: dict[str, Any]) -> Any:
        return await self.call("PATCH", service, path, json=body)
