"""The campaign's training window per year, read from YAML (services/training/windows.yaml)."""

from datetime import date
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError


class WindowFileError(ValueError):
    """The windows file cannot be used; the message names the file and what is wrong."""


class Window(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    start: date
    end: date


class Windows(BaseModel):
    model_config = ConfigDict(frozen=True)

    default_start: tuple[int, int]
    default_end: tuple[int, int]
    years: dict[int, Window]

    def of(self, year: int) -> Window:
        if year in self.years:
            return self.years[year]
        return Window(start=date(year, *self.default_start), end=date(year, *self.default_end))


def _month_day(text: object, where: str) -> tuple[int, int]:
    try:
        month, day = (int(part) for part in str(text).split("-"))
        date(2000, month, day)
    except ValueError:
        raise WindowFileError(f"{where}: expected MM-DD, got {text!r}") from None
    return month, day


def load(path: Path) -> Windows:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        default = raw.get("default") or {"start": "04-01", "end": "10-31"}
        years = {int(y): Window.model_validate(w) for y, w in (raw.get("years") or {}).items()}
    except (OSError, yaml.YAMLError, ValidationError, ValueError, AttributeError) as exc:
        raise WindowFileError(f"{path}: {exc}") from None
    for year, window in years.items():
        if not (window.start.year == window.end.year == year and window.start <= window.end):
            raise WindowFileError(f"{path}: years.{year}: the window must lie in {year}, start before end")
    return Windows(
        default_start=_month_day(default.get("start"), f"{path}: default.start"),
        default_end=_month_day(default.get("end"), f"{path}: default.end"),
        years=years,
    )
