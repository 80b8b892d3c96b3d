"""Project pages. Thin: read through the scope helpers, write through services, show DomainError's words."""

import tempfile

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fupin.core import access, clock, files, inputs, scope, uploads
from fupin.core.access import Action
from fupin.core.errors import DomainError, show_error
from fupin.core.regions import region_names
from fupin.core.scope import get_visible_or_404

from . import funding, services
from .enums import (
    ACTION_VERBS,
    CRITERIA,
    DONE_STATES,
    EDITABLE_STATES,
    LIBRARY_STATES,
    LIFECYCLE,
    ProjectState,
    ProjectType,
    ReviewState,
    SeatWithdrawal,
)
from .forms import (
    AcceptanceForm,
    AssetForm,
    BudgetChangeForm,
    ConclusionForm,
    PlanForm,
    ProcurementForm,
    ProgressForm,
    ProjectForm,
    ScoreForm,
)
from .models import BudgetChange, Plan, Project, Review
from .queries import filtered, stat_rows, timeline, with_money

PAGE_SIZE = 30


def _region(request) -> str:
    try:
        return scope.region_param(request.user, request.GET.get("region"))
    except DomainError:
        raise Http404 from None


@login_required
def project_list(request):
    g = request.GET
    year = inputs.param(request, inputs.year_value, "year", _("Year"))
    rows = filtered(
        Project.objects.visible_to(request.user),
        g.get("state", ""),
        g.get("type", ""),
        year,
        _region(request),
        g.get("q", ""),
        g.get("behind") == "1",
    )
    rows = with_money(rows.order_by("-year", "region_code", "id"))
    if g.get("export") == "xlsx":
        return _export(rows)
    page = Paginator(rows, PAGE_SIZE).get_page(g.get("page"))
    return render(
        request,
        "projects/project_list.html",
        {
            "page": page,
            "states": ProjectState.choices,
            "types": ProjectType.choices,
            "f": g,
            "today": clock.today(),
            "can_create": access.may(request.user, Action.APPLY_PROJECT),
        },
    )


def _export(rows):
    book = files.workbook()
    sheet = files.sheet(book, "项目库")
    sheet.append(
        [
            "项目名称",
            "年度",
            "类型",
            "地点代码",
            "状态",
            "预算（元）",
            "已分配（元）",
            "已拨付（元）",
            "责任单位",
        ]
    )
    for p in rows:
        sheet.append(
            [
                p.name,
                p.year,
                p.get_type_display(),
                p.region_code,
                p.get_state_display(),
                float(p.budget),
                float(p.allocated_sum or 0),
                float(p.paid_sum or 0),
                p.responsible_unit,
            ]
        )
    handle = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 (FileResponse closes it)
    book.save(handle)
    handle.seek(0)
    return FileResponse(handle, as_attachment=True, filename="项目库.xlsx")


@login_required
def project_new(request):
    access.require(request.user, Action.APPLY_PROJECT)
    initial = {"year": clock.today().year, "applicant_unit": request.user.unit}
    form = ProjectForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if v not in (None, "") or k in {"linkage"}}
        try:
            project = services.create_project(request.user, **data)
            messages.success(request, _("The project was saved as a draft."))
            return redirect("projects:detail", pk=project.pk)
        except DomainError as exc:
            show_error(request, exc, form)
    return render(request, "projects/project_form.html", {"form": form})


EDIT_FIELDS = list(ProjectForm.base_fields)


@login_required
def project_edit(request, pk):
    """Correct a draft or a returned project (退回) before it goes back to the town review."""
    project = _project(request, pk)
    access.require(request.user, Action.APPLY_PROJECT)
    initial = {name: getattr(project, name) for name in EDIT_FIELDS}
    form = ProjectForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if v not in (None, "") or k in {"linkage"}}
        try:
            services.update_project(request.user, project, **data)
            messages.success(request, _("The project was saved."))
            return redirect("projects:detail", pk=project.pk)
        except DomainError as exc:
            show_error(request, exc, form)
    return render(request, "projects/project_form.html", {"form": form, "project": project})


def _project(request, pk) -> Project:
    return get_visible_or_404(Project.objects.all(), request.user, pk=pk)


