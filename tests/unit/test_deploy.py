"""The production stack as files: docker-compose.yml valid against the Compose Specification's JSON
schema, every service wired to what its code reads, and the Prometheus rules accepted by promtool.
(There is no Docker engine here; these checks are what can be proven without one.)"""

import json
import re
import shutil
import subprocess
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from contracts import Topic, parse_event
from eiso_cli import configuration, operate
from eiso_cli.processes import DEFAULT_PORTS, ROOT, SERVICES, env_prefix
from services.common.settings import ServiceSettings
from services.compliance.settings import ComplianceSettings
from services.identity.settings import IdentitySettings
from services.notifier.settings import NotifierSettings
from services.portal.settings import PortalSettings
from services.registry.settings import RegistrySettings
from services.training.settings import TrainingSettings

SETTINGS: dict[str, type[ServiceSettings]] = {
    "registry": RegistrySettings,
    "compliance": ComplianceSettings,
    "training": TrainingSettings,
    "notifier": NotifierSettings,
    "identity": IdentitySettings,
    "portal": PortalSettings,
}
#: Read under one name by every service (what they must agree on), and the image's `PORT`.
UNPREFIXED = {"PORT", *configuration.unprefixed(ServiceSettings).values()}


def compose() -> dict[str, Any]:
    return dict(yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8")))


def test_the_compose_file_follows_the_compose_specification() -> None:
    schema_file = resources.files("check_jsonschema.builtin_schemas.vendor").joinpath("compose-spec.json")
    schema = json.loads(schema_file.read_text(encoding="utf-8"))
    jsonschema.validate(compose(), schema)


@pytest.mark.parametrize("name", SERVICES)
def test_each_service_runs_its_module_on_its_port_with_settings_its_code_reads(name: str) -> None:
    service = compose()["services"][name]
    assert service["command"] == ["python", "-m", f"services.{name}"]
    port = DEFAULT_PORTS[name]
    assert service["ports"] == [f"{port}:{port}"]
    environment: dict[str, str] = service["environment"]
    prefix = env_prefix(name)
    read = {f"{prefix}{field.upper()}" for field in SETTINGS[name].model_fields}
    read |= set(configuration.unprefixed(SETTINGS[name]).values())
    unknown = sorted(k for k in environment if k not in read and k not in UNPREFIXED)
    assert unknown == [], f"{name}: variables its settings do not read"
    assert environment[f"{prefix}HTTP_PORT"] == environment["PORT"] == str(port)
    assert environment[f"{prefix}DATABASE_URL"].endswith(f"@postgres:5432/{name}")
    assert {"kafka", "postgres"} <= set(service["depends_on"])
    assert all(d["condition"] == "service_healthy" for d in service["depends_on"].values())


def test_every_service_gets_one_topic_layout_that_the_stack_s_single_broker_can_hold() -> None:
    """Each service creates and aligns the topics at start: they must not disagree, and a replication
    factor above the number of brokers would make every start fail."""
    services = compose()["services"]
    layouts = {
        name: {k: v for k, v in services[name]["environment"].items() if k.startswith("EISO_TOPIC_")}
        for name in SERVICES
    }
    topic_settings = {
        v for k, v in configuration.unprefixed(ServiceSettings).items() if k.startswith("topic_")
    }
    assert all(set(layout) == topic_settings for layout in layouts.values()), (
        "every topic setting, everywhere"
    )
    assert len({tuple(sorted(layout.items())) for layout in layouts.values()}) == 1, "one layout for all"
    defaults = {}
    for variable, value in layouts["registry"].items():
        match = re.fullmatch(r"\$\{(\w+):-(\d+)\}", value)
        assert match and match.group(1) == variable, f"{variable}: overridable from the shell, with a default"
        defaults[variable] = int(match.group(2))
    brokers = [s for s in services.values() if s.get("image", "").startswith("apache/kafka")]
    assert defaults["EISO_TOPIC_REPLICATION_FACTOR"] == len(brokers) == 1
    assert defaults["EISO_TOPIC_MIN_INSYNC_REPLICAS"] <= len(brokers)


def test_required_secrets_have_no_default() -> None:
    text = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
    for secret in ("EISO_DB_PASSWORD", "EISO_BOOTSTRAP_OPERATOR_KEY", "EISO_GRAFANA_PASSWORD"):
        uses = re.findall(r"\$\{" + secret + r"([^}]*)\}", text)
        assert uses and all(u.startswith(":?") for u in uses), f"{secret} must fail fast when missing"


def test_every_database_the_services_use_is_created() -> None:
    created = set(
        re.findall(r"CREATE DATABASE (\w+);", (ROOT / "deploy/postgres/init-databases.sql").read_text())
    )
    assert created == set(SERVICES)


def test_the_alert_rules_pass_promtool() -> None:
    promtool = shutil.which("promtool")
    assert promtool, "promtool is missing: apt-get install prometheus (.ci/run does)"
    for path in (ROOT / "deploy/prometheus/alerts.yml", ROOT / "deploy/prometheus/prometheus.yml"):
        kind = "rules" if path.name == "alerts.yml" else "config"
        checked = subprocess.run(
            [promtool, "check", kind, str(path)], capture_output=True, text=True, check=False, cwd=path.parent
        )
        assert checked.returncode == 0, checked.stdout + checked.stderr


def test_the_scrape_targets_are_the_services() -> None:
    config = yaml.safe_load((ROOT / "deploy/prometheus/prometheus.yml").read_text())
    (job,) = config["scrape_configs"]
    targets = job["static_configs"][0]["targets"]
    assert targets == [f"{name}:{DEFAULT_PORTS[name]}" for name in SERVICES]


def metric_names_in_code() -> set[str]:
    """Every metric name the services declare (prometheus-client keeps a counter's `_total`)."""
    names: set[str] = set()
    for path in (ROOT / "services").rglob("*.py"):
        names |= set(re.findall(r'"(eiso_[a-z_]+)"', path.read_text(encoding="utf-8")))
    return names


def metric_names_used(text: str) -> set[str]:
    return {re.sub(r"_(bucket|sum|count)$", "", n) for n in re.findall(r"\b(eiso_[a-z_]+)\b", text)}


def test_dashboards_and_alerts_use_only_metrics_the_services_expose() -> None:
    declared = metric_names_in_code()
    sources = [ROOT / "deploy/prometheus/alerts.yml", *(ROOT / "deploy/grafana/dashboards").glob("*.json")]
    for source in sources:
        unknown = sorted(metric_names_used(source.read_text(encoding="utf-8")) - declared)
        assert unknown == [], f"{source.name} uses metrics no service exposes"


def test_business_metrics_have_no_agency_ids_as_labels() -> None:
    for source in (ROOT / "deploy/grafana/dashboards").glob("*.json"):
        board = json.loads(source.read_text(encoding="utf-8"))
        for panel in board["panels"]:
            for target in panel["targets"]:
                assert "agency" not in target["expr"], f"{panel['title']}: no agency ids as labels"


def test_the_configuration_reference_is_current() -> None:
    committed = configuration.TARGET.read_text(encoding="utf-8")
    assert committed == configuration.render(), "docs/configuration.md is stale: run `make docs` and commit"
    shared = configuration.unprefixed(ServiceSettings)
    for service, settings in configuration.SETTINGS.items():
        for name in settings.model_fields:
            assert (
                f"{env_prefix(service)}{name.upper()}" in committed
                or f"<SERVICE>_{name.upper()}" in committed
                or f"`{shared.get(name)}`" in committed
                or f"`{configuration.unprefixed(settings).get(name)}`" in committed
            )


def test_the_readme_example_event_is_what_the_registry_accepts() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    example = operate.example_event()
    assert example in readme, "README's example event is out of date"
    assert parse_event(Topic.INBOUND_RECORDS, example.encode()).type == "internal-audit-completed"


def test_every_dashboard_query_is_valid_promql(tmp_path: Path) -> None:
    """promtool parses each panel's query (as a recording rule: the one way it checks PromQL offline)."""
    promtool = shutil.which("promtool")
    assert promtool, "promtool is missing: apt-get install prometheus (.ci/run does)"
    rules = []
    for source in sorted((ROOT / "deploy/grafana/dashboards").glob("*.json")):
        for panel in json.loads(source.read_text(encoding="utf-8"))["panels"]:
            for target in panel["targets"]:
                rules.append(
                    {
                        "record": f"dashboard:{source.stem}:{panel['id']}:{target['refId']}".replace(
                            "-", "_"
                        ),
                        "expr": target["expr"],
                    }
                )
    path = tmp_path / "dashboards.rules.yml"
    path.write_text(yaml.safe_dump({"groups": [{"name": "dashboards", "rules": rules}]}), encoding="utf-8")
    checked = subprocess.run(
        [promtool, "check", "rules", str(path)], capture_output=True, text=True, check=False
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
