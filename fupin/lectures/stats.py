"""Statistics of the lecture module, in the seed's terms (专题宣讲 N 次，廉政宣讲 M 次，受教育 X 人次).

Everything here reads a queryset the caller already narrowed to the user's scope, and answers with a
handful of aggregate queries whatever the number of lectures.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q, Sum
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from .enums import DELIVERED_STATES, LectureMode, RequestState
from .scoring import CRITERION_FIELDS

DELIVERED = Q(state__in=DELIVERED_STATES)
CANCELLED = Q(state__in=[RequestState.CANCELLED, RequestState.NO_SHOW])
# Who was there: the feedback form's attendance once filed, the announced audience before.
PEOPLE = Coalesce("feedback__attendance", "audience_size")
DURATION = ExpressionWrapper(F("ends_at") - F("starts_at"), output_field=DurationField())


@dataclass
class CountyTotals:
    team_lectures: int  # 专题宣讲: team tours (组团式) with at least one delivered stop
    requested_lectures: int  # 廉政宣讲: delivered requested lectures (点课式)
    stops: int  # delivered stops of the team tours
    people: int  # 受教育人次
    units: int  # 覆盖单位

    @property
    def sentence(self) -> str:
        return (
            f"累计开展专题宣讲 {self.team_lectures} 次，廉政宣讲 {self.requested_lectures} 次，"
            f"{self.people} 人次党员干部接受了廉政教育，覆盖 {self.units} 个单位"
        )


def county_totals(lectures) -> CountyTotals:
    delivered = lectures.filter(DELIVERED)
    numbers = delivered.aggregate(
        requested=Count("id", filter=Q(mode=LectureMode.REQUESTED)),
        stops=Count("id", filter=Q(mode=LectureMode.TEAM)),
        tours=Count("tour", distinct=True),
        people=Coalesce(Sum(PEOPLE), 0),
        units=Count("unit", distinct=True),
    )
    return CountyTotals(
        team_lectures=numbers["tours"],
        requested_lectures=numbers["requested"],
        stops=numbers["stops"],
        people=numbers["people"],
        units=numbers["units"],
    )


def _hours(duration: timedelta | None) -> float:
    return round(duration.total_seconds() / 3600, 1) if duration else 0.0


def per_lecturer(lectures) -> list[dict]:
    criteria = {f"avg_{field}": Avg(f"feedback__{field}") for field in CRITERION_FIELDS}
    rows = (
        lectures.filter(lecturer__isnull=False)
        .values("lecturer_id", "lecturer__name", "lecturer__unit")
        .annotate(
            delivered=Count("id", filter=DELIVERED),
            duration=Sum(DURATION, filter=DELIVERED),
            people=Coalesce(Sum(PEOPLE, filter=DELIVERED), 0),
            cancelled=Count("id", filter=CANCELLED),
            average=Avg("feedback__weighted_score"),
            **criteria,
        )
        .order_by("-delivered", "lecturer__name")
    )
    return [{**row, "hours": _hours(row["duration"])} for row in rows]


def per_topic(lectures) -> list[dict]:
    return list(
        lectures.values("topic_id", "topic__title")
        .annotate(
            requested=Count("id"),
            delivered=Count("id", filter=DELIVERED),
            people=Coalesce(Sum(PEOPLE, filter=DELIVERED), 0),
            average=Avg("feedback__weighted_score"),
        )
        .order_by("-delivered", "topic__title")
    )


def per_unit(lectures) -> list[dict]:
    return list(
        lectures.values("unit")
        .annotate(
            requested=Count("id"),
            delivered=Count("id", filter=DELIVERED),
            people=Coalesce(Sum(PEOPLE, filter=DELIVERED), 0),
        )
        .order_by("-delivered", "unit")
    )


def per_month(lectures) -> list[dict]:
    rows = (
        lectures.filter(DELIVERED)
        .annotate(month=TruncMonth("starts_at", tzinfo=timezone.get_current_timezone()))
        .values("month")
        .annotate(
            requested=Count("id", filter=Q(mode=LectureMode.REQUESTED)),
            team=Count("id", filter=Q(mode=LectureMode.TEAM)),
            people=Coalesce(Sum(PEOPLE), 0),
        )
        .order_by("month")
    )
    return [{**row, "label": row["month"].strftime("%Y-%m")} for row in rows]


def chart_data(lecturer_rows: list[dict], month_rows: list[dict]) -> dict:
    """What the page's ECharts draw, passed through json_script."""
    return {
        "months": [row["label"] for row in month_rows],
        "requested": [row["requested"] for row in month_rows],
        "team": [row["team"] for row in month_rows],
        "people": [row["people"] for row in month_rows],
        "lecturers": [row["lecturer__name"] for row in lecturer_rows],
        "delivered": [row["delivered"] for row in lecturer_rows],
        # No feedback yet is no score, not a score of 0: ECharts leaves a gap for null.
        "scores": [float(row["average"]) if row["average"] is not None else None for row in lecturer_rows],
    }