@login_required
def project_detail(request, pk):
    project = _project(request, pk)
    user = request.user
    review = services.latest_review(project)
    plan = Plan.objects.filter(project=project).first()
    officer = access.may(user, Action.EDIT_PROJECT)
    decider = access.may(user, Action.DECIDE_PROJECT)
    return render(
        request,
        "projects/project_detail.html",
        {
            "project": project,
            # The buttons are the steps the service would take: the lifecycle answers both.
            "buttons": [(step.action, step.verb, step.reason) for step in LIFECYCLE.allowed(user, project)],
            "review": review,
            "seats": services.visible_seats(user, review) if review else [],
            "can_draw": access.may(user, Action.DECIDE_PROJECT)
            and project.state == ProjectState.COUNTY_REVIEW
            and (review is None or review.state == "failed"),
            "missing": services.missing_for_library(project),
            "editable": access.may(user, Action.APPLY_PROJECT) and project.state in EDITABLE_STATES,
            "budget_changes": project.budget_changes.select_related("requested_by", "decided_by"),
            "budget_form": BudgetChangeForm() if officer and project.state in LIBRARY_STATES else None,
            "can_decide_budget": decider,
            "plan": plan,
            "plan_missing": services.plan_missing(project),
            "plan_form": PlanForm(initial=plan.__dict__ if plan else None) if officer else None,
            "procurement_form": ProcurementForm() if officer else None,
            "progress_form": ProgressForm()
            if access.may(user, Action.RECORD_PROGRESS) and project.state == ProjectState.IMPLEMENTING
            else None,
            "acceptance_form": AcceptanceForm()
            if access.may(user, Action.DECIDE_PROJECT) and project.state == ProjectState.COMPLETED
            else None,
            "asset_form": AssetForm() if officer and project.state == ProjectState.ACCEPTED else None,
            "blockers": services.start_blockers(project)
            if project.state in {ProjectState.PLANNED, ProjectState.START_REQUESTED}
            else [],
            "allocations": funding.allocations(project),
            "events": timeline(project),
            "site": region_names([project.region_code]).get(project.region_code, project.region_code),
            "criteria": CRITERIA,
            "behind": project.is_behind(clock.today()),
            "expert_view": not officer and access.may(user, Action.SCORE),
        },
    )


@login_required
@require_POST
def project_act(request, pk, action):
    project = _project(request, pk)
    try:
        services.transition(request.user, project, action, request.POST.get("reason", ""))
        messages.success(request, _("Done: %(action)s.") % {"action": ACTION_VERBS.get(action, action)})
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("projects:detail", pk=project.pk)


@login_required
@require_POST
def project_draw(request, pk):
    project = _project(request, pk)
    try:
        review = services.draw_experts(request.user, project)
        messages.success(request, _("%(count)s experts were drawn.") % {"count": review.expert_count})
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("projects:detail", pk=project.pk)


def _sub_form(request, pk, form_class, call, success):
    project = _project(request, pk)
    form = form_class(request.POST, request.FILES)
    if form.is_valid():
        try:
            call(request.user, project, **form.cleaned_data)
            messages.success(request, success)
        except DomainError as exc:
            messages.error(request, exc.message)
    else:
        messages.error(request, "；".join(f"{form.fields[k].label}：{v[0]}" for k, v in form.errors.items()))
    return redirect("projects:detail", pk=project.pk)


@login_required
@require_POST
def project_plan(request, pk):
    return _sub_form(request, pk, PlanForm, services.save_plan, _("The implementation plan was saved."))


@login_required
@require_POST
def project_procurement(request, pk):
    return _sub_form(request, pk, ProcurementForm, services.add_procurement, _("The contract was recorded."))


@login_required
@require_POST
def project_progress(request, pk):
    return _sub_form(request, pk, ProgressForm, services.report_progress, _("The progress was reported."))


@login_required
@require_POST
def project_acceptance(request, pk):
    return _sub_form(
        request, pk, AcceptanceForm, services.record_acceptance, _("The acceptance was recorded.")
    )


@login_required
def progress_photo(request, pk, report_id):
    """A progress report's photo, for those who see the project (outside their area: 404)."""
    report = _project(request, pk).progress_reports.filter(pk=report_id).first()
    if report is None or not report.photo:
        raise Http404
    return uploads.file_response(report.photo, f"进度照片-{report.reported_on:%Y%m%d}")


@login_required
def acceptance_file(request, pk):
    """The acceptance record's attachment, for those who see the project (outside their area: 404)."""
    acceptance = getattr(_project(request, pk), "acceptance", None)
    if acceptance is None or not acceptance.attachment:
        raise Http404
    return uploads.file_response(acceptance.attachment, f"验收材料-{acceptance.accepted_on:%Y%m%d}")


@login_required
@require_POST
def project_asset(request, pk):
    return _sub_form(request, pk, AssetForm, services.add_asset, _("The asset was registered."))


@login_required
@require_POST
def project_budget_change(request, pk):
    return _sub_form(
        request,
        pk,
        BudgetChangeForm,
        services.request_budget_change,
        _("The budget change was requested; another person decides it."),
    )


@login_required
@require_POST
def budget_change_decide(request, pk, change_pk):
    project = _project(request, pk)
    change = get_visible_or_404(BudgetChange.objects.filter(project=project), request.user, pk=change_pk)
    approve = request.POST.get("approve") == "1"
    try:
        services.decide_budget_change(
            request.user, change, approve=approve, note=request.POST.get("note", "")
        )
        messages.success(request, _("The budget change was decided."))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("projects:detail", pk=project.pk)


