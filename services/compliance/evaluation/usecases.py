"""The evaluation's use cases: evaluate a day over every agency active that day (deadlines coming,
audits and reviews overdue, agencies lagging or compliant again), each notice once, ever."""

from collections import Counter
from datetime import date

import structlog

from contracts import Topic
from contracts.envelope import derived_id
from services.compliance.evaluation.domain import SentNotice, due
from services.compliance.meta import MetaKey
from services.compliance.scoring.rules import RuleSet
from services.compliance.unit_of_work import ComplianceUnitOfWork

log = structlog.get_logger("eiso.compliance")


async def evaluate(uow: ComplianceUnitOfWork, rules: RuleSet, day: date) -> dict[str, int]:
    """Run the evaluation for `day` over every agency active that day; count the notices sent, by event
    type. A notice's id follows from (agency, kind, period): evaluating again says nothing new."""
    sent: Counter[str] = Counter()
    sent_before = await uow.notices.sent()
    async for agency, facts in uow.scores.active_facts(day, day.year):
        code = agency.code
        for notice in due(facts, rules, day, sent_before.get(code, set())):
            event = notice.kind.create(
                source=uow.source,
                subject=code,
                data=notice.data,
                time=uow.clock.now(),
                event_id=derived_id("notice", code, *notice.key),
            )
            uow.emit(Topic.COMPLIANCE_STATUS, event)
            await uow.notices.add(SentNotice(code, notice.kind.event_type, notice.period, str(event.id), day))
            sent[notice.kind.event_type] += 1
    await uow.meta.set(MetaKey.LAST_EVALUATION, day.isoformat())
    log.info("evaluation done", day=day.isoformat(), notices=dict(sent))
    return dict(sent)


async def last_evaluated(uow: ComplianceUnitOfWork) -> date | None:
    """The last day evaluated, if any (the daily run evaluates each new day once)."""
    last = await uow.meta.get(MetaKey.LAST_EVALUATION)
    return None if last is None else date.fromisoformat(last)
