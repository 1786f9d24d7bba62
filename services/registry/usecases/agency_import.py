"""Applying an agency CSV file (read by `csvimport`): each valid row is applied whole or not at all —
an agency registered, or an existing one brought in line with the columns the file has — and every
row gets its outcome; importing the same file again changes nothing."""

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from pydantic import ValidationError

from contracts.agencies import AgencyData, AgencyRegistered
from contracts.fields import clean_line
from services.common.clock import local_date
from services.registry import csvimport, domain
from services.registry.commands import AgencyIn
from services.registry.unit_of_work import RegistryUnitOfWork
from services.registry.usecases.agencies import day_or_today, emit_agency, register, save_update
from services.registry.usecases.reorganisation import reparented


class RowStatus(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    INVALID = "invalid"


@dataclass(frozen=True)
class RowOutcome:
    """What became of one row (numbered as a spreadsheet shows it) and why, if it was not applied."""

    row: int
    code: str | None
    status: RowStatus
    reason: str | None = None


def _invalid(row: csvimport.Row, field: str, reason: str | None = None) -> RowOutcome:
    code = row.values["code"] if row.values else None
    return RowOutcome(row.number, code, RowStatus.INVALID, reason or f"{field}: not applicable")


async def import_agencies(uow: RegistryUnitOfWork, rows: list[csvimport.Row]) -> list[RowOutcome]:
    """Apply the rows, parents first, and say what became of each, in the file's order."""
    report = [RowOutcome(r.number, None, RowStatus.INVALID, r.error) for r in rows if r.error]
    pending, seen = [], set()
    for row in rows:
        if row.values is None:
            continue
        if row.values["code"] in seen:
            report.append(_invalid(row, "code", "code: appears more than once in the file"))
            continue
        seen.add(row.values["code"])
        pending.append(row)
    # Parents first: retry rows whose parent is later in the file until nothing more applies.
    while pending:
        progressed = False
        for row in list(pending):
            outcome = await _import_row(uow, row)
            if outcome is None:
                continue
            pending.remove(row)
            progressed = True
            report.append(outcome)
        if not progressed:
            for row in pending:
                report.append(await _import_row(uow, row, last_try=True) or _invalid(row, "parent_code"))
            break
    report.sort(key=lambda outcome: outcome.row)
    return report


async def _import_row(
    uow: RegistryUnitOfWork, row: csvimport.Row, last_try: bool = False
) -> RowOutcome | None:
    """Apply one row in a savepoint; None when its parent is not there yet (and may come later)."""
    assert row.values is not None
    try:
        body = AgencyIn.model_validate(row.values)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"])
        return _invalid(row, field, f"{field}: {first['msg']}")
    if body.parent_code and not last_try and not await uow.agencies.exists(body.parent_code):
        return None
    day = day_or_today(uow, body.valid_from)
    try:
        async with uow.all_or_nothing():
            await uow.agencies.lock(body.code)
            current = await uow.agencies.latest(body.code)
            if current is None:
                emit_agency(uow, AgencyRegistered, await register(uow, body, day))
                return RowOutcome(row.number, body.code, RowStatus.CREATED)
            return await _update_from_row(uow, row, body, current)
    except domain.DomainError as error:
        return _invalid(row, error.field, f"{error.field}: {error}")


async def _update_from_row(
    uow: RegistryUnitOfWork, row: csvimport.Row, body: AgencyIn, current: AgencyData
) -> RowOutcome:
    """Bring an existing agency in line with the row, touching only the columns the file has."""
    if body.level != current.level:
        raise domain.DomainError("level", f"is {current.level.value} in the registry; levels do not change")
    if clean_line(body.name) != current.name:
        raise domain.DomainError("name", f"is {current.name!r} in the registry; rename with :rename")
    day, has = local_date(uow.clock.now()), row.columns.__contains__
    wanted: dict[str, Any] = {}
    if has("obligation") and body.obligation:
        wanted["obligation"] = body.obligation
    if has("uses_eiso_software"):
        wanted["uses_eiso_software"] = body.uses_eiso_software
    given = body.contacts.to_contract()
    contacts = current.contacts.model_copy(
        update={
            role: getattr(given, role)
            for role, prefix in (("iso_officer", "officer"), ("head", "head"))
            if any(has(f"{prefix}_{k}") for k in ("name", "phone", "email"))
        }
    )
    wanted["contacts"] = contacts
    if has("parent_code") and body.parent_code != current.parent_code:
        await reparented(uow, current, body.parent_code, day)  # refuses a missing, ended or cyclic parent
        wanted["parent_code"] = body.parent_code
    versions, changed = domain.change(current, day, **domain.differs(current, wanted))
    if not changed:
        return RowOutcome(row.number, body.code, RowStatus.UNCHANGED)
    await save_update(uow, versions, changed)
    return RowOutcome(row.number, body.code, RowStatus.UPDATED, "changed: " + ", ".join(changed))
