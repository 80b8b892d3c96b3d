"""The clash rule under concurrency, and the exclusion constraint that backs it, on PostgreSQL."""

import threading

import pytest
from django.db import IntegrityError, connection, connections, transaction

from fupin.core.errors import DomainError
from fupin.lectures import services
from fupin.lectures.models import Booking, LectureRequest

from .conftest import at

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs PostgreSQL (DATABASE_URL=postgres://…)"
    ),
]


def test_two_approvals_of_one_lecturer_for_one_slot_at_once_exactly_one_wins(
    file_request, lecture_admin, liu
):
    requests = [file_request(), file_request()]
    barrier = threading.Barrier(2)
    outcomes = []

    def approve(lecture):
        try:
            barrier.wait()
            services.transition(
                lecture_admin, lecture, "approve", lecturer=liu, starts_at=at(10, 9), ends_at=at(10, 11)
            )
            outcomes.append("approved")
        except DomainError as exc:
            outcomes.append(exc.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=approve, args=(lecture,)) for lecture in requests]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["approved", "clash"]
    assert Booking.objects.filter(lecturer=liu).count() == 1
    assert sorted(LectureRequest.objects.values_list("state", flat=True)) == ["approved", "submitted"]


def test_the_exclusion_constraint_refuses_an_overlap_written_past_the_service(approved, liu):
    approved(at(10, 9), at(10, 11))
    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.create(
            lecturer=liu,
            kind="unavailable",
            starts_at=at(10, 10),
            ends_at=at(10, 12),
            blocked_until=at(10, 12),
        )
    # Touching the blocked span (11:00 + 30 minutes of travel) is allowed by the constraint too.
    Booking.objects.create(
        lecturer=liu,
        kind="unavailable",
        starts_at=at(10, 11, 30),
        ends_at=at(10, 12),
        blocked_until=at(10, 12),
    )


def test_the_service_turns_the_constraints_refusal_into_a_clash(approved, liu):
    approved(at(10, 9), at(10, 11))
    with pytest.raises(DomainError) as refused, transaction.atomic():
        services.book(
            liu, kind="unavailable", starts_at=at(10, 10), ends_at=at(10, 12), blocked_until=at(10, 12)
        )
    assert refused.value.code == "clash" and refused.value.message == "刘烨华 在该时段已有安排。"
