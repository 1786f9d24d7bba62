"""The training service's HTTP API: courses, sessions, enrolments, attendance, certificates, calendars,
one module per resource; each route parses, runs a use case (`usecases`) and maps its refusals.

Keys as in the registry: operators plan and mark attendance; an agency key enrols and cancels its own
staff only; a trainer reads and marks the attendance of the sessions they teach, no other
(`Principal.scope`); certificates are verified by anyone, without a key.
"""

from fastapi import APIRouter

from services.training.api import (
    agency_places,
    attendance,
    calendars,
    certificates,
    courses,
    enrolments,
    sessions,
)

#: In the order the OpenAPI document lists them.
ROUTERS: list[APIRouter] = [
    courses.router,
    sessions.router,
    enrolments.router,
    agency_places.router,
    attendance.router,
    certificates.router,
    calendars.router,
]
