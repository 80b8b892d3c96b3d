"""Distribution plan pages: a project's plans and a new plan, one plan with its review, notice, payments
and printable notice, the county's plans with the overdue ones first, and a household's dividends."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, Q, Subquery, Sum
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from fupin.core import clock
from fupin.core.errors import DomainError, show_error
from fupin.core.models import Region
from fupin.core.scope import get_visible_or_404
from fupin.projects.models import Project
from fupin.registry.models import Household

from . import dividends, summary
from .enums import UNPAID_STATES, WRITERS, Method, PlanState, Recipient
from .forms import CancelForm, NoticeForm, PayForm, PlanForm, ReviewForm
from .models import DistributionPlan, Payment


def _can_write(user) -> bool:
    return user.has_role(*WRITERS)


@login_required
def project_plans(request, project_id: int):
    project = get_visible_or_404(Project.objects.all(), request.user, pk=project_id)
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
    return get_visible_or_404(
        DistributionPlan.objects.select_related("project", "revenue"), request.user, pk=pk
    )


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
    writer = _can_write(request.user)
    action = request.POST.get("action") if request.method == "POST" and writer else None
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
            "forms": forms if writer else {},
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
    household = get_visible_or_404(Household.objects.all(), request.user, pk=household_id)
    return render(
        request,
        "benefits/dividends/_household.html",
        {
            "lines": list(dividends.household_dividends(household)),
            **summary.household_benefits(household),
            "today": clock.today(),
        },
    )