@login_required
def statistics(request):
    rows = Project.objects.visible_to(request.user)
    labels = {
        "type": dict(ProjectType.choices),
        "state": dict(ProjectState.choices),
    }
    from fupin.core.models import Region

    towns = dict(Region.objects.filter(level="town").values_list("code", "name"))
    tables = []
    for dimension, title in [
        ("town", _("By town")),
        ("type", _("By type")),
        ("year", _("By year")),
        ("state", _("By state")),
    ]:
        data = stat_rows(rows, dimension)
        for row in data:
            key = row["key"]
            row["label"] = (
                towns.get(key + "000", key)
                if dimension == "town"
                else labels.get(dimension, {}).get(key, key)
            )
        tables.append((title, data))
    return render(request, "projects/statistics.html", {"tables": tables})


# --- Expert reviews -------------------------------------------------------------------------------
@login_required
def review_list(request):
    reviews = Review.objects.visible_to(request.user).select_related("project")
    return render(request, "projects/review_list.html", {"reviews": reviews[:200]})


@login_required
def review_detail(request, pk):
    review = get_visible_or_404(Review.objects.select_related("project"), request.user, pk=pk)
    user = request.user
    seat = review.seats.filter(expert__user=user).first()
    form = ScoreForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.submit_score(user, review, **form.cleaned_data)
            messages.success(request, _("Your score was submitted."))
            return redirect("projects:review", pk=review.pk)
        except DomainError as exc:
            show_error(request, exc, form)
    decider = access.may(user, Action.DECIDE_PROJECT)
    return render(
        request,
        "projects/review_detail.html",
        {
            "review": review,
            "project": review.project,
            "seat": seat,
            "seats": services.visible_seats(user, review),
            "form": form if seat is not None and seat.submitted_at is None and not seat.withdrawn else None,
            "criteria": CRITERIA,
            "can_replace": decider and review.state == ReviewState.SCORING,
            "withdrawals": SeatWithdrawal.choices,
            "withdrawn_seats": review.seats.exclude(withdrawn="").select_related("expert"),
            "conclusion_form": ConclusionForm()
            if decider and review.state != ReviewState.SCORING and not review.conclusion
            else None,
        },
    )


@login_required
@require_POST
def review_replace(request, pk, order):
    review = get_visible_or_404(Review.objects.select_related("project"), request.user, pk=pk)
    seat = review.seats.filter(order=order).first()
    if seat is None:
        raise Http404
    try:
        new = services.replace_expert(request.user, review, seat, withdrawn=request.POST.get("withdrawn", ""))
        messages.success(request, _("%(name)s was drawn in the place.") % {"name": new.expert.name})
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("projects:review", pk=review.pk)


@login_required
@require_POST
def review_conclude(request, pk):
    review = get_visible_or_404(Review.objects.select_related("project"), request.user, pk=pk)
    form = ConclusionForm(request.POST)
    if form.is_valid():
        try:
            services.conclude_review(request.user, review, **form.cleaned_data)
            messages.success(request, _("The conclusion was recorded under your name as chair."))
        except DomainError as exc:
            messages.error(request, exc.message)
    else:
        messages.error(request, "；".join(f"{form.fields[k].label}：{v[0]}" for k, v in form.errors.items()))
    return redirect("projects:review", pk=review.pk)


# --- Public disclosure (公告公示), no login ---------------------------------------------------------
def public_projects(request):
    today = clock.today()
    base = Project.objects.select_related(None)
    notices = base.filter(state=ProjectState.COUNTY_REVIEW, notice_ends_on__gte=today).order_by(
        "notice_ends_on"
    )
    planned = base.filter(state__in=_PLAN_STATES)
    year = inputs.param(request, inputs.year_value, "year", _("Year"))
    if year is None:  # this year's plan, or the latest plan there is
        year = planned.filter(year__lte=today.year).order_by("-year").values_list("year", flat=True).first()
        year = year or today.year
    plan = planned.filter(year=year)
    completed = base.filter(state__in=DONE_STATES).order_by("-completed_on", "-id")[:200]
    return render(
        request,
        "projects/public.html",
        {
            "notices": notices,
            "plan": plan.order_by("region_code", "id"),
            "year": year,
            "completed": completed,
            "names": region_names(),
            "today": today,
        },
    )


_PLAN_STATES = {
    ProjectState.PLANNED,
    ProjectState.START_REQUESTED,
    ProjectState.IMPLEMENTING,
    ProjectState.COMPLETED,
    ProjectState.ACCEPTED,
    ProjectState.HANDED_OVER,
    ProjectState.OPERATING,
}
