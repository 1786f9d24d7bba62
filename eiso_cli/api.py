"""Talking to the services' HTTP APIs as the local operator."""

from typing import Any

import httpx

from eiso_cli.processes import StackError


def operator_client(base_url: str, key: str, timeout: float = 60) -> httpx.Client:
    return httpx.Client(base_url=base_url, timeout=timeout, headers={"Authorization": f"Bearer {key}"})


def answered(response: httpx.Response) -> Any:
    """The JSON of a successful answer, or StackError quoting the service's reason."""
    if response.is_success:
        return response.json()
    raise StackError(
        f"{response.request.method} {response.request.url.path}: {response.status_code} {response.text[:300]}"
    )
