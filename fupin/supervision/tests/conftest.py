from datetime import date, datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from fupin.core.enums import Role
from fupin.core.models import Region
from fupin.supervision import services

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
PDF = b"%PDF-1.4\n" + b"0" * 64


def photo(name="after.png"):
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def local(*args):
    return timezone.make_aware(datetime(*args))


@pytest.fixture
def dispatcher(make_user):
    return make_user("dispatcher", roles=[Role.DISPATCHER])


@pytest.fixture
def staff(make_user):
    return make_user("gridstaff", "370828107000", roles=[Role.GRID_STAFF])


@pytest.fixture
def campaign(inspector):
    return services.create_campaign(
        inspector,
        name="问题整改季",
        use="projects",
        region=Region.objects.get(code="370828000000"),
        start=date(2025, 5, 1),
        end=date(2025, 5, 31),
        scope={"years": [2016, 2017]},
        items=[
            {"aspect": "review", "text": "论证评审资料齐全", "method": "archives"},
            {"aspect": "quality", "text": "建设质量合格", "method": "site"},
        ],
    )


@pytest.fixture
def problem(inspector, campaign):
    """A problem found in May 2025 in 司马镇, registered by the inspector."""
    return services.open_problem(
        inspector,
        use="projects",
        category="quality",
        title="大棚墙体开裂",
        region_code="370828107200",
        found_on=date(2025, 5, 6),
        campaign=campaign,
    )
