"""Each kind of offline record, stored by the service that stores it online (same rules, same audit)."""

from django.utils.translation import gettext as _

from fupin.core import access, inputs
from fupin.core.errors import DomainError
from fupin.registry import services as registry
from fupin.registry.models import HelperPair, Household
from fupin.supervision import services as supervision
from fupin.supervision.models import Problem


def store_visit(actor, payload: dict, photos: list):
    """A monthly visit, as `registry.services.record_visit` records it from the visit page. A household the
    helper is no longer paired with is refused with the day the pair ended, so the phone can say why."""
    access.require(actor, access.Action.VISIT)
    household_id = inputs.int_value(payload.get("household"), "household", _("household"), low=1)
    if household_id is None:
        raise DomainError(_("Choose the household visited."), field="household")
    household = Household.objects.visible_to(actor).filter(pk=household_id).first()
    if household is None:
        ended = (
            HelperPair.objects.filter(household_id=household_id, helper=actor, end__isnull=False)
            .order_by("-end")
            .first()
        )
        if ended is not None:
            raise DomainError(
                _(
                    "You are no longer this household's helper (the pairing ended on %(end)s): the visit was "
                    "not recorded."
                )
                % {"end": ended.end.isoformat()},
                field="household",
                code="not_paired",
            )
        raise DomainError(_("Not found, or outside your area."), field="household", code="not_found")
    visited_on = inputs.date_value(payload.get("visited_on"), "visited_on", _("date of visit"))
    if visited_on is None:
        raise DomainError(_("Give the date of the visit."), field="visited_on")
    visit = registry.record_visit(
        actor,
        household,
        visited_on=visited_on,
        findings=_text(payload.get("findings")),
        help_given=_text(payload.get("help_given")),
        latitude=payload.get("latitude"),
        longitude=payload.get("longitude"),
        photos=photos,
    )
    return visit, household.region_code


def _text(value) -> str:
    return value if isinstance(value, str) else ""


def store_evidence(actor, payload: dict, photos: list):
    """Rectification evidence (整改材料) for a problem the user rectifies: the "submit" step of the problem
    ledger, with its photos as the evidence it requires; who may take it is the ledger's rule."""
    problem_id = inputs.int_value(payload.get("problem"), "problem", _("problem"), low=1)
    problem = Problem.objects.visible_to(actor).filter(pk=problem_id).first() if problem_id else None
    if problem is None:
        raise DomainError(_("Not found, or outside your area."), field="problem", code="not_found")
    problem = supervision.transition(
        actor, problem, "submit", comment=_text(payload.get("comment")), attachments=photos
    )
    return problem, problem.region_code


def store_urban_problem(actor, payload: dict, photos: list):
    """A grid worker's new urban problem (城市管理) found on patrol, with its photos: opened by the ledger's
    own `open_problem` (area, category, date rules), the photos attached as the first comment's evidence."""
    found_on = inputs.date_value(payload.get("found_on"), "found_on", _("found on"))
    if found_on is None:
        raise DomainError(_("Give the day the problem was found."), field="found_on")
    problem = supervision.open_problem(
        actor,
        use="urban",
        category=_text(payload.get("category")),
        title=_text(payload.get("title")),
        region_code=_text(payload.get("region")),
        found_on=found_on,
        description=_text(payload.get("description")),
    )
    if photos:
        comment = _text(payload.get("description")).strip() or problem.title
        problem = supervision.transition(actor, problem, "comment", comment=comment, attachments=photos)
    return problem, problem.region_code
