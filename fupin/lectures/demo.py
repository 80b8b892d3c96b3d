"""Demo data of the lecture module, replaying the seed's story of 2018 through the services.

The 清风金乡 lecture team was formed on 27 March 2018: 20 lecturers from 12 units, a topic catalogue, a
team tour (组团式) of 6 lecturers through the 13 towns in one month, a 《监察法》 team lecture for the county
departments, and requested lectures (点课) of units such as the transport, education and housing
bureaus. The past is written by the same service functions as today's requests, with the services'
clock set back to the moment each step happened; requests in the coming weeks show the open states.
"""

import random
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from fupin.core import clock
from fupin.core import services as core_services
from fupin.core.demo import COUNTY, DEMO_PASSWORD, TOWNS, run_once
from fupin.core.enums import Role
from fupin.core.models import Region, User

from . import services
from .enums import LecturerStatus

SHANGHAI = ZoneInfo("Asia/Shanghai")
UNITS = [
    "金乡县纪委监委",
    "中共金乡县委党校",
    "金乡县人民法院",
    "金乡县公安局",
    "金乡县人民检察院",
    "中共金乡县委组织部",
    "中共金乡县委宣传部",
    "金乡县司法局",
    "金乡县审计局",
    "金乡县教育和体育局",
    "金乡县财政局",
    "金乡县农业农村局",
]
# (name, unit index, title); 刘烨华 is named in the seed, the others are invented.
LECTURERS = [
    ("刘烨华", 1, "党校讲师"),
    ("胡建国", 0, "宣传部主任"),
    ("王秀兰", 0, "纪检监察室副主任"),
    ("李明德", 2, "审判员"),
    ("张志强", 3, "法制大队教导员"),
    ("陈晓燕", 4, "检察官"),
    ("赵文博", 1, "党校副教授"),
    ("孙立华", 5, "组织员"),
    ("周海涛", 6, "理论科科长"),
    ("吴玉梅", 7, "法律援助中心主任"),
    ("郑鹏", 8, "审计师"),
    ("冯淑琴", 9, "教研员"),
    ("褚卫东", 10, "监督检查科科长"),
    ("卫红霞", 11, "扶贫办副主任"),
    ("蒋振华", 0, "案件审理室主任"),
    ("沈静", 2, "法官助理"),
    ("韩光明", 3, "纪检组长"),
    ("杨慧", 4, "检察官助理"),
    ("朱永胜", 1, "党校教研室主任"),
    ("秦雪梅", 6, "宣讲干事"),
]
TOPICS = [
    (
        "以廉为荣，以贪为耻——浅谈基层党风廉政建设",
        "紧贴本地实际，以近期查处的基层案例讲纪律规矩。",
        "村（社区）党员干部",
    ),
    ("党的十九大全面从严治党战略部署", "解读十九大报告关于全面从严治党的部署和要求。", "机关党员干部"),
    ("党风廉政建设和反腐败斗争形势与任务", "各级纪委全会精神与本县反腐败工作形势。", "机关党员干部"),
    ("《监察法》释义与解读", "监察对象、监察权限和监察程序，集体备课成果。", "各部门单位"),
    ("优秀廉政文化传承", "从传统廉吏故事看清廉家风。", "党员干部、学校师生"),
    ("弘扬王杰精神", "学习“一不怕苦、二不怕死”的王杰精神。", "党员干部、青年"),
    ("扶贫领域正风反腐", "扶贫资金使用中的纪律红线与典型问题。", "乡镇、村扶贫干部"),
]
# The units that asked for lectures (点课), with a login each; the transport bureau is the demo `requester`.
REQUESTING_UNITS = [
    ("req-jiaoti", "金乡县教育和体育局", COUNTY[0]),
    ("req-zhujian", "金乡县住房和城乡建设局", COUNTY[0]),
    ("req-gongdian", "国网金乡县供电公司", COUNTY[0]),
    ("req-weijian", "金乡县卫生健康局", COUNTY[0]),
    ("req-shichang", "金乡县市场监督管理局", COUNTY[0]),
    ("req-sima", "司马镇人民政府", "370828107000"),
]


def moment(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=SHANGHAI)


def scores(rng) -> dict:
    return {
        field: rng.choice([4, 5, 5])
        for field in [
            "score_content",
            "score_relevance",
            "score_delivery",
            "score_interaction",
            "score_time_control",
        ]
    }


