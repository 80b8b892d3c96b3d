"""Workshops (扶贫车间) and posts (扶贫岗/公益岗位), the people placed in them, their months and wages per
year, the workshop qualification rule and the workshops' quarterly status.

Each write is one audited transaction; a refused write raises DomainError with a Chinese message naming
the field, and nothing is written.
"""

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from fupin.core import access, audit, clock, policy, scope
from fupin.core.errors import DomainError, TransitionRefused
from fupin.core.models import Region
from fupin.core.money import parse_amount
from fupin.core.scope import require_role
from fupin.projects.models import Project
from fupin.registry.enums import REGISTERED_STATUSES
from fupin.registry.models import Member

from .enums import MATCHERS, WRITERS, OperatorKind, PostKind, WorkshopStatus
from .models import Placement, Post, WorkRecord, Workshop, WorkshopAssessment
from .services import check_employable, required_text

# --- Shared checks ------------------------------------------------------------------------------------
# The area whose workshops and posts a user may fill: the user's, widened from a village to its town.
reach_prefix = scope.town_area
within = scope.code_within


def reachable(queryset, user):
    """Workshops or posts `user` may place people in (see reach_prefix), of a kind the user reads."""
    prefix = reach_prefix(user)
    return access.visible(user, queryset.within(prefix)) if prefix else queryset.none()


def _date(value, field) -> date:
    if value is None:
        raise DomainError(_("This field is required."), field=field)
    return value


def _whole(value, field, *, low, high=None) -> int:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise DomainError(_("Must be a whole number."), field=field) from None
    if number < low or (high is not None and number > high):
        raise DomainError(_("Must be a whole number."), field=field)
    return number


def _place(actor, code, field="region_code") -> Region:
    region = Region.objects.filter(code=code or "").first()
    if region is None or region.level not in {"town", "village"}:
        raise DomainError(_("The place must be a town or village of the county."), field=field)
    if not scope.covers(actor, region.code):
        raise DomainError(_("%(place)s is outside your area.") % {"place": region.name}, field=field)
    return region


def _closing(opened_on, closed_on):
    if closed_on is not None and closed_on < opened_on:
        raise DomainError(_("The closing date lies before the opening date."), field="closed_on")
    return closed_on


# --- Workshops and posts ----------------------------------------------------------------------------
@transaction.atomic
def create_workshop(
    actor,
    *,
    name,
    operator,
    region_code,
    opened_on,
    capacity,
    operator_kind=OperatorKind.ENTERPRISE,
    project: Project | None = None,
    closed_on=None,
) -> Workshop:
    """Register a workshop (扶贫车间) at a town or village of the actor's area.

    Refused: a name or operator missing, a site outside the area, places that are not a positive whole
    number, a closing date before the opening, a project of another county.
    Side effects: the workshop row and its audit event.
    """
    require_role(actor, *WRITERS)
    name = required_text(name, "name", 100)
    operator = required_text(operator, "operator", 100)
    if operator_kind not in OperatorKind.values:
        raise DomainError(_("Choose an enterprise or an individual."), field="operator_kind")
    region = _place(actor, region_code)
    opened_on = _date(opened_on, "opened_on")
    closed_on = _closing(opened_on, closed_on)
    if capacity is None or capacity == "":
        raise DomainError(_("This field is required."), field="capacity")
    capacity = _whole(capacity, "capacity", low=1)
    if project is not None and project.region_code[:6] != region.code[:6]:
        raise DomainError(_("The project lies in another county."), field="project_id")
    workshop = Workshop.objects.create(
        name=name,
        operator=operator,
        operator_kind=operator_kind,
        region_code=region.code,
        opened_on=opened_on,
        closed_on=closed_on,
        capacity=capacity,
        project=project,
        created_by=actor,
    )
    audit.record(
        actor=actor,
        action="benefits.workshop.create",
        region_code=workshop.region_code,
        target=workshop,
        after=audit.snapshot(
            workshop,
            ["name", "operator", "operator_kind", "opened_on", "closed_on", "capacity", "project_id"],
        ),
    )
    return workshop


