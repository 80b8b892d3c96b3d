"""Demo data of the project library and the funds: about 50 projects of 2016–2018 across the towns.

The seed's county had 50 projects running and 45 in the library; 司马镇's 华源牧业、山林农贸、昊正建材
(industrial, 178.3万元) and 昊天门业、益民农贸 (financial, 300万元) are named there, the rest is invented.
Every project is walked through the same services as a user would, with the services' clock set to the
day of each step, so that the timeline, the audit chain and the balances hold. It lives in the funds app
because funds depends on projects, not the other way round; the expert pool comes from the projects demo.
"""

import random
from datetime import date, timedelta

from fupin.core import clock
from fupin.core import services as core
from fupin.core.demo import COUNTY, DEMO_PASSWORD, TOWNS, demo_password_hash, run_once
from fupin.core.enums import Role
from fupin.core.models import Region, User
from fupin.funds import services as funds
from fupin.projects import services
from fupin.projects.enums import CRITERIA, ProjectState

S = ProjectState
REAL = [
    ("华源牧业扶贫产业项目", "industrial", "594300.00"),
    ("山林农贸扶贫产业项目", "industrial", "594300.00"),
    ("昊正建材扶贫产业项目", "industrial", "594400.00"),
    ("昊天门业金融扶贫项目", "financial", "1500000.00"),
    ("益民农贸金融扶贫项目", "financial", "1500000.00"),
]
KINDS = [
    ("大蒜冷库", "industrial"),
    ("扶贫车间", "industrial"),
    ("光伏电站", "industrial"),
    ("生产道路", "infrastructure"),
    ("农田水利", "infrastructure"),
    ("小额信贷贴息", "financial"),
    ("就业技能培训", "employment"),
    ("公益岗位开发", "public_post"),
    ("食用菌大棚", "industrial"),
    ("饮水安全改造", "other"),
]
# How far each demo project goes, in order: most of them in the library and beyond (seed: 45 in the library).
TARGETS = (
    [S.OPERATING] * 9
    + [S.HANDED_OVER] * 6
    + [S.ACCEPTED] * 3
    + [S.COMPLETED] * 3
    + [S.IMPLEMENTING] * 14
    + [S.PLANNED] * 5
    + [S.LIBRARY] * 5
    + [S.COUNTY_REVIEW, S.COUNTY_REVIEW, S.TOWN_REVIEW, S.DRAFT, S.RETURNED]
)
LEVEL_WORDS = {"central": "中央", "province": "省级", "city": "市级", "county": "县级"}
PLAN = {
    "construction": "按批复内容建设",
    "schedule": "当年开工、当年竣工",
    "budget": "财政专项扶贫资金",
    "procurement": "公开招标",
    "beneficiaries": "建档立卡贫困户，分红与务工",
    "risks": "参加保险，经营主体托底",
}


# Second persons for the steps that one person may not take twice (职责分离, maker-checker): the county
# office's reviewer takes the town review of what the county or a town submitted itself, the treasury
# pays what the finance bureau's fund section allocated.
SECOND_PERSONS = [
    ("reviewer", "县扶贫办项目审核员", Role.COUNTY_ADMIN, "金乡县扶贫开发领导小组办公室"),
    ("cashier", "县财政局国库支付中心", Role.FINANCE, "金乡县财政局国库集中支付中心"),
]


def second_persons() -> tuple[User, User]:
    county = Region.objects.get(code=COUNTY[0])
    for username, display, role, unit in SECOND_PERSONS:
        if not User.objects.filter(username=username).exists():
            core.create_user(
                None,
                username=username,
                password=DEMO_PASSWORD,
                password_hash=demo_password_hash(),
                region=county,
                roles=[role],
                display_name=display,
                unit=unit,
            )
    return User.objects.get(username="reviewer"), User.objects.get(username="cashier")


