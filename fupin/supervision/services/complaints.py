"""Complaints from the public (web, phone, in person): received with a query code and limited per address
and phone, then accepted as a problem, dismissed or answered."""

import secrets
from datetime import timedelta

from django.db import transaction
from django.utils.translation import gettext as _

from fupin.core import audit, clock, inputs, ratelimit
from fupin.core.errors import DomainError
from fupin.core.models import Region

from ..enums import (
    COMPLAINTS,
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
    )
    audit.record(
        actor=actor,
        action="complaint.receive",
        region_code=region_code,
        target=complaint,
        after={"channel": channel, "code": complaint.code},
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
        found_on=clock.today(),
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
