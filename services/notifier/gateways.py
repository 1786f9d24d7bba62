"""SMS gateways behind one interface: an eSMS-style and a SpeedSMS-style HTTP API, and a file for
development. Each says whether a send was accepted, failed for now (retry, then fail over) or failed
for good (never retry) — including SpeedSMS-style errors that arrive with HTTP 200.

Every send carries the message's request id; real gateways refuse a second message with an id they
have seen, which is what makes a retry after a crash safe.
"""

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import httpx

from services.common.delivery import Outcome, Result

__all__ = ["EsmsGateway", "FileGateway", "Gateway", "Outcome", "Result", "SpeedSmsGateway"]


class Gateway(Protocol):
    name: str

    async def send(self, request_id: str, phone: str, text: str, brandname: str) -> Result: ...


def _national(phone: str) -> str:
    """+84912345678 → 84912345678 (what Vietnamese gateways take)."""
    return phone.removeprefix("+")


async def _post(http: httpx.AsyncClient, url: str, **kwargs: Any) -> httpx.Response | Result:
    try:
        response = await http.post(url, **kwargs)
    except httpx.TimeoutException:
        return Result(Outcome.TRANSIENT, detail="timeout")
    except httpx.TransportError as exc:
        return Result(Outcome.TRANSIENT, detail=f"connection: {type(exc).__name__}")
    if response.status_code >= 500 or response.status_code == 429:
        return Result(Outcome.TRANSIENT, detail=f"HTTP {response.status_code}")
    if response.status_code >= 400:
        return Result(Outcome.PERMANENT, detail=f"HTTP {response.status_code}: {response.text[:200]}")
    return response


def _json(response: httpx.Response) -> dict[str, Any] | Result:
    try:
        body = response.json()
    except ValueError:
        return Result(Outcome.TRANSIENT, detail="answer is not JSON")
    return body if isinstance(body, dict) else Result(Outcome.TRANSIENT, detail="answer is not an object")


@dataclass
class EsmsGateway:
    """eSMS-style REST: `CodeResult` "100" means accepted; `Sandbox` validates without sending."""

    name: str
    url: str
    api_key: str
    secret_key: str
    sandbox: bool = False
    timeout: float = 10.0

    async def send(self, request_id: str, phone: str, text: str, brandname: str) -> Result:
        payload = {
            "ApiKey": self.api_key,
            "SecretKey": self.secret_key,
            "Phone": _national(phone),
            "Content": text,
            "Brandname": brandname,
            "SmsType": "2",
            "IsUnicode": "0",
            "Sandbox": "1" if self.sandbox else "0",
            "RequestId": request_id,
        }
        async with httpx.AsyncClient(timeout=self.timeout) as http:
            response = await _post(http, self.url, json=payload)
        if isinstance(response, Result):
            return response
        body = _json(response)
        if isinstance(body, Result):
            return body
        code = str(body.get("CodeResult"))
        if code == "100":
            return Result(Outcome.ACCEPTED, str(body.get("SMSID") or ""), "CodeResult 100")
        return Result(
            Outcome.PERMANENT, detail=f"CodeResult {code}: {str(body.get('ErrorMessage', ''))[:200]}"
        )


@dataclass
class SpeedSmsGateway:
    """SpeedSMS-style REST: HTTP basic auth with the token; errors arrive with HTTP 200 and
    `status: "error"`, so the body decides, not the status code. `sms_type` 3 sends under the
    brandname; the request id travels as `request_id` (honoured by gateways that support it)."""

    name: str
    url: str
    token: str
    timeout: float = 10.0

    async def send(self, request_id: str, phone: str, text: str, brandname: str) -> Result:
        payload = {
            "to": [_national(phone)],
            "content": text,
            "sms_type": 3,
            "sender": brandname,
            "request_id": request_id,
        }
        async with httpx.AsyncClient(timeout=self.timeout, auth=(self.token, "x")) as http:
            response = await _post(http, self.url, json=payload)
        if isinstance(response, Result):
            return response
        body = _json(response)
        if isinstance(body, Result):
            return body
        if body.get("status") == "success":
            data = body.get("data") or {}
            return Result(Outcome.ACCEPTED, str(data.get("tranId", "")) if isinstance(data, dict) else "")
        return Result(
            Outcome.PERMANENT, detail=f"error {body.get('code')}: {str(body.get('message', ''))[:200]}"
        )


@dataclass
class FileGateway:
    """Development: each SMS is a JSON line in a file; a request id already written is not written
    twice (as a real gateway refuses a duplicate)."""

    name: str
    path: Path

    async def send(self, request_id: str, phone: str, text: str, brandname: str) -> Result:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if self.path.exists():
            for line in self.path.read_text(encoding="utf-8").splitlines():
                if json.loads(line).get("request_id") == request_id:
                    return Result(Outcome.ACCEPTED, request_id, "already written")
        with self.path.open("a", encoding="utf-8") as handle:
            entry = {"request_id": request_id, "to": phone, "brandname": brandname, "text": text}
            handle.write(json.dumps(entry, ensure_ascii=False) + "\n")
        return Result(Outcome.ACCEPTED, request_id)
