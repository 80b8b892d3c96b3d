"""The lifecycle (DESIGN.md §4): 储备 → 乡镇审核 → 县级论证评审 → 入库 → 年度计划 → 开工报请 → 实施 →
竣工验收 → 移交确权 → 运营管护, with 退回, 不予入库, 出库 and 终止. `transition()` checks role, state and
the guard of each step."""

from django.db import transaction
from django.utils.translation import gettext as _

from fupin.core import audit, clock
from fupin.core.duties import ensure_different_person
from fupin.core.errors import TransitionRefused

from .. import funding
from ..enums import (
    LIFECYCLE,
    PLAN_SECTIONS,
    Conclusion,
    Linkage,
    ReviewState,
)
from ..models import (
    Acceptance,
    Plan,
    Project,
    Review,
)


def missing_for_library(project: Project) -> list[tuple[str, str]]:
    """(field, what is missing) for every requirement of library entry that the project does not meet."""
    missing = []
    if not project.targets.strip():
        missing.append(("targets", _("performance targets")))
    if not project.linkage:
        missing.append(("linkage", _("the linkage mechanism with poor households")))
    else:
        if project.linkage in {Linkage.DIVIDEND, Linkage.BOTH} and not project.linkage_dividend:
            missing.append(("linkage_dividend", _("the planned dividends")))
        if project.linkage in {Linkage.EMPLOYMENT, Linkage.BOTH} and not project.linkage_jobs:
            missing.append(("linkage_jobs", _("the planned jobs")))
    if not project.tasks.strip():
        missing.append(("tasks", _("construction tasks")))
    if not project.funding.strip():
        missing.append(("funding", _("funding sources")))
    if not (project.starts_on and project.ends_on):
        missing.append(("starts_on", _("the schedule")))
    if not project.planned_households and not project.beneficiaries.exists():
        missing.append(("planned_households", _("beneficiary households")))
    return missing


def _require_library_ready(project: Project) -> None:
    missing = missing_for_library(project)
    if missing:
        raise TransitionRefused(
            _("The project cannot enter the library: %(missing)s missing.")
            % {"missing": "、".join(str(text) for _f, text in missing)},
            fields={field: _("Required for library entry.") for field, _t in missing},
        )


def plan_missing(project: Project) -> list[str]:
    plan = Plan.objects.filter(project=project).first()
    if plan is None:
        return [str(label) for _f, label in PLAN_SECTIONS]
    return plan.missing()


def start_blockers(project: Project) -> list[str]:
    """What stands between the project and the start of work (前期程序)."""
    blockers = []
    missing = plan_missing(project)
    if missing:
        blockers.append(_("the implementation plan lacks %(sections)s") % {"sections": "、".join(missing)})
    if funding.allocated_total(project) <= 0:
        blockers.append(_("no funds are allocated"))
    if not project.procurements.exists():
        blockers.append(_("there is no contract or procurement record"))
    return blockers


def _require_start_ready(project: Project) -> None:
    blockers = start_blockers(project)
    if blockers:
        raise TransitionRefused(
            _("Work may start only when the preliminary procedures are complete: %(blockers)s.")
            % {"blockers": "；".join(str(b) for b in blockers)},
            field="state",
        )


def latest_review(project: Project) -> Review | None:
    return project.reviews.order_by("-drawn_at", "-id").first()


def _guard_enter_library(project: Project) -> None:
    review = latest_review(project)
    if review is None or review.state == ReviewState.SCORING:
        raise TransitionRefused(_("The expert review has not been completed."), field="state")
    if review.state != ReviewState.PASSED:
        raise TransitionRefused(
            _("The expert review did not pass (average %(average)s, pass mark %(mark)s).")
            % {"average": review.average, "mark": review.pass_mark},
            field="state",
        )
    if review.conclusion not in {Conclusion.PASS, Conclusion.PASS_WITH_CHANGES}:
        raise TransitionRefused(
            _("The review committee's conclusion, signed by its chair, has not been recorded."), field="state"
        )
    _require_library_ready(project)
    if project.notice_ends_on is None or clock.today() < project.notice_ends_on:
        raise TransitionRefused(
            _("The public notice runs until %(date)s; the project can enter the library after it.")
            % {"date": project.notice_ends_on},
            field="notice_ends_on",
        )


def _guard_complete(project: Project) -> None:
    last = project.progress_reports.order_by("-reported_on", "-id").first()
    if last is None or last.percent < 100:
        raise TransitionRefused(
            _("Report 100%% progress before reporting completion (last report: %(percent)s%%).")
            % {"percent": last.percent if last else 0},
            field="state",
        )


def _guard_accept(project: Project) -> None:
    if not Acceptance.objects.filter(project=project).exists():
        raise TransitionRefused(_("Record the acceptance first (date, members, conclusion)."), field="state")


def _guard_hand_over(project: Project) -> None:
    if not project.assets.exists():
        raise TransitionRefused(
            _("Register the project's assets (class, owner, value, date) before the handover."), field="state"
        )


def _guard_remove(project: Project) -> None:
    if clock.today().month < 10:
        raise TransitionRefused(
            _("Projects leave the library in the yearly review of the fourth quarter."), field="state"
        )


GUARDS = {
    "submit": _require_library_ready,
    "enter_library": _guard_enter_library,
    "request_start": _require_start_ready,
    "approve_start": _require_start_ready,
    "complete": _guard_complete,
    "accept": _guard_accept,
    "hand_over": _guard_hand_over,
    "remove": _guard_remove,
}


def allowed_actions(user, project: Project) -> list[str]:
    """The lifecycle's actions this user may take on this project now (its page's buttons)."""
    return [step.action for step in LIFECYCLE.allowed(user, project)]


@transaction.atomic
def transition(actor, project: Project, action: str, reason: str = "") -> Project:
    """Take one step of the lifecycle: role, state and guard checked, state changed, event recorded."""
    LIFECYCLE.step(action)  # an unknown action is refused before the row is locked
    project = Project.objects.select_for_update().get(pk=project.pk)
    target = LIFECYCLE.check(actor, project, action, reason).target
    reason = (reason or "").strip()
    guard = GUARDS.get(action)
    if guard is not None:
        guard(project)
    if action == "town_approve":
        ensure_different_person(
            actor, project.submitted_by_id, _("who submitted the project may not also take its town review")
        )
    before = {"state": project.state}
    project.state, project.state_reason, project.state_changed_at = target, reason, clock.now()
    fields = ["state", "state_reason", "state_changed_at"]
    if action == "submit":
        project.submitted_by = actor
        fields.append("submitted_by")
    if action == "complete":
        project.completed_on = clock.today()
        fields.append("completed_on")
    project.save(update_fields=fields)
    audit.record(
        actor=actor,
        action=f"projects.project.{action}",
        region_code=project.region_code,
        target=project,
        before=before,
        after={"state": target},
        note=reason,
    )
    return project
