"""Local sign-ins: the operator's (`eiso up`) and, in the demo, one agency's ISO officer — each one
person account made once through the identity service's own flow (an account, then its one-time
link), its e-mail and password kept in .run/<who>.password (mode 600), as the operator key is kept
in .run/operator.key."""

import re
import secrets
from pathlib import Path

import httpx

from eiso_cli.processes import StackError

EMAIL = "dieu-hanh@eiso.local"
NAME = "Cán bộ điều hành (máy này)"


def ensure_operator_account(identity: str, key: str, path: Path) -> bool:
    """Make the operator's account unless `path` says it exists; whether it was made now."""
    return ensure_person(identity, key, path, {"email": EMAIL, "name": NAME, "role": "operator"})


def ensure_person(identity: str, key: str, path: Path, body: dict[str, str]) -> bool:
    """Make the account `body` describes (e-mail, name, role, agency) unless `path` says it exists,
    and set its password; whether it was made now."""
    if path.exists():
        return False
    password = "-".join(secrets.token_urlsafe(6) for _ in range(3))
    made = httpx.post(
        f"{identity}/accounts", json=body, headers={"Authorization": f"Bearer {key}"}, timeout=30
    )
    if made.status_code != 201:
        raise StackError(
            f"cannot make the local account {body['email']} ({made.status_code}: {made.text[:200]}); if "
            f"{path.name} was lost, an operator can disable that account (PATCH /accounts/<id>) and make "
            "another"
        )
    link = made.json()["password_link"]
    with httpx.Client(timeout=30) as browser:
        form = browser.get(link)
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
        if form.status_code != 200 or csrf is None:
            raise StackError(
                f"the password page of the local account {body['email']} did not open ({form.status_code})"
            )
        done = browser.post(link, data={"new": password, "csrf_token": csrf.group(1)})
        if done.status_code != 200:
            raise StackError(f"cannot set the password of {body['email']} ({done.status_code})")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"{body['email']}\n{password}\n")
    path.chmod(0o600)
    return True
