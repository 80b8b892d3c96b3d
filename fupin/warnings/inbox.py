"""What already waits for the user in the other modules, counted for the to-do inbox (`/inbox/`,
`GET /api/v1/inbox`): gate steps to approve, reviews to score, problems assigned, dividend plans to review,
lecture requests to approve. Read only, each through the module's own models and rules (imported in
sources.py), each count inside the rows the user may read, and only for the roles that act on it."""

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from fupin.core import access
from fupin.core.access import Action, Kind

from . import sources as s


def _gate_steps(user) -> int | None:
    """Open gate procedures (识别, 退出) whose next step is an approval the user's roles take."""
    if not access.can_read(user, Kind.REGISTRY):
        return None
    waiting = Q(pk__in=[])
    for gate, steps in s.GATE_STEPS.items():
        for current, following in zip(steps, steps[1:], strict=False):
            if following in s.APPROVAL_STEPS[gate] and user.has_role(*s.STEP_ROLES.get(following, ())):
                waiting |= Q(gate=gate, step=current)
    if waiting == Q(pk__in=[]):
        return None
    households = s.Household.objects.visible_to(user)
    return s.Procedure.objects.filter(waiting, finished_at__isnull=True, household__in=households).count()


def _reviews_to_score(user) -> int | None:
    """Review seats of this expert still waiting for their score."""
    if not access.may(user, Action.SCORE):
        return None
    return s.Seat.objects.filter(
        expert__user=user, submitted_at__isnull=True, withdrawn="", review__state=s.ReviewState.SCORING
    ).count()


def _problems(user) -> int | None:
    if not (access.can_read(user, Kind.INSPECTION) or access.can_read(user, Kind.URBAN)):
        return None
    return s.Problem.objects.visible_to(user).open().filter(responsible=user).count()


def _plans_to_review(user) -> int | None:
    """Draft distribution plans of the user's area, waiting for the village review (村民代表会议审议)."""
    if not (access.can_read(user, Kind.BENEFITS) and access.may(user, Action.WRITE_BENEFITS)):
        return None
    return s.DistributionPlan.objects.visible_to(user).filter(state=s.PlanState.DRAFT).count()


def _lectures_to_approve(user) -> int | None:
    if not access.may(user, Action.MANAGE_LECTURES):
        return None
    return s.LectureRequest.objects.visible_to(user).filter(state=s.RequestState.SUBMITTED).count()


def waiting_elsewhere(user) -> list[tuple[str, int, str]]:
    """(label, count, URL) of each kind of work that waits for this user; kinds their roles never do are
    left out, kinds with nothing waiting show 0."""
    kinds = [
        (_gate_steps, _("Gate steps to approve"), "registry:households", ""),
        (_reviews_to_score, _("Reviews to score"), "projects:reviews", ""),
        (_problems, _("Problems assigned to me"), "supervision:problems", ""),
        (_plans_to_review, _("Dividend plans to review"), "benefits:plans", "?state=draft"),
        (_lectures_to_approve, _("Lecture requests to approve"), "lecture-requests", "?state=submitted"),
    ]
    found = []
    for count, label, url_name, query in kinds:
        n = count(user)
        if n is not None:
            found.append((label, n, reverse(url_name) + query))
    return found


def total_elsewhere(user) -> int:
    return sum(n for _label, n, _url in waiting_elsewhere(user))
