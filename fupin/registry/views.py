"""Registry pages. Thin: read through the scope helpers, write through services, show DomainError messages."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fupin.core import access, clock, exportjobs, files, inputs, scope, uploads
from fupin.core import tasks as core_tasks
from fupin.core.access import Action, Kind, Read
from fupin.core.errors import DomainError
from fupin.core.models import AuditEvent, Region, User
from fupin.core.scope import get_visible_or_404

from . import exports, search, services, tasks
from .enums import NOTICE_STEPS, ChangeKind, ChangeState, MeasureKind, MonitoringStep, Relation, Step
from .forms import FilterForm, HouseholdForm, ImportForm, MemberFormSet, MonitoringForm, VisitForm
from .models import (
    ChangeRequest,
    HelperPair,
    Household,
    ImportJob,
    Member,
    MonitoringCase,
    Objection,
    Procedure,
    VisitPhoto,
)

PAGE_SIZE = 20


def _households(request, wanted: dict | None = None):
    """The page's filter form and the households it finds; `wanted`, when given, receives the checked
    filters (what an export job stores to find the same households later)."""
    form = FilterForm(request.GET or None, user=request.user)
    households = Household.objects.visible_to(request.user)
    if form.is_valid():
        filters = dict(form.cleaned_data)
        filters["region"] = (
            scope.region_param(request.user, filters["region"]) if filters.get("region") else None
        )
        households = search.filter_households(households, **filters)
        if wanted is not None:
            wanted.update(filters)
    elif form.is_bound:
        households = households.none()  # a refused filter finds nothing rather than everything
    return form, households


@login_required
def household_list(request):
    form, households = _households(request)
    ordered = households.with_head().order_by("region_code", "number")
    page = Paginator(ordered, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = services.attach_sizes(page.object_list)
    villages = dict(Region.objects.filter(code__in={h.region_code for h in page}).values_list("code", "name"))
    context = {
        "form": form,
        "page": page,
        "villages": villages,
        "can_register": access.may(request.user, Action.APPLY),
    }
    return render(request, "registry/household_list.html", context)


@login_required
def household_export(request):
    """A small list downloads at once; a large one becomes a background job with a progress page."""
    wanted = {}
    _form, households = _households(request, wanted)
    if exports.member_count(households) <= exportjobs.SYNCHRONOUS_ROWS:
        return files.xlsx_download(exports.households_xlsx(households), "贫困户成员")
    job = core_tasks.start_export(request.user, "registry.members", wanted)
    return redirect("export-job", job.pk)


def _region(request) -> str:
    """The region filter of a page, inside the user's area (404 outside; a malformed code too)."""
    try:
        return scope.region_param(request.user, request.GET.get("region"))
    except DomainError:
        raise Http404 from None


def _household(request, household_id):
    return get_visible_or_404(Household.objects.with_head(), request.user, pk=household_id)


@login_required
def visit_photo(request, household_id: int, photo_id: int):
    """A visit's photo, for those who see the household (outside their area: 404)."""
    household = _household(request, household_id)
    photo = VisitPhoto.objects.filter(pk=photo_id, visit__household=household).first()
    if photo is None:
        raise Http404
    return uploads.file_response(photo.image, f"走访照片-{photo.pk}")


