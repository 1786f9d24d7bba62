"""Each service's migrations build exactly the schema its code declares, on the suite's backend: a
table or column added to the code without its migration would otherwise fail only once deployed."""

from collections.abc import Callable

import pytest
from alembic import command

from eiso_cli.processes import ROOT, SERVICES
from services.common.migrations import alembic_config, upgrade


@pytest.mark.parametrize("service", SERVICES)
def test_the_migrations_build_the_schema_the_code_declares(
    service: str, database_url: Callable[[str], str]
) -> None:
    url = database_url(f"schema_{service}")
    folder = ROOT / "services" / service / "migrations"
    upgrade(folder, url)
    command.check(alembic_config(folder, url))  # raises, listing the differences, if any
