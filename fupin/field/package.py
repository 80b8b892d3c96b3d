"""What a phone keeps for offline use: the households a user visits, with their members, last visits and
open assistance measures. Masked as everywhere (core/masking.py): ID numbers and phones never leave the
server in full, and beside a masked ID only the birth year."""

from datetime import timedelta

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from fupin.core import clock, scope
from fupin.core.errors import DomainError
from fupin.core.masking import mask_id_number, mask_phone
from fupin.core.regions import region_names
from fupin.registry.enums import MonitoringState
from fupin.registry.models import Household, Member, MonitoringCase, Visit
from fupin.supervision.models import Problem

# A village pinned by a cadre or an officer: more households than that is not a phone's job.
PIN_LIMIT = 500
LAST_VISITS = 3


def households_for(user, village: str | None = None):
    """The user's paired households; with `village`, that village's households the user reads (pinned)."""
    households = Household.objects.visible_to(user).with_head()
    if village:
        prefix = scope.region_param(user, village)
        if len(prefix) != 12:
            raise DomainError(_("Pin one village: give its 12-digit code."), field="village")
        return households.filter(**scope.within_lookup(prefix)).order_by("number")[:PIN_LIMIT]
    return households.filter(helper_pairs__helper=user, helper_pairs__end__isnull=True).order_by("number")


def package(user, village: str | None = None) -> dict:
    today = clock.today()
    recent = Visit.objects.filter(visited_on__gte=today - timedelta(days=366)).select_related("helper")
    households = list(
        households_for(user, village).prefetch_related(
            Prefetch("members", queryset=Member.objects.living()),
            Prefetch("visits", queryset=recent, to_attr="recent_visits"),
            Prefetch(
                "monitoring_cases",
                queryset=MonitoringCase.objects.exclude(state=MonitoringState.CLEARED).prefetch_related(
                    "measures"
                ),
                to_attr="open_cases",
            ),
        )
    )
    names = region_names({h.region_code for h in households})
    return {
        "generated_at": clock.now(),
        "village": village or "",
        "households": [_household(h, names, today) for h in households],
    }


def _household(household: Household, names: dict, today) -> dict:
    return {
        "id": household.pk,
        "number": household.number,
        "village": names.get(household.region_code, household.region_code),
        "head": household.head.name if household.head else "",
        "status": household.get_status_display(),
        "main_cause": household.get_main_cause_display(),
        "phone": mask_phone(household.phone),
        "failing_guarantees": household.failing_guarantees(),
        "members": [
            {
                "name": member.name,
                "relation": member.get_relation_display(),
                "sex": member.get_sex_display(),
                "birth_year": member.birth_date.year,
                "id_number": mask_id_number(member.id_number),
                "health": member.get_health_display(),
                "labour": member.get_labour_display(),
                "phone": mask_phone(member.phone),
            }
            for member in household.members.all()
        ],
        "last_visits": [
            {
                "id": visit.pk,
                "visited_on": visit.visited_on,
                "helper": str(visit.helper),
                "findings": visit.findings,
                "help_given": visit.help_given,
            }
            for visit in household.recent_visits[:LAST_VISITS]
        ],
        "open_measures": [
            {
                "kind": measure.get_kind_display(),
                "description": measure.description,
                "taken_on": measure.taken_on,
                "until": measure.until,
            }
            for case in household.open_cases
            for measure in case.measures.all()
            if measure.until is None or measure.until >= today
        ],
    }


def problems(user) -> dict:
    """The problems the user rectifies now (整改中, assigned to them by name): evidence is made on site."""
    rows = (
        Problem.objects.visible_to(user)
        .filter(responsible=user, state="rectifying")
        .order_by("deadline", "pk")
    )
    rows = list(rows[:PIN_LIMIT])
    names = region_names({p.region_code for p in rows})
    return {
        "generated_at": clock.now(),
        "problems": [
            {
                "id": p.pk,
                "number": p.number,
                "title": p.title,
                "description": p.description,
                "place": names.get(p.region_code, p.region_code),
                "deadline": p.deadline,
            }
            for p in rows
        ],
    }
