"""Where campaigns find their subjects. The urban source (grids) lives in services; projects come from the
project library when it is installed, filtered by the campaign's scope (years, fund levels, types, towns)."""

from django.apps import apps

from fupin.core.scope import prefix_of, within_any

from .enums import Use


def project_subjects(campaign):
    from fupin.projects.models import Project

    scope = campaign.scope or {}
    projects = Project.objects.within(prefix_of(campaign.region_code))
    if scope.get("years"):
        projects = projects.filter(year__in=scope["years"])
    if scope.get("types"):
        projects = projects.filter(type__in=scope["types"])
    if scope.get("towns"):
        projects = projects.filter(within_any(prefix_of(town) for town in scope["towns"]))
    if scope.get("fund_levels") and apps.is_installed("fupin.funds"):
        projects = projects.filter(allocations__source__level__in=scope["fund_levels"]).distinct()
    return [(p, f"{p.name}（{p.year}）", p.region_code) for p in projects.order_by("region_code", "name")]


def register(sources: dict) -> None:
    if apps.is_installed("fupin.projects"):
        sources[Use.PROJECTS] = project_subjects
