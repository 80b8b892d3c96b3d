"""Realistic invented households for the demo and the benchmarks: valid ID numbers, plausible families,
causes and incomes in the proportions a county of the seed's kind reports. Nothing here is a real person."""

import random
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from fupin.core import identity

from . import rules

SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董程"
    "曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏"
)
GIVEN_MALE = [
    "建国",
    "建华",
    "国强",
    "志强",
    "德明",
    "保立",
    "长山",
    "大勇",
    "红军",
    "永胜",
    "振华",
    "文明",
    "金山",
    "海涛",
    "春生",
    "庆丰",
    "树林",
    "广田",
    "立新",
    "卫东",
]
GIVEN_FEMALE = [
    "秀英",
    "桂兰",
    "玉兰",
    "秀珍",
    "凤英",
    "淑珍",
    "丽娟",
    "春梅",
    "桂芳",
    "翠花",
    "美玲",
    "红霞",
    "小燕",
    "丽华",
    "金凤",
    "素梅",
    "海燕",
    "雪梅",
    "冬梅",
    "晓丽",
]
CAUSES = [
    ("illness", 40),
    ("disability", 15),
    ("labour", 12),
    ("skills", 10),
    ("capital", 8),
    ("schooling", 5),
    ("disaster", 3),
    ("land", 2),
    ("motivation", 3),
    ("transport", 1),
    ("other", 1),
]
ATTRIBUTES = [("general", 70), ("dibao", 22), ("tekun", 8)]


def pick(rng: random.Random, weighted):
    values, weights = zip(*weighted, strict=True)
    return rng.choices(values, weights)[0]


@dataclass
class IdFactory:
    """Unique valid ID numbers: (birth date, sequence) pairs are never reused."""

    area: str = "370828"
    used: set = field(default_factory=set)

    def make(self, rng: random.Random, birth: date, sex: str) -> str:
        for _ in range(1000):
            sequence = rng.randrange(500)
            if (birth, sequence, sex) not in self.used:
                self.used.add((birth, sequence, sex))
                return identity.make(self.area, birth, sequence, sex)
        raise RuntimeError("no free sequence for this birth date")


def birth(rng: random.Random, age: int, year: int) -> date:
    return date(year - age, rng.randint(1, 12), rng.randint(1, 28))


def person(rng, ids, name, age, sex, relation, year, **extra) -> dict:
    pinyin, initials = rules.pinyin_of(name)
    born = birth(rng, age, year)
    number = ids.make(rng, born, sex)
    return {
        "name": name,
        "name_pinyin": pinyin,
        "name_initials": initials,
        "id_number": number,
        "id_last6": number[-6:],
        "birth_date": born,
        "sex": sex,
        "relation": relation,
        **extra,
    }


def family(rng: random.Random, ids: IdFactory, main_cause: str, year: int = 2018) -> list[dict]:
    """A head, often a spouse, some children or grandchildren, sometimes a parent."""
    surname = rng.choice(SURNAMES)
    head_age = rng.randint(32, 82)
    head_sex = "M" if rng.random() < 0.8 else "F"
    given = GIVEN_MALE if head_sex == "M" else GIVEN_FEMALE
    head_health = "healthy"
    if main_cause == "illness":
        head_health = rng.choice(["chronic", "serious", "chronic"])
    elif main_cause == "disability":
        head_health = "disabled"
    members = [
        person(
            rng,
            ids,
            surname + rng.choice(given),
            head_age,
            head_sex,
            "head",
            year,
            health=head_health,
            labour=_labour(rng, head_age, head_health),
            education=rng.choice(["none", "primary", "junior", "junior", "senior"]),
        )
    ]
    if rng.random() < 0.75:
        spouse_sex = "F" if head_sex == "M" else "M"
        spouse_name = rng.choice(SURNAMES) + rng.choice(GIVEN_FEMALE if spouse_sex == "F" else GIVEN_MALE)
        age = max(20, head_age + rng.randint(-5, 3))
        health = "healthy" if rng.random() < 0.7 else rng.choice(["chronic", "serious"])
        members.append(
            person(
                rng,
                ids,
                spouse_name,
                age,
                spouse_sex,
                "spouse",
                year,
                health=health,
                labour=_labour(rng, age, health),
            )
        )
    for _ in range(rng.choice([0, 1, 1, 2, 2, 3])):
        age = max(1, head_age - rng.randint(22, 32))
        if age > 60:
            break
        sex = rng.choice("MF")
        relation = "son" if sex == "M" else "daughter"
        name = surname + rng.choice(GIVEN_MALE if sex == "M" else GIVEN_FEMALE)
        schooling = (
            "primary" if 6 <= age <= 12 else "junior" if 13 <= age <= 15 else "senior" if age <= 18 else "no"
        )
        members.append(
            person(
                rng,
                ids,
                name,
                age,
                sex,
                relation,
                year,
                labour=_labour(rng, age, "healthy"),
                schooling=schooling if age >= 6 else "preschool" if age >= 3 else "no",
            )
        )
    for member in members:
        if member["labour"] in ("ordinary", "skilled") and rng.random() < 0.6:
            member["work"] = rng.choice(["town", "county", "county", "province", "outside"])
            member["months_worked"] = rng.randint(3, 12)
        member.setdefault("serious_illness_insurance", rng.random() < 0.95)
    return members


def _labour(rng, age: int, health: str) -> str:
    if age < 16:
        return "none"
    if health in ("serious", "disabled") or age > 70:
        return rng.choice(["lost", "weak"])
    if age > 60 or health == "chronic":
        return "weak"
    return "skilled" if rng.random() < 0.15 else "ordinary"


def income(
    rng: random.Random, members: int, above: Decimal | None = None, below: Decimal | None = None
) -> dict:
    """One year's income; `above` forces the per-capita figure over that line, `below` under it."""
    if above is not None:
        target = above + rng.randint(200, 3000)
    elif below is not None:
        target = Decimal(rng.randint(2600, int(below) - 600))
    else:
        target = Decimal(rng.randint(2600, 9800))
    net = target * members
    wage = (net * Decimal(rng.choice(["0.3", "0.5", "0.6", "0.7"]))).quantize(Decimal("1"))
    transfer = (net * Decimal("0.2")).quantize(Decimal("1"))
    business = net - wage - transfer + 400
    return {
        "wage": wage,
        "business": business,
        "transfer": transfer,
        "property": Decimal("0"),
        "production_cost": Decimal("400"),
    }
