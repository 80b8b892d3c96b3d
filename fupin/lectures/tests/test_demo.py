"""The demo tells the seed's story: the statistics read as the newspaper did, every state is there, and
a newcomer finds a request whose approval is refused with the reason."""

import pytest

from fupin.core import audit
from fupin.core.errors import DomainError
from fupin.core.models import User
from fupin.lectures import services, stats
from fupin.lectures.enums import RequestState
from fupin.lectures.models import Lecturer, LectureRequest


def test_the_demo_statistics_read_like_the_seed(demo):
    totals = stats.county_totals(LectureRequest.objects.all())
    assert (totals.team_lectures, totals.requested_lectures) == (2, 12)
    assert 2000 <= totals.people < 2500  # "2000余名党员干部"
    assert Lecturer.objects.count() == 20 and len(set(Lecturer.objects.values_list("unit", flat=True))) == 12
    assert set(LectureRequest.objects.values_list("state", flat=True)) == set(RequestState.values)
    assert Lecturer.objects.get(name="刘烨华").user.username == "lecturer"
    assert all(report.problem is None for report in audit.verify())


def test_a_newcomer_sees_the_clash_refused(demo):
    admin = User.objects.get(username="lectureadmin")
    liu = Lecturer.objects.get(name="刘烨华")
    asking = LectureRequest.objects.get(state="submitted", preferred_lecturer=liu)

    with pytest.raises(DomainError) as refused:
        services.transition(
            admin,
            asking,
            "approve",
            lecturer=liu,
            starts_at=asking.preferred_start,
            ends_at=asking.preferred_end,
        )
    assert "刘烨华 在" in refused.value.message and "金乡县住房和城乡建设局" in refused.value.message
