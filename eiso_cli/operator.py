"""The local operator's sign-in (`eiso up`): one person account with role operator, made once through
the identity service's own flow (an account, then its one-time link), its e-mail and password kept in
.run/operator.password (mode 600), as the operator key is kept in .run/operator.key."""

import re
import secrets
from pathlib import Path

import httpx

from eiso_cli.processes import StackError

EMAIL = "dieu-hanh@eiso.local"
NAME = "Cán bộ điều hành (máy này)"


def ensure_operator_account(identity: str, key: str, path: Path) -> bool:
    """Make the account unless `path` says it exists; whether it was made now."""
    if path.exists():
        return False
    password = "-".join(secrets.token_urlsafe(6) for _ in range(3))
    body = {"email": EMAIL, "name": NAME, "role": "operator"}
    made = httpx.post(
        f"{identity}/accounts", json=body, headers={"Authorization": f"Bearer {key}"}, timeout=30
    )
    if made.status_code != 201:
        raise StackError(
            f"cannot make the local operator account ({made.status_code}: {made.text[:200]}); if {path.name} "
            "was lost, an operator can disable that account (PATCH /accounts/<id>) and make another"
        )
    link = made.json()["password_link"]
    with httpx.Client(timeout=30) as browser:
        form = browser.get(link)
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
        if form.status_code != 200 or csrf is None:
            raise StackError(
                f"the password page of the local operator account did not open ({form.status_code})"
            )
        done = browser.post(link, data={"new": password, "csrf_token": csrf.group(1)})
        if done.status_code != 200:
            raise StackError(f"cannot set the local operator's password ({done.status_code})")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"{EMAIL}\n{password}\n")
    path.chmod(0o600)
    return True
