"""The registry's unit of work: one transaction with the registry's stores and its record versions."""

import contextlib
from collections.abc import AsyncIterator, Sequence

from services.common.uow import Repository, UnitOfWork
from services.registry.record_versions import Records
from services.registry.store.agencies import AgencyStore
from services.registry.store.dead_letters import DeadLetterStore
from services.registry.store.records import RecordStore
from services.registry.store.systems import SystemStore


class RegistryUnitOfWork(UnitOfWork):
    def _open(self) -> None:
        self.agencies = AgencyStore(self.session)
        self.systems = SystemStore(self.session)
        self.dead_letters = DeadLetterStore(self.session)
        #: Record versions, read ahead for a batch of inbound records (`record_versions`).
        self.records = Records(self.agencies, self.systems, RecordStore(self.session))

    def repositories(self) -> Sequence[Repository]:
        return (self.records,)

    @contextlib.asynccontextmanager
    async def all_or_nothing(self) -> AsyncIterator[None]:
        """A part of this transaction applied whole or not at all (a savepoint), with the events it
        emitted: written to the outbox with it, or forgotten with it (an import's rows, one by one)."""
        try:
            async with self.session.begin_nested():
                yield
                await self.flush_outbox()
        except Exception:
            self.discard_events()
            raise