@transaction.atomic
def create_post(
    actor, *, kind, title, region_code, monthly_wage, funded_by, places, opened_on, closed_on=None
) -> Post:
    """Register posts (扶贫岗 or 公益岗位: cleaning, forest care, patrol, elderly care…) at a town or village.

    Refused: an unknown kind, a title or funding missing, a wage that is not a positive amount, places
    that are not a positive whole number, a closing date before the opening, a place outside the area.
    Side effects: the post row and its audit event.
    """
    require_role(actor, *WRITERS)
    if kind not in PostKind.values:
        raise DomainError(_("Choose a poverty-alleviation post or a public-welfare post."), field="kind")
    title = required_text(title, "title", 60)
    region = _place(actor, region_code)
    wage = parse_amount(monthly_wage, "monthly_wage")
    funded_by = required_text(funded_by, "funded_by", 100)
    if places is None or places == "":
        raise DomainError(_("This field is required."), field="places")
    places = _whole(places, "places", low=1)
    opened_on = _date(opened_on, "opened_on")
    closed_on = _closing(opened_on, closed_on)
    post = Post.objects.create(
        kind=kind,
        title=title,
        region_code=region.code,
        monthly_wage=wage,
        funded_by=funded_by,
        places=places,
        opened_on=opened_on,
        closed_on=closed_on,
        created_by=actor,
    )
    audit.record(
        actor=actor,
        action="benefits.post.create",
        region_code=post.region_code,
        target=post,
        after=audit.snapshot(
            post, ["kind", "title", "monthly_wage", "funded_by", "places", "opened_on", "closed_on"]
        ),
    )
    return post


def size(employer) -> int:
    return employer.capacity if isinstance(employer, Workshop) else employer.places


def occupied(employer, day: date) -> int:
    """People placed with the employer and active on `day`."""
    return employer.placements.active_on(day).count()


def with_occupancy(queryset, day: date):
    """Workshops or posts annotated with `employed`: placements active on `day` (one query)."""
    active = Q(placements__started_on__lte=day) & (
        Q(placements__ended_on__isnull=True) | Q(placements__ended_on__gte=day)
    )
    return queryset.annotate(employed=Count("placements", filter=active))


# --- Placements ---------------------------------------------------------------------------------------
def _employer(workshop, post):
    if (workshop is None) == (post is None):
        raise DomainError(_("Choose either a workshop or a post."), field="workshop_id")
    return workshop if workshop is not None else post


def _employer_field(employer) -> str:
    return "workshop_id" if isinstance(employer, Workshop) else "post_id"


def check_member_in_area(actor, member: Member) -> None:
    if not scope.covers(actor, member.household.region_code):
        raise DomainError(_("No such person in your area."), field="member_id")


def check_post_and_workshop_apart(member: Member, employer, started_on) -> None:
    """A 公益岗位 and a workshop job over the same months only where policy allows it
    (`employment_allow_post_and_workshop`, 0 by default): a public post is for who has no other work."""
    if policy.value("employment_allow_post_and_workshop", employer.region_code, started_on.year):
        return
    other = {"post__isnull": False} if isinstance(employer, Workshop) else {"workshop__isnull": False}
    held = Placement.objects.filter(member=member, **other).current(started_on).first()
    if held is not None:
        raise TransitionRefused(
            _(
                "%(name)s already holds %(employer)s from %(day)s: a public-welfare post and a workshop job "
                "over the same months are not allowed."
            )
            % {"name": member.name, "employer": held.employer, "day": held.started_on},
            field="member_id",
        )


