"""What the insights read: counts, sums and rates over an area the caller checked against the user's scope
(`scope.region_param`), each as the access policy lets this user read it.

A role that reads a kind as aggregates only (finance and the registry) gets the figures of the whole area;
a role whose rows are limited (a helper's paired households, an expert's drawn projects, a lecturer's own
lectures) gets the figures of those rows only; a role that reads nothing of a kind gets nothing of it. The
rule is `rows_for` below: every figure here starts from it, so no chart can count rows a user may not.
"""

from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.db.models.functions import Substr

from fupin.core import access, scope
from fupin.core.access import Kind, Read
from fupin.core.enums import PREFIX_LENGTH, RegionLevel
from fupin.core.models import Region

ZERO = Decimal("0.00")


def once(user, key: tuple, compute):
    """`compute()` once per request: a page that shows one figure in a card and a chart (or two charts of
    the same figures) asks the database once. Kept on the request's user object, which lives as long as
    the request."""
    memo = user.__dict__.setdefault("_insights_memo", {})
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def rows_for(user, queryset, kind: Kind, prefix: str):
    """The rows of `queryset` inside `prefix` whose figures this user may read."""
    area = queryset.within(prefix)
    if any(grant.read >= Read.AGGREGATES and grant.only is None for grant in access.grants(user, kind)):
        return area
    return access.visible(user, area, kind)


def readable(user, kind: Kind) -> bool:
    return access.can_read(user, kind, Read.AGGREGATES)


def problem_rows(user, prefix: str):
    """Problems of the ledger inside `prefix`, of the uses (inspection, urban) this user reads."""
    from fupin.supervision.enums import USE_KINDS
    from fupin.supervision.models import Problem

    uses = [use for use, kind in USE_KINDS.items() if readable(user, kind)]
    return Problem.objects.within(prefix).filter(use__in=uses)


def child_length(prefix: str) -> int:
    """Digits of the next level down: the towns of a county, the villages of a town."""
    return next((n for n in sorted(set(PREFIX_LENGTH.values())) if n > len(prefix)), 12)


def child_names(prefix: str, user=None) -> dict[str, str]:
    """Prefix of each region one level below `prefix` → its name, in code order (one query)."""
    length = child_length(prefix)
    level = {9: RegionLevel.TOWN, 12: RegionLevel.VILLAGE}.get(length, RegionLevel.TOWN)
    regions = Region.objects.within(prefix).filter(level=level).values_list("code", "name").order_by("code")

    def compute():
        return {code[:length]: name for code, name in regions}

    return once(user, ("children", prefix), compute) if user is not None else compute()


def region_chain(user) -> list:
    """The user's region and the regions above it, in one query (top first); the user's region is set
    from it, so that reading the user's area asks nothing more."""
    code = user.region_id
    if not code:
        return []
    codes = {code[:n].ljust(12, "0") for n in (2, 4, 6, 9)} | {code}
    chain = list(Region.objects.filter(code__in=codes).order_by("code"))
    for region in chain:
        if region.code == code:
            user.region = region
    return chain


def by_child(queryset, prefix: str, field: str = "region_code", **aggregates) -> dict[str, dict]:
    """Aggregates of `queryset` per region one level below `prefix`, keyed by that region's prefix."""
    length = child_length(prefix)
    rows = (
        queryset.annotate(child=Substr(field, 1, length))
        .values("child")
        .annotate(**aggregates)
        .order_by("child")
    )
    return {row.pop("child"): row for row in rows}


def rate(part, whole) -> float | None:
    """A percentage with one decimal, None when there is nothing to divide by."""
    if not whole:
        return None
    return float((Decimal(part) / Decimal(whole) * 100).quantize(Decimal("0.1")))


def money(value) -> Decimal:
    return Decimal(value or 0).quantize(Decimal("0.01"))


# --- The registry ---------------------------------------------------------------------------------
def households(user, prefix: str):
    from fupin.registry.models import Household

    return rows_for(user, Household.objects.all(), Kind.REGISTRY, prefix)


