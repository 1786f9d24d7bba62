"""Roles that reach a person's own records by name (an inspector's inspections, a trainer's sessions):
which name matches whose records, and what a key in such a role reaches (nothing)."""

import pytest

from contracts.identity import Role
from services.common.auth import Principal
from services.common.scopes import NOBODY, name_key, theirs


@pytest.mark.parametrize(
    ("record", "account"),
    [
        ("Bà Trần Thị Lan", "bà trần thị LAN"),  # case
        ("Bà Trần Thị Lan", "  Bà Trần\u00a0 Thị Lan "),  # spaces, as copied from a document
        ("Bà Trần Thị Lan", "Bà Tra\u0302\u0300n Thi\u0323 Lan"),  # decomposed diacritics (NFD)
        ("Bà Trần Thị Lan", "Bà Trần\u200b Thị Lan"),  # a zero-width space
    ],
)
def test_one_person_however_the_name_was_typed(record: str, account: str) -> None:
    assert theirs(record, name_key(account))


@pytest.mark.parametrize(("record", "account"), [("Bà Lan", "Bà Lân"), ("Bà Lan", "Lan"), ("Ông An", "")])
def test_another_person_is_another_name(record: str, account: str) -> None:
    assert not theirs(record, name_key(account))


def test_a_person_in_the_role_reaches_their_own_records_and_others_reach_all() -> None:
    trainer = Principal("acc-000000000001", Role.TRAINER, name="Bà Trần Thị Lan", sign_in_id="s1")
    assert trainer.scope(Role.TRAINER) == name_key("Bà Trần Thị Lan")
    assert trainer.scope(Role.INSPECTOR) is None, "a trainer is not scoped as an inspector"
    operator = Principal("acc-000000000002", Role.OPERATOR, name="Nguyễn Thị Mai", sign_in_id="s2")
    assert operator.scope(Role.TRAINER) is None and theirs("Bà Trần Thị Lan", None)


def test_a_key_in_a_role_scoped_by_name_reaches_nothing_rather_than_everything() -> None:
    key = Principal("k1", Role.INSPECTOR)  # an API key: no person's name
    assert key.scope(Role.INSPECTOR) == NOBODY
    assert not theirs("Bà Trần Thị Lan", key.scope(Role.INSPECTOR))
