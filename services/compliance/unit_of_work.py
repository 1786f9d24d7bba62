"""Compliance's unit of work: one transaction, with the repositories of every subdomain opened on it.

Only the `Scorebook` reads ahead for a batch (the replay's bulk is record events); the others read
and write the database as they go.
"""

from collections.abc import Sequence

from services.common.uow import Repository, UnitOfWork
from services.compliance.agencies import Agencies
from services.compliance.board.store import ReadModels
from services.compliance.evaluation.store import Notices
from services.compliance.inspections.store import Inspections
from services.compliance.meta import Meta
from services.compliance.scoring.scorebook import Scorebook


class ComplianceUnitOfWork(UnitOfWork):
    def _open(self) -> None:
        self.agencies = Agencies(self.session)
        self.meta = Meta(self.session)
        self.scores = Scorebook(self.session, self.clock.now)
        self.notices = Notices(self.session)
        self.inspections = Inspections(self.session)
        self.board = ReadModels(self.session)

    def repositories(self) -> Sequence[Repository]:
        return (self.scores,)
