"""A local SMS carrier for tests: real HTTP, eSMS-style and SpeedSMS-style endpoints, enforcing what
Vietnamese carriers enforce (unaccented GSM text within three parts, an 11-character brandname, 84…
numbers) and honouring request ids as real gateways do: a request id seen before is acknowledged again
but never delivered twice. Faults are scripted per phone number."""

import base64
import contextlib
import json
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

PHONE = re.compile(r"^84\d{9}$")
BRANDNAME = re.compile(r"^[A-Za-z0-9 ._\-]{1,11}$")


@dataclass
class Carrier:
    token: str = "speedsms-token"
    #: Delivered messages: (gateway, request id, phone, text).
    delivered: list[tuple[str, str, str, str]] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    #: Requests received per "gateway:phone", whatever their outcome.
    attempts: dict[str, int] = field(default_factory=dict)
    #: Requests received per "gateway:phone:request id" (one message), whatever their outcome.
    attempts_by_id: dict[str, int] = field(default_factory=dict)
    #: Per "gateway:phone": faults for the next requests ("500", "400", "error200" — an error inside an
    #: HTTP 200 — or "hang:8", accepted but answered late); "always…" persists.
    faults: dict[str, list[str]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def to(self, phone: str) -> list[tuple[str, str, str, str]]:
        with self.lock:
            return [d for d in self.delivered if d[2] == phone.removeprefix("+")]

    def _fault(self, gateway: str, phone: str, request_id: str) -> str | None:
        with self.lock:
            self.attempts[f"{gateway}:{phone}"] = self.attempts.get(f"{gateway}:{phone}", 0) + 1
            message = f"{gateway}:{phone}:{request_id}"
            self.attempts_by_id[message] = self.attempts_by_id.get(message, 0) + 1
            queue = self.faults.get(f"{gateway}:{phone}")
            if not queue:
                return None
            return queue[0] if queue[0].startswith("always") else queue.pop(0)

    def _deliver(self, gateway: str, request_id: str, phone: str, text: str, brandname: str) -> str | None:
        """None when delivered (or a known id); else the carrier's refusal."""
        if not PHONE.match(phone):
            return "invalid phone"
        if not BRANDNAME.match(brandname):
            return "brandname not registered"
        if not text.isascii() or len(text) > 459:
            return "content refused: not unaccented GSM text within 3 parts"
        with self.lock:
            if any(d[1] == request_id for d in self.delivered):
                self.duplicates.append(request_id)
                return None
            self.delivered.append((gateway, request_id, phone, text))
        return None

    def handler(self) -> type[BaseHTTPRequestHandler]:
        carrier = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _answer(self, status: int, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                # The client may be gone (a test killed it mid-call): as a real carrier, carry on.
                with contextlib.suppress(BrokenPipeError):
                    self.wfile.write(data)

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["content-length"])))
                if self.path.startswith("/esms"):
                    self._esms(body)
                elif self.path.startswith("/speedsms"):
                    self._speedsms(body)
                else:
                    self._answer(404, {})

            def _faulted(self, gateway: str, phone: str, request_id: str) -> str | None:
                fault = carrier._fault(gateway, phone, request_id)
                if fault in ("500", "always500"):
                    self._answer(503, {"message": "busy"})
                elif fault in ("400", "always400"):
                    self._answer(400, {"message": "bad request"})
                return fault

            def _esms(self, body: dict[str, Any]) -> None:
                phone = str(body.get("Phone"))
                fault = self._faulted("esms", phone, str(body.get("RequestId")))
                if fault in ("500", "always500", "400", "always400"):
                    return
                if fault in ("error200", "alwayserror200"):
                    self._answer(200, {"CodeResult": "104", "ErrorMessage": "Brandname chưa được đăng ký"})
                    return
                refused = carrier._deliver(
                    "esms", str(body["RequestId"]), phone, body["Content"], body["Brandname"]
                )
                if fault and fault.startswith("hang:"):
                    time.sleep(float(fault.split(":")[1]))  # accepted, but the answer is late
                if refused:
                    self._answer(200, {"CodeResult": "99", "ErrorMessage": refused})
                else:
                    self._answer(200, {"CodeResult": "100", "SMSID": f"esms-{body['RequestId'][:8]}"})

            def _speedsms(self, body: dict[str, Any]) -> None:
                expected = "Basic " + base64.b64encode(f"{carrier.token}:x".encode()).decode()
                if self.headers.get("authorization") != expected:
                    self._answer(401, {"status": "error", "message": "unauthorised"})
                    return
                phone = str(body["to"][0])
                fault = self._faulted("speedsms", phone, str(body.get("request_id")))
                if fault in ("500", "always500", "400", "always400"):
                    return
                if fault in ("error200", "alwayserror200"):
                    self._answer(200, {"status": "error", "code": "007", "message": "invalid phone"})
                    return
                refused = carrier._deliver(
                    "speedsms", str(body["request_id"]), phone, body["content"], body["sender"]
                )
                if refused:
                    self._answer(200, {"status": "error", "code": "300", "message": refused})
                else:
                    self._answer(200, {"status": "success", "code": "00", "data": {"tranId": 1}})

        return Handler


def serve(carrier: Carrier) -> tuple[ThreadingHTTPServer, str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), carrier.handler())
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def gateway_settings(carrier: Carrier, url: str) -> dict[str, str]:
    """Notifier settings for this carrier: eSMS-style first, SpeedSMS-style as the fallback, retries
    quick enough for a test."""
    return {
        "sms_primary": "esms",
        "esms_url": f"{url}/esms",
        "esms_api_key": "esms-key",
        "esms_secret_key": "esms-secret",
        "sms_fallback": "speedsms",
        "speedsms_url": f"{url}/speedsms",
        "speedsms_token": carrier.token,
        "backoff_base_seconds": "0.05",
        "attempts_per_gateway": "2",
        "dispatch_seconds": "0.2",
    }
