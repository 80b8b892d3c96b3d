"""Supervision demo: the May campaign (问题整改季) with problems in every state, some overdue and
escalated; the urban-management bureau's grids, staggered shifts and a couple of hundred patrol problems;
complaints."""

import random
from datetime import datetime, time, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from fupin.core import clock
from fupin.core import services as core_services
from fupin.core.demo import DEMO_PASSWORD, demo_password_hash, run_once
from fupin.core.enums import Role
from fupin.core.models import Region, User

from . import services
from .enums import Aspect, UrbanCategory
from .views import DEFAULT_CHECKLIST

PHOTO = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
PROJECT_PROBLEMS = [
    (Aspect.REVIEW, "华源牧业扶贫产业项目", "可行性论证报告缺少专家签字"),
    (Aspect.REVIEW, "山林农贸扶贫产业项目", "利益联结机制未明确带贫户名单"),
    (Aspect.PROCEDURE, "昊正建材扶贫产业项目", "开工前未履行开工报请手续"),
    (Aspect.PROCEDURE, "鸡黍镇冬暖式大棚项目", "招标公告公示时间不足"),
    (Aspect.QUALITY, "羊山镇扶贫车间项目", "车间墙体出现裂缝"),
    (Aspect.QUALITY, "胡集镇光伏扶贫电站", "部分光伏板支架锈蚀"),
    (Aspect.OPERATION, "霄云镇蔬菜大棚项目", "大棚闲置未运营"),
    (Aspect.OPERATION, "马庙镇扶贫车间", "承租企业经营困难，租金拖欠"),
    (Aspect.FUNDS, "化雨镇产业扶贫项目", "资金拨付凭证不全"),
    (Aspect.FUNDS, "卜集镇光伏扶贫电站", "项目资金账实不符"),
    (Aspect.BENEFITS, "兴隆镇产业扶贫项目", "收益台账记录不准确"),
    (Aspect.BENEFITS, "司马镇昊天门业金融扶贫项目", "分红发放不及时"),
]
STREET_GRIDS = {
    "370828001000": ["金城路网格", "中心街网格", "奎星路网格"],
    "370828002000": ["高河路网格", "莱河路网格"],
    "370828003000": ["鱼山路网格", "文峰路网格"],
    "370828004000": ["王丕路网格"],
}
PATROL = {
    UrbanCategory.OUTSIDE_SHOP: ["水果店店外摆摊", "饭店门口占用人行道经营", "五金店商品堆放店外"],
    UrbanCategory.ROAD: ["流动摊贩占道经营", "早市占用车行道"],
    UrbanCategory.PARKING: ["电动车乱停乱放", "机动车占用盲道停放"],
    UrbanCategory.BUILDING: ["私搭彩钢棚", "违规搭建雨棚"],
    UrbanCategory.SIGNS: ["门头牌匾破损", "违规设置灯箱"],
    UrbanCategory.SANITATION: ["垃圾未及时清运"],
}


def load(log) -> None:
    run_once("supervision.campaign", load_campaign, log)
    run_once("supervision.urban", load_urban, log)
    run_once("supervision.complaints", load_complaints, log)


def _photo():
    return SimpleUploadedFile("整改后.png", PHOTO, content_type="image/png")


def _walk(problem, officer, inspector, rng, today, outcome: str):
    """Take a problem to one of the ledger's states, with dates that fit."""
    found = problem.found_on
    if outcome == "registered":
        return
    if problem.state == "registered":
        if outcome == "rejected":
            services.transition(inspector, problem, "reject", comment="经核实不属于问题", today=found)
            return
        services.transition(
            inspector,
            problem,
            "assign",
            unit=officer.unit or str(officer.region),
            person=officer,
            deadline=found + timedelta(days=rng.choice([10, 14, 21])),
            beyond_campaign_end=True,
            today=found,
        )
    if outcome in ("assigned", "rejected"):
        return
    services.transition(officer, problem, "start", today=found + timedelta(days=1))
    if outcome == "rectifying":
        return
    done = min(today, found + timedelta(days=rng.randint(3, 25)))
    services.transition(
        officer, problem, "submit", comment="已按要求整改到位", attachments=[_photo()], today=done
    )
    if outcome == "pending":
        return
    if outcome == "rework":
        services.transition(inspector, problem, "rework", comment="整改不到位，请重新整改", today=done)
        return
    services.transition(inspector, problem, "verify", today=done)


