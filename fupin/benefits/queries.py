"""Reads that the benefits pages and the API share: one object inside the reader's area, or 404 (the
access policy's answer outside it). Lists and figures have their own read modules: ledger.py, summary.py."""

from fupin.core.scope import get_visible_or_404
from fupin.projects.models import Project
from fupin.registry.models import Household

from .models import DistributionPlan, Revenue


def project(user, pk: int) -> Project:
    return get_visible_or_404(Project.objects.all(), user, pk=pk)


def revenue(user, pk: int) -> Revenue:
    return get_visible_or_404(Revenue.objects.all(), user, pk=pk)


def plan(user, pk: int) -> DistributionPlan:
    """A plan with its project and revenue entry, which every page and answer of a plan shows."""
    return get_visible_or_404(DistributionPlan.objects.select_related("project", "revenue"), user, pk=pk)


def household(user, pk: int) -> Household:
    return get_visible_or_404(Household.objects.all(), user, pk=pk)
