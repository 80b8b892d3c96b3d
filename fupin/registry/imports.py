"""Import households from the national system's exports (.xlsx, or CSV in UTF-8 or GB18030): all or nothing.

One row per member, grouped by 户编号. Columns are found by their Chinese header in any order; a title row
above the header is skipped; unknown columns are ignored and listed. Every bad row is reported with its line
number as a spreadsheet shows it, its column and the reason, and then nothing is written. A good file is
written in one transaction.
"""

import csv
import unicodedata
from collections import OrderedDict
from datetime import date
from functools import lru_cache

from django.core.files import File
from django.db import transaction
from django.utils.translation import gettext as _
from python_calamine import CalamineWorkbook

from fupin.core import access, audit, bulk, clock, inputs, policy, uploads
from fupin.core.access import Action
from fupin.core.errors import DomainError
from fupin.core.models import Region

from . import rules, services
from .enums import Gate, Relation, Status, Step
from .models import Household, ImportJob, Member, Procedure, ProcedureEvent

# Header → field. Several spellings of one column, as different exports spell it.
HEADERS = {
    "户编号": "household_number",
    "人编号": "person_number",
    "姓名": "name",
    "性别": "sex",
    "证件号码": "id_number",
    "身份证号": "id_number",
    "身份证号码": "id_number",
    "与户主关系": "relation",
    "民族": "ethnicity",
    "文化程度": "education",
    "在校生状况": "schooling",
    "健康状况": "health",
    "劳动技能": "labour",
    "劳动能力": "labour",
    "务工状况": "work",
    "务工时间": "months_worked",
    "务工时间（月）": "months_worked",
    "是否参加大病保险": "serious_illness_insurance",
    "主要致贫原因": "main_cause",
    "致贫原因": "main_cause",
    "人均纯收入": "per_capita_income",
    "户类型": "attribute",
    "贫困户属性": "attribute",
    "联系电话": "phone",
    "所在村": "village",
    "行政村": "village",
    "行政区划代码": "region_code",
    "贫困户状态": "status",
    "识别标准": "standard",
}
REQUIRED = ["household_number", "name", "id_number", "relation"]
TEMPLATE_COLUMNS = [
    "户编号",
    "姓名",
    "性别",
    "证件号码",
    "与户主关系",
    "民族",
    "文化程度",
    "在校生状况",
    "健康状况",
    "劳动技能",
    "务工状况",
    "务工时间",
    "是否参加大病保险",
    "主要致贫原因",
    "人均纯收入",
    "贫困户属性",
    "联系电话",
    "行政区划代码",
]

