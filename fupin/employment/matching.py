"""Matching needs to resources (供需精准对接): members with labour ability and no work, each with the open
posts and workshop places nearby (same village first, then the same town), and the offers an officer
records for them: offered → accepted (a placement, through jobs.place) or declined (with a reason).

The list is read in a fixed number of queries whatever its length: one for the people, one for their
open offers, two for the openings of their towns.
"""

from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from fupin.core import audit, clock, scope
from fupin.core.errors import DomainError, TransitionRefused
from fupin.core.money import parse_amount
from fupin.core.scope import require_role
from fupin.registry.enums import ABLE_TO_WORK, REGISTERED_STATUSES, Work
from fupin.registry.models import Member

from . import jobs
from .enums import MATCHERS, OFFERS, OfferState
from .models import Offer, Placement, Post, Workshop
from .services import check_employable

SUGGESTIONS = 5  # openings shown per person


@dataclass
class Opening:
    kind: str  # "workshop" or "post"
    employer: Workshop | Post
    free: int
    same_village: bool = False

    @property
    def id(self) -> int:
        return self.employer.pk

    @property
    def name(self) -> str:
        return self.employer.name if self.kind == "workshop" else self.employer.title

    @property
    def region_code(self) -> str:
        return self.employer.region_code

    @property
    def monthly_wage(self):
        return self.employer.monthly_wage if self.kind == "post" else None


@dataclass
class Candidate:
    member: Member
    openings: list[Opening] = field(default_factory=list)
    offer: Offer | None = None

    @property
    def village_code(self) -> str:
        return self.member.household.region_code


def candidates(user, region: str | None = None, day: date | None = None):
    """Living members of registered households in the user's area (narrowed to `region`), with labour
    ability, not working and not placed in a workshop or on a post (nor starting a placement later)."""
    day = day or clock.today()
    people = Member.objects.living().filter(
        household__in=_households(user, region),
        labour__in=ABLE_TO_WORK,
        work=Work.NONE,
    )
    taken = Placement.objects.current(day).values("member_id")
    return (
        people.exclude(pk__in=taken)
        .select_related("household")
        .order_by("household__region_code", "household__number", "id")
    )


def _households(user, region):
    from fupin.registry.models import Household

    households = Household.objects.visible_to(user).filter(status__in=REGISTERED_STATUSES)
    if region:
        households = households.within(scope.region_param(user, region))
    return households


def openings(town_prefixes: set[str], day: date) -> list[Opening]:
    """Workshops and posts of these towns open on `day` with free places (capacity minus placements
    active on `day`), in two queries."""
    if not town_prefixes:
        return []
    area = scope.within_any(town_prefixes)
    is_open = Q(opened_on__lte=day) & (Q(closed_on__isnull=True) | Q(closed_on__gte=day))
    found = []
    for employer in jobs.with_occupancy(Workshop.objects.filter(area & is_open), day):
        if employer.capacity > employer.employed:
            found.append(Opening("workshop", employer, employer.capacity - employer.employed))
    for employer in jobs.with_occupancy(Post.objects.filter(area & is_open), day):
        if employer.places > employer.employed:
            found.append(Opening("post", employer, employer.places - employer.employed))
    return found


def attach(people, day: date | None = None, limit: int = SUGGESTIONS) -> list[Candidate]:
    """Each person with the suggested openings (same village first, then the same town; the most free
    places first) and their open offer, if any."""
    day = day or clock.today()
    people = list(people)
    towns = {m.household.region_code[:9] for m in people}
    by_town: dict[str, list[Opening]] = {}
    for opening in openings(towns, day):
        by_town.setdefault(opening.region_code[:9], []).append(opening)
    offers = {
        o.member_id: o
        for o in Offer.objects.filter(
            member__in=[m.pk for m in people], state=OfferState.OFFERED
        ).select_related("workshop", "post")
    }
    result = []
    for member in people:
        village = member.household.region_code
        near = []
        for opening in by_town.get(village[:9], []):
            near.append(
                Opening(
                    opening.kind, opening.employer, opening.free, same_village=opening.region_code == village
                )
            )
        near.sort(key=lambda o: (not o.same_village, -o.free, o.kind, o.id))
        result.append(Candidate(member, near[:limit], offers.get(member.pk)))
    return result


