"""Demo of workshops and posts on the seed's scale (扶贫车间 42 处、扶贫岗 252 个、带动 734 人), with 2019's
months and wages, quarterly statuses of 2019 (some 监测待处置, one 清理) and a few offers of 南徐庄村.

Everything goes through the services (jobs.place, jobs.record_work, jobs.assess_workshop,
matching.make_offer…), so that the audit chain holds every row; the people placed are living members of
registered households with labour ability from the registry's demo, of the employer's town.
"""

import random
import time
from datetime import date
from decimal import Decimal

from fupin.core import audit, clock
from fupin.core.demo import TOWNS, run_once
from fupin.core.models import Region, User
from fupin.registry.enums import ABLE_TO_WORK, REGISTERED_STATUSES
from fupin.registry.models import Member

from . import jobs, matching
from .models import Placement, WorkRecord, Workshop

WORKSHOPS, POSTS, PEOPLE = 42, 252, 734
WORKSHOP_KINDS = [
    "服装加工",
    "柳编",
    "大蒜分拣",
    "电子元件组装",
    "假发加工",
    "手工编织",
    "食品包装",
    "箱包加工",
]
OPERATORS = [
    "服饰有限公司",
    "工艺品有限公司",
    "农产品有限公司",
    "电子有限公司",
    "发制品有限公司",
    "食品有限公司",
]
POST_TITLES = [
    ("welfare", "保洁员"),
    ("welfare", "护林员"),
    ("welfare", "治安巡逻员"),
    ("welfare", "养老护理员"),
    ("welfare", "河道管护员"),
    ("poverty", "公路养护员"),
    ("poverty", "村级信息员"),
    ("poverty", "光伏电站管护员"),
]
FUNDS = ["县级财政专项扶贫资金", "光伏扶贫电站收益", "村集体经济收益", "省级财政专项扶贫资金"]


def load(log) -> None:
    run_once("benefits.jobs", load_jobs, log)


