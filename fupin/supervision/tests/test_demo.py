"""The demo ledger: the May campaign, problems in every state, escalations, the urban bureau, complaints."""

from django.utils import timezone

from fupin.supervision import stats
from fupin.supervision.enums import State
from fupin.supervision.models import Campaign, Complaint, Grid, Problem, Shift


def test_demo_supervision(demo):
    assert Campaign.objects.filter(name__contains="问题整改季").exists()
    project = Problem.objects.filter(use="projects")
    assert set(project.values_list("state", flat=True)) >= {
        State.REGISTERED,
        State.ASSIGNED,
        State.RECTIFYING,
        State.PENDING_VERIFICATION,
        State.CLOSED,
        State.REJECTED,
    }
    assert Problem.objects.exclude(escalation="none").exists()
    urban = Problem.objects.filter(use="urban")
    assert urban.count() == 220 and Grid.objects.count() == 8 and Shift.objects.exists()
    figures = stats.totals(Problem.objects.all(), timezone.localdate())
    assert figures.open_overdue > 0 and 0 < figures.clearance_rate < 100
    assert Complaint.objects.filter(state="accepted").count() == 2