def load_team(log) -> None:
    admin = User.objects.get(username="lectureadmin")
    with clock.as_of(moment(date(2018, 3, 27), 9)):
        lecturers = []
        for i, (name, unit, title) in enumerate(LECTURERS):
            lecturers.append(
                services.create_lecturer(
                    admin,
                    name=name,
                    unit=UNITS[unit],
                    title=title,
                    user=User.objects.get(username="lecturer") if name == "刘烨华" else None,
                    recommended_by=UNITS[unit],
                    trial_score=95 - i,
                    appointed_on=date(2018, 3, 27),
                    status_since=date(2018, 3, 27),
                )
            )
        for i, (title, summary, audience) in enumerate(TOPICS):
            services.create_topic(
                admin,
                title=title,
                summary=summary,
                audience=audience,
                minutes=120 if i == 0 else 90,
                lecturers=[lecturers[(i * 3 + k) % 20] for k in range(4)],
            )
    # Managed dynamically (动态化管理): one lecturer paused, one left the team.
    services.set_lecturer_status(admin, lecturers[18], LecturerStatus.PAUSED, since=date(2018, 9, 1))
    services.set_lecturer_status(admin, lecturers[19], LecturerStatus.RETIRED, since=date(2018, 12, 31))
    log(f"  清风讲堂：宣讲团 {len(LECTURERS)} 人（来自 {len(UNITS)} 个单位），宣讲目录 {len(TOPICS)} 个课题")


def load_drafts(log) -> None:
    from .models import Lecturer, Topic

    admin = User.objects.get(username="lectureadmin")
    liu, hu = Lecturer.objects.get(name="刘烨华"), Lecturer.objects.get(name="胡建国")
    jianchafa = Topic.objects.get(title="《监察法》释义与解读")
    with clock.as_of(moment(date(2018, 3, 30), 10)):
        returned = services.submit_draft(admin, lecturer=hu, topic=jianchafa, text="一、监察法的立法背景……")
        services.review_draft(
            admin,
            returned,
            accept=False,
            comment="这一部分比较空洞，建议再打磨修改一下。例如，增加一个近期查处的案例，听众反响可能会更好。",
        )
        accepted = services.submit_draft(
            admin,
            lecturer=liu,
            topic=Topic.objects.get(title=TOPICS[0][0]),
            text="以廉为荣，以贪为耻。一、基层干部也有权力……",
        )
        services.review_draft(admin, accepted, accept=True, comment="案例鲜活，同意宣讲。")
    log("  清风讲堂：集体备课 2 份讲稿（1 份退回修改）")


def load_open_draft(log) -> None:
    """A draft of today waiting for the central review, handed in by the demo `lecturer` (刘烨华)."""
    from .models import Lecturer, Topic

    liu = Lecturer.objects.get(name="刘烨华")
    services.submit_draft(
        liu.user,
        lecturer=liu,
        topic=Topic.objects.get(title="扶贫领域正风反腐"),
        text="一、扶贫资金的纪律红线\n二、本县近期查处的典型问题\n三、如何守住底线",
    )
    log("  清风讲堂：1 份讲稿待审核")


def deliver(admin, lecture, end, rng, *, feedback_by=None, attendance=None, close=False):
    """Confirm, deliver and (optionally) take the feedback of a lecture the demo has approved."""
    services.transition(admin, lecture, "confirm")
    with clock.as_of(end + timedelta(minutes=30)):
        services.transition(admin, lecture, "deliver")
        if feedback_by is not None:
            services.file_feedback(
                feedback_by, lecture, attendance=attendance, comments="讲得接地气，案例鲜活。", **scores(rng)
            )
            if close:
                services.transition(admin, lecture, "close")