# The national system's words for our stored values.
# The national system's 采集表 words for each coded column, as it writes them; exports write these, so that a
# file exported here imports into the national layout. The first word of each value is the one exported.
NATIONAL_WORDS: dict[str, dict[str, list[str]]] = {
    "relation": {
        "head": ["户主"],
        "spouse": ["配偶"],
        "son": ["之子"],
        "daughter": ["之女"],
        "son_in_law": ["之女婿"],
        "daughter_in_law": ["之儿媳"],
        "grandson": ["之孙子", "之外孙子"],
        "granddaughter": ["之孙女", "之外孙女"],
        "father": ["之父"],
        "mother": ["之母"],
        "sibling": ["之兄弟姐妹", "兄弟姐妹"],
        # Parents-in-law and grandparents have no code of their own here: kept as other relatives.
        "other": [
            "其他",
            "其它",
            "之岳父",
            "之岳母",
            "之公公",
            "之婆婆",
            "之祖父",
            "之祖母",
            "之外祖父",
            "之外祖母",
        ],
    },
    "sex": {"M": ["男"], "F": ["女"]},
    "education": {
        "none": ["文盲或半文盲"],
        "preschool": ["学龄前儿童"],
        "primary": ["小学"],
        "junior": ["初中"],
        "senior": ["高中", "中专", "高中（含中专）"],
        "college": ["大专及以上", "大专及以上学历"],
    },
    "schooling": {
        "no": ["非在校生"],
        "preschool": ["学前教育"],
        "primary": ["小学", *(f"小学{g}年级" for g in "一二三四五六")],
        "junior": ["初中", "七年级", "八年级", "九年级", *(f"初中{g}年级" for g in "一二三")],
        "senior": ["高中", *(f"高中{g}年级" for g in "一二三"), "高一", "高二", "高三"],
        "vocational": [
            "中职",
            "高职",
            *(f"中职{g}年级" for g in "一二三"),
            *(f"高职{g}年级" for g in "一二三"),
        ],
        "college": ["大专及以上", "大专", "本科", "研究生及以上"],
    },
    "health": {"healthy": ["健康"], "chronic": ["长期慢性病"], "serious": ["患有大病"], "disabled": ["残疾"]},
    "labour": {
        "ordinary": ["普通劳动力"],
        "skilled": ["技能劳动力"],
        "weak": ["弱劳动力或半劳动力"],
        "lost": ["丧失劳动力"],
        "none": ["无劳动力", "无劳动力（学龄前）", "无劳动力（在校生）"],
    },
    "work": {
        "town": ["乡（镇）内务工", "乡镇内务工"],
        "county": ["乡（镇）外县内务工", "县内务工"],
        "province": ["县外省内务工", "省内县外务工"],
        "outside": ["省外务工"],
        "none": ["其他", "其它", "未务工", "无"],
    },
    "main_cause": {
        "illness": ["因病"],
        "disability": ["因残"],
        "schooling": ["因学"],
        "disaster": ["因灾"],
        "land": ["缺土地"],
        "water": ["缺水"],
        "skills": ["缺技术"],
        "labour": ["缺劳力"],
        "capital": ["缺资金"],
        "transport": ["交通条件落后"],
        "motivation": ["自身发展动力不足"],
        "other": ["其他", "其它"],
    },
    "attribute": {
        "general": ["一般贫困户"],
        "dibao": ["低保贫困户"],
        "tekun": ["特困供养贫困户", "五保贫困户"],
    },
    "standard": {"national": ["国家标准"], "provincial": ["省定标准"], "municipal": ["市定标准"]},
    "status": {
        "not_lifted": ["未脱贫"],
        "lifted_policy": ["已脱贫享受政策", "已脱贫"],
        "lifted": ["已脱贫不再享受政策"],
        "relapsed": ["返贫"],
    },
}


def spelling(word: str) -> str:
    """Full-width and half-width forms and spaces alike: 乡（镇）内务工 = 乡(镇)内务工 = 乡 (镇) 内务工."""
    return "".join(unicodedata.normalize("NFKC", str(word)).split())


# Any accepted spelling → our stored value.
ALIASES = {
    field: {spelling(word): value for value, words in values.items() for word in words}
    for field, values in NATIONAL_WORDS.items()
}
FIELD_COLUMN = {}
for header, field in HEADERS.items():
    FIELD_COLUMN.setdefault(field, header)


class Report:
    def __init__(self):
        self.errors: list[dict] = []

    def add(self, row: int, field: str, message: str, columns: dict) -> None:
        self.errors.append(
            {"row": row, "column": columns.get(field, FIELD_COLUMN.get(field, field)), "message": message}
        )


def read_rows(path: str) -> list[list[str]]:
    """Every line of the stored file as text cells, read from disk: the workbook through calamine, CSV in
    UTF-8 or GB18030. The stored name's extension is the type the upload checker found in the content."""
    kind = uploads.kind_of_stored(path)
    if kind is uploads.XLSX:
        try:
            sheet = CalamineWorkbook.from_path(path).get_sheet_by_index(0)
        except Exception as exc:
            raise DomainError(_("The file could not be read as a spreadsheet."), field="file") from exc
        return [[_cell(value) for value in row] for row in sheet.to_python(skip_empty_area=False)]
    if kind is uploads.CSV:
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                with open(path, encoding=encoding, newline="") as handle:
                    return [[cell.strip() for cell in row] for row in csv.reader(handle)]
            except UnicodeDecodeError:
                continue
        raise DomainError(_("The CSV file is neither UTF-8 nor GB18030."), field="file")
    raise DomainError(_("Upload an .xlsx or .csv file."), field="file")


