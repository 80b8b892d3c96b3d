"""Implementation records: the plan, procurement, progress, acceptance and assets, each on the project's
timeline."""

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from fupin.core import audit, clock, uploads
from fupin.core.enums import Role
from fupin.core.errors import DomainError, TransitionRefused
from fupin.core.money import parse_amount
from fupin.core.scope import require_role

from ..enums import (
    PLAN_SECTIONS,
    AssetClass,
    ProjectState,
)
from ..models import (
    Acceptance,
    Asset,
    Plan,
    Procurement,
    Progress,
    Project,
)
from .budget import require_within_budget
from .common import COUNTY, OFFICERS, _require_state

# --- Plan, procurement, progress, acceptance, assets ----------------------------------------------


@transaction.atomic
def save_plan(actor, project: Project, **sections) -> Plan:
    require_role(actor, *OFFICERS)
    project = _require_state(
        project,
        {ProjectState.LIBRARY, ProjectState.PLANNED, ProjectState.DRAFT, ProjectState.RETURNED},
        _("Changing the implementation plan"),
    )
    plan, _created = Plan.objects.get_or_create(project=project)
    names = [field for field, _label in PLAN_SECTIONS]
    before = audit.snapshot(plan, names)
    for field in names:
        if field in sections:
            setattr(plan, field, (sections[field] or "").strip())
    plan.updated_at = clock.now()
    plan.save()
    audit.record(
        actor=actor,
        action="projects.plan.save",
        region_code=project.region_code,
        target=project,
        before=before,
        after={**audit.snapshot(plan, names), "missing": plan.missing()},
    )
    return plan


@transaction.atomic
def add_procurement(
    actor, project: Project, *, method, contract_no, supplier, amount, signed_on, warranty_ends_on=None
) -> Procurement:
    require_role(actor, *OFFICERS)
    project = _require_state(
        project,
        {ProjectState.LIBRARY, ProjectState.PLANNED, ProjectState.START_REQUESTED},
        _("Adding a contract"),
    )
    for field, value in {"method": method, "contract_no": contract_no, "supplier": supplier}.items():
        if not (value or "").strip():
            raise DomainError(_("This field is required."), field=field)
    if signed_on is None:
        raise DomainError(_("This field is required."), field="signed_on")
    if warranty_ends_on is not None and warranty_ends_on < signed_on:
        raise DomainError(
            _("The warranty cannot end before the contract is signed."), field="warranty_ends_on"
        )
    amount = parse_amount(amount)
    contracted = sum(project.procurements.values_list("amount", flat=True), Decimal("0.00"))
    require_within_budget(project, contracted + amount, _("The contracts"))
    record = Procurement.objects.create(
        project=project,
        method=method.strip(),
        contract_no=contract_no.strip(),
        supplier=supplier.strip(),
        amount=amount,
        signed_on=signed_on,
        warranty_ends_on=warranty_ends_on,
    )
    audit.record(
        actor=actor,
        action="projects.procurement.add",
        region_code=project.region_code,
        target=project,
        after=audit.snapshot(
            record, ["method", "contract_no", "supplier", "amount", "signed_on", "warranty_ends_on"]
        ),
    )
    return record


@transaction.atomic
def report_progress(
    actor, project: Project, *, percent, problems: str = "", photo=None, reported_on=None
) -> Progress:
    require_role(actor, *OFFICERS, Role.VILLAGE_CADRE)
    project = _require_state(project, {ProjectState.IMPLEMENTING}, _("A progress report"))
    if percent is None or not 0 <= int(percent) <= 100:
        raise DomainError(_("The progress lies between 0 and 100 percent."), field="percent")
    last = project.progress_reports.order_by("-reported_on", "-id").first()
    if last is not None and int(percent) < last.percent:
        raise DomainError(
            _("Progress cannot go back from %(last)s%%.") % {"last": last.percent}, field="percent"
        )
    stored = (
        uploads.checked_file(photo, uploads.PROGRESS_PHOTO, field="photo", label=_("photo"))[0]
        if photo
        else ""
    )
    report = Progress.objects.create(
        project=project,
        reported_on=reported_on or clock.today(),
        percent=int(percent),
        problems=(problems or "").strip(),
        photo=stored,
        reported_by=actor,
    )
    audit.record(
        actor=actor,
        action="projects.progress.report",
        region_code=project.region_code,
        target=project,
        after={"percent": report.percent, "problems": report.problems, "photo": bool(photo)},
    )
    return report


@transaction.atomic
def record_acceptance(
    actor, project: Project, *, accepted_on, members, conclusion, attachment=None
) -> Acceptance:
    require_role(actor, COUNTY)
    project = _require_state(project, {ProjectState.COMPLETED}, _("Recording the acceptance"))
    if accepted_on is None:
        raise DomainError(_("This field is required."), field="accepted_on")
    for field, value in {"members": members, "conclusion": conclusion}.items():
        if not (value or "").strip():
            raise DomainError(_("This field is required."), field=field)
    if Acceptance.objects.filter(project=project).exists():
        raise TransitionRefused(_("The acceptance is already recorded."), field="accepted_on")
    stored = (
        uploads.checked_file(attachment, uploads.ACCEPTANCE, field="attachment", label=_("attachment"))[0]
        if attachment
        else ""
    )
    record = Acceptance.objects.create(
        project=project,
        accepted_on=accepted_on,
        members=members.strip(),
        conclusion=conclusion.strip(),
        attachment=stored,
    )
    audit.record(
        actor=actor,
        action="projects.acceptance.record",
        region_code=project.region_code,
        target=project,
        after=audit.snapshot(record, ["accepted_on", "members", "conclusion"]),
    )
    return record


@transaction.atomic
def add_asset(actor, project: Project, *, name, asset_class, owner, value, registered_on) -> Asset:
    require_role(actor, *OFFICERS)
    project = _require_state(project, {ProjectState.ACCEPTED}, _("Registering an asset"))
    if not (name or "").strip():
        raise DomainError(_("This field is required."), field="name")
    if asset_class not in AssetClass.values:
        raise DomainError(_("Choose operating, public-welfare or household asset."), field="asset_class")
    if not (owner or "").strip():
        raise DomainError(_("Name the owner (usually the village collective)."), field="owner")
    if registered_on is None:
        raise DomainError(_("This field is required."), field="registered_on")
    value = parse_amount(value, "value")
    registered = sum(project.assets.values_list("value", flat=True), Decimal("0.00"))
    require_within_budget(project, registered + value, _("The assets"), field="value")
    asset = Asset.objects.create(
        project=project,
        region_code=project.region_code,
        name=name.strip(),
        asset_class=asset_class,
        owner=owner.strip(),
        value=value,
        registered_on=registered_on,
    )
    audit.record(
        actor=actor,
        action="projects.asset.add",
        region_code=project.region_code,
        target=project,
        after=audit.snapshot(asset, ["name", "asset_class", "owner", "value", "registered_on"]),
    )
    return asset
