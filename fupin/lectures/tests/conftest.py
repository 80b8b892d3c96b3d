"""Fixtures of the lecture tests: the three roles, two lecturers, a topic, and a clock the services read."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from fupin.core import clock as core_clock
from fupin.core.enums import Role
from fupin.lectures import services

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(day: int, hour: int, minute: int = 0, month: int = 6) -> datetime:
    """A moment of June 2026 in Jinxiang."""
    return datetime(2026, month, day, hour, minute, tzinfo=SHANGHAI)


class Clock:
    """The application's clock, stood still by time-machine; `clock.moment = at(...)` moves it."""

    def __init__(self, time_machine):
        self._time_machine = time_machine

    @property
    def moment(self) -> datetime:
        return core_clock.now()

    @moment.setter
    def moment(self, moment: datetime) -> None:
        self._time_machine.move_to(moment, tick=False)


@pytest.fixture
def clock(time_machine):
    """1 June 2026 08:00 unless a test moves it."""
    standing = Clock(time_machine)
    standing.moment = at(1, 8)
    return standing


@pytest.fixture
def lecture_admin(make_user):
    return make_user("lectureadmin", roles=[Role.LECTURE_ADMIN], unit="金乡县纪委宣传部")


@pytest.fixture
def lecturer_user(make_user):
    return make_user("lecturer", roles=[Role.LECTURER], unit="中共金乡县委党校")


@pytest.fixture
def requester(make_user):
    return make_user("requester", "370828107000", roles=[Role.REQUESTER], unit="司马镇人民政府")


@pytest.fixture
def jishu_requester(make_user):
    return make_user("jishureq", "370828104000", roles=[Role.REQUESTER], unit="鸡黍镇人民政府")


@pytest.fixture
def topic(lecture_admin):
    return services.create_topic(lecture_admin, title="以廉为荣，以贪为耻——浅谈基层党风廉政建设", minutes=120)


@pytest.fixture
def liu(lecture_admin, lecturer_user, topic):
    return services.create_lecturer(
        lecture_admin,
        name="刘烨华",
        unit="中共金乡县委党校",
        topics=[topic],
        user=lecturer_user,
        trial_score=92,
    )


@pytest.fixture
def hu(lecture_admin, topic):
    return services.create_lecturer(lecture_admin, name="胡主任", unit="金乡县纪委监委", topics=[topic])


@pytest.fixture
def file_request(requester, topic, clock):
    def file(start=None, end=None, actor=None, **changes):
        values = {
            "topic": topic,
            "preferred_start": start or at(10, 9),
            "preferred_end": end or at(10, 11),
            "audience_size": 200,
            "audience_kind": "organ",
            "place": "司马镇政府三楼会议室",
            "contact_name": "李某",
            "contact_phone": "13800000000",
            **changes,
        }
        return services.create_request(actor or requester, **values)

    return file


@pytest.fixture
def approved(file_request, lecture_admin, liu):
    """approved(start, end, lecturer=liu) → a request approved for that slot."""

    def approve(start=None, end=None, lecturer=None):
        start, end = start or at(10, 9), end or at(10, 11)
        lecture = file_request(start, end)
        return services.transition(
            lecture_admin, lecture, "approve", lecturer=lecturer or liu, starts_at=start, ends_at=end
        )

    return approve


@pytest.fixture
def delivered(approved, lecture_admin, clock):
    """A lecture 10 June 09:00–11:00, confirmed and delivered; the clock stands at 11:30."""
    lecture = approved()
    services.transition(lecture_admin, lecture, "confirm")
    clock.moment = at(10, 11, 30)
    return services.transition(lecture_admin, lecture, "deliver")
