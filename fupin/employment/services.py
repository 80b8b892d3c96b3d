"""Writes and rules of employment agreements, and the checks every employment write shares. Each
write is one audited transaction; a refused write raises DomainError with a Chinese message naming the
field, and nothing is written."""

import math
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from fupin.core import audit, clock, policy
from fupin.core.errors import DomainError, TransitionRefused
from fupin.core.money import parse_amount
from fupin.core.scope import require_role
from fupin.projects.models import Project
from fupin.registry.enums import ABLE_TO_WORK
from fupin.registry.models import Member

from .enums import EMPLOYMENT_UNIT_POLICY, WRITERS
from .models import EmploymentAgreement


def required_text(value, field, max_length: int | None = None) -> str:
    """A required text, stripped; refused when empty or longer than `max_length`, naming the field."""
    text = (value or "").strip()
    if not text:
        raise DomainError(_("This field is required."), field=field)
    if max_length is not None and len(text) > max_length:
        raise DomainError(_("Too long."), field=field)
    return text


# --- Employment linkage (每5万元/每10万元带动一人就业) ------------------------------------------------
def employment_unit(project: Project) -> Decimal | None:
    """Project funds that bring one job for this project's type, from policy; None: the type brings none."""
    key = EMPLOYMENT_UNIT_POLICY.get(project.type)
    if key is None:
        return None
    return policy.value(key, project.region_code, project.year)


def required_jobs(project: Project) -> int:
    """ceil(investment ÷ unit), the investment being the project's budget; 0 for types without a unit."""
    unit = employment_unit(project)
    if not unit or not project.budget or project.budget <= 0:
        return 0
    return math.ceil(Decimal(project.budget) / Decimal(unit))


@dataclass(frozen=True)
class Compliance:
    required: int
    signed: int
    active: int

    @property
    def shortfall(self) -> int:
        return max(self.required - self.active, 0)

    @property
    def compliant(self) -> bool:
        return self.shortfall == 0

    def as_dict(self) -> dict:
        return {
            "required": self.required,
            "signed": self.signed,
            "active": self.active,
            "shortfall": self.shortfall,
            "compliant": self.compliant,
        }


def compliance(project: Project, on: date | None = None) -> Compliance:
    """Required jobs, agreements signed, people under an agreement in force on `on` (today)."""
    on = on or clock.today()
    agreements = EmploymentAgreement.objects.filter(project=project)
    active = agreements.filter(starts_on__lte=on, ends_on__gte=on).values("member_id").distinct().count()
    return Compliance(required=required_jobs(project), signed=agreements.count(), active=active)


def check_employable(member: Member, region_code: str) -> None:
    """A registered living member with labour ability, living in the county of `region_code` (the
    employer's site); else the reason, naming the field. Shared by agreements, placements and offers."""
    household = member.household
    if member.deceased:
        raise DomainError(
            _("%(name)s is deceased: no employment agreement with a deceased person.")
            % {"name": member.name},
            field="member_id",
            code="not_employable",
        )
    if member.left_household:
        raise DomainError(
            _("%(name)s has left the household: only registered members can sign an agreement.")
            % {"name": member.name},
            field="member_id",
            code="not_employable",
        )
    if not household.is_registered:
        raise DomainError(
            _("Household status of %(name)s is “%(status)s”: the household is not registered.")
            % {"name": member.name, "status": household.get_status_display()},
            field="member_id",
            code="not_employable",
        )
    if member.labour not in ABLE_TO_WORK:
        raise DomainError(
            _("Labour ability of %(name)s is “%(labour)s”: no agreement without labour ability.")
            % {"name": member.name, "labour": member.get_labour_display()},
            field="member_id",
            code="not_employable",
        )
    if household.county_code != region_code[:6]:
        raise DomainError(_("The person lives outside the project's county."), field="member_id")


def months_covered(starts_on: date, ends_on: date) -> int:
    """Whole months from `starts_on` to `ends_on` inclusive: 2025-01-01 to 2025-06-30 is 6."""
    after = ends_on.toordinal() + 1
    months = (ends_on.year - starts_on.year) * 12 + ends_on.month - starts_on.month + 1
    while months > 0 and _add_months(starts_on, months).toordinal() > after:
        months -= 1
    return max(months, 0)


