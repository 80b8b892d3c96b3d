"""Demo of the income ledger and the employment linkage, on the projects of the projects demo that are in
operation (运营管护) or handed over (移交确权).

Each gets beneficiary households of its own town from the registry demo (if it has none), yearly or
quarterly revenue from its first year to 2019 with some years below the planned revenue (one entry corrected
by a reversing entry), and employment agreements with labour-capable registered members. 司马镇's five real
projects follow the seed: 594,300 yuan industrial projects owe 12 jobs (华源牧业 has 9 people at work, so it
is short by 3), 1,500,000 yuan financial projects owe 15 (益民农贸 has 11). Everything goes through the
services, with the services' clock set to the day of each entry.
"""

import random
import time
from datetime import date
from decimal import Decimal

from django.db import transaction

from fupin.core import audit, clock
from fupin.core.demo import run_once
from fupin.core.models import User
from fupin.employment import services as employment
from fupin.projects.enums import DONE_STATES, ProjectState
from fupin.projects.models import Project
from fupin.registry.enums import ABLE_TO_WORK, REGISTERED_STATUSES
from fupin.registry.models import Household, Member

from .. import services

STATES = (ProjectState.OPERATING, ProjectState.HANDED_OVER)
# People at work per real project (the requirement is 12 for the industrial, 15 for the financial ones).
JOBS = {
    "华源牧业扶贫产业项目": 9,
    "山林农贸扶贫产业项目": 12,
    "昊正建材扶贫产业项目": 13,
    "昊天门业金融扶贫项目": 15,
    "益民农贸金融扶贫项目": 11,
}
# Years below the plan, by project name (the rest reach it, give or take a little above).
BELOW = {"华源牧业扶贫产业项目": {2019}, "益民农贸金融扶贫项目": {2018}}
POSITIONS = ["饲养员", "分拣工", "保洁员", "门卫", "仓库管理员", "包装工", "装卸工", "农技员"]
LAST_YEAR = 2019


def load(log) -> None:
    run_once("benefits.ledger", load_ledger, log)


def load_ledger(log) -> None:
    started = time.perf_counter()
    rng = random.Random(2019)
    admin, sima = User.objects.get(username="admin"), User.objects.get(username="sima")
    projects = list(Project.objects.filter(state__in=STATES).order_by("id"))
    used: set[int] = set()
    counts = {"projects": len(projects), "households": 0, "revenues": 0, "reversals": 0, "agreements": 0}
    for project in projects:
        actor = sima if project.region_code.startswith("370828107") else admin
        counts["households"] += attach_beneficiaries(actor, project, rng)
        revenues, reversals = record_revenues(actor, project, rng)
        counts["revenues"] += revenues
        counts["reversals"] += reversals
        counts["agreements"] += sign_agreements(actor, project, rng, used)
    # Completed and accepted projects owe their jobs too (compliance.EMPLOYING_STATES): agreements only.
    for project in Project.objects.filter(state__in=DONE_STATES - set(STATES)).order_by("id"):
        actor = sima if project.region_code.startswith("370828107") else admin
        counts["households"] += attach_beneficiaries(actor, project, rng)
        counts["agreements"] += sign_agreements(actor, project, rng, used)
        counts["projects"] += 1
    seconds = time.perf_counter() - started
    log(
        f"  收益台账与用工带动：{counts['projects']} 个项目，关联受益户 {counts['households']} 户，"
        f"收益 {counts['revenues']} 笔（冲销 {counts['reversals']} 笔），用工协议 {counts['agreements']} 份，"
        f"用时 {seconds:.1f} 秒"
    )


def attach_beneficiaries(actor, project: Project, rng) -> int:
    """Registered households of the project's town as its beneficiaries, if it has none yet. The project
    is past the stage where its services edit it, so the list is set here and the change audited."""
    if project.beneficiaries.exists():
        return 0
    town = project.region_code[:9]
    pool = list(
        Household.objects.within(town).filter(status__in=REGISTERED_STATUSES).values_list("pk", flat=True)
    )
    chosen = sorted(rng.sample(pool, min(len(pool), project.planned_households or 30, 60)))
    with transaction.atomic():
        project.beneficiaries.set(chosen)
        audit.record(
            actor=actor,
            action="projects.project.change",
            region_code=project.region_code,
            target=project,
            after={"beneficiaries": len(chosen)},
            note="演示数据：登记受益户名单",
        )
    return len(chosen)


