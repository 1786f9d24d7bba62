"""One event of every type, filled as the services fill them (optional parts set, so that the schema of
each is exercised), for the tests that hold the committed schemas against the models."""

import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, time

from contracts import CloudEvent
from contracts.agencies import (
    AgencyDissolved,
    AgencyDissolvedData,
    AgencyMerged,
    AgencyMergedData,
    AgencyRegistered,
    AgencyRenamed,
    AgencyRenamedData,
    AgencySplit,
    AgencySplitData,
    AgencyUpdated,
    AgencyUpdatedData,
    Contact,
    Contacts,
)
from contracts.audit import ActorKind, AuditData, AuditRecorded
from contracts.compliance import (
    AgencyCompliant,
    AgencyLagging,
    AuditOverdue,
    ComplianceScoreChanged,
    CompliantData,
    DeadlineApproaching,
    DeadlineData,
    LaggingData,
    OverdueData,
    ReviewOverdue,
    RuleResult,
    ScoreData,
)
from contracts.deliveries import (
    Channel,
    DeliveryData,
    HeldData,
    HoldCause,
    NotificationFailed,
    NotificationHeld,
    NotificationSent,
    RecipientRole,
)
from contracts.identity import (
    AccountChanged,
    AccountData,
    CredentialData,
    CredentialIssued,
    CredentialRevoked,
    PublicKey,
    RevocationData,
    Role,
    SignedOut,
    SigningKeyData,
    SigningKeyPublished,
    SignOutData,
)
from contracts.inspections import (
    CorrectiveAction,
    CorrectiveActionDone,
    Finding,
    InspectionCancelled,
    InspectionCompleted,
    InspectionData,
    InspectionMode,
    InspectionScheduled,
    InspectionStatus,
    Severity,
)
from contracts.records import RECORD_EVENT_OF, RecordData
from contracts.training import (
    CompletionData,
    EnrolmentCancelled,
    EnrolmentConfirmed,
    EnrolmentData,
    EnrolmentStatus,
    EnrolmentWaitlisted,
    InvitationData,
    SessionData,
    SessionDay,
    TrainingCancelled,
    TrainingCompleted,
    TrainingInvited,
    TrainingRescheduled,
    TrainingRole,
    TrainingScheduled,
)
from contracts.vocabulary import ComplianceStatus, Element, Level
from tests.factories import NOW, agency_data

CODE = "000.36.05.H59"
SESSION = "5b1f0a52-7c1e-4d8e-9b1d-1e150a0e1501"
DEADLINE = date(2022, 11, 15)
OFFICER = Contacts(iso_officer=Contact(name="Trần Thị B", phone="+84912345678", email="b@travinh.gov.vn"))


def _event(kind: type[CloudEvent], subject: str, data: object, source: str) -> CloudEvent:
    return kind.create(source=source, subject=subject, data=data, time=NOW, causationid=str(uuid.uuid4()))


def _agencies() -> Iterator[CloudEvent]:
    agency = agency_data(CODE, Level.COMMUNE, parent="000.36.00.H59", contacts=OFFICER, valid_to=None)
    yield _event(AgencyRegistered, CODE, agency, "/eiso/registry")
    updated = AgencyUpdatedData(**agency.model_dump(), changed=["contacts"])
    yield _event(AgencyUpdated, CODE, updated, "/eiso/registry")
    renamed = AgencyRenamedData(**agency.model_dump(), previous_name="UBND xã Hòa Lợi", previous_code="X1")
    yield _event(AgencyRenamed, CODE, renamed, "/eiso/registry")
    merged = AgencyMergedData(
        code=CODE, sources=["X2", "X3"], effective_on=date(2022, 7, 1), successor=agency
    )
    yield _event(AgencyMerged, CODE, merged, "/eiso/registry")
    parts = [agency_data(f"{CODE}.{n}", Level.COMMUNE) for n in (1, 2)]
    yield _event(
        AgencySplit,
        CODE,
        AgencySplitData(code=CODE, effective_on=date(2022, 7, 1), into=parts),
        "/eiso/registry",
    )
    dissolved = AgencyDissolvedData(
        code=CODE, effective_on=date(2022, 7, 1), reason="Sáp nhập đơn vị hành chính"
    )
    yield _event(AgencyDissolved, CODE, dissolved, "/eiso/registry")


def _records() -> Iterator[CloudEvent]:
    for element, kind in RECORD_EVENT_OF.items():
        record = RecordData(
            record_id=uuid.uuid4(),
            agency_code=CODE,
            element=element,
            year=2022,
            occurred_on=date(2022, 5, 10),
            document_ref="Số 15/QĐ-UBND",
            title="Hồ sơ năm 2022",
            notes="Đã ký",
            submitted_by="Thư ký ISO",
            channel="vn.travinh.eiso",
            version=2,
        )
        yield _event(kind, CODE, record, "/eiso/registry")


