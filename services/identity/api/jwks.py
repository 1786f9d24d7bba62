"""`GET /.well-known/jwks.json`: the public keys session tokens are signed with, for anyone who
checks a token without the replica (the services read the same keys from the topic)."""

from fastapi import APIRouter
from pydantic import BaseModel

from services.identity.api.shared import ServiceDep
from services.identity.usecases.people import published_keys

router = APIRouter(tags=["sign-in"])


class KeySetOut(BaseModel):
    keys: list[dict[str, str]]


@router.get("/.well-known/jwks.json", response_model=KeySetOut)
async def jwks(service: ServiceDep) -> KeySetOut:
    return KeySetOut(keys=await service.query(published_keys))
