"""Imports are all or nothing; every bad row is named with its line, column and reason."""

import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test.client import MULTIPART_CONTENT
from openpyxl import Workbook, load_workbook

from fupin.core import identity
from fupin.core.models import AuditEvent
from fupin.core.tests.test_api import assert_error
from fupin.registry import exports, tasks
from fupin.registry.models import Household, ImportJob, Member

HEADER = [
    "户编号",
    "姓名",
    "性别",
    "证件号码",
    "与户主关系",
    "健康状况",
    "劳动技能",
    "主要致贫原因",
    "人均纯收入",
    "行政区划代码",
    "备注",
]


def rows(bad=False):
    zhang = identity.make("370828", date(1960, 5, 1), 1, "M")
    li = identity.make("370828", date(1962, 6, 2), 2, "F")
    wang = identity.make("370828", date(1958, 7, 3), 3, "M")
    data = [
        [
            "1072009001",
            "张大山",
            "男",
            zhang,
            "户主",
            "健康",
            "普通劳动力",
            "缺技术",
            "3600",
            "370828107200",
            "",
        ],
        [
            "1072009001",
            "李小梅",
            "女",
            li.lower(),
            "配偶",
            "长期慢性病",
            "弱劳动力或半劳动力",
            "",
            "",
            "370828107200",
            "",
        ],
        [
            "1072009002",
            "王老汉",
            "男",
            wang,
            "户主",
            "患有大病",
            "丧失劳动力",
            "因病",
            "2800",
            "370828107200",
            "五保",
        ],
    ]
    if bad:
        data[1][3] = "370828620602123"  # an old 15-digit number
        data[2][4] = "之子"  # a household without head
    return data


def csv_bytes(lines, encoding="gb18030", title=True):
    text = ("金乡县司马镇贫困人口信息表\n" if title else "") + "\n".join(
        ",".join(r) for r in [HEADER, *lines]
    )
    return text.encode(encoding)


def upload(name, content):
    return SimpleUploadedFile(name, content)


def test_good_gb18030_csv_imports_everything(api_as, sima_officer):
    response = api_as(sima_officer).post(
        "/api/v1/households/import",
        {"file": upload("人口.csv", csv_bytes(rows()))},
        content_type=MULTIPART_CONTENT,
    )
    assert response.status_code == 202, response.content
    job = response.json()
    assert (job["status"], job["imported"], job["total"], job["errors"]) == ("done", 2, 3, [])
    assert job["ignored_columns"] == ["备注"]
    household = Household.objects.get(number="1072009001")
    assert household.head.name == "张大山" and household.members.count() == 2
    assert household.main_cause == "skills" and str(household.per_capita_income) == "3600.00"
    assert Member.objects.get(name="李小梅").id_number.endswith(rows()[1][3][-1].upper())
    assert AuditEvent.objects.get(action="household.import").after["members"] == 3
    followed = api_as(sima_officer).get(f"/api/v1/imports/{job['id']}").json()
    assert followed["status"] == "done"


def test_bad_rows_import_nothing_and_are_named(api_as, sima_officer):
    response = api_as(sima_officer).post(
        "/api/v1/households/import",
        {"file": upload("人口.csv", csv_bytes(rows(bad=True)))},
        content_type=MULTIPART_CONTENT,
    )
    job = response.json()
    assert job["status"] == "failed" and job["imported"] == 0
    errors = {(e["row"], e["column"]): e["message"] for e in job["errors"]}
    # Line 1 is the title, line 2 the header: the second member is on line 4.
    assert "18 位" in errors[(4, "证件号码")]
    assert "户主" in errors[(5, "与户主关系")]
    assert not Household.objects.exists() and not Member.objects.exists()


def test_utf8_csv_and_a_person_registered_elsewhere(sima_officer, make_user):
    job = run_job(sima_officer, "a.csv", csv_bytes(rows(), "utf-8", title=False))
    assert job.status == "done"
    again = [
        [
            "1072009009",
            "张大山",
            "男",
            rows()[0][3],
            "户主",
            "健康",
            "普通劳动力",
            "缺技术",
            "3600",
            "370828107200",
            "",
        ]
    ]
    job = run_job(sima_officer, "b.csv", csv_bytes(again, "utf-8", title=False))
    assert job.errors == [{"row": 2, "column": "证件号码", "message": "张大山 已登记在户 1072009001 中。"}]


def run_job(user, name, content):
    job = tasks.start(user, upload(name, content))
    return ImportJob.objects.get(pk=job.pk)