@transaction.atomic
def place(
    actor,
    *,
    member: Member,
    workshop: Workshop | None = None,
    post: Post | None = None,
    started_on,
    monthly_wage=None,
) -> Placement:
    """Employ a registered member in a workshop or on a post from `started_on`.

    Refused: a person who is deceased, gone from the household, without labour ability or whose
    household is not registered (the rules of employment agreements); a person outside the actor's area;
    an employer the actor cannot reach, or not open on the start date; no free place (people active on
    the start date already fill the capacity or the places); the same person already placed with the same
    employer over that time; a wage that is not a positive amount (a post's wage is the default).
    Side effects: the placement row and its audit event. The employer row is locked, so that two
    placements cannot take the last place at once.
    """
    require_role(actor, *MATCHERS)
    employer = _employer(workshop, post)
    field = _employer_field(employer)
    started_on = _date(started_on, "started_on")
    employer = type(employer).objects.select_for_update().get(pk=employer.pk)
    if not within(reach_prefix(actor), employer.region_code):
        raise DomainError(_("This workshop or post lies outside your area."), field=field)
    if not employer.is_open_on(started_on):
        raise DomainError(
            _("%(employer)s is not open on %(day)s.") % {"employer": employer, "day": started_on},
            field="started_on",
        )
    if monthly_wage in (None, "") and isinstance(employer, Post):
        monthly_wage = employer.monthly_wage
    wage = parse_amount(monthly_wage, "monthly_wage")
    member = Member.objects.select_related("household").get(pk=member.pk)
    check_member_in_area(actor, member)
    check_employable(member, employer.region_code)
    if employer.placements.filter(member=member).current(started_on).exists():
        raise TransitionRefused(
            _("%(name)s is already employed by %(employer)s at that time.")
            % {"name": member.name, "employer": employer},
            field="member_id",
        )
    check_post_and_workshop_apart(member, employer, started_on)
    taken = occupied(employer, started_on)
    if taken >= size(employer):
        raise TransitionRefused(
            _("%(employer)s has no free place on %(day)s: %(taken)s of %(size)s places are taken.")
            % {"employer": employer, "day": started_on, "taken": taken, "size": size(employer)},
            field=field,
            code="no_free_place",
        )
    placement = Placement.objects.create(
        member=member,
        region_code=employer.region_code,
        workshop=employer if isinstance(employer, Workshop) else None,
        post=employer if isinstance(employer, Post) else None,
        started_on=started_on,
        monthly_wage=wage,
        created_by=actor,
    )
    audit.record(
        actor=actor,
        action="benefits.placement.start",
        region_code=placement.region_code,
        target=placement,
        after={field: employer.pk, "member": member.pk, "started_on": started_on, "monthly_wage": wage},
    )
    return placement


@transaction.atomic
def end_placement(actor, placement: Placement, *, ended_on, reason="") -> Placement:
    """End a placement on `ended_on` (its last day). Refused: already ended, or an end before the start.
    Side effects: the end date and reason on the placement, and an audit event."""
    require_role(actor, *MATCHERS)
    ended_on = _date(ended_on, "ended_on")
    placement = Placement.objects.select_for_update().get(pk=placement.pk)
    if placement.ended_on is not None:
        raise TransitionRefused(
            _("This placement already ended on %(day)s.") % {"day": placement.ended_on}, field="ended_on"
        )
    if ended_on < placement.started_on:
        raise DomainError(_("The end date lies before the start date."), field="ended_on")
    placement.ended_on = ended_on
    placement.end_reason = (reason or "").strip()[:200]
    placement.save(update_fields=["ended_on", "end_reason"])
    audit.record(
        actor=actor,
        action="benefits.placement.end",
        region_code=placement.region_code,
        target=placement,
        before={"ended_on": None},
        after={"ended_on": ended_on},
        note=placement.end_reason,
    )
    return placement


def months_in_year(placement: Placement, year: int) -> int:
    """Calendar months of `year` in which the placement was in force for at least a day."""
    first = max(placement.started_on, date(year, 1, 1))
    last = min(placement.ended_on or date(year, 12, 31), date(year, 12, 31))
    if last < first:
        return 0
    return last.month - first.month + 1


def _wages(value) -> Decimal:
    try:
        number = Decimal(str(value).strip().replace(",", "")) if value not in (None, "") else None
    except InvalidOperation:
        number = None
    if number is not None and number.is_finite() and number < 0:
        raise DomainError(_("Wages cannot be negative."), field="wages")
    return parse_amount(value, "wages", allow_zero=True)


