"""Reads of the funds other apps ask for (registered with `projects.funding` in `FundsConfig.ready()`)."""

from decimal import Decimal

from django.db.models import Sum

from .models import Allocation


def allocated_total(project) -> Decimal:
    total = Allocation.objects.filter(project=project, reverses__isnull=True).aggregate(s=Sum("net_amount"))
    return total["s"] or Decimal("0.00")


def project_allocations(project):
    return Allocation.objects.filter(project=project, reverses__isnull=True).select_related("source")
