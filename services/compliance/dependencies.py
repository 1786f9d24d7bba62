"""The running compliance service, as its routes depend on it (`ServiceDep`).

Typed as `app.ComplianceService` for the type checker. At run time FastAPI needs only the `Depends`:
`app.py` imports the routers, so a router cannot import `app.py` back.
"""

from typing import TYPE_CHECKING, Annotated, Any

from fastapi import Depends

from services.common.service import service_of

if TYPE_CHECKING:
    from services.compliance.app import ComplianceService
else:
    ComplianceService = Any

ServiceDep = Annotated[ComplianceService, Depends(service_of)]
