"""Benefits pages: the income ledger (per project and county-wide), the benefit summary, distribution
plans and dividends. Thin: reads through ledger.py, summary.py and dividends.py inside the user's scope,
writes through services, and shows a DomainError's words next to its field."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, Q, Subquery, Sum
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fupin.core import clock, inputs, scope
from fupin.core.errors import DomainError, show_error
from fupin.core.files import xlsx_download
from fupin.core.models import Region
from fupin.core.scope import require_role
from fupin.projects.models import Project

from . import dividends, ledger, queries, services, summary
from .enums import PLANS, UNPAID_STATES, WRITERS, Method, PlanState, Recipient
from .forms import CancelForm, NoticeForm, PayForm, PlanForm, RevenueForm, ReversalForm, ReviewForm
from .models import DistributionPlan, Payment

PAGE_SIZE = 30
# A service's field name → the form's field where its message shows.
FORM_FIELDS = {"member_id": "member"}


def _writer(user) -> bool:
    return user.has_role(*WRITERS)


def _project(request, pk) -> Project:
    return queries.project(request.user, pk)


def _marked(form):
    """The form with its invalid fields outlined in red (Bootstrap's is-invalid)."""
    if form is not None and form.is_bound:
        for name in form.errors:
            if name in form.fields:
                widget = form.fields[name].widget
                widget.attrs["class"] = widget.attrs.get("class", "") + " is-invalid"
    return form


def _show_error(request, exc: DomainError, form) -> None:
    shown = False
    for field, message in exc.fields.items():
        name = FORM_FIELDS.get(field, field)
        if name in form.fields:
            form.add_error(name, message)
            shown = True
    if not shown:
        messages.error(request, exc.message)


def _towns(user):
    return Region.objects.visible_to(user).filter(level="town").order_by("code")


# --- The income ledger ----------------------------------------------------------------------------
@login_required
def ledger_list(request):
    """Projects owing revenue, with the year's revenue against the plan; filter by town, year, below plan."""
    g = request.GET
    projects = Project.objects.visible_to(request.user)
    this_year = clock.today().year
    year = inputs.param(request, inputs.year_value, "year", _("Year")) or ledger.latest_year(
        projects, this_year
    )
    town = g.get("town", "")
    if town:
        try:
            town = scope.region_param(request.user, town)
        except DomainError:
            raise Http404 from None
    rows = ledger.county_list(projects, year, town=town, below_only=g.get("below") == "1")
    page = Paginator(rows, PAGE_SIZE).get_page(g.get("page"))
    names = dict(Region.objects.filter(level="town").values_list("code", "name"))
    page.object_list = list(page.object_list)
    for project in page.object_list:
        project.town_name = names.get(project.town_code, project.town_code)
    return render(
        request,
        "benefits/ledger_list.html",
        {
            "page": page,
            "year": year,
            "town": town,
            "f": g,
            "towns": _towns(request.user),
            "totals": ledger.totals(rows, year),
        },
    )


@login_required
def project_ledger(request, pk):
    project = _project(request, pk)
    if request.GET.get("export") == "xlsx":
        return xlsx_download(ledger.export_xlsx(project), f"收益台账-{project.pk}")
    writer = _writer(request.user)
    form = RevenueForm(request.POST or None, initial={"received_on": clock.today()})
    if request.method == "POST":
        require_role(request.user, *WRITERS)
        if form.is_valid():
            try:
                services.record_revenue(request.user, project, **form.cleaned_data)
                messages.success(request, _("The revenue was recorded."))
                return redirect("benefits:project-ledger", pk=project.pk)
            except DomainError as exc:
                _show_error(request, exc, form)
    years = ledger.by_year(project)
    return render(
        request,
        "benefits/project_ledger.html",
        {
            "project": project,
            "entries": ledger.entries(project),
            "years": years,
            "below": [row.year for row in years if row.below_plan],
            "form": _marked(form) if writer else None,
            "reversal_form": ReversalForm() if writer else None,
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def revenue_reverse(request, pk):
    revenue = queries.revenue(request.user, pk)
    try:
        services.reverse_revenue(request.user, revenue, reason=request.POST.get("reason", ""))
        messages.success(request, _("The entry was reversed."))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("benefits:project-ledger", pk=revenue.project_id)


@login_required
def benefit_summary(request):
    """What the benefits reached in an area (the user's, or a town within it), in the seed's terms."""
    region = request.GET.get("region", "")
    year = inputs.param(request, inputs.year_value, "year", _("Year"))
    try:
        prefix = scope.region_param(request.user, region)
    except DomainError:
        raise Http404 from None
    result = summary.summary(prefix, year)
    area = Region.objects.filter(code=prefix.ljust(12, "0")).first()
    return render(
        request,
        "benefits/summary.html",
        {
            "area": area,
            "prefix": prefix,
            "year": year,
            "years": range(clock.today().year, 2015, -1),
            "total": result["total"],
            "rows": summary.named_rows(result),
            "in_words": summary.in_words(result["total"]),
            "drill": len(prefix) < 9,
        },
    )


# --- Distribution plans and dividends: a project's plans and a new plan, one plan with its review,
# notice, payments and printable notice, the county's plans with the overdue ones first, a household's.
def _can_write(user) -> bool:
    return user.has_role(*WRITERS)


@login_required
def project_plans(request, project_id: int):
    project = queries.project(request.user, project_id)
    writer = _can_write(request.user)
    form = PlanForm(
        request.POST or None, project=project, initial={"collective_share": "0", "welfare_share": "0"}
    )
    eligible = dividends.beneficiaries(project) if writer else []
    if request.method == "POST" and writer and form.is_valid():
        data = form.cleaned_data
        chosen = [int(pk) for pk in request.POST.getlist("households") if pk.isdigit()]
        weights = {h.pk: request.POST.get(f"weight_{h.pk}", "") for h in eligible if h.pk in chosen}
        try:
            plan = dividends.create_plan(
                request.user,
                project,
                revenue=data["revenue"],
                method=data["method"],
                total=data["total"] or None,
                collective_share=data["collective_share"],
                welfare_share=data["welfare_share"],
                household_ids=chosen,
                weights=weights if data["method"] == Method.WEIGHTED else None,
            )
            messages.success(request, _("The distribution plan was drawn up."))
            return redirect("benefits:plan", pk=plan.pk)
        except DomainError as exc:
            show_error(request, exc, form)
    paid = Payment.objects.filter(plan=OuterRef("pk")).values("plan").annotate(total=Sum("amount"))
    plans = project.distribution_plans.select_related("revenue").annotate(
        households=Count("lines", filter=Q(lines__recipient=Recipient.HOUSEHOLD)),
        paid=Subquery(paid.values("total")),
    )
    chosen = set(map(int, request.POST.getlist("households"))) if request.method == "POST" else None
    return render(
        request,
        "benefits/dividends/project_plans.html",
        {
            "project": project,
            "plans": plans,
            "form": form if writer else None,
            "eligible": eligible,
            "chosen": chosen,
            "today": clock.today(),
        },
    )


def _plan(request, pk):
    return queries.plan(request.user, pk)


ACTIONS = {
    "approve": (
        ReviewForm,
        lambda user, plan, d: dividends.approve(
            user, plan, reviewed_on=d["reviewed_on"], note=d["review_note"]
        ),
    ),
    "disclose": (
        NoticeForm,
        lambda user, plan, d: dividends.disclose(user, plan, notice_starts_on=d["notice_starts_on"]),
    ),
    "cancel": (CancelForm, lambda user, plan, d: dividends.cancel(user, plan, reason=d["reason"])),
}
DONE = {
    "approve": _("The village review was recorded; the payment deadline runs."),
    "disclose": _("The plan is on public notice."),
    "cancel": _("The plan was cancelled."),
}


@login_required
def plan_detail(request, pk: int):
    plan = _plan(request, pk)
    steps = {step.action for step in PLANS.allowed(request.user, plan)}
    action = request.POST.get("action") if request.method == "POST" else None
    forms = {
        "approve": ReviewForm(initial={"reviewed_on": clock.today()}),
        "disclose": NoticeForm(initial={"notice_starts_on": clock.today()}),
        "cancel": CancelForm(),
        "pay": PayForm(initial={"paid_on": clock.today(), "channel": "card"}),
    }
    if action in ACTIONS:
        form_class, run = ACTIONS[action]
        form = forms[action] = form_class(request.POST)
        if form.is_valid():
            try:
                run(request.user, plan, form.cleaned_data)
                messages.success(request, DONE[action])
                return redirect("benefits:plan", pk=plan.pk)
            except DomainError as exc:
                show_error(request, exc, form)
    elif action == "pay":
        form = forms["pay"] = PayForm(request.POST)
        if form.is_valid() and _pay(request, plan, form):
            return redirect("benefits:plan", pk=plan.pk)
    lines = plan.lines.select_related("household__head", "payment__payee")
    return render(
        request,
        "benefits/dividends/plan_detail.html",
        {
            "plan": plan,
            "lines": lines,
            "totals": dividends.plan_totals(plan),
            "forms": forms,
            "steps": steps,  # the workflow's answer (enums.PLANS): a form is shown for each
            "overdue": plan.is_overdue(clock.today()),
            "today": clock.today(),
        },
    )


def _pay(request, plan, form) -> bool:
    ticked = set(request.POST.getlist("lines"))
    entries = []
    for line in plan.lines.filter(pk__in=[int(x) for x in ticked if x.isdigit()], payment__isnull=True):
        entry = {"amount": str(line.amount), **form.cleaned_data}
        if line.household_id:
            entry["household_id"] = line.household_id
        else:
            entry["recipient"] = line.recipient
        entries.append(entry)
    try:
        payments = dividends.record_payments(request.user, plan, entries)
    except DomainError as exc:
        show_error(request, exc, form)
        return False
    messages.success(request, _("%(count)s payments were recorded.") % {"count": len(payments)})
    return True


@login_required
def plan_notice(request, pk: int):
    """The printable notice (公示): households by village with their heads' names masked."""
    plan = _plan(request, pk)
    lines = plan.lines.select_related("household__head").order_by("region_code", "household__number", "id")
    villages = dict(
        Region.objects.filter(code__in={line.region_code for line in lines}).values_list("code", "name")
    )
    return render(
        request,
        "benefits/dividends/notice.html",
        {
            "plan": plan,
            "lines": lines,
            "villages": villages,
            "county": Region.objects.filter(code=plan.region_code[:6] + "000000").first(),
        },
    )


@login_required
def plan_list(request):
    """Every plan in the user's area; the overdue (发放不及时) ones can be listed alone."""
    on = clock.today()
    plans = DistributionPlan.objects.visible_to(request.user).select_related("project", "revenue")
    state = request.GET.get("state", "")
    if state == "overdue":
        plans = plans.overdue(on)
    elif state in PlanState.values:
        plans = plans.filter(state=state)
    page = Paginator(plans.order_by("payment_deadline", "-id"), 30).get_page(request.GET.get("page"))
    return render(
        request,
        "benefits/dividends/plan_list.html",
        {
            "page": page,
            "state": state,
            "states": PlanState.choices,
            "overdue_count": DistributionPlan.objects.visible_to(request.user).overdue(on).count(),
            "unpaid_states": UNPAID_STATES,
            "today": on,
        },
    )


@login_required
def household_dividends(request, household_id: int):
    """The household page's benefits (an htmx fragment): every dividend, its members' jobs, wages."""
    household = queries.household(request.user, household_id)
    return render(
        request,
        "benefits/dividends/_household.html",
        {
            "lines": list(dividends.household_dividends(household)),
            **summary.household_benefits(household),
            "today": clock.today(),
        },
    )
