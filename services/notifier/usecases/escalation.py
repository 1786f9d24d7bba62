"""The escalation ladder: an overdue finding tells the ISO officer and starts a ladder; with no update
after some working days the head is told, then the supervising agency's head. A new record or the
agency found compliant stops it."""

from contracts.compliance import AgencyCompliant, AgencyLagging, AuditOverdue, ReviewOverdue
from contracts.records import RecordEvent
from services.common.clock import local_date
from services.common.workdays import WorkingDays
from services.notifier import policy, slots
from services.notifier.store import NotifierUnitOfWork
from services.notifier.tables import replica
from services.notifier.usecases.messages import OFFICER, Delays, queue

#: Findings that start the ladder (officer → head → supervising agency).
ESCALATING = (AgencyLagging, AuditOverdue, ReviewOverdue)


async def overdue(
    uow: NotifierUnitOfWork,
    event: AgencyLagging | AuditOverdue | ReviewOverdue,
    delays: Delays,
    calendar: WorkingDays,
) -> None:
    data = event.data
    context = slots.overdue(data, calendar)
    await queue(uow, delays, data.agency_code, event.type, str(data.year), OFFICER, context)
    await uow.escalations.start(data.agency_code, data.year, local_date(uow.clock.now()))


async def agency_compliant(uow: NotifierUnitOfWork, event: AgencyCompliant) -> None:
    today = local_date(uow.clock.now())
    await uow.escalations.stop(event.data.agency_code, today, event.type, event.data.year)


async def record_arrived(uow: NotifierUnitOfWork, event: RecordEvent) -> None:
    """A new record is the agency acting: the ladder stops (compliance will say if it is enough)."""
    today = local_date(uow.clock.now())
    await uow.escalations.stop(event.data.agency_code, today, event.type)


async def climb_ladders(
    uow: NotifierUnitOfWork, ladder: policy.Ladder, calendar: WorkingDays, delays: Delays, department: str
) -> int:
    """Each open ladder whose next step is due today (working days) takes it: the head, then the
    supervising agency's head (`department` supervises all but communes). Each step is a message key
    of its own, so it is sent once; how many steps were taken."""
    taken = 0
    today = local_date(uow.clock.now())
    for escalation in await uow.escalations.open():
        step = ladder.next_step(escalation.step, escalation.started_on, today, calendar)
        if step is None:
            continue
        code, year = escalation.agency_code, escalation.year
        agency = await replica.get(uow.session, code)
        target = code if step.number == 1 else policy.supervisor_of(agency, department)
        context = {"year": year, "days": step.days, "agency": agency.name if agency else code}
        period = f"{code}:{year}:step{step.number}"
        await queue(uow, delays, target, "escalation", period, (step.role,), context)
        await uow.escalations.advance(code, year, step.number)
        taken += 1
    return taken
