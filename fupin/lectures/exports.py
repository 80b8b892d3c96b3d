"""Excel out: the filtered request list and the statistics tables, written in openpyxl's write-only mode to a
temporary file (like the registry's export), so that a long list passes through without being held in memory.
Headers are the same words as on the pages."""

from django.utils import timezone
from django.utils.translation import gettext as _

from fupin.core import files

from . import stats
from .enums import AudienceKind, LectureMode, RequestState
from .models import LectureRequest
from .scoring import CRITERIA

REQUEST_FIELDS = [
    "id",
    "unit",
    "mode",
    "tour__title",
    "topic__title",
    "preferred_lecturer__name",
    "preferred_start",
    "preferred_end",
    "lecturer__name",
    "starts_at",
    "ends_at",
    "audience_size",
    "audience_kind",
    "place",
    "contact_name",
    "contact_phone",
    "state",
    "reason",
    "feedback__attendance",
    "feedback__weighted_score",
    "created_at",
]
CODED = {"mode": LectureMode, "audience_kind": AudienceKind, "state": RequestState}


def _headers() -> list[str]:
    meta = LectureRequest._meta
    return [
        _("No."),
        str(meta.get_field("unit").verbose_name),
        str(meta.get_field("mode").verbose_name),
        _("Team lecture tour"),
        _("Topic"),
        _("Preferred lecturer"),
        str(meta.get_field("preferred_start").verbose_name),
        str(meta.get_field("preferred_end").verbose_name),
        _("Lecturer"),
        str(meta.get_field("starts_at").verbose_name),
        str(meta.get_field("ends_at").verbose_name),
        str(meta.get_field("audience_size").verbose_name),
        str(meta.get_field("audience_kind").verbose_name),
        str(meta.get_field("place").verbose_name),
        str(meta.get_field("contact_name").verbose_name),
        str(meta.get_field("contact_phone").verbose_name),
        _("State"),
        _("Reason"),
        _("Attendance"),
        _("Weighted score"),
        str(meta.get_field("created_at").verbose_name),
    ]


def _cell(field: str, value):
    if value is None:
        return None
    if field in CODED:
        return str(dict(CODED[field].choices).get(value, value))
    if hasattr(value, "tzinfo"):  # Excel has no time zones: local wall-clock time
        return timezone.localtime(value).replace(tzinfo=None)
    if field == "feedback__weighted_score":
        return float(value)
    return value


def requests_xlsx(lectures) -> str:
    """Write the lectures of a (scoped, filtered) queryset, one row each; returns the file's path."""
    workbook = files.workbook()
    sheet = files.sheet(workbook, _("Lecture requests"))
    sheet.append(_headers())
    rows = lectures.order_by("-created_at", "-id").values_list(*REQUEST_FIELDS)
    for values in rows.iterator(chunk_size=2000):
        sheet.append([_cell(field, value) for field, value in zip(REQUEST_FIELDS, values, strict=True)])
    return files.save_workbook(workbook, "fupin-lectures-")


def _number(value, places=2):
    return round(float(value), places) if value is not None else None


def statistics_xlsx(lectures) -> str:
    """The statistics page's tables, one sheet each, and the county totals in the seed's words."""
    workbook = files.workbook()
    totals = stats.county_totals(lectures)
    sheet = files.sheet(workbook, _("County totals"))
    sheet.append([totals.sentence])
    sheet.append([_("Team lectures (tours)"), totals.team_lectures])
    sheet.append([_("Team lecture stops"), totals.stops])
    sheet.append([_("Requested lectures"), totals.requested_lectures])
    sheet.append([_("People reached"), totals.people])
    sheet.append([_("Units covered"), totals.units])

    sheet = files.sheet(workbook, _("Per lecturer"))
    sheet.append(
        [
            _("Lecturer"),
            _("Work unit"),
            _("Delivered"),
            _("Hours"),
            _("People"),
            _("Average score"),
            *[str(label) for _field, label, _weight in CRITERIA],
            _("Cancelled"),
        ]
    )
    for row in stats.per_lecturer(lectures):
        sheet.append(
            [
                row["lecturer__name"],
                row["lecturer__unit"],
                row["delivered"],
                row["hours"],
                row["people"],
                _number(row["average"]),
                *[_number(row[f"avg_{field}"], 1) for field, _label, _weight in CRITERIA],
                row["cancelled"],
            ]
        )

    sheet = files.sheet(workbook, _("Per topic"))
    sheet.append([_("Topic"), _("Requested"), _("Delivered"), _("People"), _("Average score")])
    for row in stats.per_topic(lectures):
        sheet.append(
            [row["topic__title"], row["requested"], row["delivered"], row["people"], _number(row["average"])]
        )

    sheet = files.sheet(workbook, _("Per unit"))
    sheet.append([_("Unit"), _("Requested"), _("Delivered"), _("People")])
    for row in stats.per_unit(lectures):
        sheet.append([row["unit"], row["requested"], row["delivered"], row["people"]])

    sheet = files.sheet(workbook, _("Per month"))
    sheet.append([_("Month"), _("Requested lectures"), _("Team lecture stops"), _("People")])
    for row in stats.per_month(lectures):
        sheet.append([row["label"], row["requested"], row["team"], row["people"]])
    return files.save_workbook(workbook, "fupin-lecture-stats-")
