"""Complaints from the public (web, phone, letter, in person): received with a query code and limited per
address and phone, then accepted as a problem, dismissed or answered.

Staff record what comes by the 12317 hotline, by letter (信访来信) or in person (来访) with the time it was
received. Rules chosen for receipt (docs/architecture.md, "Complaints"):
- the time received is never in the future, and at most BACKDATE_WORKING_DAYS working days before the day
  it is recorded: a letter opened on Monday that arrived on Friday is recorded as Friday's, but a complaint
  of last month cannot be slipped in with an old date to look decided in time;
- the decision (accept, dismiss) is due DECIDE_WORKING_DAYS working days after receipt (信访工作条例: 15
  days to tell whether it is accepted), and a problem opened from a complaint is found on the day received,
  so every deadline counts from receipt, not from the typing.
"""

import secrets
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fupin.core import access, audit, clock, inputs, ratelimit, workdays
from fupin.core.errors import DomainError
from fupin.core.models import Region
from fupin.core.scope import covers

from ..enums import (
    COMPLAINTS,
    STAFF_CHANNELS,
    ComplaintChannel,
)
from ..models import (
    Complaint,
    Problem,
)
from .problems import open_problem

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
# A captcha-free limit for the public form, counted in the database (every worker together): a few
# complaints per client address and per phone number an hour. Offices behind one address share the first.
COMPLAINTS_PER_ADDRESS = ratelimit.Limit("complaint-address", 5, timedelta(hours=1))
COMPLAINTS_PER_PHONE = ratelimit.Limit("complaint-phone", 3, timedelta(hours=1))
BACKDATE_WORKING_DAYS = 3
DECIDE_WORKING_DAYS = 15


def decide_by(received_at: datetime):
    return workdays.add_working_days(timezone.localdate(received_at), DECIDE_WORKING_DAYS)


def _count_web_complaint(ip: str | None, phone: str) -> None:
    """Count one public complaint against its address and its phone; RateLimited (429) when over."""
    if ip:
        ratelimit.hit(
            COMPLAINTS_PER_ADDRESS,
            ip,
            _("Too many complaints from this address; please try again in an hour."),
        )
    digits = "".join(ch for ch in phone or "" if ch in "0123456789")  # 138-0000 and 1380000 are one
    if digits:
        ratelimit.hit(
            COMPLAINTS_PER_PHONE,
            digits,
            _("Too many complaints with this phone number; please try again in an hour."),
        )


@transaction.atomic
def receive_complaint(
    actor,
    *,
    channel: str,
    content: str,
    region_code: str,
    name: str = "",
    phone: str = "",
    ip: str | None = None,
) -> Complaint:
    if channel not in ComplaintChannel.values:
        raise DomainError(_("Unknown channel."), field="channel")
    if len((content or "").strip()) < 10:
        raise DomainError(_("Describe the complaint in at least 10 characters."), field="content")
    if not Region.objects.filter(code=region_code).exists():
        raise DomainError(_("Choose the town or village concerned."), field="region")
    phone = inputs.phone_value(phone, "phone", _("Phone"))
    if channel == ComplaintChannel.WEB:
        _count_web_complaint(ip, phone)
    complaint = Complaint.objects.create(
        code="".join(secrets.choice(CODE_ALPHABET) for _ in range(8)),
        channel=channel,
        content=content.strip(),
        region_code=region_code,
        name=(name or "").strip()[:40],
        phone=(phone or "").strip()[:20],
        source_ip=ip,
        received_at=clock.now(),
        decide_by=decide_by(clock.now()),
    )
    audit.record(
        actor=actor,
        action="complaint.receive",
        region_code=region_code,
        target=complaint,
        after={"channel": channel, "code": complaint.code},
    )
    return complaint


def _check_received_at(received_at) -> datetime:
    label = _("Time received")
    if isinstance(received_at, datetime):
        received_at = received_at if timezone.is_aware(received_at) else timezone.make_aware(received_at)
    else:
        received_at = inputs.datetime_value(received_at, "received_at", label)
    if received_at is None:
        raise DomainError(_("Time received: say when the complaint came in."), field="received_at")
    now = clock.now()
    if received_at > now:
        raise DomainError(_("Time received: cannot be in the future."), field="received_at")
    today = clock.today()
    if workdays.working_days_between(timezone.localdate(received_at), today) > BACKDATE_WORKING_DAYS:
        raise DomainError(
            _(
                "Time received: at most %(days)s working days before today; an older complaint is recorded "
                "today with the date it arrived written in its text."
            )
            % {"days": BACKDATE_WORKING_DAYS},
            field="received_at",
        )
    return received_at


