"""The identity service's unit of work: its credentials and its copy of the agencies."""

from collections.abc import Sequence

from services.common.uow import Repository, UnitOfWork
from services.identity.store import Agencies, Keys


class IdentityUnitOfWork(UnitOfWork):
    def _open(self) -> None:
        self.keys = Keys(self.session)
        self.agencies = Agencies(self.session)

    def repositories(self) -> Sequence[Repository]:
        return (self.keys, self.agencies)
