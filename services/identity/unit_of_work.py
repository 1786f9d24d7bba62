"""The identity service's unit of work: credentials, people, sign-ins, its copy of the agencies and
the e-mails it has to send."""

from collections.abc import Sequence

from services.common.uow import Repository, UnitOfWork
from services.identity.audit_store import AuditTrail
from services.identity.mail_store import MailQueue
from services.identity.people_store import PasswordLinks, People, SigningSecrets, SignIns, SsoRequests
from services.identity.store import Agencies, Keys


class IdentityUnitOfWork(UnitOfWork):
    def _open(self) -> None:
        self.keys = Keys(self.session)
        self.agencies = Agencies(self.session)
        self.people = People(self.session)
        self.sign_ins = SignIns(self.session)
        self.password_links = PasswordLinks(self.session)
        self.signing_secrets = SigningSecrets(self.session)
        self.audit = AuditTrail(self.session)
        self.sso_requests = SsoRequests(self.session)
        self.mail = MailQueue(self.session)

    def repositories(self) -> Sequence[Repository]:
        return (self.keys, self.agencies)
