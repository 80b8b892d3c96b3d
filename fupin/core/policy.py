"""Policy numbers as configuration (DESIGN.md §3), per region and year.

`value(key, region_code, year)` answers with the most specific setting: the region nearest to
`region_code` (village, then town, county, city, province) that has one; within it the given year, else
the latest earlier year, else the setting for every year; and finally the built-in default below, which
is Jinxiang's value from the seed where the seed gives one.
"""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import audit
from .enums import PREFIX_LENGTH
from .errors import DomainError
from .models import PolicySetting, Region


@dataclass(frozen=True)
class Policy:
    key: str
    label: str
    unit: str
    kind: type  # Decimal or int
    default: Decimal | int
    minimum: Decimal | int = 0
    maximum: Decimal | int | None = None

    def parse(self, raw) -> Decimal | int:
        text = str(raw).strip()
        try:
            number = Decimal(text) if self.kind is Decimal else int(text)
        except (InvalidOperation, ValueError):
            raise ValueError(_("“%(value)s” is not a valid number.") % {"value": raw}) from None
        if self.kind is Decimal:
            if not number.is_finite() or number.as_tuple().exponent < -2:
                raise ValueError(_("Use a number with at most 2 decimal places."))
            number = number.quantize(Decimal("0.01"))
        if number < self.minimum:
            raise ValueError(_("Must be at least %(minimum)s.") % {"minimum": self.minimum})
        if self.maximum is not None and number > self.maximum:
            raise ValueError(_("Must be at most %(maximum)s.") % {"maximum": self.maximum})
        return number


def _p(key, label, unit, kind, default, minimum=0, maximum=None):
    return Policy(
        key, label, unit, kind, kind(default), kind(minimum), None if maximum is None else kind(maximum)
    )


yuan, days, people = gettext_lazy("yuan"), gettext_lazy("working days"), gettext_lazy("people")
POLICIES: dict[str, Policy] = {
    p.key: p
    for p in [
        _p(
            "poverty_line",
            gettext_lazy("Poverty line (per-capita net income)"),
            gettext_lazy("yuan/person/year"),
            Decimal,
            "4000.00",
        ),
        _p(
            "identification_line",
            gettext_lazy("Identification line for entry (per-capita net income)"),
            gettext_lazy("yuan/person/year"),
            Decimal,
            "4000.00",
        ),
        _p(
            "working_age_from",
            gettext_lazy("Working age from (younger members have no labour ability)"),
            gettext_lazy("years of age"),
            int,
            16,
            16,
            18,
        ),
        _p(
            "working_age_to", gettext_lazy("Working age up to"), gettext_lazy("years of age"), int, 60, 50, 70
        ),
        _p(
            "employment_min_monthly_wage",
            gettext_lazy("Lowest monthly wage of an agreement that counts as a job"),
            gettext_lazy("yuan/month"),
            Decimal,
            "1000.00",
        ),
        _p(
            "employment_min_months",
            gettext_lazy("Shortest agreement that counts as a job"),
            gettext_lazy("months"),
            int,
            6,
            1,
        ),
        _p(
            "employment_allow_post_and_workshop",
            gettext_lazy("A public-welfare post and a workshop job over the same months (1 allows, 0 not)"),
            gettext_lazy("1 or 0"),
            int,
            0,
            0,
            1,
        ),
        _p(
            "monitoring_line",
            gettext_lazy("Monitoring line for relapse prevention"),
            gettext_lazy("yuan/person/year"),
            Decimal,
            "6000.00",
        ),
        _p(
            "household_notice_days",
            gettext_lazy("Notice period for household identification and exit"),
            days,
            int,
            7,
            1,
        ),
        _p(
            "project_notice_days",
            gettext_lazy("Notice period before a project enters the library"),
            days,
            int,
            10,
            10,
        ),
        _p(
            "monitoring_identification_days",
            gettext_lazy("Time limit to identify a household at risk"),
            days,
            int,
            15,
            1,
        ),
        _p(
            "monitoring_measure_months",
            gettext_lazy("Months an assistance measure is in effect before the risk is cleared"),
            gettext_lazy("months"),
            int,
            3,
            1,
        ),
        _p(
            "employment_unit_industrial",
            gettext_lazy("Project funds per job: industrial projects"),
            yuan,
            Decimal,
            "50000.00",
            1,
        ),
        _p(
            "employment_unit_financial",
            gettext_lazy("Project funds per job: financial projects"),
            yuan,
            Decimal,
            "100000.00",
            1,
        ),
        _p(
            "review_pass_mark",
            gettext_lazy("Pass mark of the expert review"),
            gettext_lazy("points"),
            int,
            60,
            1,
        ),
        _p("review_expert_count", gettext_lazy("Experts drawn per review"), people, int, 5, 3),
        _p(
            "dividend_payment_days",
            gettext_lazy("Days to pay dividends after plan approval"),
            days,
            int,
            10,
            1,
        ),
        _p(
            "dividend_notice_days",
            gettext_lazy("Notice period of a dividend distribution plan"),
            days,
            int,
            5,
            1,
        ),
        _p(
            "dividend_keep_exited",
            gettext_lazy("Dividends also to households no longer supported (1 yes, 0 no)"),
            gettext_lazy("1 or 0"),
            int,
            0,
            0,
            1,
        ),
        _p(
            "idle_fund_days",
            gettext_lazy("Days after which an unpaid allocation counts as idle"),
            gettext_lazy("days"),
            int,
            90,
            1,
        ),
        _p("problem_deadline_days", gettext_lazy("Default deadline to rectify a problem"), days, int, 10, 1),
        _p("problem_reminder_days", gettext_lazy("Reminder before a problem's deadline"), days, int, 2, 0),
        _p(
            "problem_listed_days",
            gettext_lazy("Overdue days before a problem is listed for supervision"),
            days,
            int,
            5,
            1,
        ),
        _p(
            "lecture_travel_buffer_minutes",
            gettext_lazy("Travel buffer between two lectures"),
            gettext_lazy("minutes"),
            int,
            30,
            0,
        ),
        _p(
            "workshop_min_months",
            gettext_lazy("Workshop rule: months employed per registered worker"),
            gettext_lazy("months"),
            int,
            3,
            1,
        ),
        _p(
            "workshop_min_wage",
            gettext_lazy("Workshop rule: yearly wage per registered worker"),
            yuan,
            Decimal,
            "5000.00",
            1,
        ),
    ]
}

