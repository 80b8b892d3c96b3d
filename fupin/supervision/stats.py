"""Ledger statistics (DESIGN.md §4): found, rectified, on time, open overdue, rework, average working days to
close; 动态清零率 = closed ÷ found; 按期率 = closed on time ÷ (closed + open overdue).

Counts come from the database in one grouped query; only the open problems with a deadline are looked at
one by one, because whether they are overdue depends on the working-day calendar and on suspensions.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Substr, TruncMonth

from fupin.core import workdays

from .enums import CLOCK_STATES, State

GROUPS = {
    "campaign": F("campaign__name"),
    "unit": F("responsible_unit"),
    "town": Substr("region_code", 1, 9),  # grouped in SQL, not village by village
    "category": F("category"),
    "month": TruncMonth("found_on"),
}


@dataclass
class Figures:
    found: int = 0
    closed: int = 0
    closed_on_time: int = 0
    open_overdue: int = 0
    reworks: int = 0
    days_to_close: int = 0  # working days, summed over the closed problems
    extra: dict = field(default_factory=dict)

    @property
    def clearance_rate(self) -> Decimal | None:
        return _ratio(self.closed, self.found)

    @property
    def on_time_rate(self) -> Decimal | None:
        return _ratio(self.closed_on_time, self.closed + self.open_overdue)

    @property
    def average_days_to_close(self) -> Decimal | None:
        return _ratio(self.days_to_close, self.closed, percent=False)

    def as_dict(self) -> dict:
        return {
            "found": self.found,
            "closed": self.closed,
            "closed_on_time": self.closed_on_time,
            "open_overdue": self.open_overdue,
            "reworks": self.reworks,
            "clearance_rate": self.clearance_rate,
            "on_time_rate": self.on_time_rate,
            "average_days_to_close": self.average_days_to_close,
        }


def _ratio(part, whole, percent=True) -> Decimal | None:
    if not whole:
        return None
    value = Decimal(part) / Decimal(whole) * (100 if percent else 1)
    return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _key(group: str | None, value):
    if group == "month":
        return value.strftime("%Y-%m") if value else ""
    return (value or "") if group else "all"


def figures(problems, today: date, group: str | None = None) -> dict:
    """Figures per group value (or one entry "all"), for any queryset of problems.

    A handful of grouped queries whatever the number of problems: counts in SQL; overdue in SQL too except
    for the few suspended-and-resumed problems, whose deadline moves by paused working days; working days
    to close as sums of working-day numbers over closing and finding dates, grouped by date.
    """
    column = "group_key" if group in GROUPS else None
    if column:
        problems = problems.annotate(group_key=GROUPS[group])
    values = [column] if column else []
    result: dict = defaultdict(Figures)
    late = Q(state__in=CLOCK_STATES, deadline__lt=today)
    counts = dict(
        found=Count("id"),
        closed=Count("id", filter=Q(state=State.CLOSED)),
        on_time=Count("id", filter=Q(state=State.CLOSED, closed_on_time=True)),
        reworks=Sum("rework_count"),
        overdue=Count("id", filter=late & Q(paused_days=0)),
    )
    rows = (
        problems.values(*values).annotate(**counts).order_by() if values else [problems.aggregate(**counts)]
    )
    for row in rows:
        item = result[_key(group, row.get(column))]
        item.found += row["found"]
        item.closed += row["closed"]
        item.closed_on_time += row["on_time"]
        item.reworks += row["reworks"] or 0
        item.open_overdue += row["overdue"]
    paused = problems.filter(late, paused_days__gt=0).values("deadline", "paused_days", *values)
    for row in paused.annotate(n=Count("id")).order_by():
        if today > workdays.add_working_days(row["deadline"], row["paused_days"]):
            result[_key(group, row.get(column))].open_overdue += row["n"]
    closed = problems.filter(state=State.CLOSED, closed_on__isnull=False)
    for date_field, sign in (("closed_on", 1), ("found_on", -1)):
        for row in closed.values(date_field, *values).annotate(n=Count("id")).order_by():
            days = workdays.working_day_number(row[date_field]) * row["n"]
            result[_key(group, row.get(column))].days_to_close += sign * days
    return dict(result)


def totals(problems, today: date) -> Figures:
    return figures(problems, today).get("all", Figures())


def assessment(prefix: str, month: date, today: date) -> list[dict]:
    """目标责任考核 per person and grid for a month: problems closed, on-time rate, reworks, duty points,
    and a score = 60 × on-time rate + 20 × (1 − reworked share) + points (at most 20)."""
    from .models import Problem, Shift

    following = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
    rows: dict = {}
    closed = Problem.objects.within(prefix).filter(
        grid__isnull=False, responsible__isnull=False, closed_on__gte=month, closed_on__lt=following
    )
    for row in (
        closed.values("responsible__username", "responsible__display_name", "grid__name")
        .annotate(
            n=Count("id"),
            on_time=Count("id", filter=Q(closed_on_time=True)),
            reworked=Count("id", filter=Q(rework_count__gt=0)),
        )
        .order_by()
    ):
        key = (row["responsible__username"], row["grid__name"])
        rows[key] = {
            "person": row["responsible__display_name"] or key[0],
            "grid": key[1],
            "closed": row["n"],
            "on_time": row["on_time"],
            "reworked": row["reworked"],
            "points": 0,
        }
    shifts = Shift.objects.within(prefix).filter(start__date__gte=month, start__date__lt=following)
    for row in (
        shifts.values("staff__username", "staff__display_name", "grid__name")
        .annotate(points=Sum("points"))
        .order_by()
    ):
        key = (row["staff__username"], row["grid__name"])
        entry = rows.setdefault(
            key,
            {
                "person": row["staff__display_name"] or key[0],
                "grid": key[1],
                "closed": 0,
                "on_time": 0,
                "reworked": 0,
                "points": 0,
            },
        )
        entry["points"] = row["points"] or 0
    for entry in rows.values():
        on_time_rate = Decimal(entry["on_time"]) / entry["closed"] if entry["closed"] else Decimal(1)
        reworked_share = Decimal(entry["reworked"]) / entry["closed"] if entry["closed"] else Decimal(0)
        score = 60 * on_time_rate + 20 * (1 - reworked_share) + min(entry["points"], 20)
        entry["on_time_rate"] = (on_time_rate * 100).quantize(Decimal("0.1"))
        entry["score"] = score.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return sorted(rows.values(), key=lambda e: (-e["score"], e["person"]))