@transaction.atomic
def record_work(actor, placement: Placement, *, year, months, wages) -> WorkRecord:
    """Record the months worked and the wages paid in one year of a placement; a second record for the
    same year replaces the first (the audit event keeps both).

    Refused: months outside 0–12 or more than the placement covered in that year, negative wages, a year
    the placement does not cover or that has not begun.
    Side effects: the work record (created or changed) and its audit event.
    """
    require_role(actor, *MATCHERS)
    year = _whole(year, "year", low=2000, high=2100)
    if not (
        placement.started_on.year
        <= year
        <= min((placement.ended_on or clock.today()).year, clock.today().year)
    ):
        raise DomainError(_("The placement does not cover the year %(year)s.") % {"year": year}, field="year")
    if months is None or months == "":
        raise DomainError(_("This field is required."), field="months")
    try:
        months = int(str(months).strip())
    except ValueError:
        raise DomainError(_("Months worked must lie between 0 and 12."), field="months") from None
    if not 0 <= months <= 12:
        raise DomainError(_("Months worked must lie between 0 and 12."), field="months")
    covered = months_in_year(placement, year)
    if months > covered:
        raise DomainError(
            _("The placement covers only %(months)s months of %(year)s.") % {"months": covered, "year": year},
            field="months",
        )
    wages = _wages(wages)
    record = WorkRecord.objects.select_for_update().filter(placement=placement, year=year).first()
    before = audit.snapshot(record, ["months", "wages"]) if record else None
    if record is None:
        record = WorkRecord(placement=placement, year=year)
    record.months, record.wages, record.recorded_by, record.recorded_at = months, wages, actor, clock.now()
    record.save()
    audit.record(
        actor=actor,
        action="benefits.work.record",
        region_code=placement.region_code,
        target=placement,
        before=before,
        after={"year": year, "months": months, "wages": wages},
    )
    return record


# --- The qualification rule and the quarterly status ------------------------------------------------
@dataclass(frozen=True)
class Qualification:
    year: int
    workers: int  # registered poor people employed at some time of the year
    qualifying: int  # of them, those who worked ≥ min_months months or were paid ≥ min_wage yuan
    min_months: int
    min_wage: Decimal

    @property
    def qualifies(self) -> bool:
        return self.qualifying > 0

    def as_dict(self) -> dict:
        return {
            "year": self.year,
            "workers": self.workers,
            "qualifying": self.qualifying,
            "min_months": self.min_months,
            "min_wage": self.min_wage,
            "qualifies": self.qualifies,
        }


def _rule(region_code: str, year: int) -> tuple[int, Decimal]:
    town = region_code[:9].ljust(12, "0")
    return (
        int(policy.value("workshop_min_months", town, year)),
        Decimal(policy.value("workshop_min_wage", town, year)),
    )


def qualifications(workshops, year: int) -> dict[int, Qualification]:
    """The rule for many workshops at once (a fixed number of queries plus two policy look-ups per town).

    A workshop qualifies for a year when it employs at least one registered poor worker (a member of a
    household whose status is registered) who, in that year, worked at least `workshop_min_months`
    months or was paid at least `workshop_min_wage` yuan (policy, per county and year; a town may set its
    own). Workers are the registered members with a placement in force at some time of the year; their
    months and wages are the year's work records of all their placements in the workshop, added up.
    """
    workshops = list(workshops)
    ids = [w.pk for w in workshops]
    start, end = date(year, 1, 1), date(year, 12, 31)
    rows = (
        Placement.objects.filter(workshop_id__in=ids, started_on__lte=end)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=start))
        .filter(member__household__status__in=REGISTERED_STATUSES)
        .values_list("workshop_id", "member_id")
    )
    workers: dict[int, set] = {}
    for workshop_id, member_id in rows:
        workers.setdefault(workshop_id, set()).add(member_id)
    totals: dict[tuple[int, int], list] = {}
    records = WorkRecord.objects.filter(
        year=year,
        placement__workshop_id__in=ids,
        placement__member__household__status__in=REGISTERED_STATUSES,
    ).values_list("placement__workshop_id", "placement__member_id", "months", "wages")
    for workshop_id, member_id, months, wages in records:
        total = totals.setdefault((workshop_id, member_id), [0, Decimal("0.00")])
        total[0] += months
        total[1] += wages
    rules: dict[str, tuple[int, Decimal]] = {}
    result = {}
    for workshop in workshops:
        town = workshop.region_code[:9]
        if town not in rules:
            rules[town] = _rule(workshop.region_code, year)
        min_months, min_wage = rules[town]
        people = workers.get(workshop.pk, set())
        qualifying = sum(
            1
            for member_id in people
            if (t := totals.get((workshop.pk, member_id)))
            and (min(t[0], 12) >= min_months or t[1] >= min_wage)
        )
        result[workshop.pk] = Qualification(year, len(people), qualifying, min_months, min_wage)
    return result