# Shandong's provincial poverty lines before 2021 and the national monitoring line from 2021, as set in
# the demo for Jinxiang. They are configuration: a county elsewhere enters its own province's figures.
JINXIANG_YEARLY = {
    "poverty_line": {
        2015: "3322.00",
        2016: "3402.00",
        2017: "3609.00",
        2018: "3609.00",
        2019: "3609.00",
        2020: "4000.00",
    },
    "monitoring_line": {2021: "6000.00"},
    # Identification used the provincial line of the year; after 2020 it stays at 4,000 yuan (no new entries
    # are expected, relapse risk goes to monitoring instead).
    "identification_line": {
        2015: "3322.00",
        2016: "3402.00",
        2017: "3609.00",
        2018: "3609.00",
        2019: "3609.00",
        2020: "4000.00",
    },
}


def _region_prefixes(region_code: str) -> list[str]:
    """Codes of the regions that contain `region_code`, most specific first."""
    lengths = sorted(set(PREFIX_LENGTH.values()), reverse=True)
    codes = []
    for length in lengths:
        code = region_code[:length].ljust(12, "0")
        if code not in codes:
            codes.append(code)
    return codes


def lookup(key: str, region_code: str, year: int | None = None) -> tuple[Decimal | int, PolicySetting | None]:
    """The value in force and the setting it came from (None: the built-in default)."""
    definition = POLICIES[key]
    candidates = list(
        PolicySetting.objects.select_related("region").filter(
            key=key, region_id__in=_region_prefixes(region_code)
        )
    )
    by_region: dict[str, list[PolicySetting]] = {}
    for setting in candidates:
        by_region.setdefault(setting.region_id, []).append(setting)
    for code in _region_prefixes(region_code):
        settings = by_region.get(code, [])
        dated = sorted(
            (s for s in settings if s.year is not None and (year is None or s.year <= year)),
            key=lambda s: s.year,
            reverse=True,
        )
        undated = [s for s in settings if s.year is None]
        chosen = (dated or undated or [None])[0] if year is not None else (undated or dated or [None])[0]
        if chosen is not None:
            return definition.parse(chosen.value), chosen
    return definition.default, None


def value(key: str, region_code: str, year: int | None = None) -> Decimal | int:
    return lookup(key, region_code, year)[0]


@transaction.atomic
def set_value(actor, key: str, region: Region, year: int | None, raw, note: str = "") -> PolicySetting:
    definition = POLICIES.get(key)
    if definition is None:
        raise DomainError(_("Unknown policy setting “%(key)s”.") % {"key": key}, field="key")
    if year is not None and not 2000 <= year <= 2100:
        raise DomainError(_("The year must lie between 2000 and 2100."), field="year")
    try:
        parsed = definition.parse(raw)
    except ValueError as exc:
        raise DomainError(f"{definition.label}: {exc}", field="value") from exc
    existing = PolicySetting.objects.filter(key=key, region=region, year=year).first()
    before = {"value": existing.value} if existing else None
    setting, _created = PolicySetting.objects.update_or_create(
        key=key, region=region, year=year, defaults={"value": str(parsed), "note": note}
    )
    audit.record(
        actor=actor,
        action="policy.set",
        region_code=region.code,
        target=setting,
        before=before,
        after={"key": key, "year": year, "value": str(parsed)},
        note=note,
    )
    return setting
