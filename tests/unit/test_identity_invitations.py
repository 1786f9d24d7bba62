"""Invitations on the identity service's own schema (SQLite), on a clock the tests move: the letter an
ISO officer receives (Vietnamese, giờ Việt Nam, escaped), the account and its e-mail written together,
the queue that sends it once — after a crash too, under the same Message-ID —, backs off on transient
SMTP failures and keeps the reason of a permanent one, and erases the secret once it has gone."""

import email
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.header import decode_header, make_header
from email.message import Message
from pathlib import Path
from typing import Any, cast

import pytest
import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from contracts.agencies import AgencyRegistered, AgencyUpdated, Contact, Contacts
from contracts.identity import Role
from services.common.clock import FixedClock
from services.common.delivery import Outcome, Result
from services.common.mailer import FolderMailer
from services.identity import letters
from services.identity.keys import KeyRefusedError
from services.identity.mail import Backoff, MailKind, MailStatus, QueuedMail, after_attempt
from services.identity.people import PasswordRefusedError
from services.identity.tables import agencies as agencies_table
from services.identity.tables import mail_queue
from services.identity.unit_of_work import IdentityUnitOfWork
from services.identity.usecases import agencies, invitations, people
from services.identity.usecases.invitations import InvitationConflictError, Letterhead
from services.identity.usecases.mail import MailSender, Runs
from tests.factories import NOW, agency_data, unique_code
from tests.unit.conftest import R, Run

PASSWORD = "một cụm từ dài khó đoán"
LETTERHEAD = Letterhead("https://iso.sokhcn.travinh.gov.vn/", "Sở Khoa học và Công nghệ", timedelta(hours=72))
BACKOFF = Backoff(attempts=3, base=2.0, cap=60.0)


@pytest.fixture
def read(identity_db: async_sessionmaker[AsyncSession], clock: FixedClock) -> Run:
    """`Service.query`: a use case in a unit of work that only reads."""

    async def query(usecase: Callable[..., Awaitable[R]], *args: Any) -> R:
        async with IdentityUnitOfWork(identity_db, clock, "/eiso/identity", read_only=True) as uow:
            return await usecase(uow, *args)

    return query


@dataclass
class Mailbox:
    """A mailer that answers what it is told to, in turn (then accepts), and keeps what it was given."""

    name: str = "smtp"
    answers: list[Result] = field(default_factory=list)
    sent: list[tuple[str, str, str, str]] = field(default_factory=list)

    async def send(
        self, request_id: str, to: str, subject: str, text: str, html: str, at: datetime
    ) -> Result:
        self.sent.append((request_id, to, subject, text))
        return self.answers.pop(0) if self.answers else Result(Outcome.ACCEPTED, request_id)


def officer(
    name: str = "Nguyễn Thị Mai", email: str | None = None, phone: str | None = "+84912345678"
) -> Contacts:
    return Contacts(
        iso_officer=Contact(name=name, phone=phone, email=email),
        head=Contact(name="Trần Văn Hùng", phone="+84987654321", email="chutich@xa.vn"),
    )


async def agency(
    run: Run, name: str = "UBND xã Hòa Lợi", contacts: Contacts | None = None
) -> tuple[str, str]:
    """An agency in the identity service's copy, its ISO officer with an e-mail: (code, e-mail)."""
    code = unique_code("INV")
    address = f"{code.lower()}@travinh.gov.vn"
    data = agency_data(code, name=name, contacts=contacts or officer(email=address))
    await run(
        agencies.apply_agency_event, AgencyRegistered.create(source="/t", subject=code, data=data, time=NOW)
    )
    return code, address


async def send_due(mailer: Any, clock: FixedClock, read: Run, run: Run) -> int:
    """One round of the background sender (`IdentityService.send_mail`): how many e-mails it tried."""
    return await MailSender(mailer, BACKOFF, clock).run_once(cast(Runs, read), cast(Runs, run))


async def row(identity_db: async_sessionmaker[AsyncSession], mail_id: str) -> dict[str, Any]:
    async with identity_db() as session:
        found = (await session.execute(select(mail_queue).where(mail_queue.c.id == mail_id))).mappings().one()
        return dict(found)


