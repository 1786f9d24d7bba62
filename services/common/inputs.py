"""What every HTTP input goes through before a route sees it, the same way in every service.

- Request bodies extend `RequestBody`: unknown fields refused (no mass assignment), no NaN or infinity
  (Python's JSON reader accepts `NaN`, `Infinity` and reads `1e400` as infinity; stored, they break
  every later answer), text fields typed `contracts.fields.Text`/`Paragraph`.
- Query strings and paths carry no control character (`services.common.http.RefuseControlCharacters`).
- Dates are written YYYY-MM-DD (`Day`; pydantic would read `0` as 1 January 1970) and, with years
  (`CampaignYear`), lie within the years the province runs campaigns for (`CAMPAIGN_YEARS`, set from
  each service's settings at start): an evaluation of year 150 or an inspection plan for 2096 is a
  typing error, and answering it would notify agencies at once.
- Every 422 has one shape, the one the OpenAPI documents promise: `{"detail": [{"loc", "msg",
  "type"}]}` (`invalid_request`, `problem`); the input is never echoed back (it may be a megabyte, a
  secret, or a NaN that cannot be written as JSON).
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Annotated, Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field
from pydantic_core import PydanticCustomError
from starlette.convertors import Convertor, register_url_convertor

from contracts.fields import AGENCY_CODE
from services.common.clock import Clock, SystemClock, local_date

#: Decision 19/2014/QĐ-TTg: the first year agencies had to apply a QMS under the programme.
FIRST_CAMPAIGN_YEAR = 2014


class AgencyCodeConvertor(Convertor[str]):
    """`{code:agency}` in a route's path: only an agency code matches, so `/agencies/X:dissolve` is never
    read as the agency `X:dissolve` of `/agencies/{code}` (a PATCH there is then a 405, not a 422)."""

    regex = AGENCY_CODE.removeprefix("^").removesuffix("$")

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("agency", AgencyCodeConvertor())


class RequestBody(BaseModel):
    """Base of every request body."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, allow_inf_nan=False)


@dataclass
class CampaignYears:
    """The years the province runs campaigns for: from `first` to `last`, or, when `last` is not set,
    to the year after today's (a plan for next year is drafted in December)."""

    first: int = FIRST_CAMPAIGN_YEAR
    last: int | None = None
    clock: Clock = field(default_factory=SystemClock)

    def bounds(self) -> tuple[int, int]:
        return self.first, self.last if self.last is not None else local_date(self.clock.now()).year + 1

    def check_year(self, year: int) -> int:
        first, last = self.bounds()
        if not first <= year <= last:
            raise PydanticCustomError(
                "campaign_year", f"năm {year} nằm ngoài các năm có kế hoạch ISO ({first}–{last})"
            )
        return year

    def check_day(self, day: date) -> date:
        first, last = self.bounds()
        if not first <= day.year <= last:
            raise PydanticCustomError(
                "campaign_year", f"ngày {day:%d/%m/%Y} nằm ngoài các năm có kế hoạch ISO ({first}–{last})"
            )
        return day


#: This process's campaign years; `Service` sets them from its settings (one service per process),
#: in place, so that the validators below, bound to it, see the change.
CAMPAIGN_YEARS = CampaignYears()
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _written_as_date(value: Any) -> Any:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and _ISO_DATE.match(value):
        return value
    raise PydanticCustomError("date_format", "ngày phải viết theo dạng YYYY-MM-DD, ví dụ 2022-10-30")


CampaignYear = Annotated[
    int, AfterValidator(CAMPAIGN_YEARS.check_year), Field(description="A campaign year.")
]
Day = Annotated[
    date,
    BeforeValidator(_written_as_date),
    AfterValidator(CAMPAIGN_YEARS.check_day),
    Field(description="YYYY-MM-DD, within the campaign years."),
]


def error(field_path: Sequence[str | int], message: str, kind: str = "value_error") -> dict[str, Any]:
    """One entry of a 422's `detail`, as FastAPI's own and the OpenAPI `ValidationError` schema."""
    return {"loc": list(field_path), "msg": message, "type": kind}


def problem(name: str, message: str, location: str = "body") -> list[dict[str, Any]]:
    """The `detail` of a 4xx raised by a route that names the field at fault."""
    return [error([location, *(int(p) if p.isdigit() else p for p in name.split("."))], message)]


async def invalid_request(request: Request, exc: Exception) -> JSONResponse:
    """FastAPI's 422, without echoing the input back."""
    assert isinstance(exc, RequestValidationError)
    detail = [error(list(e["loc"]), e["msg"], e["type"]) for e in exc.errors()]
    return JSONResponse({"detail": detail}, status_code=422)