def qualification(workshop: Workshop, year: int) -> Qualification:
    """Workers, qualifying workers and whether the workshop qualifies for `year` (see qualifications)."""
    return qualifications([workshop], year)[workshop.pk]


QUARTER = re.compile(r"^(20\d\d)-Q([1-4])$")


def parse_quarter(value) -> tuple[int, int]:
    match = QUARTER.match(str(value or "").strip().upper())
    if not match:
        raise DomainError(_("Give the quarter as 2019-Q2."), field="quarter")
    return int(match.group(1)), int(match.group(2))


def quarter_label(year: int, number: int) -> str:
    return f"{year}-Q{number}"


def previous_quarter(year: int, number: int) -> tuple[int, int]:
    return (year, number - 1) if number > 1 else (year - 1, 4)


def quarter_start(year: int, number: int) -> date:
    return date(year, 3 * number - 2, 1)


def current_quarter(day: date | None = None) -> str:
    day = day or clock.today()
    return quarter_label(day.year, (day.month - 1) // 3 + 1)


def suggest_status(workshop: Workshop, quarter: str) -> tuple[str, Qualification]:
    """The status the rule suggests for a quarter, and the qualification it rests on.

    - 正常运行 (normal): the workshop qualifies for the quarter's year (its work records so far);
    - 清理 (cleared): it does not qualify and the previous quarter was already 监测待处置 or 清理, or the
      workshop closed before the quarter began;
    - 监测待处置 (monitoring): it does not qualify, for the first quarter in a row.
    """
    year, number = parse_quarter(quarter)
    result = qualification(workshop, year)
    if workshop.closed_on is not None and workshop.closed_on < quarter_start(year, number):
        return WorkshopStatus.CLEARED, result
    if result.qualifies:
        return WorkshopStatus.NORMAL, result
    previous = WorkshopAssessment.objects.filter(
        workshop=workshop, quarter=quarter_label(*previous_quarter(year, number))
    ).first()
    if previous is not None and previous.status in {WorkshopStatus.MONITORING, WorkshopStatus.CLEARED}:
        return WorkshopStatus.CLEARED, result
    return WorkshopStatus.MONITORING, result


@transaction.atomic
def assess_workshop(actor, workshop: Workshop, *, quarter, status=None, note="") -> WorkshopAssessment:
    """Set a workshop's status for a quarter (once per workshop and quarter), with a note.

    Without `status` the suggestion of `suggest_status` is taken; a status other than the suggestion
    needs a note that says why. Refused: a quarter not written as 2019-Q2, a quarter that has not begun,
    a quarter already assessed, an unknown status.
    Side effects: the assessment row (with the suggestion and the counts it rested on) and an audit event.
    """
    require_role(actor, *WRITERS)
    year, number = parse_quarter(quarter)
    quarter = quarter_label(year, number)
    if quarter_start(year, number) > clock.today():
        raise DomainError(_("The quarter %(quarter)s has not begun.") % {"quarter": quarter}, field="quarter")
    workshop = Workshop.objects.select_for_update().get(pk=workshop.pk)
    if WorkshopAssessment.objects.filter(workshop=workshop, quarter=quarter).exists():
        raise TransitionRefused(
            _("%(workshop)s was already assessed for %(quarter)s.")
            % {"workshop": workshop, "quarter": quarter},
            field="quarter",
        )
    suggested, result = suggest_status(workshop, quarter)
    status = status or suggested
    if status not in WorkshopStatus.values:
        raise DomainError(_("Choose running normally, monitored or cleared out."), field="status")
    note = (note or "").strip()
    if status != suggested and not note:
        raise DomainError(
            _("The rule suggests “%(suggested)s”: say in the note why the status differs.")
            % {"suggested": WorkshopStatus(suggested).label},
            field="note",
        )
    assessment = WorkshopAssessment.objects.create(
        workshop=workshop,
        region_code=workshop.region_code,
        quarter=quarter,
        status=status,
        suggested=suggested,
        workers=result.workers,
        qualifying=result.qualifying,
        note=note,
        assessed_by=actor,
    )
    audit.record(
        actor=actor,
        action="benefits.workshop.assess",
        region_code=workshop.region_code,
        target=workshop,
        after={"quarter": quarter, "status": status, "suggested": suggested, **result.as_dict()},
        note=note,
    )
    return assessment