def _status() -> Iterator[CloudEvent]:
    rule = RuleResult(
        rule_id="R02", met=True, weight=1, evidence=[str(uuid.uuid4())], title_vi="Mục tiêu", detail="Có"
    )
    score = ScoreData(
        agency_code=CODE,
        year=2022,
        score=0.5,
        previous_score=0.25,
        status=ComplianceStatus.LAGGING,
        breakdown=[rule],
    )
    yield _event(ComplianceScoreChanged, CODE, score, "/eiso/compliance")
    missing = [Element.INTERNAL_AUDIT]
    deadline = DeadlineData(agency_code=CODE, year=2022, deadline=DEADLINE, days_left=7, missing=missing)
    yield _event(DeadlineApproaching, CODE, deadline, "/eiso/compliance")
    for kind in (AuditOverdue, ReviewOverdue):
        yield _event(
            kind, CODE, OverdueData(agency_code=CODE, year=2022, deadline=DEADLINE), "/eiso/compliance"
        )
    lagging = LaggingData(agency_code=CODE, year=2022, deadline=DEADLINE, missing=missing, score=0.5)
    yield _event(AgencyLagging, CODE, lagging, "/eiso/compliance")
    yield _event(
        AgencyCompliant, CODE, CompliantData(agency_code=CODE, year=2022, score=1.0), "/eiso/compliance"
    )


def _inspections() -> Iterator[CloudEvent]:
    fields = {
        "inspection_id": str(uuid.uuid4()),
        "agency_code": CODE,
        "year": 2022,
        "scheduled_on": date(2022, 9, 5),
        "inspector": "Đoàn kiểm tra Sở KH&CN",
        "mode": InspectionMode.ONSITE,
        "risk": 2.5,
        "reasons": ["Chưa đánh giá nội bộ"],
    }
    yield _event(
        InspectionScheduled,
        CODE,
        InspectionData(**fields, revision=1, status=InspectionStatus.SCHEDULED),
        "/eiso/compliance",
    )
    cancelled = InspectionData(
        **fields, revision=2, status=InspectionStatus.CANCELLED, note="Thay cơ quan khác"
    )
    yield _event(InspectionCancelled, CODE, cancelled, "/eiso/compliance")
    completed = InspectionData(
        **fields,
        revision=3,
        status=InspectionStatus.COMPLETED,
        held_on=date(2022, 9, 5),
        findings=[Finding(description="Thiếu biên bản", severity=Severity.MINOR, clause="9.2")],
        corrective_actions=[CorrectiveAction(description="Bổ sung", due_on=date(2022, 10, 5), finding=0)],
    )
    yield _event(InspectionCompleted, CODE, completed, "/eiso/compliance")
    done = CorrectiveAction(
        description="Bổ sung",
        due_on=date(2022, 10, 5),
        finding=0,
        done_on=date(2022, 9, 20),
        evidence="BB 12",
    )
    closed = completed.model_copy(update={"revision": 4, "corrective_actions": [done]})
    yield _event(CorrectiveActionDone, CODE, closed, "/eiso/compliance")


def _training() -> Iterator[CloudEvent]:
    day = SessionDay(
        on=date(2022, 4, 19),
        starts=time(8, 0),
        ends=time(11, 30),
        starts_at=datetime(2022, 4, 19, 1, 0, tzinfo=UTC),
        ends_at=datetime(2022, 4, 19, 4, 30, tzinfo=UTC),
    )
    session = SessionData(
        session_id=SESSION,
        revision=2,
        course_code="ISO-01",
        course_title_vi="Nhận thức TCVN ISO 9001:2015",
        days=[day],
        venue="Hội trường Sở Khoa học và Công nghệ",
        trainer="ThS. Nguyễn Văn A",
        capacity=40,
        seats_taken=12,
        note="Đổi hội trường",
    )
    for changed in (TrainingScheduled, TrainingRescheduled, TrainingCancelled):
        yield _event(changed, SESSION, session, "/eiso/training")
    first_day = datetime(2022, 4, 19, 1, 0, tzinfo=UTC)
    for kind, status, position in (
        (EnrolmentConfirmed, EnrolmentStatus.CONFIRMED, None),
        (EnrolmentWaitlisted, EnrolmentStatus.WAITLISTED, 3),
        (EnrolmentCancelled, EnrolmentStatus.CANCELLED, None),
    ):
        enrolment = EnrolmentData(
            enrolment_id=str(uuid.uuid4()),
            session_id=SESSION,
            agency_code=CODE,
            person_name="Trần Thị B",
            role=TrainingRole.ISO_OFFICER,
            status=status,
            waitlist_position=position,
            first_day=first_day,
        )
        yield _event(kind, CODE, enrolment, "/eiso/training")
    invitation = InvitationData(
        agency_code=CODE,
        year=2022,
        session_id=SESSION,
        course_title_vi="Nhận thức TCVN ISO 9001:2015",
        first_day=first_day,
        reason_vi="Cơ quan chậm cập nhật",
    )
    yield _event(TrainingInvited, CODE, invitation, "/eiso/training")
    completion = CompletionData(
        agency_code=CODE,
        enrolment_id=str(uuid.uuid4()),
        session_id=SESSION,
        course_code="ISO-01",
        course_title_vi="Nhận thức TCVN ISO 9001:2015",
        person_name="Trần Thị B",
        role=TrainingRole.ISO_OFFICER,
        completed_on=date(2022, 4, 20),
        certificate_code="CC-2022-0001",
    )
    yield _event(TrainingCompleted, CODE, completion, "/eiso/training")