def _add_months(day: date, months: int) -> date:
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    last = (date(year + month // 12, month % 12 + 1, 1) - date(year, month, 1)).days
    return date(year, month, min(day.day, last))


def check_counts_as_job(project: Project, member: Member, *, starts_on: date, ends_on: date, wage) -> None:
    """The job rule: at least the policy's monthly wage and months, a person of working age on the start.

    An agreement that would not count as a job is refused rather than recorded and left out of compliance:
    every recorded agreement counts, so the compliance figures stay one plain count of agreements."""
    region, year = project.region_code, starts_on.year
    lowest = policy.value("employment_min_monthly_wage", region, year)
    if wage < lowest:
        raise DomainError(
            _("A monthly wage below %(lowest)s yuan does not count as a job.") % {"lowest": lowest},
            field="monthly_wage",
        )
    shortest = policy.value("employment_min_months", region, year)
    if months_covered(starts_on, ends_on) < shortest:
        raise DomainError(
            _("An agreement shorter than %(months)s months does not count as a job.") % {"months": shortest},
            field="ends_on",
        )
    age = member.age_on(starts_on)
    youngest = policy.value("working_age_from", region, year)
    oldest = policy.value("working_age_to", region, year)
    if not youngest <= age <= oldest:
        raise DomainError(
            _("%(name)s is %(age)s on the start date: working age is %(from)s to %(to)s.")
            % {"name": member.name, "age": age, "from": youngest, "to": oldest},
            field="member_id",
            code="not_employable",
        )


@transaction.atomic
def sign_agreement(
    actor, project: Project, *, member: Member, position, starts_on, ends_on, monthly_wage, evidence=""
) -> EmploymentAgreement:
    """Record an employment agreement (用工协议) of the project with a registered member.

    Refused for a person without labour ability, deceased, gone from the household or whose household is
    not registered; for an end before the start; for a wage that is not a positive amount with two
    decimals; and when the person already has an agreement with this project over the same time.
    Side effects: one agreement row and its audit event.
    """
    require_role(actor, *WRITERS)
    position = required_text(position, "position")
    wage = parse_amount(monthly_wage, "monthly_wage")
    if starts_on is None:
        raise DomainError(_("This field is required."), field="starts_on")
    if ends_on is None:
        raise DomainError(_("This field is required."), field="ends_on")
    if ends_on < starts_on:
        raise DomainError(_("The end date lies before the start date."), field="ends_on")
    member = Member.objects.select_related("household").get(pk=member.pk)
    check_employable(member, project.region_code)
    check_counts_as_job(project, member, starts_on=starts_on, ends_on=ends_on, wage=wage)
    overlapping = EmploymentAgreement.objects.filter(
        member=member, starts_on__lte=ends_on, ends_on__gte=starts_on
    ).select_related("project")
    same_project = overlapping.filter(project=project).first()
    if same_project is not None:
        raise TransitionRefused(
            _("%(name)s already has an agreement with this project for that time.") % {"name": member.name},
            field="member_id",
        )
    other = overlapping.order_by("starts_on", "id").first()
    if other is not None:  # one person counts for one project at a time
        raise TransitionRefused(
            _(
                "%(name)s already has an agreement with the project “%(project)s” from %(start)s to %(end)s: "
                "one person counts for one project at a time."
            )
            % {
                "name": member.name,
                "project": other.project.name,
                "start": other.starts_on,
                "end": other.ends_on,
            },
            field="member_id",
        )
    agreement = EmploymentAgreement.objects.create(
        project=project,
        region_code=project.region_code,
        member=member,
        position=position,
        starts_on=starts_on,
        ends_on=ends_on,
        monthly_wage=wage,
        evidence=(evidence or "").strip(),
        created_by=actor,
    )
    audit.record(
        actor=actor,
        action="benefits.agreement.sign",
        region_code=project.region_code,
        target=agreement,
        after={
            "project": project.pk,
            "member": member.pk,
            "position": position,
            "starts_on": starts_on,
            "ends_on": ends_on,
            "monthly_wage": wage,
        },
    )
    return agreement
