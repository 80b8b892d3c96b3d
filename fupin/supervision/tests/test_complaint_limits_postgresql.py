"""The complaint limit under real concurrency: workers that submit at the same moment on their own database
connections let exactly the limit through, however their requests interleave (row lock on the window)."""

import threading

import pytest
from django.db import connection, connections

from fupin.core.models import RateWindow
from fupin.core.ratelimit import RateLimited
from fupin.supervision import services
from fupin.supervision.models import Complaint

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs PostgreSQL (DATABASE_URL=postgres://…)"
    ),
]

WORKERS = 4


def test_workers_submitting_at_once_let_exactly_the_limit_through(jinxiang):
    limit = services.COMPLAINTS_PER_ADDRESS.count
    barrier = threading.Barrier(WORKERS)
    outcomes = []

    def worker():
        try:
            barrier.wait()
            for _ in range(limit):
                try:
                    services.receive_complaint(
                        None,
                        channel="web",
                        content="村里光伏分红迟迟没有发放到户",
                        region_code="370828107200",
                        ip="203.0.113.7",
                    )
                    outcomes.append("received")
                except RateLimited:
                    outcomes.append("limited")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert outcomes.count("received") == limit and outcomes.count("limited") == limit * (WORKERS - 1)
    assert Complaint.objects.count() == limit
    assert RateWindow.objects.get(key="complaint-address:203.0.113.7").count == limit
