"""Registry demo: about 3,000 invented households across the 13 towns, a year of visits, applications and
exits at every step of the gates, and monitored households."""

import random
from datetime import timedelta
from decimal import Decimal

from django.db import transaction

from fupin.core import audit, clock
from fupin.core import services as core_services
from fupin.core.demo import DEMO_PASSWORD, demo_password_hash, run_once
from fupin.core.enums import Role
from fupin.core.models import Region, User

from . import generate, services
from .enums import Status, Step
from .models import HelperPair, Household, Income, Member, Visit

STATUSES = [
    (Status.LIFTED_WITH_POLICY, 55),
    (Status.NOT_LIFTED, 33),
    (Status.LIFTED, 9),
    (Status.RELAPSED, 3),
]
FINDINGS = [
    "家中无异常，收入稳定",
    "户主在蒜厂务工，每月工资按时发放",
    "宣讲了医疗报销政策",
    "孩子在校表现良好",
    "大蒜长势良好，帮助联系收购商",
    "房屋安全，饮水正常",
    "帮助申请了慢性病卡",
    "了解光伏收益分红到账情况",
]
HELP = ["政策宣讲", "协调就业岗位", "代办医疗报销", "送去米面油", "联系技术员上门指导", ""]


def load(log) -> None:
    run_once("registry.households", load_households, log)
    run_once("registry.gates", load_gates, log)


def _helpers(town: Region, count: int) -> list[User]:
    helpers = []
    for i in range(1, count + 1):
        username = f"helper{town.code[6:9]}{i}"
        user = User.objects.filter(username=username).first() or core_services.create_user(
            None,
            username=username,
            password=DEMO_PASSWORD,
            password_hash=demo_password_hash(),
            region=town,
            roles=[Role.HELPER],
            display_name=f"{town.name}帮扶干部{i}",
            unit=f"{town.name}人民政府",
        )
        helpers.append(user)
    return helpers


def load_households(log) -> None:
    rng = random.Random(2018)
    ids = generate.IdFactory()
    today = clock.today()
    towns = Region.objects.filter(level="town", code__startswith="370828").order_by("code")
    helper_user = User.objects.filter(username="helper").first()
    households, members_by_household, helpers_by_household = [], [], []
    for town in towns:
        helpers = _helpers(town, 2)
        if helper_user and town.code == "370828107000":
            helpers = [helper_user, *helpers]
        for village in town.children.order_by("code"):
            for sequence in range(1, rng.randint(3, 11) + 1):
                cause = generate.pick(rng, generate.CAUSES)
                households.append(
                    Household(
                        number=f"{village.code[6:]}{sequence:04d}",
                        county_code="370828",
                        region_code=village.code,
                        attribute=generate.pick(rng, generate.ATTRIBUTES),
                        main_cause=cause,
                        status=generate.pick(rng, STATUSES),
                        identified_year=rng.choice([2014, 2015, 2016, 2016, 2017]),
                        phone=f"13{rng.randint(100000000, 999999999)}",
                        housing_secure=rng.random() > 0.03,
                    )
                )
                members_by_household.append(generate.family(rng, ids, cause))
                helpers_by_household.append(
                    helpers[0] if village.name == "南徐庄村" and helper_user else rng.choice(helpers)
                )
    with transaction.atomic():
        Household.objects.bulk_create(households, batch_size=1000)
        Member.objects.bulk_create(
            [
                Member(household=h, **m)
                for h, ms in zip(households, members_by_household, strict=True)
                for m in ms
            ],
            batch_size=2000,
        )
        heads = dict(
            Member.objects.filter(relation="head", household__in=households).values_list("household_id", "pk")
        )
        incomes, visits, pairs = [], [], []
        for household, people in zip(households, members_by_household, strict=True):
            household.head_id = heads[household.pk]
            values = generate.income(rng, len(people))
            per_capita = (
                sum(values[k] for k in ("wage", "business", "transfer", "property"))
                - values["production_cost"]
            ) / len(people)
            if household.status == Status.LIFTED_WITH_POLICY and per_capita < 4200:
                values = generate.income(rng, len(people), above=Decimal("4200"))
            net = (
                sum(values[k] for k in ("wage", "business", "transfer", "property"))
                - values["production_cost"]
            )
            per_capita = (net / len(people)).quantize(Decimal("0.01"))
            household.exit_year = (
                rng.choice([2016, 2017, 2018]) if household.status != Status.NOT_LIFTED else None
            )
            household.income_year, household.per_capita_income = today.year, per_capita
            incomes.append(
                Income(
                    household=household,
                    year=today.year,
                    members=len(people),
                    net=net,
                    per_capita=per_capita,
                    **values,
                )
            )
            helper = helpers_by_household[len(pairs)]
            pairs.append(HelperPair(household=household, helper=helper, start=today - timedelta(days=400)))
            skip_this_month = rng.random() < 0.12
            for months_ago in range(0 if not skip_this_month else 1, 12):
                day = (today.replace(day=1) - timedelta(days=30 * months_ago)).replace(day=rng.randint(1, 28))
                if day > today:
                    day = today
                visits.append(
                    Visit(
                        household=household,
                        helper=helper,
                        visited_on=day,
                        findings=rng.choice(FINDINGS),
                        help_given=rng.choice(HELP),
                    )
                )
        Household.objects.bulk_update(
            households, ["head", "exit_year", "income_year", "per_capita_income"], batch_size=1000
        )
        Income.objects.bulk_create(incomes, batch_size=2000)
        HelperPair.objects.bulk_create(pairs, batch_size=2000)
        Visit.objects.bulk_create(visits, batch_size=5000)
        audit.record(
            actor=None,
            action="household.import",
            region_code="370828000000",
            note="演示数据",
            after={"households": len(households), "visits": len(visits)},
        )
    members = sum(len(m) for m in members_by_household)
    log(f"  建档立卡：{len(households)} 户 {members} 人，{len(visits)} 次走访")


