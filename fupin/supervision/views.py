"""Supervision pages: the ledger (overdue first), a problem's timeline and actions, statistics, campaigns
and their checklists, grids and duty, complaints, and the public complaint form."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fupin.core import access, clock, files, inputs, scope, uploads
from fupin.core.access import Action as Action_
from fupin.core.client import client_address
from fupin.core.enums import Role
from fupin.core.errors import DomainError, show_error
from fupin.core.models import Region, User
from fupin.core.ratelimit import RateLimited
from fupin.core.scope import county_of, get_visible_or_404

from . import exports, queries, services, stats
from .enums import (
    CATEGORIES,
    COMPLAINTS,
    PROBLEMS,
    USE_KINDS,
    Action,
    Aspect,
    ComplaintChannel,
    ComplaintState,
    Method,
    State,
    UrbanCategory,
    Use,
)
from .forms import ComplaintForm
from .models import Attachment, Campaign, Complaint, Grid, Problem

PAGE_SIZE = 30


def _region(request) -> str | None:
    """The page's region filter, inside the user's area: a malformed or foreign region is not found."""
    if not request.GET.get("region"):
        return None
    try:
        return scope.region_param(request.user, request.GET["region"])
    except DomainError:
        raise Http404 from None


def _filters(request) -> dict:
    get = request.GET
    overdue = {"yes": True, "no": False}.get(get.get("overdue", ""))
    return {
        "region": _region(request),
        "campaign": inputs.param(
            request, inputs.int_value, "campaign", _("Campaign"), low=1, high=inputs.ID_LIMIT
        ),
        "use": get.get("use") or None,
        "state": get.get("state") or None,
        "category": get.get("category") or None,
        "overdue": overdue,
        "q": get.get("q") or None,
    }


def _may_read_use(user, use) -> bool:
    return access.can_read(user, USE_KINDS[use])


@login_required
def problem_list(request):
    problems = queries.filtered(Problem.objects.visible_to(request.user), **_filters(request))
    page = Paginator(queries.overdue_first(problems), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "states": State.choices,
        "uses": Use.choices,
        "today": clock.today(),
        "campaigns": Campaign.objects.visible_to(request.user),
        "categories": _all_categories(),
    }
    return render(request, "supervision/problem_list.html", context)


def _all_categories():
    return [*Aspect.choices, *UrbanCategory.choices]


@login_required
def problem_export(request):
    problems = queries.filtered(Problem.objects.visible_to(request.user), **_filters(request))
    workbook = exports.ledger_xlsx(queries.overdue_first(problems), clock.today())
    return files.xlsx_download(workbook, "问题台账")


@login_required
def problem_create(request):
    user = request.user
    grids = Grid.objects.visible_to(user)
    if request.method == "POST":
        post = request.POST
        grid = grids.filter(pk=post.get("grid") or 0).first()
        region = post.get("region") or (grid.region_code if grid else "")
        try:
            problem = services.open_problem(
                user,
                use=post.get("use", ""),
                category=post.get("category", ""),
                title=post.get("title", ""),
                description=post.get("description", ""),
                region_code=region,
                grid=grid,
                found_on=inputs.date_value(post.get("found_on"), "found_on", _("Found on")) or clock.today(),
            )
            messages.success(request, _("Problem %(number)s registered.") % {"number": problem.number})
            return redirect("supervision:problem", problem.pk)
        except DomainError as exc:
            messages.error(request, exc.message)
    areas = Region.objects.visible_to(user).filter(level__in=["town", "village"]).select_related("parent")
    context = {
        "grids": grids,
        "areas": areas,
        "categories": CATEGORIES,
        "urban": user.has_role(Role.GRID_STAFF, Role.DISPATCHER),
        # Only the uses the user reads: a grid worker reports urban problems, an inspector project ones.
        "uses": [(value, label) for value, label in Use.choices if _may_read_use(user, value)],
        "today": clock.today(),
    }
    return render(request, "supervision/problem_form.html", context)


def _problem(request, problem_id):
    return get_visible_or_404(
        Problem.objects.select_related("responsible", "campaign", "grid"), request.user, pk=problem_id
    )


@login_required
def problem_detail(request, problem_id: int):
    problem = _problem(request, problem_id)
    actions = [step for step in PROBLEMS.allowed(request.user, problem) if step.action != Action.COMMENT]
    context = {
        "problem": problem,
        "events": problem.events.select_related("actor").prefetch_related("attachments"),
        "actions": actions,
        # Link to the campaign only for who may open it (a town officer reads the problem, not the
        # county's campaign).
        "campaign_readable": problem.campaign_id is not None
        and Campaign.objects.visible_to(request.user).filter(pk=problem.campaign_id).exists(),
        "today": clock.today(),
        "people": User.objects.filter(
            is_active=True, **scope.within_lookup(county_of(problem.region_code), "region__code")
        )
        .filter(roles__code__in=[Role.TOWN_OFFICER, Role.VILLAGE_CADRE, Role.GRID_STAFF])
        .distinct()
        .order_by("username")[:200],
    }
    return render(request, "supervision/problem_detail.html", context)


@login_required
@require_POST
def problem_action(request, problem_id: int):
    problem = _problem(request, problem_id)
    post = request.POST
    person = User.objects.filter(pk=post.get("person") or 0, is_active=True).first()
    duplicate = None
    if post.get("duplicate_of"):
        duplicate = (
            Problem.objects.visible_to(request.user).filter(number=post["duplicate_of"].strip()).first()
        )
    try:
        services.transition(
            request.user,
            problem,
            post.get("action", ""),
            comment=post.get("comment", ""),
            attachments=request.FILES.getlist("attachments"),
            unit=post.get("unit", ""),
            person=person,
            deadline=inputs.date_value(post.get("deadline"), "deadline", _("Deadline")),
            duplicate_of=duplicate,
            beyond_campaign_end=post.get("beyond_campaign_end") == "on",
        )
        messages.success(request, _("Done: %(action)s.") % {"action": Action(post["action"]).label})
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("supervision:problem", problem.pk)


@login_required
def attachment(request, attachment_id: int):
    """Evidence, only for those who see its problem, with its checked type and never as a page."""
    item = get_object_or_404(Attachment.objects.select_related("event__problem"), pk=attachment_id)
    get_visible_or_404(Problem, request.user, pk=item.event.problem_id)
    return uploads.file_response(item.file, item.name)


@login_required
def statistics(request):
    filters = _filters(request)
    problems = queries.filtered(
        Problem.objects.visible_to(request.user),
        region=filters["region"],
        campaign=filters["campaign"],
        use=filters["use"],
    )
    today = clock.today()
    group = request.GET.get("group") if request.GET.get("group") in stats.GROUPS else "category"
    rows = sorted(stats.figures(problems, today, group).items())
    labels = dict(_all_categories())
    towns = dict(Region.objects.filter(level="town").values_list("code", "name"))
    named = [
        (labels.get(k, towns.get(str(k).ljust(12, "0"), k)) if group in ("category", "town") else k, f)
        for k, f in rows
    ]
    chart = {
        "labels": [str(k) for k, _f in named],
        "found": [f.found for _k, f in named],
        "closed": [f.closed for _k, f in named],
        "overdue": [f.open_overdue for _k, f in named],
    }
    context = {
        "total": stats.totals(problems, today),
        "rows": named,
        "group": group,
        "chart": chart,
        "groups": [
            ("category", _("Category")),
            ("town", _("Town")),
            ("unit", _("Responsible unit")),
            ("campaign", _("Campaign")),
            ("month", _("Month")),
        ],
        "campaigns": Campaign.objects.visible_to(request.user),
        "filters": filters,
    }
    return render(request, "supervision/statistics.html", context)


@login_required
def campaign_list(request):
    campaigns = Campaign.objects.visible_to(request.user)
    rows = [(c, *services.progress(c)) for c in campaigns]
    return render(request, "supervision/campaign_list.html", {"rows": rows})


@login_required
def campaign_create(request):
    access.require(request.user, Action_.RUN_CAMPAIGN)
    if request.method == "POST":
        post = request.POST
        use = post.get("use", Use.PROJECTS)
        items = [
            {"aspect": a, "text": t, "method": m}
            for a, t, m in zip(
                post.getlist("aspect"), post.getlist("text"), post.getlist("method"), strict=False
            )
            if t.strip()
        ]
        region = Region.objects.filter(code=post.get("region", "")).first()
        try:
            if region is None:
                raise DomainError(_("Choose the area."), field="region")
            campaign = services.create_campaign(
                request.user,
                name=post.get("name", ""),
                use=use,
                region=region,
                start=inputs.date_value(post.get("start"), "start", _("Start date")) or clock.today(),
                end=inputs.date_value(post.get("end"), "end", _("End date")) or clock.today(),
                items=items,
                scope={
                    "years": [
                        int(y)
                        for y in post.get("years", "").replace("，", ",").split(",")
                        if y.strip().isdigit()
                    ]
                },
            )
            return redirect("supervision:campaign", campaign.pk)
        except DomainError as exc:
            messages.error(request, exc.message)
    areas = Region.objects.visible_to(request.user).filter(level__in=["county", "town"])
    context = {
        "areas": areas,
        "aspects": Aspect.choices,
        "methods": Method.choices,
        "uses": Use.choices,
        "default_items": DEFAULT_CHECKLIST,
    }
    return render(request, "supervision/campaign_form.html", context)


DEFAULT_CHECKLIST = [
    (Aspect.REVIEW, "可行性、合规性论证和县级评审记录齐全", Method.ARCHIVES),
    (Aspect.REVIEW, "利益联结机制明确，带贫对象精准", Method.ARCHIVES),
    (Aspect.PROCEDURE, "开工报请、招投标、合同等前期程序履行到位", Method.ARCHIVES),
    (Aspect.PROCEDURE, "项目公示公告按规定进行", Method.SITE),
    (Aspect.QUALITY, "建设内容与实施方案一致，工程质量合格", Method.SITE),
    (Aspect.OPERATION, "项目运营正常，收益稳定", Method.SITE),
    (Aspect.FUNDS, "资金拨付手续完备，账实相符", Method.ACCOUNTS),
    (Aspect.BENEFITS, "收益台账准确，分红发放及时", Method.ACCOUNTS),
]


@login_required
def campaign_detail(request, campaign_id: int):
    campaign = get_visible_or_404(Campaign, request.user, pk=campaign_id)
    checks = {c.subject_id: c for c in campaign.checks.all()}
    subjects = [
        (obj, label, code, checks.get(str(obj.pk)))
        for obj, label, code in services.subjects_in_scope(campaign)
    ]
    problems = campaign.problems.all()
    context = {
        "campaign": campaign,
        "subjects": subjects,
        "items": campaign.items.all(),
        "total": stats.totals(problems, clock.today()),
        "checked": len(checks),
    }
    return render(request, "supervision/campaign_detail.html", context)


@login_required
def campaign_check(request, campaign_id: int, subject_id: str):
    campaign = get_visible_or_404(Campaign, request.user, pk=campaign_id)
    subjects = {str(obj.pk): (obj, label, code) for obj, label, code in services.subjects_in_scope(campaign)}
    if subject_id not in subjects:
        raise Http404
    obj, label, code = subjects[subject_id]
    items = list(campaign.items.all())
    if request.method == "POST":
        results = {
            item.pk: (request.POST.get(f"item-{item.pk}") == "pass", request.POST.get(f"note-{item.pk}", ""))
            for item in items
            if request.POST.get(f"item-{item.pk}") in ("pass", "problem")
        }
        try:
            services.record_check(
                request.user,
                campaign,
                obj,
                label=label,
                region_code=code,
                results=results,
                checked_on=inputs.date_value(request.POST.get("checked_on"), "checked_on", _("Checked on")),
            )
            messages.success(request, _("Check of %(subject)s recorded.") % {"subject": label})
            return redirect("supervision:campaign", campaign.pk)
        except DomainError as exc:
            messages.error(request, exc.message)
    return render(
        request,
        "supervision/campaign_check.html",
        {"campaign": campaign, "label": label, "items": items, "today": clock.today()},
    )


@login_required
def grid_list(request):
    user = request.user
    if request.method == "POST":
        region = Region.objects.filter(code=request.POST.get("region", "")).first()
        try:
            if region is None:
                raise DomainError(_("Choose the area."), field="region")
            services.create_grid(
                user, name=request.POST.get("name", ""), region=region, area=request.POST.get("area", "")
            )
            messages.success(request, _("Grid created."))
            return redirect("supervision:grids")
        except DomainError as exc:
            messages.error(request, exc.message)
    grids = Grid.objects.visible_to(user)
    towns = Region.objects.visible_to(user).filter(level="town")
    return render(
        request,
        "supervision/grid_list.html",
        {"grids": grids, "towns": towns, "can_edit": access.may(user, Action_.EDIT_GRIDS)},
    )


@login_required
def grid_detail(request, grid_id: int):
    grid = get_visible_or_404(Grid, request.user, pk=grid_id)
    if request.method == "POST":
        staff = User.objects.filter(pk=request.POST.get("staff") or 0).first()
        try:
            if staff is None:
                raise DomainError(_("Choose the staff."), field="staff")
            services.add_shift(
                request.user,
                grid=grid,
                staff=staff,
                start=inputs.datetime_value(request.POST.get("start"), "start", _("Shift start")),
                end=inputs.datetime_value(request.POST.get("end"), "end", _("Shift end")),
                duties=request.POST.get("duties", ""),
                points=inputs.int_value(request.POST.get("points"), "points", _("Points"), low=-100, high=100)
                or 0,
            )
            messages.success(request, _("Shift recorded."))
            return redirect("supervision:grid", grid.pk)
        except (DomainError, TypeError) as exc:
            messages.error(request, getattr(exc, "message", _("Enter the start and end of the shift.")))
    shifts = grid.shifts.select_related("staff").order_by("-start")[:50]
    staff = User.objects.filter(
        roles__code=Role.GRID_STAFF,
        is_active=True,
        **scope.within_lookup(county_of(grid.region_code), "region__code"),
    ).order_by("username")
    return render(
        request,
        "supervision/grid_detail.html",
        {
            "grid": grid,
            "shifts": shifts,
            "staff": staff,
            "now": clock.now(),
            "problems": grid.problems.order_by("-found_on")[:20],
            "can_edit": access.may(request.user, Action_.EDIT_GRIDS),
        },
    )


@login_required
def assessment(request):
    this_month = clock.today().replace(day=1)
    month = inputs.param(request, inputs.month_value, "month", _("Month"), this_month)
    rows = stats.assessment(scope.area_of(request.user), month, clock.today())
    return render(request, "supervision/assessment.html", {"rows": rows, "month": month})


@login_required
def complaint_list(request):
    complaints = Complaint.objects.visible_to(request.user).select_related("problem")
    channel = request.GET.get("channel") or ""
    if channel and channel not in ComplaintChannel.values:
        messages.error(request, _("Channel: choose one of the list."))
        channel = ""
    if channel:
        complaints = complaints.filter(channel=channel)
    page = Paginator(complaints, PAGE_SIZE).get_page(request.GET.get("page"))
    for complaint in page:
        complaint.steps = {step.action for step in COMPLAINTS.allowed(request.user, complaint)}
    return render(
        request,
        "supervision/complaint_list.html",
        {
            "page": page,
            "categories": CATEGORIES,
            "uses": Use.choices,
            "states": ComplaintState,
            "channels": ComplaintChannel.choices,
            "channel": channel,
            "today": clock.today(),
            "can_record": access.may(request.user, Action_.RECORD_COMPLAINT),
        },
    )


@login_required
def complaint_create(request):
    """A complaint taken in by the 12317 hotline, a letter or a visit; its deadline counts from receipt."""
    if request.method == "POST":
        form = ComplaintForm(request.POST, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                complaint = services.record_complaint(
                    request.user,
                    channel=data["channel"],
                    content=data["content"],
                    region_code=data["region"],
                    received_at=data["received_at"] or None,
                    name=data["name"],
                    phone=data["phone"],
                )
            except DomainError as exc:
                show_error(request, exc, form)
            else:
                messages.success(
                    request,
                    _("Complaint %(code)s recorded; decide by %(day)s.")
                    % {"code": complaint.code, "day": complaint.decide_by.isoformat()},
                )
                return redirect("supervision:complaints")
    else:
        form = ComplaintForm(
            user=request.user, initial={"received_at": clock.now().strftime("%Y-%m-%dT%H:%M")}
        )
    for name in form.errors:
        if name in form.fields:
            form.fields[name].widget.attrs["class"] += " is-invalid"
    return render(request, "supervision/complaint_form.html", {"form": form})


@login_required
@require_POST
def complaint_decide(request, complaint_id: int):
    complaint = get_visible_or_404(Complaint, request.user, pk=complaint_id)
    post = request.POST
    decision = post.get("decision")
    try:
        if decision == "accept":
            if not post.get("category"):
                raise DomainError(_("Choose the category of the problem to open."), field="category")
            use, _sep, category = post.get("category", "").partition(":")
            problem = services.accept_complaint(
                request.user,
                complaint,
                use=use,
                category=category,
                title=post.get("title") or complaint.content[:60],
            )
            messages.success(request, _("Problem %(number)s opened.") % {"number": problem.number})
        elif decision == "dismiss":
            services.dismiss_complaint(request.user, complaint, post.get("reason", ""))
        elif decision == "answer":
            services.answer_complaint(request.user, complaint, post.get("reply", ""))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("supervision:complaints")


def public_complaint(request):
    """The public complaint form: no login; a few submissions per address and per phone an hour."""
    complaint, refusal = None, None
    towns = Region.objects.filter(level__in=["county", "town"]).order_by("code")
    if request.method == "POST":
        try:
            complaint = services.receive_complaint(
                None,
                channel="web",
                content=request.POST.get("content", ""),
                region_code=request.POST.get("region", ""),
                name=request.POST.get("name", ""),
                phone=request.POST.get("phone", ""),
                ip=client_address(request),
            )
        except DomainError as exc:
            refusal = exc
    response = render(
        request,
        "supervision/public_complaint.html",
        {
            "complaint": complaint,
            "error": refusal.message if refusal else None,
            "towns": towns,
            "form": request.POST,
        },
        status=refusal.status if refusal else 200,
    )
    if isinstance(refusal, RateLimited):
        response["Retry-After"] = str(refusal.retry_after)
    return response


def public_status(request):
    code = (request.GET.get("code") or "").strip().upper()
    complaint = Complaint.objects.filter(code=code).select_related("problem").first() if code else None
    return render(request, "supervision/public_status.html", {"complaint": complaint, "code": code})
