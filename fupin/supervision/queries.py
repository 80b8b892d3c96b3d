"""Reads of the problem ledger that pages and the API share: one filter for the list page, the API, the
export and the statistics, and the order that puts the overdue first."""

from django.db.models import Case, F, IntegerField, Q, Value, When

from fupin.core import clock

from .enums import CLOCK_STATES, OPEN_STATES


def filtered(
    problems, *, region=None, campaign=None, use=None, state=None, category=None, overdue=None, q=None
):
    if region:  # a prefix the caller checked against the user's area (scope.region_param)
        problems = problems.within(region)
    if campaign:
        problems = problems.filter(campaign_id=campaign)
    if use:
        problems = problems.filter(use=use)
    if state:
        problems = problems.filter(state=state)
    if category:
        problems = problems.filter(category=category)
    if overdue is not None:
        # A first cut in SQL (deadline passed); suspensions move a deadline on, so the page marks each row.
        late = Q(state__in=CLOCK_STATES, deadline__lt=clock.today())
        problems = problems.filter(late) if overdue else problems.exclude(late)
    if q and q.strip():
        text = q.strip()
        problems = problems.filter(
            Q(number__startswith=text)
            | Q(title__contains=text)
            | Q(subject_label__contains=text)
            | Q(responsible_unit__contains=text)
        )
    return problems


def overdue_first(problems):
    """Open problems with the nearest (or most passed) deadline first, then the rest, newest first."""
    return (
        problems.select_related("responsible")
        .annotate(
            closed_last=Case(
                When(state__in=OPEN_STATES, then=Value(0)), default=Value(1), output_field=IntegerField()
            )
        )
        .order_by("closed_last", F("deadline").asc(nulls_last=True), "-found_on", "-id")
    )
