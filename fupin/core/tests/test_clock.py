"""The one clock: the county's date, moved by time-machine in tests and by `as_of` in the demo."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from fupin.core import clock

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_today_is_the_countys_date_not_the_servers(time_machine):
    # 20:00 in London is already the next morning in Jinxiang.
    time_machine.move_to(datetime(2026, 6, 1, 20, 0, tzinfo=UTC), tick=False)
    assert clock.today() == date(2026, 6, 2)
    assert clock.now() == datetime(2026, 6, 2, 4, 0, tzinfo=SHANGHAI)
    assert clock.now().utcoffset().total_seconds() == 8 * 3600


def test_as_of_a_day_keeps_the_time_of_day_and_ends_with_the_block(time_machine):
    time_machine.move_to(datetime(2026, 6, 1, 9, 30, tzinfo=SHANGHAI), tick=False)
    with clock.as_of(date(2018, 3, 1)):
        assert clock.today() == date(2018, 3, 1)
        assert clock.now() == datetime(2018, 3, 1, 9, 30, tzinfo=SHANGHAI)
    assert clock.today() == date(2026, 6, 1)


def test_as_of_a_moment_and_nested_blocks(time_machine):
    time_machine.move_to(datetime(2026, 6, 1, 9, 30, tzinfo=SHANGHAI), tick=False)
    with clock.as_of(datetime(2020, 1, 2, 15, 0, tzinfo=UTC)):
        assert clock.now() == datetime(2020, 1, 2, 23, 0, tzinfo=SHANGHAI)
        with clock.as_of(date(2019, 5, 5)):
            assert clock.today() == date(2019, 5, 5)
        assert clock.today() == date(2020, 1, 2)
    assert clock.now() == datetime(2026, 6, 1, 9, 30, tzinfo=SHANGHAI)