def test_xlsx_with_merged_title_and_columns_in_any_order(sima_officer):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["金乡县建档立卡贫困人口明细"])
    sheet.merge_cells("A1:F1")
    order = [3, 0, 1, 4, 2, 9, 7]
    sheet.append([HEADER[i] for i in order])
    for row in rows():
        sheet.append([row[i] for i in order])
    buffer = io.BytesIO()
    workbook.save(buffer)
    job = run_job(sima_officer, "明细.xlsx", buffer.getvalue())
    assert (job.status, job.imported) == ("done", 2), job.errors


def test_village_outside_the_area_and_duplicate_lines(jishu_officer):
    data = rows()
    data.append(list(data[0]))
    job = run_job(jishu_officer, "x.csv", csv_bytes(data))
    messages = {(e["row"], e["column"]) for e in job.errors}
    assert (3, "行政区划代码") in messages  # 司马镇 is outside 鸡黍镇
    assert (6, "证件号码") in messages  # the same person twice in the file


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("x.pdf", b"%PDF", "不是 Excel (.xlsx)、CSV 文件"),
        ("x.csv", "姓名,证件号码\n张三,1".encode(), "表头"),
        ("x.csv", "户编号,姓名,证件号码,性别\n1,张三,1,男".encode(), "与户主关系"),
        # The content decides, not the name: text named .xlsx is read as CSV (and has no header here).
        ("x.xlsx", b"not a zip", "表头"),
        ("x.xlsx", b"PK\x03\x04 a broken zip", "不是 Excel (.xlsx)、CSV 文件"),
        ("x.csv", b"\xff\xfe\x00\xd8broken", "不是 Excel (.xlsx)、CSV 文件"),
        ("x.csv", "户编号,姓名\n".encode() * 2000 + b"\xff\xff\n", "GB18030"),  # bad past the sample
    ],
)
def test_unreadable_files_say_why(sima_officer, name, content, message):
    from fupin.core.errors import DomainError

    try:
        job = run_job(sima_officer, name, content)
    except DomainError as exc:
        assert message in exc.message
        return
    assert job.status == "failed" and message in job.errors[0]["message"]


def test_import_needs_an_officer(api_as, cadre):
    response = api_as(cadre).post(
        "/api/v1/households/import", {"file": upload("a.csv", b"x")}, content_type=MULTIPART_CONTENT
    )
    assert_error(response, 403, "forbidden")


def test_command_line_import_with_progress(sima_officer, tmp_path, capsys):
    path = tmp_path / "人口.csv"
    path.write_bytes(csv_bytes(rows()))
    call_command("import", "households", str(path), "--user", "sima")
    out = capsys.readouterr().out
    assert "100%" in out and "2" in out
    assert Household.objects.count() == 2


def test_command_line_import_checks_the_role_and_the_file_like_the_page(cadre, sima_officer, tmp_path):
    path = tmp_path / "人口.csv"
    path.write_bytes(csv_bytes(rows()))
    with pytest.raises(CommandError, match="cadre：您的角色无权执行此操作"):
        call_command("import", "households", str(path), "--user", "cadre")
    pdf = tmp_path / "人口.csv"  # a harmless name, a PDF inside
    pdf.write_bytes(b"%PDF-1.4\n" + csv_bytes(rows()))
    with pytest.raises(CommandError, match="sima："):
        call_command("import", "households", str(pdf), "--user", "sima")
    assert not Household.objects.exists() and not ImportJob.objects.exists()


def test_template_and_export_round_trip(sima_officer):
    template = load_workbook(exports.import_template(), read_only=True)
    assert list(template.active.iter_rows(min_row=2, max_row=2, values_only=True))[0][:4] == (
        "户编号",
        "姓名",
        "性别",
        "证件号码",
    )
    run_job(sima_officer, "a.csv", csv_bytes(rows()))
    exported = load_workbook(exports.households_xlsx(Household.objects.all(), mask_ids=False), read_only=True)
    lines = list(exported.active.iter_rows(values_only=True))
    assert lines[0][:5] == ("户编号", "姓名", "性别", "证件号码", "与户主关系")
    assert lines[1][:5] == ("1072009001", "张大山", "男", rows()[0][3], "户主")
    assert len(lines) == 4


def test_control_characters_and_overlong_names_are_named_rows_and_nothing_is_imported(sima_officer):
    data = rows()
    data[0][1] = "张\x01大山"  # line 3 of the file, after the title and the header
    data[2][1] = "王" * 300

    job = run_job(sima_officer, "x.csv", csv_bytes(data))

    errors = {(e["row"], e["column"]): e["message"] for e in job.errors}
    assert errors[(3, "姓名")] == "姓名含有不可见的控制字符，请删除后重新提交。"
    assert errors[(5, "姓名")] == "姓名最多 40 个字（现有 300 个）。"
    assert not Household.objects.exists()
