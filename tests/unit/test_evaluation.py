"""The daily evaluation: reminders at 30, 14 and 7 days, overdue findings after the deadline, a
caught-up agency closed — each once, however often the day is evaluated."""

from datetime import date, timedelta

from contracts.vocabulary import UPDATE_ELEMENTS, Element
from services.compliance.evaluation import domain as evaluation
from services.compliance.scoring import domain
from services.compliance.scoring.rules import load

RULES = load()
DEADLINE = date(2022, 10, 30)


def facts(*elements: Element, on: str = "2022-03-01") -> domain.Facts:
    day = date.fromisoformat(on)
    return domain.Facts("A1", True, tuple(domain.Evidence(f"{e.value}", e, 2022, day) for e in elements))


def run(f: domain.Facts, days: list[date], sent: set[tuple[str, str]] | None = None) -> list[tuple[str, str]]:
    """Evaluate each day in turn, remembering what was sent, as the service does."""
    sent = set() if sent is None else sent
    out = []
    for day in days:
        for notice in evaluation.due(f, RULES, day, sent):
            sent.add(notice.key)
            out.append(notice.key)
    return out


def test_reminders_come_at_30_14_and_7_days_once_each() -> None:
    every_day = [DEADLINE - timedelta(days=n) for n in range(40, -1, -1)]
    assert run(facts(Element.CONTEXT), every_day) == [
        ("deadline-approaching", "2022:30"),
        ("deadline-approaching", "2022:14"),
        ("deadline-approaching", "2022:7"),
    ]


def test_a_late_first_run_sends_only_the_tightest_reminder() -> None:
    assert run(facts(), [DEADLINE - timedelta(days=5), DEADLINE - timedelta(days=5)]) == [
        ("deadline-approaching", "2022:7")
    ]


def test_an_updated_agency_gets_no_reminder() -> None:
    assert run(facts(*UPDATE_ELEMENTS), [DEADLINE - timedelta(days=14)]) == []


def test_after_the_deadline_overdue_findings_come_once() -> None:
    late = [DEADLINE + timedelta(days=1), DEADLINE + timedelta(days=2)]
    assert run(facts(Element.QUALITY_OBJECTIVES), late) == [
        ("audit-overdue", "2022"),
        ("review-overdue", "2022"),
        ("agency-lagging", "2022"),
    ]
    audited = facts(Element.INTERNAL_AUDIT, Element.MANAGEMENT_REVIEW)
    assert run(audited, late) == [("agency-lagging", "2022")]


def test_a_lagging_agency_that_catches_up_is_declared_compliant_once() -> None:
    sent = {("agency-lagging", "2022"), ("audit-overdue", "2022"), ("review-overdue", "2022")}
    caught_up = facts(*UPDATE_ELEMENTS, on="2022-11-15")
    days = [date(2022, 11, 14), date(2022, 11, 15), date(2022, 11, 16)]
    assert run(caught_up, days, sent) == [("agency-compliant", "2022")]
    assert run(facts(*UPDATE_ELEMENTS), [date(2022, 11, 15)]) == [], "never lagging, nothing to close"


def test_the_notice_says_what_is_missing() -> None:
    [notice] = evaluation.due(facts(Element.CONTEXT), RULES, DEADLINE - timedelta(days=14), set())
    assert notice.data.days_left == 14
    assert Element.CONTEXT not in notice.data.missing and len(notice.data.missing) == 5
