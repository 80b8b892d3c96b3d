"""Regions: 12-digit codes, levels and kinds from the code ranges, and scope by prefix."""

import pytest

from fupin.core import services
from fupin.core.enums import RegionKind, RegionLevel
from fupin.core.errors import DomainError
from fupin.core.models import Region


def test_levels_and_kinds_follow_the_code(jinxiang):
    sima = Region.objects.get(code="370828107000")
    assert (jinxiang.level, sima.level, sima.kind) == (RegionLevel.COUNTY, RegionLevel.TOWN, RegionKind.TOWN)
    assert Region.objects.get(code="370828107001").kind == RegionKind.RESIDENTS_COMMITTEE
    assert Region.objects.get(code="370828107200").kind == RegionKind.VILLAGE_COMMITTEE
    assert services.kind_of("370828001000", RegionLevel.TOWN) == RegionKind.SUBDISTRICT
    assert services.kind_of("370828201000", RegionLevel.TOWN) == RegionKind.TOWNSHIP
    assert (jinxiang.prefix, sima.prefix) == ("370828", "370828107")
    assert Region.objects.get(code="370828107200").full_name == "济宁市金乡县司马镇南徐庄村"


@pytest.mark.parametrize("code", ["37082810700", "3708281070001", "37082810700A", ""])
def test_code_must_have_12_digits(jinxiang, code):
    with pytest.raises(DomainError) as exc:
        services.create_region(None, code=code, name="坏村", parent=jinxiang)
    assert exc.value.fields == {"code": "区划代码必须是 12 位数字。"}


def test_child_must_lie_inside_parent(jinxiang):
    sima = Region.objects.get(code="370828107000")
    with pytest.raises(DomainError, match="不在"):
        services.create_region(None, code="370828104299", name="错村", parent=sima)
    with pytest.raises(DomainError, match="已被使用"):
        services.create_region(None, code="370828107200", name="重复", parent=sima)
    with pytest.raises(DomainError, match="名称"):
        services.create_region(None, code="370828107299", name="  ", parent=sima)


def test_within_uses_prefix_range(jinxiang):
    codes = list(Region.objects.within("370828107").values_list("code", flat=True))
    assert codes == ["370828107000", "370828107001", "370828107200"]
    assert Region.objects.within("370828").count() == 7
