"""Talking to the services' HTTP APIs as the local operator."""

import time
from typing import Any

import httpx

from eiso_cli.processes import StackError

#: How often a request refused with 429 is tried again (after the Retry-After it was given).
PATIENCE = 10


class PatientTransport(httpx.HTTPTransport):
    """Waits out a 429 (the services limit requests per key) instead of failing the command."""

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        for _ in range(PATIENCE):
            response = super().handle_request(request)
            if response.status_code != 429:
                return response
            response.close()
            time.sleep(float(response.headers.get("Retry-After", "1")))
        return super().handle_request(request)


def operator_client(key: str, base_url: str = "", timeout: float = 60) -> httpx.Client:
    return httpx.Client(
        base_url=base_url,
        timeout=timeout,
        headers={"Authorization": f"Bearer {key}"},
        transport=PatientTransport(),
    )


def answered(response: httpx.Response) -> Any:
    """The JSON of a successful answer, or StackError quoting the service's reason."""
    if response.is_success:
        return response.json()
    raise StackError(
        f"{response.request.method} {response.request.url.path}: {response.status_code} {response.text[:300]}"
    )
