"""What the four OpenAPI documents promise, checked without a server (the fuzzer checks the servers:
tests/e2e/test_openapi_fuzz.py)."""

from collections.abc import Callable
from typing import Any

import pytest
from fastapi import FastAPI

from services.common.service import Service
from services.compliance.app import build as compliance
from services.notifier.app import build as notifier
from services.registry.app import build as registry
from services.training.app import build as training
from tests.unit.test_text import strings_without_a_rule

APPS: dict[str, Callable[[], Service[Any]]] = {
    "registry": registry,
    "compliance": compliance,
    "training": training,
    "notifier": notifier,
}


def document(name: str) -> dict[str, Any]:
    app: FastAPI = APPS[name]().app()
    return app.openapi()


def resolved(node: Any, components: dict[str, Any], seen: frozenset[str] = frozenset()) -> Any:
    """`node` with every `$ref` into the components replaced by what it refers to."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
            name = ref.rsplit("/", 1)[1]
            return {} if name in seen else resolved(components[name], components, seen | {name})
        return {key: resolved(value, components, seen) for key, value in node.items()}
    if isinstance(node, list):
        return [resolved(value, components, seen) for value in node]
    return node


@pytest.mark.parametrize("name", APPS)
def test_every_text_a_request_body_takes_has_a_rule(name: str) -> None:
    """A string with no pattern, format or enum would take a NUL or a bidi override as it is."""
    spec = document(name)
    components = spec.get("components", {}).get("schemas", {})
    unruled = {}
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            for kind, content in operation.get("requestBody", {}).get("content", {}).items():
                if kind == "application/json":
                    found = strings_without_a_rule(resolved(content["schema"], components))
                    if found:
                        unruled[f"{method.upper()} {path}"] = found
    assert unruled == {}


@pytest.mark.parametrize("name", APPS)
def test_every_operation_documents_the_refusals_the_runtime_gives(name: str) -> None:
    spec = document(name)
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            answers = operation["responses"]
            assert "422" in answers, f"{method.upper()} {path}"
            if any("Bearer" in str(p) for p in operation.get("parameters", [])) or operation.get("security"):
                assert {"401", "403", "429"} <= set(answers), f"{method.upper()} {path}"
            if "{" in path:
                assert "404" in answers, f"{method.upper()} {path}"
    assert spec["components"]["schemas"]["Refusal"]["properties"]["detail"]