def load_jobs(log) -> None:
    started = time.monotonic()
    rng = random.Random(734)
    admin = User.objects.get(username="admin")
    villages = {
        town: list(Region.objects.filter(parent_id=town, level="village").values_list("code", flat=True))
        for town, _name in TOWNS
    }
    names = dict(TOWNS)
    eligible: dict[str, list[int]] = {}
    for member_id, code in (
        Member.objects.living()
        .filter(household__status__in=REGISTERED_STATUSES, labour__in=ABLE_TO_WORK)
        .exclude(household__region_code="370828107200")  # 南徐庄村 keeps its people for the matching list
        .order_by("id")
        .values_list("id", "household__region_code")
    ):
        eligible.setdefault(code[:9] + "000", []).append(member_id)
    for ids in eligible.values():
        rng.shuffle(ids)

    workshops = []
    for n in range(WORKSHOPS):
        town = TOWNS[n % len(TOWNS)][0]
        site = "370828107200" if n == 8 else rng.choice(villages[town] or [town])
        kind = WORKSHOP_KINDS[n % len(WORKSHOP_KINDS)]
        workshops.append(
            jobs.create_workshop(
                admin,
                name=f"{names[town]}{kind}扶贫车间"
                + ("" if n < len(TOWNS) else f"（{n // len(TOWNS) + 1}）"),
                operator=f"金乡县{rng.choice('华源昊天益民山林金穗蒜都鑫盛')}{rng.choice(OPERATORS)}",
                region_code=site,
                opened_on=date(rng.choice([2017, 2018]), rng.randint(1, 6), 1),
                capacity=rng.randint(18, 36),
            )
        )
    posts = []
    for n in range(POSTS):
        town = TOWNS[n % len(TOWNS)][0]
        kind, title = POST_TITLES[n % len(POST_TITLES)]
        posts.append(
            jobs.create_post(
                admin,
                kind=kind,
                title=title,
                region_code=rng.choice(villages[town]) if rng.random() < 0.8 and villages[town] else town,
                monthly_wage=rng.choice(["400.00", "500.00", "500.00", "600.00", "800.00"]),
                funded_by=rng.choice(FUNDS),
                places=rng.choice([1, 1, 2, 2, 3]),
                opened_on=date(2018, 1, 1),
            )
        )

    # One person on each post, the rest in the workshops of their town: PEOPLE in all with the two offers
    # accepted below. 734 placements and their records one service call each take ~20 s on SQLite, so they
    # are written in bulk here, under the same rules as jobs.place (living registered members with labour
    # ability of the employer's town, never over capacity) and with the same audit events (record_many).
    accepted = 2
    placements: list[Placement] = []
    shortfall = 0

    def take(town):
        ids = eligible.get(town, [])
        return ids.pop() if ids else None

    def start(employer):
        first = max(employer.opened_on, date(2018, 1, 1))
        return date(
            rng.choice([first.year, 2019]) if first.year < 2019 else 2019, rng.randint(first.month, 6), 1
        )

    def placed(member, employer, wage):
        kind = "workshop" if isinstance(employer, Workshop) else "post"
        return Placement(
            member_id=member,
            region_code=employer.region_code,
            started_on=start(employer),
            monthly_wage=Decimal(wage).quantize(Decimal("0.01")),
            created_by=admin,
            **{kind: employer},
        )

    for post in posts:
        member = take(post.region_code[:9] + "000")
        if member is None:
            shortfall += 1
            continue
        placements.append(placed(member, post, post.monthly_wage))
    nanxu_shop = workshops[8]  # kept empty of 2019 workers: the offers of 南徐庄村 go there
    order, filled = [w for w in workshops if w != nanxu_shop], {}
    while len(placements) < PEOPLE - accepted and order:
        for workshop in list(order):
            member = take(workshop.region_code[:9] + "000") if len(placements) < PEOPLE - accepted else None
            if member is None or filled.get(workshop.pk, 0) >= workshop.capacity - 4:
                order.remove(workshop)
                continue
            filled[workshop.pk] = filled.get(workshop.pk, 0) + 1
            placements.append(placed(member, workshop, rng.choice([1500, 1800, 2000, 2200, 2500])))
    Placement.objects.bulk_create(placements, batch_size=500)

    # 2019's months and wages; three workshops whose people worked too little (watched, then cleared).
    weak = {w.pk for w in workshops[1:4]} | {nanxu_shop.pk}
    records = []
    for placement in placements:
        covered = jobs.months_in_year(placement, 2019)
        low, high = (0, min(2, covered)) if placement.workshop_id in weak else (max(covered - 3, 0), covered)
        months = rng.randint(low, high)
        records.append(
            WorkRecord(
                placement=placement,
                year=2019,
                months=months,
                wages=placement.monthly_wage * months,
                recorded_by=admin,
            )
        )
    WorkRecord.objects.bulk_create(records, batch_size=500)
    audit.record_many(
        [
            {
                "actor": admin,
                "action": "benefits.placement.start",
                "region_code": p.region_code,
                "target": p,
                "note": "演示数据",
                "after": {
                    "workshop_id" if p.workshop_id else "post_id": p.workshop_id or p.post_id,
                    "member": p.member_id,
                    "started_on": p.started_on,
                    "monthly_wage": p.monthly_wage,
                },
            }
            for p in placements
        ]
        + [
            {
                "actor": admin,
                "action": "benefits.work.record",
                "region_code": r.placement.region_code,
                "target": r.placement,
                "note": "演示数据",
                "after": {"year": r.year, "months": r.months, "wages": r.wages},
            }
            for r in records
        ]
    )
    for workshop in workshops[:12] + [nanxu_shop]:
        for quarter in ("2019-Q1", "2019-Q2", "2019-Q3", "2019-Q4"):
            if not workshop.assessments.filter(quarter=quarter).exists():
                note = (
                    "季度巡查：用工稳定，工资按月发放"
                    if workshop.pk not in weak
                    else "吸纳贫困劳动力务工时间不足，限期整改"
                )
                jobs.assess_workshop(admin, workshop, quarter=quarter, note=note)

    # A few offers of 南徐庄村 for the cadre's phone: open, accepted and declined.
    sima = User.objects.get(username="sima")
    idle = list(matching.candidates(sima, "370828107200")[:6])
    town_posts = [p for p in posts if p.region_code[:9] == "370828107"]
    outcomes = ["open", "open", "accepted", "accepted", "declined", "declined"]
    for member, outcome in zip(idle, outcomes, strict=False):
        if outcome == "accepted" or outcome == "open" and member == idle[0]:
            offer = matching.make_offer(sima, member=member, workshop=nanxu_shop, monthly_wage="1800.00")
        else:
            free = [p for p in town_posts if jobs.occupied(p, clock.today()) < p.places]
            offer = matching.make_offer(sima, member=member, post=free[0])
        if outcome == "accepted":
            matching.accept_offer(sima, offer)
        elif outcome == "declined":
            matching.decline_offer(sima, offer, reason=rng.choice(["需照顾年迈父母", "身体原因暂不能务工"]))

    people = Placement.objects.values("member").distinct().count()
    log(
        f"  扶贫车间 {len(workshops)} 处，扶贫岗 {len(posts)} 个，带动 {people} 人"
        + (f"（{shortfall} 个岗位所在镇街无可安置人员）" if shortfall else "")
        + f"；供需对接推荐 {len(idle)} 人次；用时 {time.monotonic() - started:.1f} 秒"
    )