@login_required
def household_detail(request, household_id: int):
    household = _household(request, household_id)
    procedure = household.procedures.filter(finished_at__isnull=True).first()
    procedures = household.procedures.prefetch_related(
        Prefetch("events", to_attr="event_list"), Prefetch("objections", to_attr="objection_list")
    ).order_by("-started_at")
    today = clock.today()
    cases = list(household.monitoring_cases.prefetch_related("measures"))
    for case in cases:  # the step's button shows when the service would take it
        case.may_step = case.next_step is not None and services.IDENTIFICATION.may(
            request.user, case, case.next_step
        )
    context = {
        "household": household,
        "village": Region.objects.select_related("parent").get(code=household.region_code),
        "members": household.members.all(),
        "incomes": household.incomes.all(),
        "procedure": procedure,
        "next_step": services.next_step(procedure) if procedure else None,
        "can_step": procedure is not None
        and services.GATES[procedure.gate].may(request.user, procedure, services.next_step(procedure)),
        "can_start_exit": services.HOUSEHOLD_GATES.may(request.user, household, "start_exit"),
        "notice_steps": NOTICE_STEPS,
        "income_check": services.entry_income_check(procedure) if procedure else None,
        "procedures": procedures,
        "visits": household.visits.select_related("helper").prefetch_related("photos")[:12],
        "helpers": household.helper_pairs.filter(end__isnull=True).select_related("helper"),
        "can_pair": access.may(request.user, Action.APPROVE_REGISTRY),
        "measure_kinds": MeasureKind.choices,
        "helper_choices": services.helpers_for(household)
        if access.may(request.user, Action.APPROVE_REGISTRY)
        else [],
        "changes": household.change_requests.select_related("requested_by", "decided_by", "member")[:10],
        "cases": cases,
        "exit_blockers": services.exit_blockers(household, today.year)
        if services.HOUSEHOLD_GATES.step("start_exit").starts_from(household.status)
        else [],
        "events": AuditEvent.objects.filter(target_type="registry.household", target_id=str(household.pk))[
            :30
        ],
        "change_kinds": ChangeKind.choices,
        "relations": [(v, label) for v, label in Relation.choices if v != Relation.HEAD],
        "can_reveal": access.can_read(request.user, Kind.REGISTRY, Read.PERSONAL),
        "can_visit": access.may(request.user, Action.VISIT),
        "can_apply": access.may(request.user, Action.APPLY),
        "can_see_dividends": access.can_read(request.user, Kind.BENEFITS),
        "is_officer": access.may(request.user, Action.APPROVE_REGISTRY),
        "today": today,
    }
    return render(request, "registry/household_detail.html", context)


def _run(request, action, success: str):
    """Call a service; show its refusal as an error message instead of a page error."""
    try:
        result = action()
        messages.success(request, success)
        return result
    except DomainError as exc:
        messages.error(request, exc.message)
        return None


@login_required
@require_POST
def household_step(request, household_id: int):
    household = _household(request, household_id)
    procedure = household.procedures.filter(finished_at__isnull=True).first()
    action = request.POST.get("action", "")
    data = {k: v for k, v in request.POST.items() if k not in ("csrfmiddlewaretoken", "action")}
    if "consent" in data:
        data["consent"] = data["consent"] == "on"
    if action == "start_exit":
        _run(request, lambda: services.start_exit(request.user, household), _("Exit procedure started."))
    elif action == "confirm_warnings":
        _run(request, lambda: services.confirm_warnings(request.user, household), _("Warnings confirmed."))
    elif procedure is None:
        messages.error(request, _("The household has no procedure under way."))
    elif action == "objection":
        _run(
            request,
            lambda: services.raise_objection(
                request.user, procedure, data.get("raised_by", ""), data.get("content", "")
            ),
            _("Objection recorded."),
        )
    elif action == "resolve_objection":
        objection = get_object_or_404(Objection, pk=data.get("objection_id"), procedure=procedure)
        _run(
            request,
            lambda: services.resolve_objection(
                request.user, objection, data.get("resolution", ""), data.get("upheld") == "yes"
            ),
            _("Objection resolved."),
        )
    else:
        _run(request, lambda: services.take_step(request.user, procedure, action, data), _("Step recorded."))
    return redirect("registry:household", household.pk)


@login_required
def household_create(request):
    access.require(request.user, Action.APPLY)
    form = HouseholdForm(request.POST or None, user=request.user)
    members = MemberFormSet(request.POST or None, prefix="m")
    errors = {}
    if request.method == "POST" and form.is_valid() and members.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k not in ("region",) and k not in INCOME_FIELDS}
        people = [m.cleaned_data for m in members if m.has_person()]
        income = {k: form.cleaned_data[k] for k in INCOME_FIELDS if form.cleaned_data.get(k) is not None}
        try:
            household = services.create_household(
                request.user,
                region_code=form.cleaned_data["region"],
                data=data,
                members=people,
                income=income or None,
            )
            messages.success(request, _("Application %(number)s registered.") % {"number": household.number})
            return redirect("registry:household", household.pk)
        except DomainError as exc:
            messages.error(request, exc.message)
            errors = exc.fields
    if request.method == "GET":
        members.forms[0].initial = {"relation": "head"}
    # The service numbers members as they were given, blank rows skipped: map its errors back to the rows.
    given = 0
    for form_row in members:
        form_row.service_errors = []
        if getattr(form_row, "cleaned_data", None) and form_row.has_person():
            form_row.service_errors = [m for k, m in errors.items() if k.startswith(f"members.{given}.")]
            given += 1
    income_errors = [msg for key, msg in errors.items() if key.startswith("income.")]
    context = {"form": form, "members": members, "errors": errors, "income_errors": income_errors}
    return render(request, "registry/household_form.html", context)