def household_counts(user, prefix: str, today=None) -> dict:
    """Households by status, with the registered ones (建档立卡) and those still poor summed; with `today`,
    also the registered households to visit each month and how many were visited this month (all in one
    grouped query)."""
    from django.db.models import Exists, OuterRef

    from fupin.registry.enums import REGISTERED_STATUSES, Status
    from fupin.registry.models import Visit

    def compute():
        counts = {"n": Count("id")}
        if today is not None:
            first = today.replace(day=1)
            visited = Visit.objects.filter(
                household=OuterRef("pk"), visited_on__gte=first, visited_on__lte=today
            )
            counts["seen"] = Count("id", filter=Q(Exists(visited)))
        return list(households(user, prefix).values("status").annotate(**counts).order_by())

    if today is not None and not access.can_read(user, Kind.REGISTRY):
        today = None  # visits are rows: a reader of aggregates gets the counts only
    rows = once(user, ("households", prefix, today), compute)
    by_status = {row["status"]: row["n"] for row in rows}
    registered = sum(by_status.get(status, 0) for status in REGISTERED_STATUSES)
    poor = by_status.get(Status.NOT_LIFTED, 0) + by_status.get(Status.RELAPSED, 0)
    found = {"by_status": by_status, "registered": registered, "poor": poor, "lifted": registered - poor}
    if today is not None:
        visiting = {Status.NOT_LIFTED, Status.LIFTED_WITH_POLICY, Status.RELAPSED}
        due = sum(row["n"] for row in rows if row["status"] in visiting)
        done = sum(row["seen"] for row in rows if row["status"] in visiting)
        found["visits"] = {"due": due, "done": done, "left": due - done}
    return found


# --- Funds ----------------------------------------------------------------------------------------
def allocations(user, prefix: str):
    from fupin.funds.models import Allocation

    return rows_for(user, Allocation.objects.all(), Kind.FUNDS, prefix).filter(reverses__isnull=True)


def idle_condition(prefix: str, today) -> Q:
    """Money unpaid and no payment for longer than the policy allows (资金闲置): the rule of
    `funds.services.idle_allocations`, as a condition that one aggregate can count with the totals."""
    from datetime import timedelta

    from django.db.models import F

    from fupin.core import policy

    cutoff = today - timedelta(days=policy.value("idle_fund_days", scope.county_code(prefix)))
    return Q(paid__lt=F("net_amount")) & (
        Q(last_paid_on__lt=cutoff) | Q(last_paid_on__isnull=True, allocated_on__lt=cutoff)
    )


def fund_totals(user, prefix: str, today=None) -> dict:
    """Allocated, paid and the execution rate; with `today`, also the idle allocations, in the same query."""
    sums = {"total_allocated": Sum("net_amount"), "total_paid": Sum("paid")}
    if today is not None:
        idle = idle_condition(prefix, today)
        sums |= {
            "idle": Count("id", filter=idle),
            "idle_allocated": Sum("net_amount", filter=idle),
            "idle_paid": Sum("paid", filter=idle),
        }
    data = allocations(user, prefix).aggregate(**sums)
    allocated, paid = money(data["total_allocated"]), money(data["total_paid"])
    found = {"allocated": allocated, "paid": paid, "unpaid": allocated - paid, "rate": rate(paid, allocated)}
    if today is not None:
        unpaid = money(data["idle_allocated"]) - money(data["idle_paid"])
        found["idle"] = {"count": data["idle"], "unpaid": unpaid}
    return found


# --- Warnings -------------------------------------------------------------------------------------
def open_warnings(user, prefix: str) -> dict:
    from fupin.warnings.enums import OPEN_STATES
    from fupin.warnings.models import Warning

    rows = rows_for(user, Warning.objects.all(), Kind.WARNINGS, prefix).filter(state__in=OPEN_STATES)
    counts = dict(rows.values_list("level").annotate(n=Count("id")).order_by())
    return {"by_level": counts, "open": sum(counts.values())}
