"""Fixtures of the project tests: an expert pool, a 司马镇 project, and builders that walk a project along
its lifecycle through the services, as people would."""

from datetime import date

import pytest

from fupin.core.enums import Role
from fupin.core.models import Region, User
from fupin.projects import services
from fupin.projects.models import Expert

UNITS = [
    "县农业农村局",
    "县财政局",
    "县发展和改革局",
    "县审计局",
    "县水务局",
    "县住房和城乡建设局",
    "县商务局",
]


def county_admin_of(jinxiang=None) -> User:
    return User.objects.filter(roles__code=Role.COUNTY_ADMIN).first()


def make_pool(admin, units=UNITS) -> list[Expert]:
    experts = []
    for i, unit in enumerate(units, start=1):
        user = services_user(f"expert{i}", unit)
        experts.append(services.create_expert(admin, name=f"专家{i}", unit=unit, field="农业", user=user))
    return experts


def services_user(username, unit):
    from fupin.core import services as core

    return core.create_user(
        None,
        username=username,
        password="correct-horse-battery",
        region=Region.objects.get(code="370828000000"),
        roles=[Role.EXPERT],
        display_name=username,
        unit=unit,
    )


PROJECT = {
    "name": "华源牧业扶贫产业项目",
    "year": 2018,
    "type": "industrial",
    "region_code": "370828107200",
    "budget": "1783000.00",
    "responsible_unit": "司马镇人民政府",
    "responsible_person": "王镇长",
    "applicant_unit": "司马镇人民政府",
    "starts_on": date(2018, 4, 1),
    "ends_on": date(2018, 11, 30),
    "tasks": "建设标准化牛舍 6 栋",
    "funding": "中央、省级财政专项扶贫资金",
    "planned_households": 120,
    "targets": "带动 120 户贫困户每户年增收 500 元",
    "linkage": "both",
    "linkage_dividend": "60000.00",
    "linkage_jobs": 8,
}


def make_project(actor, **overrides):
    return services.create_project(actor, **{**PROJECT, **overrides})


PLAN = {
    "construction": "牛舍 6 栋",
    "schedule": "4 月开工，11 月竣工",
    "budget": "178.3 万元",
    "procurement": "公开招标",
    "beneficiaries": "120 户，分红 + 务工",
    "risks": "保险、托底回购",
}


def score_all(review, points=15):
    for seat in review.seats.filter(withdrawn="").select_related("expert__user"):
        services.submit_score(seat.expert.user, review, **{f: points for f in PLAN_CRITERIA}, comments="可行")


PLAN_CRITERIA = ["feasibility", "compliance", "soundness", "durability", "linkage"]


def to_library(project, town, admin, time_machine=None):
    """draft → 乡镇审核 → 县级评审 (draw, scores, the chair's conclusion) → notice → 入库. The town
    submits and the county takes the town review: who submits may not approve (职责分离)."""
    services.transition(town, project, "submit")
    services.transition(admin, project, "town_approve")
    review = services.draw_experts(admin, project, seed=42)
    score_all(review)
    services.conclude_review(admin, review, conclusion="pass")
    project.refresh_from_db()
    if time_machine is not None:
        time_machine.move_to(project.notice_ends_on, tick=False)
    services.transition(admin, project, "enter_library")
    project.refresh_from_db()
    return project


def to_implementing(project, town, admin, finance, source, time_machine):
    from fupin.funds import services as funds

    to_library(project, town, admin, time_machine)
    services.transition(admin, project, "plan")
    services.save_plan(town, project, **PLAN)
    services.add_procurement(
        town,
        project,
        method="公开招标",
        contract_no="SM-2018-01",
        supplier="金乡建工",
        amount="1700000.00",
        signed_on=date(2018, 4, 1),
    )
    # The county allocates, finance pays (maker-checker: who allocates may not also pay).
    funds.allocate(admin, source=source, project=project, amount="1000000.00")
    services.transition(town, project, "request_start")
    services.transition(admin, project, "approve_start")
    project.refresh_from_db()
    return project


@pytest.fixture
def pool(county_admin):
    return make_pool(county_admin)


@pytest.fixture
def finance(make_user):
    return make_user("finance", roles=[Role.FINANCE], unit="县财政局")


@pytest.fixture
def project(sima_officer, pool):
    return make_project(sima_officer)


@pytest.fixture
def source(finance):
    from fupin.funds import services as funds

    return funds.create_source(
        finance,
        level="central",
        year=2018,
        document_no="鲁财农指〔2018〕12号",
        title="2018 年中央财政专项扶贫资金",
        amount="3000000.00",
        received_on=date(2018, 3, 1),
    )
