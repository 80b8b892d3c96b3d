"""The demo's helper reads the households paired with them, and no other of 司马镇's, in pages and API."""

import re

from django.test import Client

from fupin.conftest import ApiClient
from fupin.core import demo as core_demo
from fupin.core import services as core
from fupin.core.models import User
from fupin.registry import demo
from fupin.registry.models import HelperPair, Household

SIMA = "370828107"


def test_the_demo_helper_reads_only_the_households_paired_with_them(db):
    # The demo's regions, users and households (not its gates and visits: the pairs are what counts here).
    core_demo.load_regions(print)
    core_demo.load_users(print)
    demo.load_households(print)
    helper = User.objects.get(username="helper")
    paired = set(
        HelperPair.objects.filter(helper=helper, end__isnull=True).values_list("household_id", flat=True)
    )
    sima = Household.objects.within(SIMA)
    assert 0 < len(paired) < sima.count()  # some of 司马镇's households, not all of them
    assert set(Household.objects.filter(pk__in=paired).values_list("region_code", flat=True)) <= set(
        sima.values_list("region_code", flat=True)
    )
    assert set(Household.objects.visible_to(helper).values_list("pk", flat=True)) == paired

    _token, key = core.issue_token(helper, "phone")
    api = ApiClient(token=key)
    listed = set()
    for number in range(1, len(paired) // 100 + 2):
        answer = api.get("/api/v1/households", {"page": number, "page_size": 100}).json()
        assert answer["count"] == len(paired)
        listed |= {row["id"] for row in answer["items"]}
    assert listed == paired
    mine = min(paired)
    other = sima.exclude(pk__in=paired).order_by("pk").first()
    assert api.get(f"/api/v1/households/{mine}").status_code == 200
    assert api.get(f"/api/v1/households/{other.pk}").status_code == 404

    page = Client()
    page.force_login(helper)
    assert page.get(f"/households/{mine}/").status_code == 200
    assert page.get(f"/households/{other.pk}/").status_code == 404
    listing = page.get("/households/").content.decode()
    assert f"/households/{other.pk}/" not in listing
    shown = {int(n) for n in re.findall(r'href="/households/(\d+)/"', listing)}
    assert shown and shown <= paired
    # The helper records visits, has nothing of projects, funds or the audit log, and no import.
    assert page.get(f"/households/{mine}/visit/").status_code == 200
    for url in ("/projects/", "/funds/", "/audit/", "/households/import/", "/benefits/ledger/"):
        assert page.get(url).status_code == 403, url