def link_in(text: str) -> str:
    """The `<id>.<secret>` of the one-time link a letter carries."""
    return text.split("/password-links/", 1)[1].split(maxsplit=1)[0]


def test_the_letter_is_an_official_vietnamese_invitation_with_the_expiry_in_vietnam_time() -> None:
    # 20:30 UTC on 04/06 is 03:30 on 05/06 in Vietnam: the date a person reads is Vietnam's.
    letter = letters.invitation(
        name="Nguyễn Thị Mai",
        email="mai@travinh.gov.vn",
        agency="UBND xã Hòa Lợi",
        link="https://iso.example.vn/password-links/ab12.s3cr3t",
        sign_in="https://iso.example.vn/sign-in",
        expires_at=datetime(2022, 6, 4, 20, 30, tzinfo=UTC),
        department="Sở Khoa học và Công nghệ tỉnh Trà Vinh",
    )
    assert letter.subject == "Mời sử dụng Hệ thống quản lý ISO điện tử — UBND xã Hòa Lợi"
    assert letter.text.startswith("Kính gửi Ông/Bà Nguyễn Thị Mai,\n")
    assert (
        "Sở Khoa học và Công nghệ tỉnh Trà Vinh trân trọng mời Ông/Bà, cán bộ đầu mối ISO của "
        "UBND xã Hòa Lợi, sử dụng Hệ thống quản lý ISO điện tử" in letter.text
    )
    assert "\nhttps://iso.example.vn/password-links/ab12.s3cr3t\n" in letter.text
    until = "Đường dẫn chỉ dùng được một lần và có hiệu lực đến 03:30 ngày 05/06/2022 (giờ Việt Nam)."
    assert until in letter.text
    assert "có hiệu lực đến <strong>03:30 ngày 05/06/2022 (giờ Việt Nam)</strong>." in letter.html
    assert (
        "không đề nghị cấp tài khoản này" in letter.text and "không đề nghị cấp tài khoản này" in letter.html
    )
    assert "Trân trọng,\n\nSỞ KHOA HỌC VÀ CÔNG NGHỆ TỈNH TRÀ VINH\n" in letter.text
    assert '<a href="https://iso.example.vn/password-links/ab12.s3cr3t">' in letter.html
    assert "ít nhất 10 ký tự" in letter.text


def test_the_html_letter_escapes_what_it_is_given_and_the_text_keeps_it_as_written() -> None:
    letter = letters.invitation(
        name="Lê <b>Văn</b> C",
        email="c@xa.vn",
        agency="Trung tâm Dịch vụ & Tư vấn",
        link="https://iso.example.vn/password-links/x.y",
        sign_in="https://iso.example.vn/sign-in",
        expires_at=NOW,
    )
    assert "Lê &lt;b&gt;Văn&lt;/b&gt; C" in letter.html and "<b>Văn</b>" not in letter.html
    assert "Trung tâm Dịch vụ &amp; Tư vấn" in letter.html
    assert "Kính gửi Ông/Bà Lê <b>Văn</b> C," in letter.text and "Dịch vụ & Tư vấn" in letter.text
    assert "\nSỞ KHOA HỌC VÀ CÔNG NGHỆ\n" in letter.text, "the department by default"


async def test_an_invitation_makes_the_officer_s_account_and_queues_its_letter_in_one_go(run: Run) -> None:
    code, address = await agency(run)
    mail = await run(invitations.invite, code, Role.AGENCY, LETTERHEAD)
    assert (mail.recipient, mail.agency_code, mail.status, mail.attempts) == (address, code, "pending", 0)
    assert mail.expires_at == NOW + timedelta(hours=72)
    assert mail.subject == "Mời sử dụng Hệ thống quản lý ISO điện tử — UBND xã Hòa Lợi"
    assert mail.text and "https://iso.sokhcn.travinh.gov.vn/password-links/" in mail.text, "public_url's base"
    assert "Kính gửi Ông/Bà Nguyễn Thị Mai," in mail.text
    accounts = [a for a in await run(people.all_accounts) if a.email == address]
    assert [(a.id, a.name, a.role, a.agency_code, a.password_hash) for a in accounts] == [
        (mail.account_id, "Nguyễn Thị Mai", Role.AGENCY, code, None)
    ]
    # The link in the letter is the account's one-time link.
    assert (await run(people.set_password_with_link, link_in(mail.text), PASSWORD)).id == mail.account_id


