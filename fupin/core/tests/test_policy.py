"""Policy numbers per region and year, falling back from village to county to the built-in default."""

from decimal import Decimal

import pytest

from fupin.core import policy
from fupin.core.errors import DomainError
from fupin.core.models import AuditEvent, PolicySetting, Region


def test_builtin_defaults_are_jinxiangs(jinxiang):
    assert policy.value("employment_unit_industrial", "370828107200", 2018) == Decimal("50000.00")
    assert policy.value("employment_unit_financial", "370828107200", 2018) == Decimal("100000.00")
    assert policy.value("review_pass_mark", "370828107200") == 60
    assert policy.value("monitoring_line", "370828107200", 2021) == Decimal("6000.00")


def test_most_specific_region_and_year_win(county_admin):
    county = Region.objects.get(code="370828000000")
    sima = Region.objects.get(code="370828107000")
    policy.set_value(county_admin, "poverty_line", county, 2016, "3402")
    policy.set_value(county_admin, "poverty_line", county, 2017, "3609.00")
    policy.set_value(county_admin, "household_notice_days", county, None, "7")
    policy.set_value(county_admin, "household_notice_days", sima, None, "5")
    assert policy.value("poverty_line", "370828107200", 2016) == Decimal("3402.00")
    assert policy.value("poverty_line", "370828107200", 2019) == Decimal("3609.00")  # latest earlier year
    assert policy.value("poverty_line", "370828107200", 2015) == Decimal("4000.00")  # nothing that early
    assert policy.value("household_notice_days", "370828107200") == 5  # the town's own value
    assert policy.value("household_notice_days", "370828104200") == 7  # another town: the county's
    value, source = policy.lookup("household_notice_days", "370828104200")
    assert source.region == county


def test_setting_is_audited_with_before_and_after(county_admin):
    county = Region.objects.get(code="370828000000")
    policy.set_value(county_admin, "review_pass_mark", county, None, "60")
    policy.set_value(
        county_admin, "review_pass_mark", county, None, "65", note="县扶贫开发领导小组 2019 年会议"
    )
    event = AuditEvent.objects.filter(action="policy.set").order_by("seq").last()
    assert event.before == {"value": "60"} and event.after["value"] == "65"
    assert PolicySetting.objects.get(key="review_pass_mark").value == "65"


@pytest.mark.parametrize(
    ("key", "raw", "field", "fragment"),
    [
        ("poverty_line", "abc", "value", "不是有效的数字"),
        ("poverty_line", "3000.123", "value", "2 位小数"),
        ("poverty_line", "-1", "value", "至少"),
        ("project_notice_days", "5", "value", "至少为 10"),
        ("no_such_key", "1", "key", "未知"),
    ],
)
def test_bad_values_are_refused_in_chinese(county_admin, key, raw, field, fragment):
    county = Region.objects.get(code="370828000000")
    with pytest.raises(DomainError) as exc:
        policy.set_value(county_admin, key, county, 2020, raw)
    assert field in exc.value.fields
    assert fragment in exc.value.message
    assert not PolicySetting.objects.exists()


def test_year_out_of_range(county_admin):
    with pytest.raises(DomainError) as exc:
        policy.set_value(county_admin, "poverty_line", county_admin.region, 1999, "3000")
    assert "year" in exc.value.fields