# --- Offers -------------------------------------------------------------------------------------------
@transaction.atomic
def make_offer(
    actor, *, member: Member, workshop: Workshop | None = None, post: Post | None = None, monthly_wage=None
) -> Offer:
    """Offer a job in a workshop or on a post to a member (one open offer per person at a time).

    Refused: a person outside the actor's area, not employable (the rules of employment agreements),
    already placed, or with an open offer; an employer the actor cannot reach, closed today or without a
    free place; a wage that is not a positive amount (a post's wage is the default).
    Side effects: the offer row and its audit event.
    """
    require_role(actor, *MATCHERS)
    employer = jobs._employer(workshop, post)
    field_name = jobs._employer_field(employer)
    member = Member.objects.select_for_update().select_related("household").get(pk=member.pk)
    jobs.check_member_in_area(actor, member)
    if not jobs.within(jobs.reach_prefix(actor), employer.region_code):
        raise DomainError(_("This workshop or post lies outside your area."), field=field_name)
    check_employable(member, employer.region_code)
    day = clock.today()
    if Placement.objects.current(day).filter(member=member).exists():
        raise TransitionRefused(
            _("%(name)s is already employed in a workshop or on a post.") % {"name": member.name},
            field="member_id",
        )
    if Offer.objects.filter(member=member, state=OfferState.OFFERED).exists():
        raise TransitionRefused(
            _("%(name)s already has an open offer: record its outcome first.") % {"name": member.name},
            field="member_id",
        )
    if not employer.is_open_on(day):
        raise DomainError(
            _("%(employer)s is not open on %(day)s.") % {"employer": employer, "day": day}, field=field_name
        )
    if jobs.occupied(employer, day) >= jobs.size(employer):
        raise TransitionRefused(
            _("%(employer)s has no free place.") % {"employer": employer},
            field=field_name,
            code="no_free_place",
        )
    if monthly_wage in (None, "") and isinstance(employer, Post):
        monthly_wage = employer.monthly_wage
    wage = parse_amount(monthly_wage, "monthly_wage")
    offer = Offer.objects.create(
        member=member,
        region_code=member.household.region_code,
        workshop=employer if isinstance(employer, Workshop) else None,
        post=employer if isinstance(employer, Post) else None,
        monthly_wage=wage,
        offered_on=day,
        offered_by=actor,
    )
    audit.record(
        actor=actor,
        action="benefits.offer.make",
        region_code=offer.region_code,
        target=offer,
        after={field_name: employer.pk, "member": member.pk, "monthly_wage": wage},
    )
    return offer


def _lock(offer: Offer) -> Offer:
    return Offer.objects.select_for_update().get(pk=offer.pk)


@transaction.atomic
def accept_offer(actor, offer: Offer, *, started_on: date | None = None) -> Offer:
    """The person took the job: the placement starts on `started_on` (today), created by jobs.place in
    this same transaction, so that a refused placement (no free place any more…) leaves the offer open.
    Side effects: the placement and its audit event, the offer accepted and its audit event."""
    offer = _lock(offer)
    step = OFFERS.check(actor, offer, "accept")
    placement = jobs.place(
        actor,
        member=offer.member,
        workshop=offer.workshop,
        post=offer.post,
        started_on=started_on or clock.today(),
        monthly_wage=offer.monthly_wage,
    )
    offer.state, offer.placement = step.target, placement
    offer.decided_on, offer.decided_by = clock.today(), actor
    offer.save(update_fields=["state", "placement", "decided_on", "decided_by"])
    audit.record(
        actor=actor,
        action="benefits.offer.accept",
        region_code=offer.region_code,
        target=offer,
        before={"state": OfferState.OFFERED},
        after={"state": OfferState.ACCEPTED, "placement": placement.pk},
    )
    return offer


@transaction.atomic
def decline_offer(actor, offer: Offer, *, reason) -> Offer:
    """The person turned the job down, for a reason that is recorded (required).
    Side effects: the offer declined with its reason, and an audit event."""
    offer = _lock(offer)
    step = OFFERS.check(actor, offer, "decline", reason=reason)
    offer.state, offer.reason = step.target, reason.strip()[:200]
    offer.decided_on, offer.decided_by = clock.today(), actor
    offer.save(update_fields=["state", "reason", "decided_on", "decided_by"])
    audit.record(
        actor=actor,
        action="benefits.offer.decline",
        region_code=offer.region_code,
        target=offer,
        before={"state": OfferState.OFFERED},
        after={"state": OfferState.DECLINED},
        note=offer.reason,
    )
    return offer
