"""Funds pages: sources with balances, execution rates with a chart, idle money, payments."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fupin.core import access, clock
from fupin.core.access import Action
from fupin.core.errors import DomainError
from fupin.core.models import Region
from fupin.core.regions import region_names
from fupin.core.scope import get_visible_or_404

from . import services, stats
from .enums import FundLevel
from .forms import AllocationForm, PaymentForm, SourceForm
from .models import Allocation, FundSource


def _can_write(user) -> bool:
    return access.may(user, Action.WRITE_FUNDS)


@login_required
def overview(request):
    user = request.user
    allocations = Allocation.objects.visible_to(user)
    towns = dict(Region.objects.filter(level="town").values_list("code", "name"))
    levels = dict(FundLevel.choices)
    by_level = stats.execution(allocations, "level")
    by_town = stats.execution(allocations, "town")
    for row in by_level:
        row["label"] = str(levels.get(row["key"], row["key"]))
    for row in by_town:
        row["label"] = towns.get(row["key"] + "000", row["key"])
    chart = {
        "towns": [r["label"] for r in by_town],
        "allocated": [float(r["allocated"]) for r in by_town],
        "paid": [float(r["paid"]) for r in by_town],
        "rates": [float(r["rate"] or 0) for r in by_town],
    }
    writer = _can_write(user)
    return render(
        request,
        "funds/overview.html",
        {
            "sources": FundSource.objects.visible_to(user),
            "totals": stats.totals(allocations),
            "by_level": by_level,
            "by_town": by_town,
            "chart": chart,
            "idle": services.idle_allocations(allocations).select_related("project", "source")[:100],
            "recent": allocations.filter(reverses__isnull=True).select_related("project", "source")[:50],
            "source_form": SourceForm(initial={"received_on": clock.today(), "year": clock.today().year})
            if writer
            else None,
            "allocation_form": AllocationForm(user=user, initial={"allocated_on": clock.today()})
            if writer
            else None,
        },
    )


@login_required
@require_POST
def source_new(request):
    form = SourceForm(request.POST)
    if form.is_valid():
        try:
            services.create_source(request.user, **form.cleaned_data)
            messages.success(request, _("The fund source was registered."))
        except DomainError as exc:
            messages.error(request, exc.message)
    else:
        messages.error(request, _("Please correct the form."))
    return redirect("funds:overview")


@login_required
@require_POST
def allocation_new(request):
    form = AllocationForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            allocation = services.allocate(request.user, **form.cleaned_data)
            messages.success(request, _("The funds were allocated."))
            return redirect("funds:allocation", pk=allocation.pk)
        except DomainError as exc:
            messages.error(request, exc.message)
    else:
        messages.error(request, _("Please correct the form."))
    return redirect("funds:overview")


@login_required
def allocation_detail(request, pk):
    allocation = get_visible_or_404(
        Allocation.objects.select_related("project", "source"), request.user, pk=pk
    )
    form = PaymentForm(request.POST or None, initial={"paid_on": clock.today()})
    if request.method == "POST" and form.is_valid():
        try:
            services.disburse(request.user, allocation=allocation, **form.cleaned_data)
            messages.success(request, _("The payment was recorded."))
            return redirect("funds:allocation", pk=allocation.pk)
        except DomainError as exc:
            messages.error(request, exc.message)
    return render(
        request,
        "funds/allocation.html",
        {
            "allocation": allocation,
            "payments": allocation.disbursements.all(),
            "reversals": allocation.reversals.all(),
            "form": form if _can_write(request.user) else None,
        },
    )


def public_funds(request):
    """Fund allocation results (资金分配结果公告), without login: no personal data, only units."""
    allocations = Allocation.objects.filter(reverses__isnull=True).select_related("project", "source")
    return render(
        request,
        "funds/public.html",
        {"allocations": allocations.order_by("-allocated_on", "-id")[:500], "names": region_names()},
    )