@transaction.atomic
def record_complaint(
    actor,
    *,
    channel: str,
    content: str,
    region_code: str,
    received_at,
    name: str = "",
    phone: str = "",
) -> Complaint:
    """A complaint taken in by staff from the 12317 hotline, a letter or a visit. Its deadline counts from
    the time received; a region outside the recorder's area is not found (404)."""
    access.require(actor, access.Action.RECORD_COMPLAINT)
    if not channel:
        raise DomainError(_("Channel: choose how the complaint came in."), field="channel")
    if channel not in STAFF_CHANNELS:
        raise DomainError(
            _("Channel: staff record complaints from the 12317 hotline, letters and visits."), field="channel"
        )
    region_code = str(region_code or "").strip()
    if not Region.objects.filter(code=region_code).exists():
        raise DomainError(_("Choose the town or village concerned."), field="region")
    if not covers(actor, region_code):
        raise access.not_found()
    received_at = _check_received_at(received_at)
    name = inputs.check_text((name or "").strip(), "name", _("Complainant"), max_length=40)
    phone = inputs.phone_value(phone, "phone", _("Contact phone"))
    if channel == ComplaintChannel.HOTLINE and not phone:
        raise DomainError(
            _("Contact phone: a hotline call is recorded with the caller's number."), field="phone"
        )
    content = (content or "").strip()
    if len(content) < 10:
        raise DomainError(_("Describe the complaint in at least 10 characters."), field="content")
    complaint = Complaint.objects.create(
        code="".join(secrets.choice(CODE_ALPHABET) for _ in range(8)),
        channel=channel,
        content=content,
        region_code=region_code,
        name=name,
        phone=phone,
        received_at=received_at,
        decide_by=decide_by(received_at),
        recorded_by=actor,
        recorded_at=clock.now(),
    )
    audit.record(
        actor=actor,
        action="complaint.receive",
        region_code=region_code,
        target=complaint,
        after={
            "channel": channel,
            "code": complaint.code,
            "received_at": timezone.localtime(received_at).isoformat(timespec="minutes"),
            "decide_by": complaint.decide_by.isoformat(),
        },
    )
    return complaint


@transaction.atomic
def accept_complaint(actor, complaint: Complaint, *, use: str, category: str, title: str) -> Problem:
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    step = COMPLAINTS.check(actor, complaint, "accept")
    problem = open_problem(
        actor,
        use=use,
        category=category,
        title=title,
        region_code=complaint.region_code,
        found_on=timezone.localdate(complaint.received_at),  # deadlines count from receipt
        description=complaint.content,
        complaint=complaint,
    )
    complaint.state = step.target
    complaint.save(update_fields=["state"])
    audit.record(
        actor=actor,
        action="complaint.decide",
        region_code=complaint.region_code,
        target=complaint,
        after={"state": complaint.state, "problem": problem.number},
    )
    return problem


@transaction.atomic
def dismiss_complaint(actor, complaint: Complaint, reason: str) -> Complaint:
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    step = COMPLAINTS.check(actor, complaint, "dismiss", reason=reason)
    complaint.state, complaint.reason = step.target, reason.strip()
    complaint.save(update_fields=["state", "reason"])
    audit.record(
        actor=actor,
        action="complaint.decide",
        region_code=complaint.region_code,
        target=complaint,
        after={"state": complaint.state, "reason": complaint.reason},
    )
    return complaint


@transaction.atomic
def answer_complaint(actor, complaint: Complaint, reply: str) -> Complaint:
    """Record the reply given to the complainant once the problem the complaint opened is closed."""
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    step = COMPLAINTS.check(actor, complaint, "answer")
    if not (reply or "").strip():
        raise DomainError(_("Write the reply given to the complainant."), field="reply")
    complaint.state, complaint.reply = step.target, reply.strip()
    complaint.save(update_fields=["state", "reply"])
    audit.record(
        actor=actor,
        action="complaint.answer",
        region_code=complaint.region_code,
        target=complaint,
        after={"reply": complaint.reply},
    )
    return complaint