INCOME_FIELDS = ["wage", "business", "transfer", "property", "production_cost"]


@login_required
def visit_create(request, household_id: int):
    household = _household(request, household_id)
    form = VisitForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.record_visit(
                request.user,
                household,
                visited_on=data["visited_on"],
                findings=data["findings"],
                help_given=data["help_given"],
                latitude=data["latitude"],
                longitude=data["longitude"],
                photos=request.FILES.getlist("photos"),
            )
            messages.success(request, _("Visit recorded."))
            return redirect("registry:household", household.pk)
        except DomainError as exc:
            messages.error(request, exc.message)
    return render(request, "registry/visit_form.html", {"household": household, "form": form})


@login_required
def not_visited(request):
    month = inputs.param(request, inputs.month_value, "month", _("Month"), clock.today())
    region = _region(request)
    # A helper's list is the households paired with them: visible_to asks the access policy.
    visible = Household.objects.visible_to(request.user).values("pk")
    households = services.not_visited(region, month).filter(pk__in=visible).order_by("region_code", "number")
    page = Paginator(households, 50).get_page(request.GET.get("page"))
    villages = dict(Region.objects.filter(code__in={h.region_code for h in page}).values_list("code", "name"))
    return render(request, "registry/not_visited.html", {"page": page, "month": month, "villages": villages})


@login_required
@require_POST
def household_helpers(request, household_id: int):
    """Pair a helper with the household, or end a pairing (the town's form on the household page)."""
    household = _household(request, household_id)
    if request.POST.get("action") == "end":
        pair = get_object_or_404(HelperPair, pk=request.POST.get("pair_id"), household=household)
        _run(
            request,
            lambda: services.end_pair(
                request.user, pair, request.POST.get("end"), request.POST.get("reason", "")
            ),
            _("Pairing ended."),
        )
    else:
        helper = User.objects.filter(pk=inputs.int_value(request.POST.get("helper"), "helper") or 0).first()
        _run(
            request,
            lambda: services.pair_helper(request.user, household, helper, request.POST.get("start")),
            _("Helper paired."),
        )
    return redirect("registry:household", household.pk)


@login_required
@require_POST
def reveal_id(request, household_id: int, member_id: int):
    household = _household(request, household_id)
    member = get_object_or_404(Member, pk=member_id, household=household)
    return HttpResponse(services.reveal_id_number(request.user, member))


@login_required
def import_start(request):
    access.require(request.user, Action.APPROVE_REGISTRY)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = tasks.start(request.user, form.cleaned_data["file"], form.cleaned_data.get("mode"))
            return redirect("registry:import-job", job.pk)
        except DomainError as exc:
            messages.error(request, exc.message)
    jobs = ImportJob.objects.visible_to(request.user).filter(created_by=request.user)[:10]
    return render(
        request,
        "registry/import.html",
        {
            "form": form,
            "jobs": jobs,
            "may_import_historical": access.may(request.user, Action.IMPORT_HISTORICAL),
        },
    )


@login_required
def import_job(request, job_id: int):
    job = get_visible_or_404(ImportJob, request.user, pk=job_id)
    template = (
        "registry/_import_progress.html" if request.headers.get("HX-Request") else "registry/import_job.html"
    )
    return render(request, template, {"job": job})


@login_required
def import_template(request):
    return files.xlsx_download(exports.import_template(), "贫困户导入模板", stamp=False)


@login_required
def duplicates(request):
    access.require(request.user, Action.REVIEW_DUPLICATES)
    groups = search.likely_duplicates(Household.objects.visible_to(request.user))
    return render(request, "registry/duplicates.html", {"groups": groups})


