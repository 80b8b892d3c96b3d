"""Reads of employment that pages and the API share: lists narrowed to a region of the caller's area,
workshops with their occupancy, latest quarterly status and qualification."""

from django.db.models import OuterRef, Subquery

from fupin.core import clock, scope
from fupin.core.scope import get_visible_or_404
from fupin.projects.models import Project

from . import jobs
from .models import Workshop, WorkshopAssessment


def project(user, pk: int) -> Project:
    """A project inside the reader's area, or 404."""
    return get_visible_or_404(Project.objects.all(), user, pk=pk)


def narrowed(queryset, user, region: str | None):
    """The rows of one region of the user's area (region_param: 400 when malformed, 404 outside)."""
    return queryset.within(scope.region_param(user, region)) if region else queryset


def with_latest_status(queryset):
    latest = WorkshopAssessment.objects.filter(workshop=OuterRef("pk")).order_by("-quarter")
    return queryset.annotate(
        latest_quarter=Subquery(latest.values("quarter")[:1]),
        latest_status=Subquery(latest.values("status")[:1]),
    )


def workshop_rows(queryset, year: int) -> list[Workshop]:
    """Workshops with `employed`, the latest quarterly status and `qualification` for `year`."""
    workshops = list(with_latest_status(jobs.with_occupancy(queryset, clock.today())))
    rules = jobs.qualifications(workshops, year)
    for workshop in workshops:
        workshop.qualification = rules[workshop.pk].as_dict()
    return workshops