def load_tours(log) -> None:
    from .models import Lecturer, Topic

    rng = random.Random(2018)
    admin = User.objects.get(username="lectureadmin")
    team = list(
        Lecturer.objects.filter(name__in=["刘烨华", "胡建国", "王秀兰", "赵文博", "卫红霞", "蒋振华"])
    )
    liu = next(lec for lec in team if lec.name == "刘烨华")
    # 13 towns in one month; 卜集镇 on 17 April with 刘烨华 and 200余名 cadres, as the seed tells.
    days = [
        date(2018, 4, 2) + timedelta(days=d)
        for d in range(0, 28)
        if (date(2018, 4, 2) + timedelta(days=d)).weekday() < 5
    ]
    stops = []
    for number, (code, name) in enumerate(TOWNS):
        day = date(2018, 4, 17) if name == "卜集镇" else days[number if number < 11 else number + 1]
        lecturer = liu if name == "卜集镇" else team[number % len(team)]
        stops.append(
            {
                "region": Region.objects.get(code=code),
                "unit": name,
                "place": f"{name}便民服务中心会议室",
                "lecturer": lecturer,
                "starts_at": moment(day, 9),
                "ends_at": moment(day, 11),
                "audience_size": 200 if name == "卜集镇" else rng.randint(80, 110),
                "audience_kind": "rural",
            }
        )
    with clock.as_of(moment(date(2018, 3, 28), 9)):
        village_tour = services.create_tour(
            admin,
            title="“清风金乡”廉政宣讲团进农村（社区）巡回宣讲",
            topic=Topic.objects.get(title=TOPICS[0][0]),
            lecturers=team,
            stops=stops,
        )
    for index, lecture in enumerate(village_tour.stops.order_by("starts_at")):
        attendance = lecture.audience_size + (12 if lecture.unit == "卜集镇" else rng.randint(-5, 5))
        deliver(
            admin,
            lecture,
            lecture.ends_at,
            rng,
            feedback_by=admin,
            attendance=attendance,
            close=index % 3 == 0,
        )

    jianchafa_team = team[:3]
    departments = ["金乡县发展和改革局", "金乡县水务局", "金乡县商务局"]
    stops = [
        {
            "region": Region.objects.get(code=COUNTY[0]),
            "unit": unit,
            "place": "县委党校报告厅",
            "lecturer": jianchafa_team[i],
            "starts_at": moment(date(2018, 5, 21 + i), 15),
            "ends_at": moment(date(2018, 5, 21 + i), 17),
            "audience_size": 80,
            "audience_kind": "organ",
        }
        for i, unit in enumerate(departments)
    ]
    with clock.as_of(moment(date(2018, 5, 10), 9)):
        law_tour = services.create_tour(
            admin,
            title="《监察法》专题宣讲",
            topic=Topic.objects.get(title=TOPICS[3][0]),
            lecturers=jianchafa_team,
            stops=stops,
        )
    for lecture in law_tour.stops.all():
        deliver(admin, lecture, lecture.ends_at, rng, feedback_by=admin, attendance=rng.randint(70, 85))
    log("  清风讲堂：组团式宣讲 2 次（进农村巡回宣讲 13 个镇街，《监察法》专题宣讲 3 场）")


def requesters() -> dict[str, User]:
    users = {"金乡县交通运输局": User.objects.get(username="requester")}
    for username, unit, region_code in REQUESTING_UNITS:
        users[unit] = core_services.create_user(
            None,
            username=username,
            password=DEMO_PASSWORD,
            region=Region.objects.get(code=region_code),
            roles=[Role.REQUESTER],
            display_name=f"{unit}办公室",
            unit=unit,
        )
    return users


def file(unit_user, topic, lecturer, start, end, audience, kind="organ"):
    return services.create_request(
        unit_user,
        topic=topic,
        preferred_lecturer=lecturer,
        preferred_start=start,
        preferred_end=end,
        audience_size=audience,
        audience_kind=kind,
        place=f"{unit_user.unit}会议室",
        contact_name="办公室",
        contact_phone="0537-8888888",
    )