# The longest text each column may hold, from the columns it is written to.
TEXT_LIMITS = {
    field.name: field.max_length
    for model in (Household, Member)
    for field in model._meta.concrete_fields
    if getattr(field, "max_length", None)
}


def _cell(value) -> str:
    if type(value) is str:  # most cells: the fast path
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def find_header(rows: list[list[str]]) -> tuple[int, dict[int, str], list[str]]:
    """The header line (title lines above it are skipped), column index → field, and ignored headers."""
    headers = {spelling(header): field for header, field in HEADERS.items()}
    for index, row in enumerate(rows[:15]):
        known = {i: headers[spelling(cell)] for i, cell in enumerate(row) if spelling(cell) in headers}
        if len(known) >= 3:
            ignored = [cell for cell in row if cell and spelling(cell) not in headers]
            missing = [FIELD_COLUMN[f] for f in REQUIRED if f not in known.values()]
            if missing:
                raise DomainError(
                    _("Required columns are missing: %(columns)s") % {"columns": "、".join(missing)},
                    field="file",
                )
            return index, known, ignored
    raise DomainError(_("No header line with 户编号, 姓名, 证件号码 and 与户主关系 was found."), field="file")


@lru_cache(maxsize=4096)
def _translate(field: str, value: str) -> str:
    """A coded column's word → our stored value (a few dozen distinct words: cached); others unchanged."""
    return ALIASES[field].get(spelling(value), value)


def parse(user, rows: list[list[str]], progress=None) -> tuple[list[dict], Report, list[str]]:
    """Check every row; return the households to write (empty when any row is bad) and the report."""
    header_index, columns, ignored = find_header(rows)
    column_of = {field: rows[header_index][i] for i, field in columns.items()}
    report = Report()
    villages = _villages_for(user)
    households: OrderedDict[str, dict] = OrderedDict()
    seen_ids: dict[str, int] = {}
    today = clock.today()
    youngest = policy.value("working_age_from", user.region_id or "", today.year)
    data_rows = [(header_index + 2 + offset, row) for offset, row in enumerate(rows[header_index + 1 :])]
    data_rows = [(line, row) for line, row in data_rows if any(row)]
    for done, (line, row) in enumerate(data_rows, start=1):
        values = {field: (row[i] if i < len(row) else "") for i, field in columns.items()}
        values = {
            field: _translate(field, value) if field in ALIASES and value else value
            for field, value in values.items()
        }
        for field, value in values.items():
            try:
                inputs.check_text(value, field, column_of.get(field), TEXT_LIMITS.get(field))
            except DomainError as refused:
                report.add(line, field, refused.message, column_of)
        problems = rules.Problems()
        member = rules.clean_member(values, "", problems, today, youngest)
        for field, message in problems.errors.items():
            report.add(line, field, message, column_of)
        number = values.get("household_number", "")
        if not number:
            report.add(line, "household_number", _("The household number is required."), column_of)
            continue
        if member.get("id_number") in seen_ids:
            report.add(
                line,
                "id_number",
                _("The same ID number is on line %(line)s.") % {"line": seen_ids[member["id_number"]]},
                column_of,
            )
        elif member.get("id_number"):
            seen_ids[member["id_number"]] = line
        household = households.get(number)
        if household is None:
            village = _village_of(values, villages)
            if village is None:
                report.add(
                    line,
                    "region_code" if "region_code" in values else "village",
                    _("Unknown village, or outside your area."),
                    column_of,
                )
            household = households[number] = {
                "number": number,
                "village": village,
                "members": [],
                "lines": [],
                "values": values,
            }
        if member.get("relation") == Relation.HEAD:
            household["values"] = values
        household["members"].append(member)
        household["lines"].append(line)
        if progress and done % 500 == 0:
            progress(done, len(data_rows))
    _check_households(households, report, column_of)
    _check_against_database(user, households, seen_ids, report, column_of)
    if progress:
        progress(len(data_rows), len(data_rows))
    report.errors.sort(key=lambda e: (e["row"], e["column"]))
    return ([] if report.errors else list(households.values())), report, ignored


