"""Every use case a service audits (the second argument of each `service.act(...)` call in the
services' code) has its words in the portal's audit trail: a new audited action without them would
show the department a code."""

import ast
from pathlib import Path

from services.portal.audit_words import ACTION_VI, action_vi

ROOT = Path(__file__).resolve().parents[2]


def audited_use_cases() -> set[str]:
    found = set()
    for source in (ROOT / "services").rglob("*.py"):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "act"
            ):
                usecase = node.args[1]
                found.add(usecase.attr if isinstance(usecase, ast.Attribute) else ast.unparse(usecase))
    return found


def test_every_audited_use_case_has_vietnamese_words() -> None:
    audited = audited_use_cases()
    assert len(audited) > 20, "the scan finds the services' audited use cases"
    assert sorted(audited - set(ACTION_VI)) == []


def test_an_action_reads_by_its_use_case_and_an_unknown_one_stays_as_it_is() -> None:
    assert action_vi("inspections.swap") == "đổi cơ quan được kiểm tra"
    assert action_vi("reorganisation.merge_agencies") == "sáp nhập cơ quan"
    assert action_vi("future.something_new") == "future.something_new"