@login_required
def notice(request):
    """A printable notice (公示) of the households whose procedure is at a notice step, IDs masked."""
    region = _region(request)
    procedures = (
        Procedure.objects.filter(finished_at__isnull=True, step__in=NOTICE_STEPS)
        .filter(household__in=Household.objects.visible_to(request.user).within(region))
        .select_related("household__head")
        .order_by("household__region_code", "household__number")
    )
    area = Region.objects.filter(code=region.ljust(12, "0")).first()
    return render(request, "registry/notice.html", {"procedures": procedures, "area": area, "steps": Step})


@login_required
def monitoring(request):
    cases = (
        MonitoringCase.objects.filter(household__in=Household.objects.visible_to(request.user))
        .select_related("household__head")
        .order_by("state", "identify_by")
    )
    page = Paginator(cases, 50).get_page(request.GET.get("page"))
    today = clock.today()
    candidates, line = services.monitoring_candidates(scope.area_of(request.user), today.year)
    candidates = candidates.filter(pk__in=Household.objects.visible_to(request.user).values("pk"))
    context = {
        "page": page,
        "today": today,
        "candidates": candidates.order_by("per_capita_income")[:50],
        "line": line,
    }
    return render(request, "registry/monitoring.html", context)


@login_required
def monitoring_open(request, household_id: int):
    household = _household(request, household_id)
    form = MonitoringForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = _run(
            request,
            lambda: services.open_monitoring(request.user, household, **form.cleaned_data),
            _("Monitoring opened."),
        )
        if result:
            return redirect("registry:household", household.pk)
    return render(request, "registry/monitoring_form.html", {"household": household, "form": form})


@login_required
@require_POST
def monitoring_action(request, case_id: int):
    case = get_object_or_404(
        MonitoringCase.objects.select_related("household"),
        pk=case_id,
        household__in=Household.objects.visible_to(request.user),
    )
    action = request.POST.get("action")
    today = clock.today()
    if action in MonitoringStep.values:
        data = {k: v for k, v in request.POST.items() if k not in ("csrfmiddlewaretoken", "action")}
        _run(request, lambda: services.monitoring_step(request.user, case, action, data), _("Step recorded."))
    elif action == "identify":
        _run(request, lambda: services.identify_monitoring(request.user, case, today), _("Identified."))
    elif action == "measure":
        _run(
            request,
            lambda: services.add_measure(
                request.user,
                case,
                request.POST.get("kind", ""),
                request.POST.get("description", ""),
                request.POST.get("taken_on") or today,
                request.POST.get("until") or None,
            ),
            _("Measure recorded."),
        )
    elif action == "clear":
        _run(request, lambda: services.clear_risk(request.user, case, today), _("Risk cleared."))
    return redirect("registry:household", case.household_id)


@login_required
def changes(request):
    pending = ChangeRequest.objects.filter(
        household__in=Household.objects.visible_to(request.user), state=ChangeState.PENDING
    ).select_related("household__head", "member", "requested_by")
    return render(request, "registry/changes.html", {"changes": pending})


@login_required
@require_POST
def change_decide(request, change_id: int):
    change = get_object_or_404(
        ChangeRequest, pk=change_id, household__in=Household.objects.visible_to(request.user)
    )
    approve = request.POST.get("decision") == "approve"
    _run(
        request,
        lambda: services.decide_change(request.user, change, approve, request.POST.get("reason", "")),
        _("Change approved.") if approve else _("Change rejected."),
    )
    return redirect("registry:changes")


@login_required
@require_POST
def change_request(request, household_id: int):
    household = _household(request, household_id)
    member = household.members.filter(pk=request.POST.get("member") or 0).first()
    payload = {k: request.POST.get(k, "") for k in ("name", "id_number", "relation") if request.POST.get(k)}
    _run(
        request,
        lambda: services.request_change(
            request.user,
            household,
            request.POST.get("kind", ""),
            inputs.date_value(request.POST.get("effective_on"), "effective_on", _("Effective on"))
            or clock.today(),
            member,
            payload,
        ),
        _("Change requested."),
    )
    return redirect("registry:household", household.pk)