def load_gates(log) -> None:
    """Applications and exits at every step in 司马镇, and monitored households, through the services."""
    rng = random.Random(2019)
    ids = generate.IdFactory(
        used={
            (m.birth_date, int(m.id_number[14:17]) // 2, m.sex)
            for m in Member.objects.only("birth_date", "id_number", "sex")
        }
    )
    sima, cadre, admin = (User.objects.get(username=name) for name in ("sima", "cadre", "admin"))
    today = clock.today()
    votes = {"eligible": 42, "present": 35, "votes_for": 31}
    long_ago = today - timedelta(days=40)
    entry_plan = [
        [],
        [Step.VILLAGE_REVIEW],
        [Step.VILLAGE_REVIEW, Step.FIRST_NOTICE],
        [Step.VILLAGE_REVIEW, Step.FIRST_NOTICE, Step.TOWN_REVIEW],
        [Step.VILLAGE_REVIEW, Step.FIRST_NOTICE, Step.TOWN_REVIEW, Step.SECOND_NOTICE],
        [Step.VILLAGE_REVIEW, Step.FIRST_NOTICE, Step.TOWN_REVIEW, Step.SECOND_NOTICE, Step.COUNTY_APPROVAL],
    ]
    actor_for = {
        Step.VILLAGE_REVIEW: cadre,
        Step.FIRST_NOTICE: cadre,
        Step.TOWN_REVIEW: sima,
        Step.SECOND_NOTICE: sima,
        Step.COUNTY_APPROVAL: admin,
    }
    for steps in entry_plan:
        people = [{**m, "relation": m["relation"]} for m in generate.family(rng, ids, "illness", today.year)]
        day = long_ago if len(steps) == len(entry_plan[-1]) else today - timedelta(days=3)
        household = services.create_household(
            cadre,
            region_code="370828107200",
            data={"main_cause": "illness"},
            members=_plain(people),
            # Applicants are below the identification line, as the town review requires.
            income=generate.income(rng, len(people), below=Decimal("4000")),
            today=day,
        )
        if household.data_warnings:
            services.confirm_warnings(sima, household)
        procedure = household.procedures.get()
        for step in steps:
            data = (
                votes
                if step == Step.VILLAGE_REVIEW
                else {"start": day}
                if "notice" in step
                else {"compared": True}
                if step == Step.TOWN_REVIEW
                else {}
            )
            procedure = services.take_step(actor_for[step], procedure, step, data, today=day)
            if "notice" in step:
                day = procedure.notice_end
    applying = Household.objects.filter(status=Status.APPLYING, region_code="370828107200").order_by("pk")
    notice = applying.filter(procedures__step=Step.FIRST_NOTICE).first()
    if notice:
        services.raise_objection(
            cadre,
            notice.procedures.get(step=Step.FIRST_NOTICE),
            "村民代表徐某",
            "该户儿子在县城有稳定工作，请核实",
        )

    candidates = Household.objects.filter(
        region_code__startswith="370828107", status=Status.NOT_LIFTED, housing_secure=True, water_secure=True
    ).order_by("pk")
    exit_plan = [
        [],
        [Step.VILLAGE_REVIEW],
        [Step.VILLAGE_REVIEW, Step.VERIFICATION],
        [Step.VILLAGE_REVIEW, Step.VERIFICATION, Step.CONSENT],
    ]
    for household, steps in zip(candidates[:4], exit_plan, strict=False):
        services.set_income(
            sima,
            household,
            today.year,
            generate.income(rng, household.members.count(), above=Decimal("4000")),
        )
        procedure = services.start_exit(cadre, household, today=today)
        for step in steps:
            data = {
                Step.VILLAGE_REVIEW: votes,
                Step.CONSENT: {"consent": True},
                Step.VERIFICATION: {"compared": True},
            }.get(step, {})
            procedure = services.take_step(
                cadre if step != Step.VERIFICATION else sima, procedure, step, data
            )

    monitored = Household.objects.filter(
        status=Status.LIFTED_WITH_POLICY, region_code__startswith="370828107"
    )
    types = ["unstable", "marginal", "sudden"]
    for i, household in enumerate(monitored.order_by("pk")[:18]):
        found = today - timedelta(days=rng.randint(5, 260))
        case = services.open_monitoring(
            cadre,
            household,
            type=types[i % 3],
            risks=rng.sample(["illness", "income", "disaster", "unstable_work"], 2),
            found_on=found,
        )
        if i % 3 and found <= today - timedelta(days=20):
            case = _identify(case, cadre, sima, admin, found)
            services.add_measure(
                cadre,
                case,
                rng.choice(["employment", "health", "industry"]),
                "落实针对性帮扶措施",
                case.identified_on + timedelta(days=3),
            )
        elif i % 3:
            services.monitoring_step(cadre, case, "village_review", today=found)
    # A household never registered, put under monitoring after a department alert (边缘易致贫户).
    people = generate.family(rng, ids, "illness", today.year)
    services.monitor_new_household(
        cadre,
        region_code="370828107200",
        data={"main_cause": "illness"},
        members=_plain(people),
        income=generate.income(rng, len(people), below=Decimal("6000")),
        type="marginal",
        risks=["illness"],
        found_on=today,
        source="alert",
    )
    log("  识别与退出：各环节示例户；防返贫监测 19 户")


def _identify(case, cadre, officer, admin, found):
    """The 2021 identification steps in working days: village review, notice, town check, county approval."""
    day = found + timedelta(days=1)
    services.monitoring_step(cadre, case, "village_review", today=day)
    case = services.monitoring_step(cadre, case, "notice", {"start": day}, today=day)
    services.monitoring_step(officer, case, "town_check", today=case.notice_end)
    return services.monitoring_step(admin, case, "county_approval", today=case.notice_end + timedelta(days=1))


def _plain(people: list[dict]) -> list[dict]:
    """Service input: the fields a person enters, not the derived ones."""
    derived = {"name_pinyin", "name_initials", "id_last6", "birth_date", "sex"}
    return [{k: v for k, v in p.items() if k not in derived} for p in people]