async def test_an_invitation_is_refused_naming_the_agency_when_it_cannot_be_sent(run: Run) -> None:
    with pytest.raises(KeyRefusedError, match="unknown") as unknown:
        await run(invitations.invite, "000.00.99.H59", Role.AGENCY, LETTERHEAD)
    assert unknown.value.field == "agency_code"
    no_email, _ = await agency(run, contacts=officer(email=None))
    with pytest.raises(KeyRefusedError, match=r"no e-mail of .* ISO officer \(contacts.iso_officer.email\)"):
        await run(invitations.invite, no_email, Role.AGENCY, LETTERHEAD)
    nobody, _ = await agency(run, contacts=Contacts())
    with pytest.raises(KeyRefusedError, match="no e-mail"):
        await run(invitations.invite, nobody, Role.AGENCY, LETTERHEAD)
    code, address = await agency(run)
    first = await run(invitations.invite, code, Role.AGENCY, LETTERHEAD)
    with pytest.raises(KeyRefusedError, match=f"has an account already .{first.account_id}.*resend") as twice:
        await run(invitations.invite, code, Role.AGENCY, LETTERHEAD)
    assert twice.value.field == "agency_code" and address not in str(twice.value), "the address is masked"
    with pytest.raises(KeyRefusedError, match="for API keys"):
        await run(invitations.invite, (await agency(run))[0], Role.SYSTEM, LETTERHEAD)
    assert len(await run(invitations.all_invitations)) == 1, "a refused invitation queues nothing"


async def test_the_copy_keeps_the_officer_s_name_and_email_only_and_follows_the_registry(
    run: Run, identity_db: async_sessionmaker[AsyncSession]
) -> None:
    code, address = await agency(run)
    async with identity_db() as session:
        kept = (
            (await session.execute(select(agencies_table).where(agencies_table.c.code == code)))
            .mappings()
            .one()
        )
    assert (kept["iso_officer_name"], kept["iso_officer_email"]) == ("Nguyễn Thị Mai", address)
    assert "+84912345678" not in str(dict(kept)) and "chutich" not in str(dict(kept)), "no phone, no head"
    data = agency_data(code, name="UBND xã Hòa Lợi", contacts=Contacts())
    gone = AgencyUpdated.create(
        source="/t", subject=code, data={**data.model_dump(), "changed": ["contacts"]}, time=NOW
    )
    await run(agencies.apply_agency_event, gone)
    with pytest.raises(KeyRefusedError, match="no e-mail"):
        await run(invitations.invite, code, Role.AGENCY, LETTERHEAD)


async def test_the_sender_sends_once_erases_the_secret_and_logs_no_secret(
    run: Run, read: Run, clock: FixedClock, identity_db: async_sessionmaker[AsyncSession]
) -> None:
    code, address = await agency(run)
    mail = await run(invitations.invite, code, Role.AGENCY, LETTERHEAD)
    assert mail.text
    secret = link_in(mail.text).split(".")[1]
    mailbox = Mailbox()
    clock.set(NOW + timedelta(seconds=5))
    with structlog.testing.capture_logs() as logs:
        assert await send_due(mailbox, clock, read, run) == 1
    assert [(m[0], m[1], m[2]) for m in mailbox.sent] == [(mail.id, address, mail.subject)]
    assert secret in mailbox.sent[0][3], "the e-mail is where the link goes"
    assert secret not in repr(logs) and logs and logs[0]["mail_id"] == mail.id
    kept = await row(identity_db, mail.id)
    assert (kept["status"], kept["sent_at"], kept["text"], kept["html"]) == (
        "sent",
        NOW + timedelta(seconds=5),
        None,
        None,
    )
    assert (kept["recipient"], kept["subject"]) == (address, mail.subject), "who and what stay"
    assert await send_due(mailbox, clock, read, run) == 0 and len(mailbox.sent) == 1, "sent once"
    (listed,) = await run(invitations.all_invitations, code)
    assert (listed.mail.status, listed.password_set) == (MailStatus.SENT, False)


