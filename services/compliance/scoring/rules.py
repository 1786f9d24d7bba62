"""Rules and campaigns, read from YAML (services/compliance/rules/): data, not code.

Loading validates everything up front, so a typo in a rule file stops the service at start with the
file, the rule and the field named, instead of scoring with half a rule set.
"""

import hashlib
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from contracts.training import TrainingRole
from contracts.vocabulary import Element

#: The rule and campaign files ship beside the service's packages (services/compliance/rules/).
RULES_DIR = Path(__file__).parent.parent / "rules"


class Kind(StrEnum):
    """The checks the service knows; a rule picks one and sets its params."""

    ELEMENT_IN_YEAR = "element_in_year"
    ELEMENT_WITHIN = "element_within"
    REVIEW_AFTER_AUDIT = "review_after_audit"
    ANNOUNCED_AFTER_SCOPE = "announced_after_scope"
    TRAINED_IN_CAMPAIGN = "trained_in_campaign"
    USES_EISO_SOFTWARE = "uses_eiso_software"
    NOT_EVALUABLE = "not_evaluable"


class Rule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^R\d{2,3}$")
    key: str
    title_vi: str
    legal_basis: str
    confidence: str = Field(pattern=r"^(verified|unverified)$")
    effective_from: date
    effective_to: date | None = None
    weight: float = Field(ge=0)
    kind: Kind
    params: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _params_fit_the_kind(self) -> "Rule":
        if self.kind in (Kind.ELEMENT_IN_YEAR, Kind.ELEMENT_WITHIN):
            Element(str(self.params.get("element")))
        if self.kind == Kind.ELEMENT_WITHIN and not isinstance(self.params.get("months"), int):
            raise ValueError("params.months (a whole number) is needed by element_within")
        roles = self.params.get("roles")
        known = set(TrainingRole)
        if (
            self.kind == Kind.TRAINED_IN_CAMPAIGN
            and roles is not None
            and (not isinstance(roles, list) or not all(r in known for r in roles))
        ):
            allowed = ", ".join(TrainingRole)
            raise ValueError(f"params.roles must be a list of trainee roles ({allowed}), not {roles!r}")
        return self

    def in_force(self, day: date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day < self.effective_to)


class Window(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    start: date
    end: date


class Campaign(BaseModel):
    """One year of the province's plan."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    year: int
    training_window: Window
    maintenance_deadline: date
    inspection_window: Window
    inspection_target: int = Field(ge=0)
    reminder_days: list[int] = Field(default=[30, 14, 7])


class RuleSet(BaseModel):
    model_config = ConfigDict(frozen=True)

    rules: list[Rule]
    campaigns: dict[int, Campaign]
    default: dict[str, Any]
    #: Digest of the files: a change means every score must be recomputed.
    version: str

    def in_force(self, day: date) -> list[Rule]:
        return [r for r in self.rules if r.in_force(day)]

    def campaign(self, year: int) -> Campaign:
        """The plan for `year`: its own, or the default with its month-day dates set in that year."""
        if year in self.campaigns:
            return self.campaigns[year]
        return Campaign.model_validate({"year": year, **_in_year(self.default, year)})


def _in_year(value: Any, year: int) -> Any:
    if isinstance(value, dict):
        return {k: _in_year(v, year) for k, v in value.items()}
    if isinstance(value, str) and len(value) == 5 and value[2] == "-":
        return f"{year}-{value}"
    return value


class RuleFileError(ValueError):
    """A rule or campaign file that cannot be used; the message names the file and the field."""


def load(folder: Path = RULES_DIR) -> RuleSet:
    rules_file, campaigns_file = folder / "rules.yaml", folder / "campaigns.yaml"
    texts = {}
    for path in (rules_file, campaigns_file):
        try:
            texts[path] = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise RuleFileError(f"{path}: {exc.strerror}") from None
    try:
        raw_rules = yaml.safe_load(texts[rules_file]) or []
        raw_campaigns = yaml.safe_load(texts[campaigns_file]) or {}
    except yaml.YAMLError as exc:
        raise RuleFileError(f"not valid YAML: {exc}") from None
    try:
        rules = [Rule.model_validate(r) for r in raw_rules]
        campaigns = {
            int(y): Campaign.model_validate({"year": int(y), **c})
            for y, c in (raw_campaigns.get("years") or {}).items()
        }
        default = raw_campaigns.get("default") or {}
        Campaign.model_validate({"year": 2000, **_in_year(default, 2000)})
    except (ValidationError, ValueError, TypeError, AttributeError) as exc:
        raise RuleFileError(f"{folder}: {exc}") from None
    ids = [r.id for r in rules]
    if len(set(ids)) != len(ids):
        raise RuleFileError(f"{rules_file}: a rule id is used twice")
    digest = hashlib.sha256(b"".join(t.encode() for t in texts.values())).hexdigest()[:16]
    return RuleSet(rules=rules, campaigns=campaigns, default=default, version=digest)
