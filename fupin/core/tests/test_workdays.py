"""Deadlines in working days: weekends and holidays off, make-up workdays (调休) on."""

from datetime import date, timedelta

import pytest

from fupin.core import workdays
from fupin.core.enums import CalendarDayKind, CalendarSource
from fupin.core.errors import DomainError
from fupin.core.models import AuditEvent, CalendarDay


@pytest.fixture(autouse=True)
def fresh_cache():
    workdays.clear_cache()
    yield
    workdays.clear_cache()


def test_library_days_are_seeded(db):
    national_day = CalendarDay.objects.get(date=date(2025, 10, 8))
    assert national_day.kind == CalendarDayKind.HOLIDAY
    assert national_day.name in {"国庆节", "中秋节"}
    makeup = CalendarDay.objects.get(date=date(2025, 9, 28))  # a Sunday worked before National Day
    assert makeup.kind == CalendarDayKind.WORKDAY and makeup.source == CalendarSource.LIBRARY


def test_plain_week(db):
    assert workdays.add_working_days(date(2025, 3, 3), 5) == date(2025, 3, 10)  # Mon + 5 → next Mon
    assert workdays.add_working_days(date(2025, 3, 7), 1) == date(2025, 3, 10)  # Fri + 1 → Mon
    assert workdays.add_working_days(date(2025, 3, 7), 0) == date(2025, 3, 7)


def test_national_day_week_and_makeup_sunday(db):
    # 2025: 9-28 (Sun) worked, 10-1..10-8 off, 10-11 (Sat) worked.
    assert workdays.is_working_day(date(2025, 9, 28))
    assert not workdays.is_working_day(date(2025, 10, 6))
    assert workdays.add_working_days(date(2025, 9, 26), 1) == date(2025, 9, 28)
    assert workdays.add_working_days(date(2025, 9, 30), 1) == date(2025, 10, 9)
    assert workdays.add_working_days(date(2025, 9, 30), 3) == date(2025, 10, 11)


def test_working_days_between(db):
    assert workdays.working_days_between(date(2025, 9, 30), date(2025, 10, 9)) == 1
    assert workdays.working_days_between(date(2025, 10, 9), date(2025, 9, 30)) == -1
    assert workdays.working_days_between(date(2025, 3, 3), date(2025, 3, 3)) == 0


def test_negative_count_is_refused(db):
    with pytest.raises(ValueError):
        workdays.add_working_days(date(2025, 3, 3), -1)


def test_admin_extends_a_future_year(county_admin):
    # A year the library may not know: the admin enters its holiday and make-up day.
    workdays.set_day(county_admin, date(2030, 10, 2), CalendarDayKind.HOLIDAY, "国庆节")
    workdays.set_day(county_admin, date(2030, 9, 29), CalendarDayKind.WORKDAY, "国庆节调休上班")
    assert not workdays.is_working_day(date(2030, 10, 2))
    assert workdays.is_working_day(date(2030, 9, 29))
    assert workdays.add_working_days(date(2030, 10, 1), 1) == date(2030, 10, 3)
    event = AuditEvent.objects.filter(action="calendar.set_day").order_by("seq").last()
    assert event.actor == county_admin and event.after["name"] == "国庆节调休上班"


def test_weekday_cannot_be_a_makeup_workday(county_admin):
    with pytest.raises(DomainError) as exc:
        workdays.set_day(county_admin, date(2030, 10, 2), CalendarDayKind.WORKDAY)
    assert exc.value.fields == {"date": exc.value.message}
    assert not CalendarDay.objects.filter(date=date(2030, 10, 2)).exists()


def test_sync_keeps_admin_days(county_admin):
    workdays.set_day(county_admin, date(2025, 10, 8), CalendarDayKind.HOLIDAY, "县里改过的名字")
    CalendarDay.objects.filter(date=date(2025, 1, 1)).delete()
    assert workdays.sync_from_library() == 1
    assert CalendarDay.objects.get(date=date(2025, 10, 8)).name == "县里改过的名字"
    assert workdays.covered_until() >= date(2025, 12, 31)


def test_long_spans_use_the_day_numbers(db):
    # Over 60 days the count comes from cumulative day numbers; it must agree with counting day by day.
    start, end = date(2025, 1, 1), date(2025, 12, 31)
    by_day = sum(
        1 for i in range(1, (end - start).days + 1) if workdays.is_working_day(start + timedelta(days=i))
    )
    assert workdays.working_days_between(start, end) == by_day == 248
    assert workdays.working_days_between(end, start) == -248
