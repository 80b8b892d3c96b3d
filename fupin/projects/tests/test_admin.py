"""The configuration pages: experts are kept through the services (audited); projects and money are shown,
never written there."""

import pytest
from django.test import Client

from fupin.core.models import AuditEvent
from fupin.funds.models import Allocation, Disbursement
from fupin.projects.models import Expert

from .conftest import to_implementing

pytestmark = pytest.mark.django_db


def admin_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_experts_are_added_and_deactivated_through_the_services(county_admin):
    client = admin_client(county_admin)
    added = client.post(
        "/admin/projects/expert/add/", {"name": "张工", "unit": "县水务局", "field": "水利", "active": "on"}
    )
    assert added.status_code == 302
    expert = Expert.objects.get(name="张工")
    assert expert.region_code == "370828000000" and expert.active
    assert AuditEvent.objects.filter(action="projects.expert.create", actor=county_admin).exists()
    changed = client.post(f"/admin/projects/expert/{expert.pk}/change/", {"name": "改名", "active": ""})
    assert changed.status_code == 302
    expert.refresh_from_db()
    assert (expert.name, expert.active) == ("张工", False)  # the name stays; only "active" changes
    assert AuditEvent.objects.get(action="projects.expert.active").after == {"active": False}
    assert client.post(f"/admin/projects/expert/{expert.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Expert.objects.filter(pk=expert.pk).exists()


def test_projects_and_ledgers_are_read_only(
    project, sima_officer, county_admin, finance, source, time_machine
):
    to_implementing(project, sima_officer, county_admin, finance, source, time_machine)
    allocation = Allocation.objects.get()
    client = admin_client(county_admin)
    for url in [
        "/admin/projects/project/",
        f"/admin/projects/project/{project.pk}/change/",
        "/admin/projects/review/",
        "/admin/projects/plan/",
        "/admin/funds/fundsource/",
        "/admin/funds/allocation/",
        f"/admin/funds/allocation/{allocation.pk}/change/",
        "/admin/funds/disbursement/",
        "/admin/funds/evaluation/",
    ]:
        assert client.get(url).status_code == 200, url
    assert client.get("/admin/funds/disbursement/add/").status_code == 403
    edit = client.post(f"/admin/funds/allocation/{allocation.pk}/change/", {"amount": "1.00"})
    assert edit.status_code == 403
    assert client.post(f"/admin/funds/allocation/{allocation.pk}/delete/", {"post": "yes"}).status_code == 403
    allocation.refresh_from_db()
    assert allocation.amount == 1000000 and not Disbursement.objects.exists()
    assert client.post(f"/admin/projects/project/{project.pk}/change/", {"state": "draft"}).status_code == 403
