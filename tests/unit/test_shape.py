"""The shape every service keeps (docs/architecture.md, "The shape of a service"): modules one reader can
hold, routes and Kafka handlers that only parse, call a use case and map errors, no service importing
another (tests/unit/test_boundaries.py)."""

import ast
from collections.abc import Iterator
from pathlib import Path

from eiso_cli.processes import ROOT

MAX_LINES = 400
#: What a route or a handler must not do itself: the session is the use cases' and the stores'.
SESSION_WORK = {"session"}
UNIT_OF_WORK_OPENERS = {"uow", "reader"}


def modules(*folders: str) -> Iterator[Path]:
    for folder in folders:
        for path in sorted((ROOT / folder).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def test_no_module_is_longer_than_one_reader_can_hold() -> None:
    long = {
        str(path.relative_to(ROOT)): n
        for path in modules("services", "contracts", "eiso_cli")
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}, f"split these by what they hold (at most {MAX_LINES} lines)"


def _is_route(function: ast.AsyncFunctionDef | ast.FunctionDef) -> bool:
    """Decorated `@router.get(…)`, `@router.post(…)`…: an HTTP route."""
    for decorator in function.decorator_list:
        call = decorator.func if isinstance(decorator, ast.Call) else decorator
        if isinstance(call, ast.Attribute) and call.attr in {"get", "post", "put", "patch", "delete"}:
            return True
    return False


def _touches_the_database(function: ast.AST) -> list[str]:
    found = []
    for node in ast.walk(function):
        if isinstance(node, ast.Attribute) and node.attr in SESSION_WORK:
            found.append(f"line {node.lineno}: .{node.attr}")
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in UNIT_OF_WORK_OPENERS
        ):
            found.append(f"line {node.lineno}: .{node.func.attr}() opens a unit of work")
    return found


def test_routes_and_handlers_only_parse_call_a_use_case_and_map_errors() -> None:
    """A route or a Kafka handler that works on the session itself holds a use case that belongs in
    the use-case layer (where the same rule can serve an event and a request alike)."""
    offences = {}
    for path in modules("services"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        handler_module = path.name == "handlers.py"
        for function in ast.walk(tree):
            if not isinstance(function, ast.AsyncFunctionDef | ast.FunctionDef):
                continue
            if (handler_module or _is_route(function)) and (found := _touches_the_database(function)):
                offences[f"{path.relative_to(ROOT)}:{function.name}"] = found
    assert offences == {}


#: Routes that change state for a caller who is not signed in yet, and so is nobody the audit trail
#: could name; each is recorded where it happens instead.
UNAUDITED = {
    "services/identity/api/signing_in.py:sign_in": "a sign-in is its own record (`sign_ins`)",
    "services/identity/api/signing_in.py:token": "a sign-in is its own record (`sign_ins`)",
    "services/identity/api/signing_in.py:set_password": "the link's use is recorded on it (`used_at`)",
    "services/identity/api/sso.py:start": "a sign-in under way, by nobody yet (`sso_requests`)",
    "services/identity/api/sso.py:callback": "a sign-in is its own record (`sign_ins`)",
    "services/notifier/api.py:delivery_callback": "a gateway's report, kept on its notification",
}


def test_every_change_a_route_makes_for_a_caller_is_audited() -> None:
    """A route changes state through `service.act(by(caller, request, target), …)`, which records who
    did what in the same transaction; `service.command` is for the few routes `UNAUDITED` names."""
    unaudited = set()
    for path in modules("services"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for function in ast.walk(tree):
            if not isinstance(function, ast.AsyncFunctionDef | ast.FunctionDef) or not _is_route(function):
                continue
            for node in ast.walk(function):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "command"
                ):
                    unaudited.add(f"{path.relative_to(ROOT)}:{function.name}")
    assert unaudited == set(UNAUDITED)
