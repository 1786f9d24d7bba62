"""Service boundaries (docs/architecture.md): a service imports only contracts and services.common."""

import ast
import sys
from pathlib import Path

from eiso_cli.processes import ROOT, SERVICES

SERVICE_NAMES = SERVICES


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def violations(services_dir: Path) -> list[str]:
    """Every import, in every package under `services_dir`, of a service other than its own."""
    found = []
    for package in sorted(p for p in services_dir.iterdir() if p.is_dir()):
        for path in sorted(package.rglob("*.py")):
            for module in sorted(imported_modules(path)):
                parts = module.split(".")
                crossing = parts[0] == "services" and len(parts) >= 2 and parts[1] != package.name
                if crossing and parts[1] in SERVICE_NAMES:
                    found.append(f"{path.relative_to(services_dir.parent)} imports {module}")
    return found


def test_no_service_imports_another_and_common_imports_none() -> None:
    assert violations(ROOT / "services") == []


def test_the_check_catches_a_crossing(tmp_path: Path) -> None:
    for name in ("common", "registry", "compliance"):
        (tmp_path / "services" / name).mkdir(parents=True)
    (tmp_path / "services" / "compliance" / "handlers.py").write_text(
        "from services.registry import store\nimport services.common.db\n"
    )
    (tmp_path / "services" / "common" / "db.py").write_text("import services.compliance.domain as d\n")
    assert violations(tmp_path / "services") == [
        "services/common/db.py imports services.compliance.domain",
        "services/compliance/handlers.py imports services.registry",
        "services/compliance/handlers.py imports services.registry.store",
    ]


def test_contracts_depend_on_pydantic_alone() -> None:
    allowed_roots = {"contracts", "pydantic", "pydantic_core", "__future__"}  # pydantic_core ships with it
    stdlib = set(sys.stdlib_module_names)
    for path in (ROOT / "contracts").rglob("*.py"):
        for module in imported_modules(path):
            root = module.split(".")[0]
            assert root in allowed_roots | stdlib, f"{path.name} imports {module}"
