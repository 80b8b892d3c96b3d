"""Projects into reserve (储备) and their edits while the applicant holds them: fields, indicators and the
beneficiary households."""

from django.db import transaction
from django.utils.translation import gettext as _

from fupin.core import access, audit, clock, scope
from fupin.core.access import Action
from fupin.core.errors import DomainError, TransitionRefused
from fupin.core.models import Region
from fupin.core.money import parse_amount

from ..enums import (
    EDITABLE_STATES,
    Linkage,
    ProjectType,
)
from ..models import (
    Project,
)
from .common import PROJECT_FIELDS, TEXT_FIELDS, _in_scope


# --- Projects -------------------------------------------------------------------------------------
def _clean(actor, data: dict, project: Project | None = None) -> dict:
    """Check and normalise the fields given; each refusal names its field."""
    clean = {}
    for key, value in data.items():
        if key not in PROJECT_FIELDS:
            raise DomainError(_("Unknown field “%(field)s”.") % {"field": key}, field=key)
        if key in TEXT_FIELDS:
            value = (value or "").strip()
        clean[key] = value
    merged = {name: getattr(project, name) for name in PROJECT_FIELDS} if project else {}
    merged.update(clean)
    if not merged.get("name"):
        raise DomainError(_("The project name is required."), field="name")
    year = merged.get("year")
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        raise DomainError(_("The year must lie between 2000 and 2100."), field="year")
    if merged.get("type") not in ProjectType.values:
        raise DomainError(_("Choose the project type."), field="type")
    code = merged.get("region_code") or ""
    region = Region.objects.filter(code=code).first()
    if region is None or region.level not in {"town", "village"}:
        raise DomainError(_("The site must be a town or village of the county."), field="region_code")
    if not _in_scope(actor, code):
        raise DomainError(_("%(place)s is outside your area.") % {"place": region.name}, field="region_code")
    if not merged.get("responsible_unit"):
        raise DomainError(_("The responsible unit is required."), field="responsible_unit")
    if "budget" in clean or project is None:
        clean["budget"] = parse_amount(merged.get("budget"), "budget")
    if clean.get("linkage_dividend") not in (None, ""):
        clean["linkage_dividend"] = parse_amount(clean["linkage_dividend"], "linkage_dividend")
    elif "linkage_dividend" in clean:
        clean["linkage_dividend"] = None
    if merged.get("linkage") and merged["linkage"] not in Linkage.values:
        raise DomainError(_("Choose dividends, employment or both."), field="linkage")
    starts, ends = merged.get("starts_on"), merged.get("ends_on")
    if starts and ends and ends < starts:
        raise DomainError(_("The completion date lies before the start."), field="ends_on")
    if (merged.get("planned_households") or 0) < 0:
        raise DomainError(_("Must be zero or more."), field="planned_households")
    if merged.get("linkage_jobs") is not None and merged["linkage_jobs"] < 0:
        raise DomainError(_("Must be zero or more."), field="linkage_jobs")
    if not merged.get("applicant_unit"):
        # Its experts are never drawn for the review (conflict of interest): it cannot be left out.
        raise DomainError(_("The applicant unit is required."), field="applicant_unit")
    if "indicators" in clean:
        clean["indicators"] = clean_indicators(clean["indicators"])
    return clean


# What an indicator set at entry may measure, by category; the evaluation reads each from the data.
INDICATOR_MEASURES = {
    "output": ("completion", "payment_rate"),
    "benefit": ("households", "jobs", "revenue"),
    "satisfaction": ("satisfaction",),
}


def clean_indicators(rows) -> list[dict]:
    """Indicators with target values (绩效目标): category, measure and a positive target each."""
    clean = []
    for row in rows or []:
        row = dict(row)
        category, measure = row.get("category"), row.get("measure")
        if measure not in INDICATOR_MEASURES.get(category, ()):
            raise DomainError(
                _("Indicator “%(measure)s” is not an indicator of “%(category)s”.")
                % {"measure": measure, "category": category},
                field="indicators",
            )
        target = parse_amount(row.get("target"), "indicators")
        clean.append(
            {
                "category": category,
                "measure": measure,
                "target": str(target),
                "name": str(row.get("name", "")),
            }
        )
    return clean


@transaction.atomic
def create_project(actor, *, beneficiaries=(), **data) -> Project:
    """A village, a town or the county puts a project of its area into reserve (储备, 村申报); the
    applicant unit is named, since its experts are never drawn for the review."""
    access.require(actor, Action.APPLY_PROJECT)
    clean = _clean(actor, data)
    project = Project.objects.create(**clean, created_by=actor, state_changed_at=clock.now())
    _set_beneficiaries(actor, project, beneficiaries)
    audit.record(
        actor=actor,
        action="projects.project.create",
        region_code=project.region_code,
        target=project,
        after=audit.snapshot(project, PROJECT_FIELDS),
    )
    return project


def _set_beneficiaries(actor, project: Project, households) -> None:
    households = list(households or [])
    if not households:
        return
    town = scope.town_of(project.region_code)
    outside = [h for h in households if scope.town_of(h.region_code) != town]
    if outside:
        raise DomainError(
            _("Household %(number)s does not live in the project's town.") % {"number": outside[0].number},
            field="beneficiaries",
        )
    project.beneficiaries.set(households)
    if project.planned_households < len(households):
        project.planned_households = len(households)
        project.save(update_fields=["planned_households"])


@transaction.atomic
def update_project(actor, project: Project, *, beneficiaries=None, **data) -> Project:
    access.require(actor, Action.APPLY_PROJECT)
    project = Project.objects.select_for_update().get(pk=project.pk)
    if project.state not in EDITABLE_STATES:
        raise TransitionRefused(
            _("A project that is “%(state)s” cannot be edited; return it to the applicant first.")
            % {"state": project.get_state_display()},
            field="state",
        )
    clean = _clean(actor, data, project)
    before = audit.snapshot(project, list(clean))
    for key, value in clean.items():
        setattr(project, key, value)
    project.save()
    if beneficiaries is not None:
        _set_beneficiaries(actor, project, beneficiaries)
    audit.record(
        actor=actor,
        action="projects.project.change",
        region_code=project.region_code,
        target=project,
        before=before,
        after=audit.snapshot(project, list(clean)),
    )
    return project