async def test_a_crash_after_the_commit_sends_on_restart_with_the_same_message_id(
    run: Run, read: Run, clock: FixedClock, tmp_path: Path
) -> None:
    code, address = await agency(run)
    mail = await run(invitations.invite, code, Role.AGENCY, LETTERHEAD)
    folder = FolderMailer(
        "folder",
        "",
        0,
        "eiso@sokhcn.vn",
        sender_name="Sở Khoa học và Công nghệ (eiso)",
        folder=tmp_path / "mail",
    )
    # The first process handed the e-mail to the mailer and died before recording it.
    assert mail.text and mail.html
    await folder.send(mail.id, mail.recipient, mail.subject, mail.text, mail.html, clock.now())
    # The next one finds it still pending and sends it again: the same message, written once.
    assert await send_due(folder, clock, read, run) == 1
    (path,) = (tmp_path / "mail").iterdir()
    message = email.message_from_bytes(path.read_bytes())
    assert (path.name, message["Message-ID"], message["To"]) == (
        f"{mail.id}.eml",
        f"<{mail.id}@eiso>",
        address,
    )
    assert email.utils.parsedate_to_datetime(message["Date"]) == NOW
    assert str(make_header(decode_header(message["Subject"]))) == mail.subject
    assert (
        str(make_header(decode_header(message["From"]))) == "Sở Khoa học và Công nghệ (eiso) <eiso@sokhcn.vn>"
    )
    plain, html = (part_of(message, kind) for kind in ("text/plain", "text/html"))
    assert "Kính gửi Ông/Bà Nguyễn Thị Mai," in plain and "Kính gửi Ông/Bà Nguyễn Thị Mai," in html
    assert await send_due(folder, clock, read, run) == 0


def part_of(message: Message, kind: str) -> str:
    part = next(p for p in message.walk() if p.get_content_type() == kind)
    assert part.get_content_charset() == "utf-8"
    return bytes(part.get_payload(decode=True)).decode("utf-8")


async def test_transient_failures_back_off_then_fail_and_permanent_ones_fail_at_once_with_the_reason(
    run: Run, read: Run, clock: FixedClock, identity_db: async_sessionmaker[AsyncSession]
) -> None:
    flaky, _ = await agency(run)
    mail = await run(invitations.invite, flaky, Role.AGENCY, LETTERHEAD)
    busy = Result(Outcome.TRANSIENT, detail="SMTP 451: try again later")
    mailbox = Mailbox(answers=[busy, busy])
    await send_due(mailbox, clock, read, run)
    first = await row(identity_db, mail.id)
    assert (first["status"], first["attempts"], first["error"]) == ("pending", 1, "SMTP 451: try again later")
    assert NOW <= first["due_at"] <= NOW + timedelta(seconds=BACKOFF.base) and first["text"], "kept to retry"
    clock.set(first["due_at"] + timedelta(seconds=0.001))
    await send_due(mailbox, clock, read, run)  # the second try: 451 again, waits longer
    second = await row(identity_db, mail.id)
    assert (second["status"], second["attempts"]) == ("pending", 2)
    clock.set(second["due_at"] + timedelta(seconds=0.001))
    await send_due(mailbox, clock, read, run)
    assert (await row(identity_db, mail.id))["status"] == "sent"
    assert {m[0] for m in mailbox.sent} == {mail.id} and len(mailbox.sent) == 3, "each try the same id"

    refused, _ = await agency(run)
    bounced = await run(invitations.invite, refused, Role.AGENCY, LETTERHEAD)
    no_user = Result(Outcome.PERMANENT, detail=f"SMTP recipient refused: [550] {bounced.recipient}")
    await send_due(Mailbox(answers=[no_user]), clock, read, run)
    failed = await row(identity_db, bounced.id)
    assert (failed["status"], failed["attempts"], failed["text"], failed["html"]) == ("failed", 1, None, None)
    assert (
        failed["error"].startswith("SMTP recipient refused: [550]")
        and bounced.recipient not in failed["error"]
    )
    listed = {i.mail.id: i.mail for i in await run(invitations.all_invitations)}
    assert listed[bounced.id].status == MailStatus.FAILED and listed[bounced.id].error == failed["error"]


