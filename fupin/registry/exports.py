"""Excel out: any filtered household list as one row per member. A small list is written in the request
(openpyxl's write-only mode); a large one runs as the `MEMBERS` export job (core/exportjobs.py: XlsxWriter
in constant memory, a progress bar, a download link when done)."""

from fupin.core import files
from fupin.core.access import Kind
from fupin.core.exportjobs import Producer
from fupin.core.masking import mask_id_number

from . import search
from .imports import NATIONAL_WORDS, TEMPLATE_COLUMNS
from .models import Household, Member

# Our stored value → the national system's word, for each coded column.
LABELS = {
    field: {value: words[0] for value, words in values.items()} for field, values in NATIONAL_WORDS.items()
}
MEMBER_COLUMNS = [
    ("户编号", "household__number"),
    ("姓名", "name"),
    ("性别", "sex"),
    ("证件号码", "id_number"),
    ("与户主关系", "relation"),
    ("民族", "ethnicity"),
    ("文化程度", "education"),
    ("在校生状况", "schooling"),
    ("健康状况", "health"),
    ("劳动技能", "labour"),
    ("务工状况", "work"),
    ("务工时间", "months_worked"),
    ("是否参加大病保险", "serious_illness_insurance"),
    ("主要致贫原因", "household__main_cause"),
    ("人均纯收入", "household__per_capita_income"),
    ("贫困户属性", "household__attribute"),
    ("贫困户状态", "household__status"),
    ("行政区划代码", "household__region_code"),
]
CODED = {
    "sex": "sex",
    "relation": "relation",
    "education": "education",
    "schooling": "schooling",
    "health": "health",
    "labour": "labour",
    "work": "work",
    "household__main_cause": "main_cause",
    "household__attribute": "attribute",
    "household__status": "status",
}


def _converters(mask: bool) -> list:
    """One function per column (None: the value as it is), built once per export rather than per cell."""
    converters = []
    for _header, field in MEMBER_COLUMNS:
        if field in CODED:
            labels = LABELS[CODED[field]]
            converters.append(lambda value, labels=labels: labels.get(value, value))
        elif field == "serious_illness_insurance":
            converters.append(lambda value: "是" if value else "否")
        elif field == "id_number" and mask:
            converters.append(mask_id_number)
        elif field == "household__per_capita_income":
            converters.append(lambda value: None if value is None else float(value))
        else:
            converters.append(None)
    return converters


def _members(households):
    return (
        Member.objects.living()
        .filter(household__in=households.values("pk"))
        .order_by("household__region_code", "household__number", "id")
        .values_list(*[field for _header, field in MEMBER_COLUMNS])
    )


def member_rows(households, mask_ids: bool = True):
    """The export's rows, streamed from a server-side cursor 5,000 at a time."""
    converters = list(enumerate(_converters(mask_ids)))
    for values in _members(households).iterator(chunk_size=5000):
        row = list(values)
        for index, convert in converters:
            if convert is not None:
                row[index] = convert(row[index])
        yield row


def households_xlsx(households, mask_ids: bool = True) -> str:
    """Write the living members of `households` to a temporary .xlsx; returns its path (the synchronous
    export of a small list; a large one is the `MEMBERS` job)."""
    workbook = files.workbook()
    sheet = files.sheet(workbook, "贫困户成员")
    sheet.append([header for header, _field in MEMBER_COLUMNS])
    for row in member_rows(households, mask_ids):
        sheet.append(row)
    return files.save_workbook(workbook, "fupin-export-")


def households_for(user, params: dict):
    """The households a stored export job asked for: the list filters, inside what the user reads."""
    return search.filter_households(Household.objects.visible_to(user), **params)


def member_count(households) -> int:
    return Member.objects.living().filter(household__in=households.values("pk")).count()


MEMBERS = Producer(
    kind=Kind.REGISTRY,
    name="贫困户成员",
    sheet="贫困户成员",
    headers=[header for header, _field in MEMBER_COLUMNS],
    count=lambda user, params: member_count(households_for(user, params)),
    rows=lambda user, params: member_rows(households_for(user, params)),
)


def import_template() -> str:
    workbook = files.workbook()
    sheet = files.sheet(workbook, "导入模板")
    sheet.append(["贫困户家庭成员导入表（每行一名成员，同户成员户编号相同；标题行可删除）"])
    sheet.append(TEMPLATE_COLUMNS)
    sheet.append(
        [
            "1072000901",
            "张三",
            "男",
            "370828196503090231",
            "户主",
            "汉族",
            "初中",
            "非在校生",
            "健康",
            "普通劳动力",
            "县内务工",
            8,
            "是",
            "因病",
            4200,
            "一般贫困户",
            "13800000000",
            "370828107200",
        ]
    )
    return files.save_workbook(workbook, "fupin-template-")
