"""contracts/asyncapi.yaml as the official AsyncAPI parser (`@asyncapi/parser`, what the AsyncAPI CLI
and Studio use) reads it: valid, and saying what a publisher must do.

The parser runs under Node from `tools/asyncapi` (installed with `npm ci` by `make test`, `make
contracts-check` and `.ci/run`); without Node or the install these tests fail saying so.
"""

import inspect
import json
import shutil
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from contracts import TOPICS, dlq
from contracts.catalogue import DEAD_LETTER_HEADERS
from contracts.generate import ASYNCAPI
from eiso_cli.processes import ROOT

TOOL = ROOT / "tools" / "asyncapi"
SESSION_EVENTS = {"training-scheduled", "training-rescheduled", "training-cancelled"}
IDENTITY_KEYS = {
    "credential-issued": "credential id",
    "credential-revoked": "credential id",
    "account-changed": "account id",
    "signing-key-published": "signing key id",
    "signed-out": "sign-in id",
    "audit-recorded": "audit entry id",
}
#: Informational only: the document stays on AsyncAPI 3.0.0, which more tools read than 3.1.
ACCEPTED = {"asyncapi-latest-version"}


def run_parser(path: str) -> tuple[int, dict[str, Any]]:
    """The parser's exit status and its report (`tools/asyncapi/validate.mjs`) on the file at `path`."""
    node = shutil.which("node")
    if node is None:
        pytest.fail("Node.js 20 is needed to check the AsyncAPI document: apt-get install nodejs npm")
    if not (TOOL / "node_modules" / "@asyncapi" / "parser" / "package.json").is_file():
        pytest.fail(f"the AsyncAPI parser is not installed: run `npm ci --prefix {TOOL}` (make test does)")
    result = subprocess.run(
        [node, str(TOOL / "validate.mjs"), path], capture_output=True, text=True, timeout=120, check=False
    )
    if result.returncode not in (0, 1):
        pytest.fail(f"the AsyncAPI parser could not run ({result.returncode}): {result.stderr}")
    report: dict[str, Any] = json.loads(result.stdout)
    return result.returncode, report


@cache
def parsed() -> dict[str, Any]:
    """What the parser understood of the committed document (it failed the test if it is invalid)."""
    status, report = run_parser(str(ASYNCAPI))
    worth_fixing = [d for d in report["diagnostics"] if d["code"] not in ACCEPTED]
    assert status == 0 and not worth_fixing, "the AsyncAPI parser reports:\n" + "\n".join(
        f"{d['severity']} {d['code']} at {d['path']}: {d['message']}" for d in report["diagnostics"]
    )
    document: dict[str, Any] = report["document"]
    return document


def test_the_parser_accepts_the_document_without_errors_or_warnings() -> None:
    catalogue = {n for s in TOPICS.values() for n in (s.topic.value, dlq(s.topic))}
    system = "eiso.inbound.records.{systemId}"  # the parser names channels by address
    assert parsed()["channels"].keys() == catalogue | {system}
    channels = parsed()["channels"]
    assert channels[system].keys() == channels["eiso.inbound.records"].keys(), "what the shared one carries"


def test_the_parser_reports_an_invalid_document(tmp_path: Path) -> None:
    """The check is real: a broken reference and a wrong operation action are found, and only they."""
    shutil.copytree(ASYNCAPI.parent / "schemas", tmp_path / "schemas")
    text = ASYNCAPI.read_text().replace('"action": "send"', '"action": "publish"', 1)
    (tmp_path / "asyncapi.yaml").write_text(
        text.replace("./schemas/policy-updated.json", "./schemas/no.json")
    )
    status, report = run_parser(str(tmp_path / "asyncapi.yaml"))
    errors = sorted(d["path"] for d in report["diagnostics"] if d["severity"] == "error")
    assert status == 1
    assert errors == [
        "components.messages.policy-updated.payload.$ref",
        "operations.publish-eiso.inbound.records.action",
    ]


def test_the_servers_say_how_to_connect_in_production_and_locally() -> None:
    servers = parsed()["servers"]
    assert servers["production"]["protocol"] == "kafka-secure"
    assert servers["production"]["security"] == ["scramSha512"]
    assert (servers["local"]["host"], servers["local"]["protocol"]) == ("127.0.0.1:9092", "kafka")


def key_of(event_type: str) -> str:
    if event_type in SESSION_EVENTS:
        return "session id"
    return IDENTITY_KEYS.get(event_type, "agency code")


def test_each_message_says_its_key_session_events_by_session_id() -> None:
    for address, messages in parsed()["channels"].items():
        if address.endswith(".dlq"):
            continue
        for event_type, message in messages.items():
            expected = key_of(event_type)
            assert expected in message["key"]["description"], (address, event_type, message["key"])
            assert "murmur2" in message["key"]["description"]


def test_the_contract_states_the_partitioner_and_why() -> None:
    description = parsed()["description"]
    for words in ("murmur2", "partitioner=murmur2_random", "consistent_random", "order", "UTF-8"):
        assert words in description


def test_every_payload_requires_type_specversion_and_time() -> None:
    for address, messages in parsed()["channels"].items():
        if not address.endswith(".dlq"):
            for event_type, message in messages.items():
                assert {"specversion", "type", "time"} <= set(message["required"]), event_type


def test_every_dead_letter_topic_documents_its_headers() -> None:
    names = {h.name for h in DEAD_LETTER_HEADERS}
    assert {"eiso-dlq-reason", "eiso-dlq-value-sha256", "eiso-dlq-truncated"} <= names
    for spec in TOPICS.values():
        [message] = parsed()["channels"][dlq(spec.topic)].values()
        headers = message["headers"]
        assert set(headers["properties"]) == names
        assert set(headers["required"]) == {h.name for h in DEAD_LETTER_HEADERS if h.required}
        truncated = headers["properties"]["eiso-dlq-truncated"]["description"]
        assert "larger than the limit" in truncated and "first N bytes" in truncated


def test_summaries_are_whole_first_paragraphs_of_the_docstrings() -> None:
    models = {m.event_type: m for spec in TOPICS.values() for m in spec.events}
    for messages in parsed()["channels"].values():
        for event_type, message in messages.items():
            if event_type in models:
                paragraph = inspect.cleandoc(models[event_type].__doc__ or "").split("\n\n")[0]
                assert message["summary"] == " ".join(paragraph.split()), event_type
                assert message["summary"].endswith((".", ")")), event_type