def _deliveries() -> Iterator[CloudEvent]:
    for kind, error in ((NotificationSent, None), (NotificationFailed, "gateway refused: invalid phone")):
        delivery = DeliveryData(
            request_id=str(uuid.uuid4()),
            request_ids=[str(uuid.uuid4())],
            agency_code=CODE,
            reasons=["agency-lagging"],
            periods=["2022"],
            channel=Channel.SMS,
            recipient_role=RecipientRole.ISO_OFFICER,
            gateway="esms",
            attempts=2,
            segments=1,
            error=error,
        )
        yield _event(kind, CODE, delivery, "/eiso/notifier")
    held = HeldData(
        request_ids=[str(uuid.uuid4())],
        agency_code=CODE,
        reasons=["deadline-approaching"],
        channel=Channel.SMS,
        recipient_role=RecipientRole.HEAD,
        cause=HoldCause.QUIET_HOURS,
        until=datetime(2022, 6, 2, 0, 0, tzinfo=UTC),
    )
    yield _event(NotificationHeld, CODE, held, "/eiso/notifier")


def _credentials() -> Iterator[CloudEvent]:
    issued = CredentialData(
        credential_id="3f9a1c2b7d4e",
        name="Cán bộ ISO – UBND xã Hòa Lợi",
        role=Role.AGENCY,
        agency_code=CODE,
        digest="0" * 64,
        created_at=NOW,
    )
    yield _event(CredentialIssued, issued.credential_id, issued, "/eiso/identity")
    revoked = RevocationData(credential_id=issued.credential_id, revoked_at=NOW)
    yield _event(CredentialRevoked, issued.credential_id, revoked, "/eiso/identity")
    account = AccountData(
        account_id="acc-0123456789ab",
        name="Trần Thị B",
        role=Role.AGENCY,
        agency_code=CODE,
        active=True,
        valid_after=NOW,
    )
    yield _event(AccountChanged, account.account_id, account, "/eiso/identity")
    key = SigningKeyData(
        signing_key_id="k-20220601-0a1b2c3d",
        public_jwk=PublicKey(x="eTMAIwkgVjTbEoVfoxORunClpJw_ZlKEog3CEa_tfpI"),
        created_at=NOW,
    )
    yield _event(SigningKeyPublished, key.signing_key_id, key, "/eiso/identity")
    ended = SignOutData(sign_in_id="Qm9vdHN0cmFwU2lnbkluSWQ", account_id=account.account_id, expires_at=NOW)
    yield _event(SignedOut, ended.sign_in_id, ended, "/eiso/identity")


def _audit() -> Iterator[CloudEvent]:
    entry = AuditData(
        entry_id=str(uuid.uuid4()),
        service="registry",
        actor_id="acc-0123456789ab",
        actor_kind=ActorKind.ACCOUNT,
        actor_name="Trần Thị B",
        role=Role.OPERATOR,
        action="reorganisation.merge_agencies",
        target=f"agency:{CODE}",
        at=NOW,
        address="203.0.113.5",
        request_id="req-2022-0001",
    )
    yield _event(AuditRecorded, entry.entry_id, entry, "/eiso/registry")


def every_event_type() -> list[CloudEvent]:
    """One event of each type the catalogue knows."""
    return [
        *_agencies(),
        *_records(),
        *_status(),
        *_inspections(),
        *_training(),
        *_deliveries(),
        *_credentials(),
        *_audit(),
    ]