def load_projects(log) -> None:
    rng = random.Random(2018)
    admin, sima, finance, cadre = (
        User.objects.get(username=u) for u in ("admin", "sima", "finance", "cadre")
    )
    reviewer, cashier = second_persons()
    sources = {}
    for year in (2016, 2017, 2018):
        for level, doc, amount in [
            ("central", f"财农〔{year}〕{rng.randint(10, 99)}号", "30000000.00"),
            ("province", f"鲁财农指〔{year}〕{rng.randint(10, 99)}号", "15000000.00"),
            ("city", f"济财农〔{year}〕{rng.randint(10, 99)}号", "6000000.00"),
            ("county", f"金财农〔{year}〕{rng.randint(1, 30)}号", "8000000.00"),
        ]:
            title = f"{year} 年{LEVEL_WORDS[level]}财政专项扶贫资金"
            with clock.as_of(date(year, 2, 20)):
                sources[(year, level)] = funds.create_source(
                    finance, level=level, year=year, document_no=doc, title=title, amount=amount
                )
    villages = {
        code: list(Region.objects.filter(parent_id=code, level="village").values_list("code", "name")[:6])
        for code, _name in TOWNS
    }
    projects = []
    for n, target in enumerate(TARGETS):
        if n < len(REAL):
            name, kind, budget = REAL[n]
            town_code, year = "370828107000", 2018 if n < 3 else 2017
            village_code = "370828107200"
            actor = sima
            applicant = cadre  # 村申报: the village applies, the town reviews
        else:
            town_code, town_name = TOWNS[n % len(TOWNS)]
            village_code, village_name = rng.choice(villages[town_code])
            label, kind = KINDS[n % len(KINDS)]
            name = f"{village_name}{label}项目"
            budget = f"{rng.randint(30, 250) * 10000}.00"
            year = (2016, 2017, 2018)[n % 3]
            actor = sima if town_code == "370828107000" else admin
            applicant = actor
        if target in {S.COUNTY_REVIEW, S.TOWN_REVIEW, S.DRAFT, S.RETURNED, S.LIBRARY, S.PLANNED}:
            year = 2018
        if target == S.IMPLEMENTING and n % 4 == 0:
            year = 2017  # behind "当年投资、当年完成"
        unit = "司马镇人民政府" if town_code == "370828107000" else f"{dict(TOWNS)[town_code]}人民政府"
        households = rng.randint(20, 160)
        with clock.as_of(date(year - 1, 11, 1)):
            project = services.create_project(
                applicant,
                name=name,
                year=year,
                type=kind,
                nature="新建",
                region_code=village_code,
                budget=budget,
                responsible_unit=unit,
                responsible_person=rng.choice(["王", "李", "张", "刘", "陈"])
                + rng.choice(["建国", "志强", "秀英", "海涛"]),
                applicant_unit=applicant.unit if applicant == cadre else unit,
                starts_on=date(year, 3, 1),
                ends_on=date(year, 11, 30),
                tasks=f"{name}建设",
                funding="中央、省、市、县财政专项扶贫资金",
                planned_households=households,
                targets=f"带动 {households} 户贫困户户均年增收 {rng.choice([300, 500, 800])} 元",
                linkage=rng.choice(["dividend", "employment", "both"]) if target != S.DRAFT else "",
                linkage_dividend=f"{households * 400}.00",
                linkage_jobs=max(1, households // 15),
            )
        people = {"admin": admin, "town": actor, "applicant": applicant, "reviewer": reviewer}
        projects.append(walk(project, target, year, rng, people, finance, cashier, sources))
    behind = sum(p.is_behind(date(2018, 12, 31) + timedelta(days=1)) for p in projects)
    log(f"  项目库：{len(projects)} 个项目（2016–2018），其中 {behind} 个上年未完成")


def walk(project, target, year, rng, people, finance, cashier, sources):
    admin, town = people["admin"], people["town"]
    order = list(S)
    reach = order.index(target) if target in order[:11] else None
    # Who submitted may not take the town review: the town reviews its villages, the county's reviewer
    # what the town or the county submitted.
    town_reviewer = town if people["applicant"] != town else people["reviewer"]
    actors = {"submit": people["applicant"], "town_approve": town_reviewer}

    def step(action, day, reason=""):
        actor = actors.get(action) or (town if action in TOWN_ACTIONS else admin)
        with clock.as_of(day):
            services.transition(actor, project, action, reason)

    if target == S.DRAFT:
        return project
    step("submit", date(year - 1, 11, 5))
    if target == S.RETURNED:
        step("return", date(year - 1, 11, 8), "请补充绩效目标的测算依据")
        return project
    if target == S.TOWN_REVIEW:
        return project
    step("town_approve", date(year - 1, 11, 10))
    with clock.as_of(date(year - 1, 11, 15)):
        review = services.draw_experts(admin, project, seed=rng.randrange(1, 2**40))
    seats = list(review.seats.select_related("expert__user"))
    scored = seats if target != S.COUNTY_REVIEW else seats[: rng.randint(1, 3)]
    for seat in scored:
        points = {field: rng.randint(13, 19) for field, _label in CRITERIA}
        with clock.as_of(date(year - 1, 11, 20)):
            services.submit_score(seat.expert.user, review, comments="项目可行，带贫机制明确", **points)
    if target == S.COUNTY_REVIEW:
        return project
    with clock.as_of(date(year - 1, 11, 21)):
        services.conclude_review(admin, review, conclusion="pass", note="")
    project.refresh_from_db()
    step("enter_library", project.notice_ends_on)
    if reach is not None and reach <= order.index(S.LIBRARY):
        return project
    step("plan", date(year, 1, 10))
    with clock.as_of(date(year, 1, 20)):
        services.save_plan(town, project, **PLAN)
    levels = rng.sample(["central", "province", "city", "county"], 4)
    level = next(lv for lv in levels if sources[(year, lv)].available >= project.budget)
    with clock.as_of(date(year, 2, 25)):
        allocation = funds.allocate(
            finance, source=sources[(year, level)], project=project, amount=project.budget
        )
    if target == S.PLANNED:
        return project
    with clock.as_of(date(year, 2, 28)):
        services.add_procurement(
            town,
            project,
            method="公开招标",
            contract_no=f"JX-{year}-{project.pk:03d}",
            supplier=rng.choice(["金乡县建工集团", "济宁市鲁源建设", "山东金蒜农业"]),
            amount=project.budget,
            signed_on=date(year, 2, 28),
        )
    step("request_start", date(year, 3, 1))
    step("approve_start", date(year, 3, 3))
    behind = project.year < 2018 and target == S.IMPLEMENTING
    share = rng.choice([30, 50, 60]) if target == S.IMPLEMENTING else 100
    with clock.as_of(date(year, 6, 1)):
        funds.disburse(
            cashier,
            allocation=allocation,
            amount=(allocation.net_amount * share / 100 / 2).quantize(allocation.net_amount),
            paid_on=date(year, 6, 1),
            payee=f"项目施工单位（合同 JX-{year}-{project.pk:03d}）",
            voucher_no=f"记-{year}-{project.pk:04d}-1",
        )
        services.report_progress(town, project, percent=40 if behind else 50, problems="")
    if target == S.IMPLEMENTING:
        if behind:
            with clock.as_of(date(year, 12, 20)):
                services.report_progress(town, project, percent=70, problems="土地流转延误，工期滞后")
        return project
    with clock.as_of(date(year, 10, 30)):
        services.report_progress(town, project, percent=100)
        allocation.refresh_from_db()
        funds.disburse(
            cashier,
            allocation=allocation,
            amount=allocation.available,
            paid_on=date(year, 10, 30),
            payee=f"项目施工单位（合同 JX-{year}-{project.pk:03d}）",
            voucher_no=f"记-{year}-{project.pk:04d}-2",
        )
    step("complete", date(year, 11, 5))
    if target == S.COMPLETED:
        return project
    with clock.as_of(date(year, 11, 20)):
        services.record_acceptance(
            admin,
            project,
            accepted_on=date(year, 11, 20),
            members="县扶贫办、县财政局、县审计局、镇政府",
            conclusion="工程质量合格，同意验收",
        )
    step("accept", date(year, 11, 21))
    if target == S.ACCEPTED:
        return project
    village = Region.objects.get(code=project.region_code)
    with clock.as_of(date(year, 12, 10)):
        services.add_asset(
            town,
            project,
            name=project.name.removesuffix("项目"),
            asset_class="operating" if project.type in {"industrial", "financial"} else "public",
            owner=f"{village.name}村民委员会",
            value=project.budget,
            registered_on=date(year, 12, 10),
        )
    step("hand_over", date(year, 12, 15))
    if target == S.OPERATING:
        step("operate", date(year, 12, 20))
        with clock.as_of(date(year + 1, 1, 15)):
            # The score comes from the project's data and the surveyed satisfaction (绩效评价).
            funds.record_evaluation(
                finance,
                project,
                year=year,
                satisfaction=str(rng.randint(82, 98)),
                indicators={"带贫户数": project.planned_households},
            )
    return project


TOWN_ACTIONS = {"submit", "town_approve", "return", "request_start", "complete", "hand_over", "operate"}


def load(log) -> None:
    # The key keeps the name it had when this demo lived in the projects app: a second run skips it.
    run_once("projects.projects", load_projects, log)