def record_revenues(actor, project: Project, rng) -> tuple[int, int]:
    """Revenue from the project's year to 2019, yearly or by quarter; one wrong entry reversed."""
    plan = project.linkage_dividend or Decimal("20000.00")
    quarterly = project.pk % 2 == 0
    below = BELOW.get(project.name, {project.year + 1} if project.pk % 3 == 0 else set())
    revenues = reversals = 0
    for year in range(project.year, LAST_YEAR + 1):
        share = Decimal(rng.choice([70, 80, 85])) if year in below else Decimal(rng.choice([100, 105, 120]))
        total = (plan * share / 100).quantize(Decimal("0.01"))
        periods = [f"{year}-Q{q}" for q in range(1, 5)] if quarterly else [str(year)]
        parts = [(total / len(periods)).quantize(Decimal("0.01")) for _ in periods]
        parts[-1] = total - sum(parts[:-1])
        for period, amount in zip(periods, parts, strict=True):
            quarter = int(period[-1]) if quarterly else 4
            day = date(year, quarter * 3, 25) if quarter < 4 else date(year, 12, 25)
            kind = "dividend" if project.type == "financial" else rng.choice(["dividend", "rent", "profit"])
            with clock.as_of(day):
                services.record_revenue(
                    actor,
                    project,
                    period=period,
                    kind=kind,
                    amount=amount,
                    received_on=day,
                    evidence=f"收款凭证 {project.pk:03d}-{period}",
                )
            revenues += 1
            if year == project.year and period == periods[0] and project.pk % 4 == 1:
                # Entered twice by mistake, then corrected by a reversing entry.
                with clock.as_of(day):
                    twice = services.record_revenue(
                        actor, project, period=period, kind=kind, amount=amount, received_on=day
                    )
                    services.reverse_revenue(actor, twice, reason="重复录入，冲销")
                revenues += 1
                reversals += 1
    return revenues, reversals


def sign_agreements(actor, project: Project, rng, used: set[int]) -> int:
    """Agreements with labour-capable members of the beneficiaries (then of the town) until the project
    has its people at work: the seed's figure for the real projects, about the requirement for others."""
    need = employment.required_jobs(project)
    if need == 0:
        return 0
    target = JOBS.get(project.name, need + rng.choice([-2, -1, 0, 0, 1]))
    start = date(project.year, 12, 1)
    # Only people of working age on the start count as a job (policy's default ages, 16 to 60).
    able = Member.objects.living().filter(
        labour__in=ABLE_TO_WORK,
        birth_date__lte=date(start.year - 16, start.month, start.day),
        birth_date__gt=date(start.year - 61, start.month, start.day),
    )
    able = able.exclude(pk__in=used)
    people = list(able.filter(household__in=project.beneficiaries.all()).order_by("id")[: target + 1])
    if len(people) < target + 1:
        more = able.filter(household__region_code__startswith=project.region_code[:9])
        more = more.filter(household__status__in=REGISTERED_STATUSES).exclude(pk__in=[p.pk for p in people])
        people += list(more.order_by("id")[: target + 1 - len(people)])
    signed = 0
    until = date(clock.today().year + 1, 12, 31)
    for i, person in enumerate(people):
        ended = i == target  # one more, whose agreement has ended: signed, no longer at work
        with clock.as_of(start):
            employment.sign_agreement(
                actor,
                project,
                member=person,
                position=rng.choice(POSITIONS),
                starts_on=start,
                ends_on=date(LAST_YEAR, 6, 30) if ended else until,
                monthly_wage=f"{rng.choice([1800, 2000, 2200, 2500])}.00",
                evidence=f"用工协议 {project.pk:03d}-{i + 1:02d}",
            )
        used.add(person.pk)
        signed += 1
    return signed