def load_campaign(log) -> None:
    rng = random.Random(5)
    inspector, admin = User.objects.get(username="inspector"), User.objects.get(username="admin")
    county = Region.objects.get(code="370828000000")
    today = clock.today()
    items = [{"aspect": a, "text": t, "method": m} for a, t, m in DEFAULT_CHECKLIST]
    services.create_campaign(
        inspector,
        name="2018年产业扶贫项目问题整改季",
        use="projects",
        region=county,
        start=today.replace(year=2018, month=5, day=1),
        end=today.replace(year=2018, month=5, day=31),
        scope={"years": [2016, 2017], "fund_levels": ["central", "province", "city"]},
        items=items,
    )
    campaign = services.create_campaign(
        inspector,
        name=f"{today.year}年产业扶贫项目跟踪问效",
        use="projects",
        region=county,
        start=today - timedelta(days=45),
        end=today + timedelta(days=15),
        scope={"years": [2016, 2017, 2018]},
        items=items,
    )
    towns = {t.code: t for t in Region.objects.filter(level="town", code__startswith="370828")}
    officers = {
        u.region.code[:9]: u
        for u in User.objects.filter(roles__code=Role.TOWN_OFFICER).select_related("region")
    }
    outcomes = [
        "closed",
        "closed",
        "closed",
        "pending",
        "rectifying",
        "rectifying",
        "assigned",
        "rework",
        "registered",
        "rejected",
        "closed",
        "assigned",
    ]
    for (aspect, subject, title), outcome in zip(PROJECT_PROBLEMS, outcomes, strict=True):
        town_code = next((code for code, town in towns.items() if town.name[:2] in subject), "370828107000")
        officer = officers.get(town_code[:9]) or officers.get("370828107") or admin
        problem = services.open_problem(
            inspector,
            use="projects",
            category=aspect,
            title=title,
            region_code=town_code,
            found_on=today - timedelta(days=rng.randint(25, 44)),
            campaign=campaign,
            subject_label=subject,
        )
        _walk(
            problem,
            officer if problem.region_code.startswith(officer.scope_prefix) else admin,
            inspector,
            rng,
            today,
            outcome,
        )
    changed = services.escalate(today)
    log(
        f"  督查活动：2 次，问题 {len(PROJECT_PROBLEMS)} 个，"
        f"督办 {sum(changed.values()) - changed['none']} 个"
    )


STREET_STAFF = {
    "370828001000": ["gridstaff", "gridstaff2"],
    "370828002000": ["gridstaff3", "gridstaff6"],
    "370828003000": ["gridstaff4"],
    "370828004000": ["gridstaff5"],
}


def _street_staff(code: str) -> list[User]:
    people = []
    for username in STREET_STAFF[code]:
        user = User.objects.filter(username=username).first() or core_services.create_user(
            None,
            username=username,
            password=DEMO_PASSWORD,
            password_hash=demo_password_hash(),
            region=Region.objects.get(code=code),
            roles=[Role.GRID_STAFF],
            display_name=f"执法局网格员{username.removeprefix('gridstaff') or 1}",
            unit="金乡县综合行政执法局",
        )
        people.append(user)
    return people


def load_urban(log) -> None:
    rng = random.Random(6)
    dispatcher = User.objects.get(username="dispatcher")
    today = clock.today()
    grids, staff_of = [], {}
    for town_code, names in STREET_GRIDS.items():
        people = _street_staff(town_code)
        for index, name in enumerate(names):
            grid = services.create_grid(
                dispatcher,
                name=name,
                region=Region.objects.get(code=town_code),
                area=f"{name.removesuffix('网格')}沿线商户与人行道",
            )
            grids.append(grid)
            staff_of[grid.pk] = people
            # Staggered shifts (错时执勤): an early and a late shift, nobody in two grids at once.
            person = people[index % len(people)]
            hours = (time(7, 0), time(13, 0)) if index < len(people) else (time(13, 0), time(19, 0))
            for day_offset in range(-3, 2):
                day = today + timedelta(days=day_offset)
                services.add_shift(
                    dispatcher,
                    grid=grid,
                    staff=person,
                    start=timezone.make_aware(datetime.combine(day, hours[0])),
                    end=timezone.make_aware(datetime.combine(day, hours[1])),
                    duties="巡查店外经营、占道经营、乱停乱放、乱搭乱建",
                    points=rng.choice([0, 1, 2, 3]),
                )
    outcomes = ["closed"] * 6 + ["rectifying", "assigned", "pending", "rework", "registered", "rejected"]
    for _ in range(220):
        grid = rng.choice(grids)
        category = rng.choice(list(PATROL))
        person = rng.choice(staff_of[grid.pk])
        problem = services.open_problem(
            person,
            use="urban",
            category=category,
            title=rng.choice(PATROL[category]),
            region_code=grid.region_code,
            found_on=today - timedelta(days=rng.randint(1, 90)),
        )
        if problem.state == "registered":  # nobody on shift then: the dispatcher assigns it
            _walk(problem, person, dispatcher, rng, today, rng.choice(outcomes))
        else:
            problem.grid = grid
    services.escalate(today)
    log(
        f"  城市管理：{len(grids)} 个网格，{sum(len(v) for v in STREET_STAFF.values())} 名网格员，"
        "220 个巡查问题"
    )


def load_complaints(log) -> None:
    inspector = User.objects.get(username="inspector")
    texts = [
        ("12317", "370828107200", "南徐庄村光伏收益今年还没有分到户"),
        ("12317", "370828104000", "反映某村扶贫车间长期停工"),
        ("letter", "370828101000", "反映村干部在贫困户识别中优亲厚友"),
        ("web", "370828001000", "金城路夜市占道经营影响通行"),
        ("web", "370828112000", "扶贫项目建成后无人管护"),
    ]
    complaints = [
        services.receive_complaint(None, channel=channel, content=content, region_code=code)
        for channel, code, content in texts
    ]
    services.accept_complaint(
        inspector, complaints[0], use="projects", category=Aspect.BENEFITS, title="光伏收益未按时发放"
    )
    services.accept_complaint(
        inspector, complaints[1], use="projects", category=Aspect.OPERATION, title="扶贫车间停工"
    )
    services.dismiss_complaint(inspector, complaints[2], "经调查，识别程序规范，反映问题不属实")
    log(f"  投诉：{len(complaints)} 件（查询码示例 {complaints[0].code}）")