def _villages_for(user) -> dict[str, Region]:
    villages = Region.objects.visible_to(user).filter(level="village")
    found = {}
    for village in villages:
        found[village.code] = village
        found.setdefault(village.name, village)
        found.setdefault(village.name.removesuffix("村"), village)
    return found


def _village_of(values: dict, villages: dict) -> Region | None:
    return villages.get(values.get("region_code") or "") or villages.get(values.get("village") or "")


def _check_households(households: dict, report: Report, column_of: dict) -> None:
    for household in households.values():
        heads = [m for m in household["members"] if m.get("relation") == Relation.HEAD]
        if len(heads) != 1:
            report.add(
                household["lines"][0],
                "relation",
                _("Household %(number)s needs exactly one head.") % {"number": household["number"]},
                column_of,
            )
        values = household["values"]
        problems = rules.Problems()
        rules.clean_causes({"main_cause": values.get("main_cause") or "other"}, problems)
        if values.get("attribute") and values["attribute"] not in ALIASES["attribute"].values():
            problems.error("attribute", _("Unknown household attribute."))
        if values.get("per_capita_income"):
            rules.money_value(values["per_capita_income"], "per_capita_income", problems)
        for field, message in problems.errors.items():
            report.add(household["lines"][0], field, message, column_of)


def _check_against_database(user, households: dict, seen_ids: dict, report: Report, column_of: dict) -> None:
    numbers = list(households)
    counties = {h["village"].code[:6] for h in households.values() if h["village"]}
    taken = set(
        Household.objects.filter(county_code__in=counties, number__in=numbers).values_list(
            "number", flat=True
        )
    )
    for number in taken:
        report.add(
            households[number]["lines"][0],
            "household_number",
            _("Household number %(number)s is already used in the county.") % {"number": number},
            column_of,
        )
    ids = list(seen_ids)
    for start in range(0, len(ids), 5000):
        existing = (
            Member.objects.living()
            .filter(id_number__in=ids[start : start + 5000])
            .select_related("household")
        )
        for id_number, message in services.already_registered_messages(user, existing).items():
            report.add(seen_ids[id_number], "id_number", message, column_of)


def write(user, households: list[dict], filename: str, mode: str = ImportJob.Mode.APPLICATION) -> int:
    """Write checked households and their members in one transaction, in batches.

    An application import puts every household into identification (申请, entry gate open); only the
    historical mode registers households with the status the national system gives them.
    """
    historical = mode == ImportJob.Mode.HISTORICAL
    today = clock.today()
    year = today.year
    with transaction.atomic():
        # Ids first, so that each household names its head as it is written (no second pass).
        household_ids = iter(bulk.reserve_ids(Household, len(households)))
        member_ids = iter(bulk.reserve_ids(Member, sum(len(h["members"]) for h in households)))
        household_rows, member_rows, by_region = [], [], {}
        for h in households:
            values = h["values"]
            per_capita = values.get("per_capita_income")
            income = rules.money_value(per_capita, "", rules.Problems()) if per_capita else None
            household = {
                "id": next(household_ids),
                "number": h["number"],
                "county_code": h["village"].code[:6],
                "region_code": h["village"].code,
                "attribute": values.get("attribute") or "general",
                "standard": values.get("standard") or "national",
                "main_cause": values.get("main_cause") or "other",
                "phone": values.get("phone") or "",
                "status": _imported_status(values.get("status"), historical),
                "identified_year": year if historical else None,
                "income_year": year if per_capita else None,
                "per_capita_income": income,
            }
            for m in h["members"]:
                member = {**m, "id": next(member_ids), "household_id": household["id"]}
                if m.get("relation") == Relation.HEAD:
                    household["head_id"] = member["id"]
                member_rows.append(member)
            household_rows.append(household)
            town = h["village"].code[:9]
            by_region[town] = by_region.get(town, 0) + 1
        bulk.insert(Household, household_rows)
        bulk.insert(Member, member_rows)
        if not historical:
            _open_entry_procedures(user, [h["id"] for h in household_rows], today)
        audit.record(
            actor=user,
            action="household.import",
            region_code=user.region_id or "",
            note=filename,
            after={
                "households": len(household_rows),
                "members": len(member_rows),
                "by_town": by_region,
                "mode": str(mode),
            },
        )
    return len(household_rows)


