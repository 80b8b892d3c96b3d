"""Employment compliance (用工带动) per project, per town and for the county, at county scale.

Agreements are counted in SQL (one grouped query over the projects, whatever the number of agreements).
Required jobs are ceil(budget ÷ unit) per project, the unit coming from policy per region and year
(`fupin.core.policy.value`, the same answer `services.required_jobs` gives): the settings of the two
employment keys are read once, and policy is asked once per distinct combination of (the regions in a
project's chain that hold a setting, year, key) — for a county without settings, not at all.

Shortfall per town (and for the county) is the sum of the projects' shortfalls: one project's surplus does
not cover another's shortfall.
"""

import math
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from fupin.core import clock, policy, scope
from fupin.core.errors import DomainError
from fupin.core.models import PolicySetting, Region
from fupin.projects.enums import DONE_STATES
from fupin.registry.enums import ABLE_TO_WORK, REGISTERED_STATUSES
from fupin.registry.models import Household, Member

from .enums import EMPLOYMENT_UNIT_POLICY
from .models import EmploymentAgreement

# Projects that owe the jobs: from completion on, when the enterprise runs what was built. Projects in
# reserve, review, plan or construction promise jobs but owe none yet; rejected, removed and terminated
# ones owe none.
EMPLOYING_STATES = DONE_STATES


@dataclass
class Row:
    """Compliance of one project, or the sum over a town or the county."""

    code: str = ""
    name: str = ""
    projects: int = 0
    required: int = 0
    signed: int = 0
    active: int = 0
    shortfall: int = 0
    project_id: int | None = None
    type: str = ""
    budget: Decimal | None = None
    year: int | None = None
    extra: dict = field(default_factory=dict)

    @property
    def compliant(self) -> bool:
        return self.shortfall == 0

    def add(self, other: "Row") -> None:
        self.projects += other.projects
        self.required += other.required
        self.signed += other.signed
        self.active += other.active
        self.shortfall += other.shortfall

    def as_dict(self) -> dict:
        return {
            "code": self.code,
            "name": self.name,
            "projects": self.projects,
            "required": self.required,
            "signed": self.signed,
            "active": self.active,
            "shortfall": self.shortfall,
            "compliant": self.compliant,
        }


class UnitResolver:
    """The employment unit of a (region, year, type), asking policy once per distinct answer's inputs."""

    def __init__(self):
        keys = set(EMPLOYMENT_UNIT_POLICY.values())
        self.with_settings: dict[str, set] = {key: set() for key in keys}
        for key, region in PolicySetting.objects.filter(key__in=keys).values_list("key", "region_id"):
            self.with_settings[key].add(region)
        self.cache: dict = {}

    def unit(self, region_code: str, year: int, kind: str) -> Decimal | None:
        key = EMPLOYMENT_UNIT_POLICY.get(kind)
        if key is None:
            return None
        chain = tuple(c for c in policy._region_prefixes(region_code) if c in self.with_settings[key])
        if not chain:  # no setting anywhere above the project: the built-in default, no query
            return policy.POLICIES[key].default
        if (key, chain, year) not in self.cache:
            self.cache[key, chain, year] = policy.value(key, region_code, year)
        return self.cache[key, chain, year]


def required(budget, unit) -> int:
    if not unit or not budget or budget <= 0:
        return 0
    return math.ceil(Decimal(budget) / Decimal(unit))


def by_project(projects, on: date | None = None) -> list[Row]:
    """Per project owing jobs (industrial and financial, from completion on): required, agreements
    signed, people under an agreement in force on `on`, shortfall. Three queries (settings, projects,
    agreements), plus policy where a setting applies."""
    on = on or clock.today()
    owing = projects.filter(type__in=list(EMPLOYMENT_UNIT_POLICY), state__in=EMPLOYING_STATES).order_by()
    # Grouped by the integer project id alone (not by the project's columns): the cheaper plan on both
    # databases. An agreement in force today counts its person once per project.
    counts = {
        row["project_id"]: row
        for row in EmploymentAgreement.objects.filter(project__in=owing.values("pk"))
        .order_by()
        .values("project_id")
        .annotate(
            signed=Count("id"),
            active=Count("member_id", distinct=True, filter=Q(starts_on__lte=on, ends_on__gte=on)),
        )
    }
    data = owing.values("id", "name", "region_code", "year", "type", "budget").order_by(
        "region_code", "name", "id"
    )
    none = {"signed": 0, "active": 0}
    units = UnitResolver()
    rows = []
    for p in data:
        need = required(p["budget"], units.unit(p["region_code"], p["year"], p["type"]))
        rows.append(
            Row(
                code=p["region_code"],
                name=p["name"],
                projects=1,
                required=need,
                signed=counts.get(p["id"], none)["signed"],
                active=counts.get(p["id"], none)["active"],
                shortfall=max(need - counts.get(p["id"], none)["active"], 0),
                project_id=p["id"],
                type=p["type"],
                budget=p["budget"],
                year=p["year"],
            )
        )
    return rows


def by_town(projects, on: date | None = None) -> dict:
    """{"towns": [Row per town, in code order], "total": Row for all of them}."""
    towns: dict[str, Row] = {}
    for row in by_project(projects, on):
        code = row.code[:9] + "000"
        towns.setdefault(code, Row(code=code)).add(row)
    names = dict(Region.objects.filter(code__in=list(towns)).values_list("code", "name"))
    total = Row(code="", name=_("Total"))
    for code, town in towns.items():
        town.name = names.get(code, code)
        total.add(town)
    return {"towns": [towns[c] for c in sorted(towns)], "total": total}


region_prefix = scope.region_param  # kept for callers: the one region filter lives in core


# --- Choosing the person of an agreement ------------------------------------------------------------
def candidates(project):
    """Labour-capable living members of the project's registered beneficiary households, for a select."""
    return (
        Member.objects.living()
        .filter(
            household__in=project.beneficiaries.filter(status__in=REGISTERED_STATUSES),
            labour__in=ABLE_TO_WORK,
        )
        .select_related("household")
        .order_by("household__number", "id")
    )


def find_member(user, *, household_number: str = "", name: str = "") -> Member:
    """The member called `name` of the household numbered `household_number`, in the user's area;
    refused, naming the field, when there is none or more than one. A deceased or departed member is
    found too, so that the agreement is refused with that reason (services.sign_agreement)."""
    number, name = (household_number or "").strip(), (name or "").strip()
    if not number:
        raise DomainError(_("This field is required."), field="household_number")
    household = Household.objects.visible_to(user).filter(number=number).first()
    if household is None:
        raise DomainError(
            _("No household numbered %(number)s in your area.") % {"number": number}, field="household_number"
        )
    if not name:
        raise DomainError(_("This field is required."), field="member_name")
    found = list(household.members.filter(name=name).order_by("deceased", "left_household", "id")[:2])
    if len(found) != 1:
        raise DomainError(
            _("Household %(number)s has no member called %(name)s.") % {"number": number, "name": name}
            if not found
            else _("Household %(number)s has two members called %(name)s: choose from the list.")
            % {"number": number, "name": name},
            field="member_name",
        )
    return found[0]
