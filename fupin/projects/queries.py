"""Reads of the project library that its pages and its API share: filters, money, statistics, timeline."""

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Substr

from fupin.core import clock
from fupin.core.models import AuditEvent
from fupin.core.money import yuan

from .models import Project


def with_money(queryset):
    return queryset.annotate(
        allocated_sum=Sum("allocations__net_amount", filter=_originals()),
        paid_sum=Sum("allocations__paid", filter=_originals()),
    )


def _originals():
    return Q(allocations__reverses__isnull=True)


def filtered(rows, state="", type="", year=None, region="", q="", behind=False):
    if state:
        rows = rows.filter(state=state)
    if type:
        rows = rows.filter(type=type)
    if year:
        rows = rows.filter(year=year)
    if region:
        rows = rows.within(region)
    if q:
        rows = rows.filter(name__contains=q)
    if behind:
        rows = rows.behind_schedule(clock.today())
    return rows


def stat_rows(rows, dimension: str) -> list[dict]:
    if dimension == "town":
        rows = rows.annotate(key=Substr("region_code", 1, 9))
    else:
        rows = rows.annotate(key=F(dimension))
    data = rows.order_by().values("key").annotate(projects=Count("id"), budget=Sum("budget")).order_by("key")
    return [{"key": str(r["key"]), "projects": r["projects"], "budget": yuan(r["budget"])} for r in data]


def timeline(project: Project):
    return AuditEvent.objects.filter(target_type="projects.project", target_id=str(project.pk)).order_by(
        "created_at", "id"
    )
