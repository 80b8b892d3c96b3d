"""Bad input gets a Chinese message naming the field and what it expects, never a server error: the
shared checks of `core.inputs`, and each case the issue found on the pages and in the services."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from fupin.core import inputs
from fupin.core.enums import Role
from fupin.core.errors import DomainError
from fupin.core.models import CalendarDay, Region
from fupin.core.tests.test_api_scope import sima_objects, sima_projects  # noqa: F401 (fixtures)


def _refusal(call, *args, **kwargs) -> dict:
    with pytest.raises(DomainError) as refused:
        call(*args, **kwargs)
    return refused.value.fields


# --- The shared checks --------------------------------------------------------------------------------
@pytest.mark.parametrize("text", ["a\x00b", "a\x01b", "\x1f", "x\x7f"])
def test_control_characters_are_refused_naming_the_field(text):
    assert _refusal(inputs.check_text, text, "title", "标题") == {
        "title": "标题含有不可见的控制字符，请删除后重新提交。"
    }


def test_tabs_and_line_breaks_are_text_and_a_limit_is_said_with_the_count():
    assert inputs.check_text("一\t二\r\n三", "note", max_length=10) == "一\t二\r\n三"
    assert _refusal(inputs.check_text, "长" * 300, "name", "姓名", 40) == {
        "name": "姓名最多 40 个字（现有 300 个）。"
    }


@pytest.mark.parametrize(
    "raw", ["2026-02-30", "2026-13-01", "0000-01-01", "abc", "2026/05/01", "99999-01-01"]
)
def test_impossible_dates_are_refused(raw):
    assert _refusal(inputs.date_value, raw, "deadline", "整改期限") == {
        "deadline": "整改期限：请填写真实存在的日期，例如 2026-05-01。"
    }


def test_a_date_outside_its_range_says_the_range_and_full_width_digits_are_read():
    assert inputs.date_value("２０２６-０５-０１", "d") == date(2026, 5, 1)
    assert inputs.date_value("", "d") is None
    assert _refusal(inputs.payment_date, "1900-01-01", "paid_on", "拨付日期")["paid_on"].startswith(
        "拨付日期：请填写 2000-01-01 至 "
    )
    assert "paid_on" in _refusal(inputs.payment_date, "2099-01-01", "paid_on")


@pytest.mark.parametrize("raw", ["2026-13", "0000-01", "2026-00", "abc", "99999-01"])
def test_impossible_months_are_refused(raw):
    assert _refusal(inputs.month_value, raw, "month", "月份") == {
        "month": "月份：请填写 2000-01 至 2100-12 之间的月份，例如 2026-05。"
    }


@pytest.mark.parametrize("raw", ["99999", "0", "abc", "1e3", "9" * 30])
def test_years_outside_the_range_are_refused(raw):
    assert _refusal(inputs.year_value, raw, "year", "年度") == {
        "year": "年度：请填写 2000 至 2100 之间的年份。"
    }


def test_whole_numbers_have_a_range():
    assert inputs.int_value("１２", "points", low=-100, high=100) == 12
    assert _refusal(inputs.int_value, "abc", "points", "奖惩分", low=-100, high=100) == {
        "points": "奖惩分：请填写 -100 至 100 之间的整数。"
    }


@pytest.mark.parametrize("raw", ["=1+2", "not-a-phone<>", "12345", "1380000000", "23800000000"])
def test_phone_numbers_that_are_not_phone_numbers_are_refused(raw):
    message = _refusal(inputs.phone_value, raw, "phone", "电话")["phone"]
    assert message.startswith("电话：请填写以 1 开头的 11 位手机号码，或带区号的固定电话")


@pytest.mark.parametrize(
    ("raw", "kept"),
    [("13800000000", "13800000000"), ("+86 138 0000 0000", "13800000000"), ("0537-8712345", "0537-8712345"),
     ("05378712345", "05378712345"), ("138-0000-1111", "13800001111"), ("", "")],
)  # fmt: skip
def test_mobiles_and_landlines_with_area_code_are_accepted(raw, kept):
    assert inputs.phone_value(raw, "phone") == kept


def test_coordinates_have_their_ranges():
    assert inputs.coordinate("35.0833", "latitude", latitude=True) == Decimal("35.0833")
    assert _refusal(inputs.coordinate, "999", "latitude", "纬度", latitude=True) == {
        "latitude": "纬度：请填写 -90 至 90 之间的数字。"
    }
    assert "longitude" in _refusal(inputs.coordinate, "181", "longitude", latitude=False)


def test_numbers_are_plain_digits_full_width_read_exponents_refused():
    assert inputs.plain_decimal("１２３４.５０") == Decimal("1234.50")
    assert inputs.plain_decimal("1,234.5") == Decimal("1234.5")
    assert [inputs.plain_decimal(raw) for raw in ("1e5", "NaN", "Infinity", "1_000", "")] == [None] * 5


# --- Money, scores, dates in the services ---------------------------------------------------------------
def test_amounts_in_exponent_are_refused_and_full_width_digits_accepted():
    from fupin.core.money import parse_amount

    assert parse_amount("１００００.５") == Decimal("10000.50")
    assert _refusal(parse_amount, "1e5", "budget") == {
        "budget": "“1e5”不是有效的金额，请用数字书写，例如 1234.56。"
    }


def test_an_evaluation_score_has_its_own_message(sima_projects, make_user):  # noqa: F811
    from fupin.funds import services as funds
    from fupin.funds.models import Evaluation
    from fupin.projects.models import Project

    finance = make_user("finance2", roles=[Role.FINANCE])
    project = Project.objects.get(pk=sima_projects["project_id"])

    refused = _refusal(funds.record_evaluation, finance, project, year=2018, score="-5")

    assert refused == {"score": "得分：请填写 0 至 100 之间的数字。"}
    assert not Evaluation.objects.exists()


@pytest.mark.parametrize("paid_on", [date(1900, 1, 1), date(2099, 1, 1)])
def test_payment_dates_from_another_century_are_refused(sima_projects, paid_on):  # noqa: F811
    from fupin.core.models import User
    from fupin.funds import services as funds
    from fupin.funds.models import Allocation, Disbursement

    allocation = Allocation.objects.get(pk=sima_projects["allocation_id"])
    payments = Disbursement.objects.count()

    refused = _refusal(
        funds.disburse,
        User.objects.get(username="finance"),
        allocation=allocation,
        amount="10",
        paid_on=paid_on,
        payee="金乡建工",
        voucher_no="记2",
    )

    assert refused["date"].startswith("拨付日期：请填写 2000-01-01 至 ")
    assert Disbursement.objects.count() == payments


def test_a_300_character_member_name_is_refused_naming_the_limit(sima_officer):
    from fupin.registry import services as registry
    from fupin.registry.models import Household
    from fupin.registry.tests.conftest import SIMA_VILLAGE, person

    members = [person("长" * 300, date(1970, 1, 2), 40, "M", "head")]

    refused = _refusal(
        registry.create_household,
        sima_officer,
        region_code=SIMA_VILLAGE,
        data={"main_cause": "skills"},
        members=members,
    )

    assert refused == {"name": "姓名最多 40 个字（现有 300 个）。"}
    assert not Household.objects.exists()


def test_a_visit_at_latitude_999_is_refused(sima_projects, county_admin):  # noqa: F811
    from fupin.registry import services as registry
    from fupin.registry.models import Household, Visit

    household = Household.objects.get(pk=sima_projects["household_id"])

    refused = _refusal(
        registry.record_visit,
        county_admin,
        household,
        visited_on=timezone.localdate(),
        findings="看过了",
        latitude=Decimal("999"),
        longitude=Decimal("116.3"),
    )

    assert refused == {"latitude": "纬度：请填写 -90 至 90 之间的数字。"}
    assert not Visit.objects.exists()


# --- The pages the issue named ----------------------------------------------------------------------
@pytest.fixture
def admin_client(client, make_user, sima_projects):  # noqa: F811
    client.force_login(make_user("clerk", roles=list(Role)))
    return client


def _messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


@pytest.mark.parametrize(
    ("url", "message"),
    [
        (
            "/households/not-visited/?month=2026-13",
            "月份：请填写 2000-01 至 2100-12 之间的月份，例如 2026-05。",
        ),
        (
            "/households/not-visited/?month=0000-01",
            "月份：请填写 2000-01 至 2100-12 之间的月份，例如 2026-05。",
        ),
        ("/grids/assessment/?month=2026-13", "月份：请填写 2000-01 至 2100-12 之间的月份，例如 2026-05。"),
        ("/audit/?since=2026-02-30", "起始日期：请填写真实存在的日期，例如 2026-05-01。"),
        ("/audit/?until=2026-13-01", "截止日期：请填写真实存在的日期，例如 2026-05-01。"),
        ("/calendar/?year=99999", "年度：请填写 2000 至 2100 之间的年份。"),
        ("/calendar/?year=0", "年度：请填写 2000 至 2100 之间的年份。"),
        ("/projects/?q=%00", "字段“q”含有不可见的控制字符，请删除后重新提交。"),
    ],
)
def test_bad_filters_are_a_message_on_the_page(admin_client, url, message):
    response = admin_client.get(url, follow=True)

    assert response.status_code == 200
    assert message in _messages(response)


def test_an_impossible_deadline_on_a_problem_action_is_a_message(admin_client, sima_projects):  # noqa: F811
    from fupin.supervision.models import Problem

    problem_id = sima_projects["problem_id"]
    response = admin_client.post(
        f"/problems/{problem_id}/action/",
        {"action": "assign", "unit": "司马镇", "deadline": "2026-02-30"},
        follow=True,
    )

    assert "整改期限：请填写真实存在的日期，例如 2026-05-01。" in _messages(response)
    assert Problem.objects.get(pk=problem_id).deadline is None


def test_an_impossible_effective_date_on_a_household_change_is_a_message(admin_client, sima_projects):  # noqa: F811
    from fupin.registry.models import ChangeRequest

    household_id = sima_projects["household_id"]
    response = admin_client.post(
        f"/households/{household_id}/change/", {"kind": "death", "effective_on": "2026-02-30"}, follow=True
    )

    assert "生效日期：请填写真实存在的日期，例如 2026-05-01。" in _messages(response)
    assert not ChangeRequest.objects.exists()


def test_an_impossible_start_of_a_campaign_is_a_message(admin_client):
    from fupin.supervision.models import Campaign

    before = Campaign.objects.count()
    response = admin_client.post(
        "/campaigns/new/",
        {
            "name": "坏日期",
            "use": "projects",
            "region": "370828000000",
            "start": "2026-02-30",
            "end": "2026-03-30",
        },
        follow=True,
    )

    assert "开始日期：请填写真实存在的日期，例如 2026-05-01。" in _messages(response)
    assert Campaign.objects.count() == before


def test_an_impossible_calendar_day_is_a_message(admin_client):
    before = CalendarDay.objects.count()
    response = admin_client.post("/calendar/", {"date": "2026-02-30", "kind": "holiday"}, follow=True)

    assert "日期：请填写真实存在的日期，例如 2026-05-01。" in _messages(response)
    assert CalendarDay.objects.count() == before


def test_points_that_are_not_a_number_on_a_grid_shift_are_a_message(admin_client, make_user):
    from fupin.supervision import services as supervision
    from fupin.supervision.models import Shift

    grid = supervision.create_grid(
        make_user("dispatch", roles=[Role.DISPATCHER]),
        name="网格",
        region=Region.objects.get(code="370828107000"),
    )
    staff = make_user("gridman", "370828107000", roles=[Role.GRID_STAFF])
    response = admin_client.post(
        f"/grids/{grid.pk}/",
        {"staff": staff.pk, "start": "2026-05-01T08:00", "end": "2026-05-01T17:00", "points": "abc"},
        follow=True,
    )

    assert "奖惩分：请填写 -100 至 100 之间的整数。" in _messages(response)
    assert not Shift.objects.exists()


def test_a_nul_in_a_problem_title_is_refused_on_the_page(admin_client):
    from fupin.supervision.models import Problem

    before = Problem.objects.count()
    response = admin_client.post(
        "/problems/new/",
        {"use": "projects", "category": "funds", "title": "标题\x00", "region": "370828107200"},
        follow=True,
    )

    assert "问题含有不可见的控制字符，请删除后重新提交。" in _messages(response)
    assert Problem.objects.count() == before


def test_a_number_too_large_for_its_column_is_refused_before_the_database_sees_it():
    from fupin.lectures.models import LectureRequest

    request = LectureRequest(audience_size=2**40, place="礼堂")

    refused = _refusal(inputs.check_columns, LectureRequest, request)

    assert list(refused) == ["audience_size"] and "数值超出范围" in refused["audience_size"]


def test_a_refusal_no_view_caught_is_a_message_on_the_page_the_form_came_from(admin_client, monkeypatch):
    from fupin.core import services

    def refuse(*args, **kwargs):
        raise DomainError("名称最多 60 个字（现有 300 个）。", field="name")

    monkeypatch.setattr(services, "issue_token", refuse)

    response = admin_client.post("/tokens/", {"name": "长" * 300}, HTTP_REFERER="/tokens/", follow=True)

    assert response.redirect_chain == [("/tokens/", 302)]
    assert "名称最多 60 个字（现有 300 个）。" in _messages(response)


def test_a_control_character_on_the_public_complaint_form_is_said_on_that_page(client, jinxiang):
    from fupin.supervision.models import Complaint

    response = client.post(
        "/public/complaint/",
        {"content": "反映项目收益未发放\x07的问题", "region": "370828107000"},
        HTTP_REFERER="/public/complaint/",
        follow=True,
    )

    assert "含有不可见的控制字符，请删除后重新提交。" in response.content.decode()
    assert not Complaint.objects.exists()
