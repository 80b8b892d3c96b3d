"""The ledger as Excel, in the usual 台账 layout: one row per problem."""

from fupin.core import files
from fupin.core.models import Region

from .enums import Aspect, Escalation, State, UrbanCategory

COLUMNS = [
    "编号",
    "发现日期",
    "所属镇街",
    "问题类别",
    "问题描述",
    "检查对象",
    "责任单位",
    "责任人",
    "整改期限",
    "状态",
    "是否逾期",
    "督办等级",
    "返工次数",
    "销号日期",
    "是否按期",
]


def ledger_xlsx(problems, today) -> str:
    categories = dict([*Aspect.choices, *UrbanCategory.choices])
    states, levels = dict(State.choices), dict(Escalation.choices)
    towns = dict(Region.objects.filter(level="town").values_list("code", "name"))
    workbook = files.workbook()
    sheet = files.sheet(workbook, "问题台账")
    sheet.append(COLUMNS)
    for problem in problems.iterator(chunk_size=2000):
        sheet.append(
            [
                problem.number,
                problem.found_on,
                towns.get(problem.region_code[:9] + "000", ""),
                str(categories.get(problem.category, problem.category)),
                problem.title,
                problem.subject_label,
                problem.responsible_unit,
                str(problem.responsible or ""),
                problem.effective_deadline,
                str(states[problem.state]),
                "是" if problem.is_overdue(today) else "否",
                str(levels[problem.escalation]),
                problem.rework_count,
                problem.closed_on,
                "" if problem.closed_on_time is None else ("是" if problem.closed_on_time else "否"),
            ]
        )
    return files.save_workbook(workbook, "fupin-ledger-")
