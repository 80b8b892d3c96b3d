"""Campaigns and their checks: who inspects, where a campaign finds its subjects (apps register theirs
in SUBJECT_SOURCES), a check's results and the problems it opens."""

from datetime import date

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils.translation import gettext as _

from fupin.core import audit, clock, inputs
from fupin.core.enums import Role
from fupin.core.errors import DomainError
from fupin.core.models import Region
from fupin.core.scope import covers, prefix_of, require_role

from ..enums import (
    CATEGORIES,
    Method,
    Use,
)
from ..models import (
    Campaign,
    Check,
    ChecklistItem,
    CheckResult,
    Grid,
)
from .problems import open_problem

INSPECTORS = (Role.COUNTY_ADMIN, Role.INSPECTOR)

# Where a campaign finds its subjects. Apps register theirs (the projects app adds "projects"); a source
# takes the campaign and returns (object, label, region_code) for every subject in its scope.
SUBJECT_SOURCES = {}


def _urban_subjects(campaign: Campaign):
    return [
        (grid, grid.name, grid.region_code) for grid in Grid.objects.within(prefix_of(campaign.region_code))
    ]


SUBJECT_SOURCES[Use.URBAN] = _urban_subjects


@transaction.atomic
def create_campaign(
    actor,
    *,
    name: str,
    use: str,
    region: Region,
    start: date,
    end: date,
    items: list[dict],
    scope: dict | None = None,
) -> Campaign:
    require_role(actor, *INSPECTORS)
    if not (name or "").strip():
        raise DomainError(_("The name is required."), field="name")
    if use not in Use.values:
        raise DomainError(_("Unknown use."), field="use")
    if end < start:
        raise DomainError(_("The campaign cannot end before it starts."), field="end")
    if not covers(actor, region.code):
        raise DomainError(_("This area is outside yours."), field="region")
    if not items:
        raise DomainError(_("A campaign needs at least one checklist item."), field="items")
    aspects = CATEGORIES[use]
    for i, item in enumerate(items):
        if item.get("aspect") not in aspects.values:
            raise DomainError(_("Unknown aspect."), field=f"items.{i}.aspect")
        if not (item.get("text") or "").strip():
            raise DomainError(_("Say what is checked."), field=f"items.{i}.text")
        if item.get("method", Method.ARCHIVES) not in Method.values:
            raise DomainError(_("Unknown way of checking."), field=f"items.{i}.method")
    campaign = Campaign.objects.create(
        name=name.strip(),
        use=use,
        region_code=region.code,
        start=start,
        end=end,
        scope=scope or {},
        created_by=actor,
    )
    ChecklistItem.objects.bulk_create(
        inputs.checked(
            [
                ChecklistItem(
                    campaign=campaign,
                    aspect=item["aspect"],
                    text=item["text"].strip(),
                    method=item.get("method", Method.ARCHIVES),
                    order=i,
                )
                for i, item in enumerate(items)
            ]
        )
    )
    audit.record(
        actor=actor,
        action="campaign.create",
        region_code=region.code,
        target=campaign,
        after={"name": campaign.name, "start": start, "end": end, "items": len(items), "scope": scope},
    )
    return campaign


def subjects_in_scope(campaign: Campaign) -> list[tuple]:
    source = SUBJECT_SOURCES.get(campaign.use)
    return list(source(campaign)) if source else []


def progress(campaign: Campaign) -> tuple[int, int]:
    """Subjects checked and subjects in scope."""
    return campaign.checks.count(), len(subjects_in_scope(campaign))


@transaction.atomic
def record_check(
    actor,
    campaign: Campaign,
    subject,
    *,
    label: str,
    region_code: str,
    results: dict,
    checked_on: date | None = None,
) -> Check:
    """Record a check: every item passed, or a problem found (which opens a problem in the ledger)."""
    require_role(actor, *INSPECTORS)
    checked_on = checked_on or clock.today()
    if not campaign.start <= checked_on <= campaign.end:
        raise DomainError(
            _("Checks are recorded within the campaign's period (%(start)s – %(end)s).")
            % {"start": campaign.start, "end": campaign.end},
            field="checked_on",
        )
    items = list(campaign.items.all())
    missing = [item.text for item in items if item.pk not in results]
    if missing:
        raise DomainError(_("Answer every item: %(items)s") % {"items": "、".join(missing)}, field="results")
    for item in items:
        passed, note = results[item.pk]
        if not passed and not (note or "").strip():
            raise DomainError(
                _("Describe the problem found for “%(item)s”.") % {"item": item.text},
                field=f"results.{item.pk}",
            )
    subject_type = ContentType.objects.get_for_model(subject)
    if Check.objects.filter(
        campaign=campaign, subject_type=subject_type, subject_id=str(subject.pk)
    ).exists():
        raise DomainError(
            _("%(subject)s was already checked in this campaign.") % {"subject": label}, field="subject"
        )
    check = Check.objects.create(
        campaign=campaign,
        subject_type=subject_type,
        subject_id=str(subject.pk),
        subject_label=label[:200],
        region_code=region_code,
        inspector=actor,
        checked_on=checked_on,
    )
    problems = 0
    for item in items:
        passed, note = results[item.pk]
        result = CheckResult.objects.create(
            check_record=check, item=item, passed=passed, note=(note or "").strip()
        )
        if not passed:
            problems += 1
            open_problem(
                actor,
                use=campaign.use,
                category=item.aspect,
                title=f"{item.text}：{result.note}"[:200],
                region_code=region_code,
                found_on=checked_on,
                campaign=campaign,
                check_result=result,
                subject_label=label,
            )
    audit.record(
        actor=actor,
        action="campaign.check",
        region_code=region_code,
        target=check,
        after={"campaign": campaign.name, "subject": label, "problems": problems},
    )
    return check
