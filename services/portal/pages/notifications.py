"""The department's view of the messages: what was sent, what waits and why, what failed and why —
each with the reason it was sent. The notifier decides and records all of it; this page reads it."""

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from contracts.deliveries import (
    CHANNEL_VI,
    HOLD_CAUSE_VI,
    NOTIFICATION_STATUS_VI,
    REASON_VI,
    RECIPIENT_ROLE_VI,
)
from services.portal.pages.render import page
from services.portal.people import SignedIn

router = APIRouter(tags=["notifications"])
#: The notifier's statuses, as the filter offers them.
STATUSES = "^(|pending|sending|sent|failed|cancelled)$"


@router.get("/notifications", response_class=HTMLResponse)
async def notifications(
    request: Request,
    who: SignedIn,
    status: Annotated[str, Query(pattern=STATUSES)] = "",
    agency: Annotated[str, Query(max_length=64)] = "",
) -> HTMLResponse:
    """Newest first, with the last day's counts above; filtered by status and agency code."""
    query = {"status": status or None, "agency": agency.strip() or None, "limit": 300}
    found = await who.api.get("notifier", "/notifications", **query)
    summary = await who.api.get("notifier", "/notifications/summary")
    return page(
        request,
        who,
        "notifications.html",
        title="Tin nhắn và thư nhắc việc",
        messages=found,
        summary=summary,
        values={"status": status, "agency": agency},
        statuses=NOTIFICATION_STATUS_VI,
        reason_vi=REASON_VI,
        channel_vi=CHANNEL_VI,
        recipient_vi=RECIPIENT_ROLE_VI,
        hold_vi=HOLD_CAUSE_VI,
    )
