"""Demo data of the foundation: Jinxiang county, its 13 towns and streets, invented villages, a user per role.

Each app has a `demo.py` with `load(log)`; `python -m fupin demo` calls them in app order. Each part runs
once (a `DemoDataset` row remembers it), so a second run keeps whatever users changed since.
"""

import functools
import random

from django.contrib.auth.hashers import make_password
from django.db import transaction

from . import policy, services
from .enums import RegionLevel, Role
from .models import DemoDataset, Region

DEMO_PASSWORD = "fupin-demo"


@functools.cache
def demo_password_hash() -> str:
    return make_password(DEMO_PASSWORD)


COUNTY = ("370828000000", "金乡县")
PROVINCE = ("370000000000", "山东省")
CITY = ("370800000000", "济宁市")

# DESIGN.md §3: the real codes and names.
TOWNS = [
    ("370828001000", "金乡街道"),
    ("370828002000", "高河街道"),
    ("370828003000", "鱼山街道"),
    ("370828004000", "王丕街道"),
    ("370828101000", "羊山镇"),
    ("370828102000", "胡集镇"),
    ("370828103000", "霄云镇"),
    ("370828104000", "鸡黍镇"),
    ("370828107000", "司马镇"),
    ("370828109000", "马庙镇"),
    ("370828110000", "化雨镇"),
    ("370828111000", "卜集镇"),
    ("370828112000", "兴隆镇"),
]

# Village names are invented (the seed names two real ones, kept here): surname + settlement word.
SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
    "余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
)
SETTLEMENTS = ["庄", "楼", "集", "屯", "营", "寨", "店", "堂", "庙", "口", "桥", "洼", "园", "坊", "湖", "岗"]
COMMUNITIES = [
    "金城",
    "金山",
    "文峰",
    "奎星",
    "中兴",
    "北关",
    "南关",
    "西城",
    "东城",
    "凤凰",
    "莱河",
    "缗城",
    "红旗",
    "新华",
    "幸福",
    "和平",
    "建设",
    "育才",
]
KNOWN_VILLAGES = {"370828107000": ["南徐庄"], "370828101000": ["固子"]}

USERS = [
    # username, display name, region code, roles, unit, staff
    ("admin", "县扶贫办管理员", COUNTY[0], [Role.COUNTY_ADMIN], "金乡县扶贫开发领导小组办公室", True),
    ("sima", "司马镇扶贫专干", "370828107000", [Role.TOWN_OFFICER], "司马镇人民政府", False),
    ("jishu", "鸡黍镇扶贫专干", "370828104000", [Role.TOWN_OFFICER], "鸡黍镇人民政府", False),
    ("cadre", "南徐庄村第一书记", None, [Role.VILLAGE_CADRE], "南徐庄村村民委员会", False),
    ("helper", "司马镇帮扶责任人", "370828107000", [Role.HELPER], "司马镇人民政府", False),
    ("finance", "县财政局专项资金科", COUNTY[0], [Role.FINANCE], "金乡县财政局", False),
    ("inspector", "县纪委监委督查员", COUNTY[0], [Role.INSPECTOR], "金乡县纪委监委", False),
    ("lectureadmin", "县纪委宣传部", COUNTY[0], [Role.LECTURE_ADMIN], "金乡县纪委宣传部", False),
    ("lecturer", "宣讲员刘老师", COUNTY[0], [Role.LECTURER], "中共金乡县委党校", False),
    ("requester", "县交通运输局办公室", COUNTY[0], [Role.REQUESTER], "金乡县交通运输局", False),
    ("gridstaff", "执法局网格员", "370828001000", [Role.GRID_STAFF], "金乡县综合行政执法局", False),
    ("dispatcher", "执法局调度员", COUNTY[0], [Role.DISPATCHER], "金乡县综合行政执法局", False),
]
EXPERT_UNITS = [
    "县农业农村局",
    "县财政局",
    "县发展和改革局",
    "县审计局",
    "县水务局",
    "县住房和城乡建设局",
    "县自然资源和规划局",
    "县商务局",
    "县畜牧兽医事业发展中心",
]


def village_names(town_code: str, count: int) -> list[str]:
    rng = random.Random(int(town_code))
    names = list(KNOWN_VILLAGES.get(town_code, []))
    while len(names) < count:
        name = rng.choice(SURNAMES) + rng.choice(SETTLEMENTS)
        if rng.random() < 0.25:
            name = rng.choice("东西南北前后大小") + name
        if name not in names:
            names.append(name)
    return names


def load_regions(log) -> None:
    province = services.create_region(None, code=PROVINCE[0], name=PROVINCE[1])
    city = services.create_region(None, code=CITY[0], name=CITY[1], parent=province)
    county = services.create_region(None, code=COUNTY[0], name=COUNTY[1], parent=city)
    for town_code, town_name in TOWNS:
        town = services.create_region(None, code=town_code, name=town_name, parent=county)
        rng = random.Random(int(town_code) + 1)
        is_street = town_code[6] == "0"
        communities = rng.randint(6, 10) if is_street else rng.randint(1, 3)
        villages = rng.randint(12, 20) if is_street else rng.randint(28, 45)
        for i, name in enumerate(rng.sample(COMMUNITIES, communities), start=1):
            services.create_region(None, code=f"{town_code[:9]}{i:03d}", name=f"{name}社区", parent=town)
        for i, name in enumerate(village_names(town_code, villages), start=200):
            services.create_region(None, code=f"{town_code[:9]}{i:03d}", name=f"{name}村", parent=town)
    log(f"  行政区划：1 县，13 镇街，{Region.objects.filter(level=RegionLevel.VILLAGE).count()} 村居")


def load_users(log) -> None:
    nanxu = Region.objects.get(name="南徐庄村", parent_id="370828107000")
    for username, display, region_code, roles, unit, staff in USERS:
        services.create_user(
            None,
            username=username,
            password=DEMO_PASSWORD,
            password_hash=demo_password_hash(),
            region=Region.objects.get(code=region_code) if region_code else nanxu,
            roles=roles,
            display_name=display,
            unit=unit,
            is_staff=staff,
            is_superuser=staff,
        )
    for i, unit in enumerate(EXPERT_UNITS, start=1):
        services.create_user(
            None,
            username=f"expert{i}",
            password=DEMO_PASSWORD,
            password_hash=demo_password_hash(),
            region=Region.objects.get(code=COUNTY[0]),
            roles=[Role.EXPERT],
            display_name=f"评审专家{i}",
            unit=unit,
        )
    log(f"  演示账号：{len(USERS) + len(EXPERT_UNITS)} 个，密码 {DEMO_PASSWORD}")


def load_policy(log) -> None:
    county = Region.objects.get(code=COUNTY[0])
    for key, years in policy.JINXIANG_YEARLY.items():
        for year, value in years.items():
            policy.set_value(None, key, county, year, value, note="演示数据：山东省标准，请按本省文件核对")
    log("  政策参数：历年扶贫标准与监测标准")


def run_once(name: str, loader, log) -> bool:
    """Run `loader` in one transaction unless the part `name` was loaded before."""
    with transaction.atomic():
        if DemoDataset.objects.filter(name=name).exists():
            log(f"  {name}: 已加载，保留现有数据")
            return False
        loader(log)
        DemoDataset.objects.create(name=name)
    return True


def load(log) -> None:
    run_once("core.regions", load_regions, log)
    run_once("core.users", load_users, log)
    run_once("core.policy", load_policy, log)
