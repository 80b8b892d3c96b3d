"""Reading warnings: the filters shared by the list page, its export and the API, the statistics and the
inbox counts."""

from datetime import date, timedelta

from django.db.models import Case, Count, DurationField, ExpressionWrapper, F, IntegerField, Q, When
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext as _

from fupin.core import access, clock, scope
from fupin.core.access import Kind
from fupin.core.errors import DomainError

from .enums import HANDLED_STATES, LEVEL_ORDER, ON_TIME_DAYS, OPEN_STATES, Level, State
from .models import Warning
from .rules import RULES


def _choice(value, allowed, field: str, label: str):
    if value in (None, ""):
        return None
    if value not in allowed:
        raise DomainError(
            _("%(label)s: unknown value “%(value)s”.") % {"label": label, "value": value}, field=field
        )
    return value


def filtered(user, *, region=None, rule=None, level=None, state=None):
    """The warnings this user reads, filtered; a bad filter is a DomainError naming its field."""
    warnings = Warning.objects.visible_to(user)
    prefix = scope.region_param(user, region) if region else None
    if prefix:
        warnings = warnings.within(prefix)
    if _choice(rule, RULES, "rule", _("Rule")):
        warnings = warnings.filter(rule=rule)
    if _choice(level, Level.values, "level", _("Level")):
        warnings = warnings.filter(level=level)
    if state == "open":
        warnings = warnings.filter(state__in=OPEN_STATES)
    elif _choice(state, State.values, "state", _("State")):
        warnings = warnings.filter(state=state)
    return warnings


def to_handle(user):
    """Open warnings this user may handle (their roles are among the rule's handlers); an escalated red
    warning is the county's too."""
    if not access.may(user, access.Action.HANDLE_WARNING):
        return Warning.objects.none()
    rules = [code for code, rule in RULES.items() if user.has_role(*rule.handlers)]
    return Warning.objects.visible_to(user).filter(state__in=OPEN_STATES, rule__in=rules)


def stats(user, region=None) -> dict:
    warnings = filtered(user, region=region)
    open_ = warnings.filter(state__in=OPEN_STATES)
    by_level = {level: 0 for level in Level.values}
    by_level.update(dict(open_.values_list("level").annotate(n=Count("id")).order_by()))
    by_rule = dict(open_.values_list("rule").annotate(n=Count("id")).order_by())
    towns: dict[str, int] = {}
    for code, n in open_.values_list("region_code").annotate(n=Count("id")).order_by():
        town = code[:9].ljust(12, "0")
        towns[town] = towns.get(town, 0) + n
    closed = warnings.filter(state__in=[State.DONE, State.DISMISSED, State.CLEARED]).aggregate(
        n=Count("id"), escalated=Count("id", filter=Q(escalated_on__isnull=False))
    )
    return {
        "open": open_.count(),
        "by_level": by_level,
        "by_rule": {code: by_rule.get(code, 0) for code in RULES},
        "by_town": towns,
        "closed": closed["n"],
        "escalated": warnings.filter(escalated_on__isnull=False, state__in=OPEN_STATES).count(),
        **closing(warnings),
        "trend": trend(warnings),
    }


def closing(warnings) -> dict:
    """How warnings closed by a person (已办结, 误报) fared: the average days from raised to closed, and the
    share closed within the days their level allows (enums.ON_TIME_DAYS). Counted in one grouped query:
    per level and number of days."""
    days = ExpressionWrapper(F("closed_on") - F("raised_on"), output_field=DurationField())
    rows = (
        warnings.filter(state__in=HANDLED_STATES, closed_on__isnull=False)
        .annotate(took=days)
        .values_list("level", "took")
        .annotate(n=Count("id"))
        .order_by()
    )
    total = total_days = on_time = 0
    for level, took, n in rows:
        took_days = took.days if hasattr(took, "days") else int(took or 0)
        total, total_days = total + n, total_days + took_days * n
        if took_days <= ON_TIME_DAYS.get(level, 0):
            on_time += n
    return {
        "handled": total,
        "average_days_to_close": round(total_days / total, 1) if total else None,
        "closed_on_time_share": round(100 * on_time / total, 1) if total else None,
    }


def trend(warnings, months: int = 12) -> list[dict]:
    """Raised and closed per month, the last `months` months up to today's."""
    today = clock.today()
    index = today.year * 12 + today.month - 1 - (months - 1)
    first = date(index // 12, index % 12 + 1, 1)
    raised = dict(
        warnings.filter(raised_on__gte=first)
        .annotate(month=TruncMonth("raised_on"))
        .values_list("month")
        .annotate(n=Count("id"))
        .order_by()
    )
    closed = dict(
        warnings.filter(closed_on__gte=first)
        .annotate(month=TruncMonth("closed_on"))
        .values_list("month")
        .annotate(n=Count("id"))
        .order_by()
    )
    found, month = [], first
    while month <= today:
        found.append(
            {"month": f"{month:%Y-%m}", "raised": raised.get(month, 0), "closed": closed.get(month, 0)}
        )
        month = (month + timedelta(days=32)).replace(day=1)
    return found


def readable(user) -> bool:
    return access.can_read(user, Kind.WARNINGS)


def most_urgent_first(warnings):
    """Escalated first, then red, orange, yellow, then the oldest."""
    rank = Case(
        *[When(level=level, then=i) for i, level in enumerate(LEVEL_ORDER)], output_field=IntegerField()
    )
    return warnings.annotate(rank=rank).order_by(
        F("escalated_on").desc(nulls_last=True), "-rank", "raised_on", "id"
    )


def waiting_elsewhere(user) -> list[tuple[str, int, str]]:
    """Counts of what already waits for the user in other modules (label, count, URL): inbox.py."""
    from .inbox import waiting_elsewhere as counted

    return counted(user)


def dismissals_to_review(user):
    """False alarms not yet reviewed, of the rules this user owns (rules.Rule.owner), in their area."""
    rules = [code for code, rule in RULES.items() if user.has_role(rule.owner)]
    return (
        Warning.objects.visible_to(user)
        .filter(state=State.DISMISSED, review="", rule__in=rules)
        .order_by("closed_on", "id")
    )


def reviewed_dismissals(user):
    rules = [code for code, rule in RULES.items() if user.has_role(rule.owner)]
    return (
        Warning.objects.visible_to(user)
        .filter(state=State.DISMISSED, rule__in=rules)
        .exclude(review="")
        .select_related("reviewed_by")
        .order_by("-reviewed_on", "-id")
    )


def town_names(codes) -> dict[str, str]:
    from fupin.core.models import Region

    return dict(Region.objects.filter(code__in=list(codes)).values_list("code", "name"))
