"""What several pages look up the same way: the agencies' names as the registry has them."""

import asyncio

from services.portal.clients import ApiError
from services.portal.people import Person


async def names_of(who: Person, codes: set[str]) -> dict[str, str]:
    """The agencies' names as the registry has them (a code stays when the registry does not say)."""

    async def name(code: str) -> tuple[str, str]:
        try:
            return code, str((await who.api.get("registry", f"/agencies/{code}"))["name"])
        except ApiError:
            return code, code

    return dict(await asyncio.gather(*(name(code) for code in sorted(codes))))
