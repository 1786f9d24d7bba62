"""The roles that reach a person's own records, matched by name (docs/domain.md, "Roles"): an inspector
the inspections the plan assigns them, a trainer the sessions they teach.

A record names the person as an operator typed it (a plan's inspectors, a session's trainer) and the
person's account names them as an operator made it; nothing but the name ties the two. So every
service matches them in one form, kept here (services share only `contracts` and `services.common`):
the name as stored (NFC, single spaces, nothing invisible) and case folded — the form in which the
plan already refuses one inspector named twice and training one trainer in two sessions at once.
Diacritics count: "Lan" is not "Lân", as they are two people.
"""

from contracts.fields import clean_line

#: The scope of a caller in a role scoped by name who has no name (an API key, not a person): it
#: matches no record, so such a key reaches nothing rather than everything.
NOBODY = ""


def name_key(name: str) -> str:
    """The form a person's name is matched in: "Bà  LAN" and "bà lan" are one person."""
    return clean_line(name).casefold()


def theirs(named: str, scope: str | None) -> bool:
    """Whether a record naming `named` is within `scope`: a `name_key` (`Principal.scope`), or None for
    a caller whose role is not scoped by name (every record)."""
    return scope is None or (scope != NOBODY and name_key(named) == scope)