def _imported_status(status: str | None, historical: bool) -> str:
    if not historical:
        return Status.APPLYING
    return status if status in Status.values else Status.NOT_LIFTED


def _open_entry_procedures(user, household_ids: list[int], today) -> None:
    """Each imported application waits at the entry gate like one entered by hand."""
    moment = clock.now().replace(year=today.year, month=today.month, day=today.day)
    procedure_ids = bulk.reserve_ids(Procedure, len(household_ids))
    bulk.insert(
        Procedure,
        (
            {
                "id": p,
                "household_id": h,
                "gate": Gate.ENTRY,
                "step": Step.APPLIED,
                "year": today.year,
                "started_at": moment,
            }
            for p, h in zip(procedure_ids, household_ids, strict=True)
        ),
    )
    bulk.insert(
        ProcedureEvent,
        ({"procedure_id": p, "step": Step.APPLIED, "actor_id": user.pk, "at": moment} for p in procedure_ids),
    )


def run(job: ImportJob, progress=None) -> ImportJob:
    """Check and write the job's file; the job row records progress and the outcome."""
    job.status = ImportJob.State.RUNNING
    job.save(update_fields=["status"])

    def report_progress(done, total):
        job.done, job.total = done, total
        ImportJob.objects.filter(pk=job.pk).update(done=done, total=total)
        if progress:
            progress(done, total)

    try:
        rows = read_rows(job.file.path)
        households, report, ignored = parse(job.created_by, rows, report_progress)
        job.ignored_columns = ignored
        if report.errors:
            job.status, job.errors = ImportJob.State.FAILED, report.errors
        else:
            job.imported = write(job.created_by, households, job.filename, job.mode)
            job.status = ImportJob.State.DONE
    except DomainError as exc:
        job.status, job.errors = ImportJob.State.FAILED, [{"row": 0, "column": "", "message": exc.message}]
    job.finished_at = clock.now()
    job.save()
    return job


def check_mode(user, mode) -> str:
    """The import mode asked for; historical registration is the county administrator's alone."""
    mode = str(mode or ImportJob.Mode.APPLICATION).strip()
    if mode not in ImportJob.Mode.values:
        raise DomainError(
            _("Import mode “%(mode)s” is not one of: application, historical.") % {"mode": mode}, field="mode"
        )
    if mode == ImportJob.Mode.HISTORICAL and not access.may(user, Action.IMPORT_HISTORICAL):
        raise DomainError(
            _("Import mode: only the county administrator registers historical households directly."),
            field="mode",
        )
    return mode


def create_job(user, upload, mode: str = ImportJob.Mode.APPLICATION) -> ImportJob:
    """Store the upload as a job after checking who sends it and what it is; `tasks.start` runs it."""
    access.require(user, Action.APPROVE_REGISTRY)
    mode = check_mode(user, mode)
    checked = uploads.check(upload, uploads.IMPORT, field="file", label=_("File (.xlsx or .csv)"))
    # The upload is copied to its stored name in chunks from its temporary file, never read whole.
    job = ImportJob.objects.create(
        created_by=user,
        region_code=user.region_id,
        filename=checked.original_name or uploads.stored_name(checked.kind),
        mode=mode,
        file=File(upload, name=uploads.stored_name(checked.kind)),
    )
    return job
