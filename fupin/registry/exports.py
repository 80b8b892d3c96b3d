"""Excel out: any filtered household list as one row per member, written in openpyxl's write-only mode to a
temporary file, so that a million rows pass through without being held in memory."""

from fupin.core import files
from fupin.core.masking import mask_id_number

from .imports import NATIONAL_WORDS, TEMPLATE_COLUMNS
from .models import Member

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


def _row(values: tuple, mask: bool) -> list:
    row = []
    for (_header, field), value in zip(MEMBER_COLUMNS, values, strict=True):
        if field in CODED:
            value = LABELS[CODED[field]].get(value, value)
        elif field == "serious_illness_insurance":
            value = "是" if value else "否"
        elif field == "id_number" and mask:
            value = mask_id_number(value)
        elif value is not None and field == "household__per_capita_income":
            value = float(value)
        row.append(value)
    return row


def households_xlsx(households, mask_ids: bool = True) -> str:
    """Write the living members of `households` to a temporary .xlsx; returns its path."""
    workbook = files.workbook()
    sheet = files.sheet(workbook, "贫困户成员")
    sheet.append([header for header, _field in MEMBER_COLUMNS])
    members = (
        Member.objects.living()
        .filter(household__in=households.values("pk"))
        .order_by("household__region_code", "household__number", "id")
        .values_list(*[field for _header, field in MEMBER_COLUMNS])
    )
    for values in members.iterator(chunk_size=5000):
        sheet.append(_row(values, mask_ids))
    return files.save_workbook(workbook, "fupin-export-")


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