def load_requests(log) -> None:
    from .models import Lecturer, Topic

    rng = random.Random(417)
    admin = User.objects.get(username="lectureadmin")
    units = requesters()
    topics = list(Topic.objects.all())
    lecturers = list(Lecturer.objects.filter(status=LecturerStatus.ACTIVE))
    # Twelve delivered requested lectures (廉政宣讲 12 次), May to November 2018.
    for number in range(12):
        unit = list(units)[number % len(units)]
        day = date(2018, 5, 7) + timedelta(weeks=2 * number)
        start, end = moment(day, 9 if number % 2 else 14, 30), moment(day, 11 if number % 2 else 16, 30)
        lecturer = lecturers[(number * 5) % len(lecturers)]
        with clock.as_of(moment(day - timedelta(days=10), 10)):
            lecture = file(
                units[unit],
                topics[number % len(topics)],
                lecturer,
                start,
                end,
                rng.randint(45, 70),
                "school" if "教育" in unit else "organ",
            )
            services.transition(admin, lecture, "approve", lecturer=lecturer, starts_at=start, ends_at=end)
        needs_feedback = number not in (10, 11)  # the last two wait for their feedback form
        deliver(
            admin,
            lecture,
            end,
            rng,
            feedback_by=units[unit] if needs_feedback else None,
            attendance=lecture.audience_size - rng.randint(0, 6),
            close=needs_feedback and number < 6,
        )
    load_other_past_states(admin, units, topics, lecturers)
    load_open_requests(admin, units, topics)
    log("  清风讲堂：点课 12 次已宣讲，另有撤回、驳回、取消、未到及待审、已批准、已确认的申请")


def load_other_past_states(admin, units, topics, lecturers) -> None:
    day = date(2018, 6, 12)
    start, end = moment(day, 9), moment(day, 11)
    with clock.as_of(moment(day - timedelta(days=7), 10)):
        withdrawn = file(units["金乡县卫生健康局"], topics[2], None, start, end, 40)
        services.transition(units["金乡县卫生健康局"], withdrawn, "withdraw", reason="单位临时有会")
        rejected = file(units["金乡县市场监督管理局"], topics[1], None, start, end, 30)
        services.transition(admin, rejected, "reject", reason="该时段宣讲员均已安排，请另选时间")
        cancelled = file(units["国网金乡县供电公司"], topics[4], lecturers[3], start, end, 60)
        services.transition(admin, cancelled, "approve", lecturer=lecturers[3], starts_at=start, ends_at=end)
        services.transition(admin, cancelled, "cancel", reason="防汛值班，宣讲员无法到场")
        no_show = file(units["司马镇人民政府"], topics[6], lecturers[4], start, end, 90, "rural")
        services.transition(admin, no_show, "approve", lecturer=lecturers[4], starts_at=start, ends_at=end)
        services.transition(admin, no_show, "confirm")
    with clock.as_of(end):
        services.transition(admin, no_show, "no_show", reason="暴雨，宣讲未能举行")


def next_workday(after: date, offset: int) -> date:
    day = after + timedelta(days=offset)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def load_open_requests(admin, units, topics) -> None:
    """In the coming weeks: one confirmed, one approved and two submitted requests, one of which asks
    for 刘烨华 at a time that clashes with his approved lecture, so that a newcomer sees the refusal."""
    from .models import Lecturer

    liu, hu = Lecturer.objects.get(name="刘烨华"), Lecturer.objects.get(name="胡建国")
    today = clock.today()
    soon, later = next_workday(today, 7), next_workday(today, 14)
    transport = units["金乡县交通运输局"]
    approved = file(units["金乡县住房和城乡建设局"], topics[0], liu, moment(soon, 9), moment(soon, 11), 60)
    services.transition(
        admin, approved, "approve", lecturer=liu, starts_at=moment(soon, 9), ends_at=moment(soon, 11)
    )
    confirmed = file(
        units["金乡县教育和体育局"],
        topics[5],
        hu,
        moment(later, 14, 30),
        moment(later, 16, 30),
        120,
        "school",
    )
    services.transition(
        admin,
        confirmed,
        "approve",
        lecturer=hu,
        starts_at=moment(later, 14, 30),
        ends_at=moment(later, 16, 30),
    )
    services.transition(admin, confirmed, "confirm")
    # “请问宣讲团的胡主任这周五上午有安排吗？” — and one asking for 刘烨华 right after his other lecture.
    file(transport, topics[3], hu, moment(next_workday(today, 4), 9), moment(next_workday(today, 4), 11), 80)
    file(transport, topics[6], liu, moment(soon, 10), moment(soon, 12), 50)
    services.add_unavailability(
        admin, hu, starts_at=moment(later, 8), ends_at=moment(later, 12), note="外出培训"
    )


def load(log) -> None:
    run_once("lectures.team", load_team, log)
    run_once("lectures.drafts", load_drafts, log)
    run_once("lectures.drafts.open", load_open_draft, log)
    run_once("lectures.tours", load_tours, log)
    run_once("lectures.requests", load_requests, log)