def test_after_too_many_transient_failures_the_email_fails_with_the_last_reason() -> None:
    mail = QueuedMail(
        id="m1",
        kind=MailKind.INVITATION,
        account_id="acc-1",
        agency_code=None,
        recipient="a@b.vn",
        subject="s",
        text="t",
        html="h",
        status=MailStatus.PENDING,
        attempts=2,
        created_at=NOW,
        due_at=NOW,
    )
    after = after_attempt(mail, Result(Outcome.TRANSIENT, detail="SMTP: TimeoutError"), NOW, BACKOFF)
    assert (after.status, after.error) == (MailStatus.FAILED, "gave up after 3 attempts: SMTP: TimeoutError")
    rng = random.Random(7)
    delays = [Backoff(attempts=20, base=2, cap=60).delay(n, rng) for n in range(1, 12)]
    assert all(0 <= d <= min(60, 2 * 2 ** (n - 1)) for n, d in enumerate(delays, start=1))


async def test_a_resend_is_a_new_link_the_old_one_stops_and_a_letter_still_waiting_is_not_sent(
    run: Run, read: Run, clock: FixedClock, identity_db: async_sessionmaker[AsyncSession]
) -> None:
    code, address = await agency(run)
    first = await run(invitations.invite, code, Role.AGENCY, LETTERHEAD)
    clock.set(NOW + timedelta(hours=1))
    second = await run(invitations.resend_invitation, first.account_id, LETTERHEAD)
    assert second.id != first.id and (second.account_id, second.recipient) == (first.account_id, address)
    assert second.expires_at == NOW + timedelta(hours=73)
    gone = await row(identity_db, first.id)
    assert (gone["status"], gone["text"]) == ("replaced", None), "the first letter will not go"
    mailbox = Mailbox()
    await send_due(mailbox, clock, read, run)
    assert [m[0] for m in mailbox.sent] == [second.id]
    assert first.text and second.text
    with pytest.raises(PasswordRefusedError, match="đã được dùng hoặc đã hết hạn"):
        await run(people.set_password_with_link, link_in(first.text), PASSWORD)
    await run(people.set_password_with_link, link_in(second.text), PASSWORD)
    with pytest.raises(InvitationConflictError, match="set its password already"):
        await run(invitations.resend_invitation, first.account_id, LETTERHEAD)
    assert await run(invitations.resend_invitation, "acc-000000000000", LETTERHEAD) is None
    (taken, replaced) = await run(invitations.all_invitations, code)
    assert (taken.mail.id, taken.password_set, replaced.mail.status) == (second.id, True, MailStatus.REPLACED)


async def test_an_account_made_without_an_invitation_can_be_sent_one_and_a_disabled_one_cannot(
    run: Run,
) -> None:
    code, _ = await agency(run)
    made = await run(people.create_account, "ho@xa.vn", "Phạm Thị Hoa", Role.AGENCY, code, timedelta(hours=1))
    mail = await run(invitations.resend_invitation, made.account.id, LETTERHEAD)
    assert mail.agency_code == code and mail.text and "Kính gửi Ông/Bà Phạm Thị Hoa," in mail.text
    await run(people.change_account, made.account.id, None, None, False)
    with pytest.raises(InvitationConflictError, match="disabled"):
        await run(invitations.resend_invitation, made.account.id, LETTERHEAD)
    viewer = await run(
        people.create_account, "xem@xa.vn", "Võ Văn Xem", Role.VIEWER, None, timedelta(hours=1)
    )
    with pytest.raises(InvitationConflictError, match="no agency"):
        await run(invitations.resend_invitation, viewer.account.id, LETTERHEAD)
