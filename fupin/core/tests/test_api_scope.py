"""Every API route, called by a 鸡黍镇 officer on 司马镇's objects, answers 404 or 403.

The test walks the OpenAPI schema, so a new route is covered the day it lands: register how to make a
司马镇 object for each new path parameter in SIMA_OBJECTS, or the test fails and says which one is missing.
"""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.client import MULTIPART_CONTENT

from fupin.api import api
from fupin.core import services

# Routes whose every answer is about the caller only, so there is no other town's object to reach.
SELF_ONLY = {
    ("POST", "/api/v1/auth/token"),
    ("GET", "/api/v1/me"),
    ("GET", "/api/v1/auth/tokens"),
    ("POST", "/api/v1/auth/logout"),  # revokes the caller's own token
    ("POST", "/api/v1/me/password"),
    # Lists filter by the caller's area; test_registry_api checks that other towns' rows stay out.
    ("GET", "/api/v1/households"),
    # Creating in another town is refused by the service (tested in the registry's own API tests).
    ("POST", "/api/v1/households"),
    ("POST", "/api/v1/households/import"),
    ("POST", "/api/v1/households/exports"),  # exports the caller's own area, as the list filters it
    # Monitoring: the list filters by area; putting a household under monitoring names it in the body,
    # looked up in the caller's area (registry/tests/test_rules.py).
    ("GET", "/api/v1/monitoring"),
    ("POST", "/api/v1/monitoring"),
    ("GET", "/api/v1/problems"),
    ("POST", "/api/v1/problems"),
    ("GET", "/api/v1/problems/stats"),
    ("GET", "/api/v1/campaigns"),
    ("POST", "/api/v1/campaigns"),
    # Public: anyone may file a complaint and look one up by its code.
    ("POST", "/api/v1/complaints"),
    ("GET", "/api/v1/complaints/status/{lookup_code}"),
    # Projects and funds: lists filter by area (tested in their apps), a project is created in the
    # caller's area or refused by the service.
    ("GET", "/api/v1/projects"),
    ("POST", "/api/v1/projects"),
    ("GET", "/api/v1/projects/statistics"),
    ("GET", "/api/v1/reviews"),
    ("GET", "/api/v1/funds/sources"),
    ("GET", "/api/v1/funds/allocations"),
    ("GET", "/api/v1/funds/disbursements"),
    ("GET", "/api/v1/funds/execution"),
    ("GET", "/api/v1/funds/idle"),
    # Workshops, posts and matching: lists filter by area (tested in the benefits app); creating, placing
    # and offering name their objects in the body, looked up in the caller's area (400 when not there).
    ("GET", "/api/v1/workshops"),
    ("POST", "/api/v1/workshops"),
    ("GET", "/api/v1/posts"),
    ("POST", "/api/v1/posts"),
    ("POST", "/api/v1/placements"),
    ("GET", "/api/v1/matching"),
    ("POST", "/api/v1/offers"),
    # Compliance by town answers inside the caller's area; a region outside it is 404 (test_compliance).
    ("GET", "/api/v1/benefits/employment"),
    ("GET", "/api/v1/benefits/summary"),
    # Warnings: the list and the statistics filter by area (warnings/tests/test_api_pages), the rules are
    # the county's catalogue.
    ("GET", "/api/v1/warnings"),
    ("GET", "/api/v1/warnings/rules"),
    ("GET", "/api/v1/warnings/stats"),
    ("GET", "/api/v1/inbox"),
    # The field app: the caller's session, paired households and assigned problems (a pinned village
    # outside the area is 404, field/tests/test_sync.py); a synced record names its household or problem
    # in the body, looked up in the caller's area and refused per record; photos are the caller's own.
    ("GET", "/api/v1/field/session"),
    ("GET", "/api/v1/field/households"),
    ("GET", "/api/v1/field/problems"),
    ("POST", "/api/v1/sync"),
    ("POST", "/api/v1/sync/files"),
    # Insights: figures of the caller's own area; a region outside it is 404 (insights/tests/test_api).
    ("GET", "/api/v1/insights/overview"),
    ("GET", "/api/v1/insights/charts"),
    ("GET", "/api/v1/insights/charts/{name}"),
}


# A valid body for routes that take one, so that the answer is about scope, not about validation.
BODIES = {
    ("POST", "/api/v1/households/{household_id}/transitions"): {"action": "village_review"},
    ("POST", "/api/v1/households/{household_id}/visits"): {"visited_on": "2025-03-03", "findings": "看过了"},
    ("POST", "/api/v1/households/{household_id}/helpers"): {"helper": "helper"},
    ("POST", "/api/v1/monitoring/{case_id}/measures"): {"kind": "health", "description": "试探"},
    ("POST", "/api/v1/monitoring/{case_id}/transitions"): {"action": "village_review"},
    ("POST", "/api/v1/problems/{problem_id}/transitions"): {"action": "comment", "comment": "看过了"},
    ("POST", "/api/v1/warnings/{warning_id}/transitions"): {"action": "acknowledge", "note": "看过了"},
    ("POST", "/api/v1/campaigns/{campaign_id}/checks"): {"subject_id": "1", "results": []},
    ("POST", "/api/v1/complaints/{complaint_id}/decision"): {"decision": "dismiss", "reason": "不属实"},
    ("POST", "/api/v1/projects/{project_id}/transitions"): {"action": "terminate", "reason": "试探"},
    ("POST", "/api/v1/reviews/{review_id}/scores"): dict.fromkeys(
        ["feasibility", "compliance", "soundness", "durability", "linkage"], 20
    ),
    ("POST", "/api/v1/funds/allocations/{allocation_id}/reversals"): {"amount": "1.00", "reason": "试探"},
    ("PUT", "/api/v1/projects/{project_id}/plan"): {"risks": "试探"},
    ("POST", "/api/v1/projects/{project_id}/procurements"): {
        "method": "公开招标",
        "contract_no": "试探-1",
        "supplier": "试探",
        "amount": "1.00",
        "signed_on": "2018-04-01",
    },
    ("POST", "/api/v1/projects/{project_id}/progress"): {"percent": 100},
    ("POST", "/api/v1/projects/{project_id}/acceptance"): {
        "accepted_on": "2018-12-01",
        "members": "试探",
        "conclusion": "试探",
    },
    ("POST", "/api/v1/projects/{project_id}/assets"): {
        "name": "试探",
        "asset_class": "public",
        "owner": "试探",
        "value": "1.00",
        "registered_on": "2018-12-01",
    },
    ("POST", "/api/v1/funds/projects/{project_id}/evaluations"): {"year": 2018, "score": "90"},
    ("POST", "/api/v1/reviews/{review_id}/replacements"): {"order": 1, "withdrawn": "absent"},
    ("POST", "/api/v1/reviews/{review_id}/conclusion"): {"conclusion": "pass"},
    ("POST", "/api/v1/projects/{project_id}/budget-changes"): {"new_budget": "1.00", "reason": "试探"},
    ("POST", "/api/v1/projects/{project_id}/budget-changes/{change_id}/decision"): {"approve": True},
    ("POST", "/api/v1/funds/disbursements/{disbursement_id}/reversals"): {"reason": "试探"},
    ("POST", "/api/v1/projects/{project_id}/revenues"): {
        "period": "2019",
        "kind": "rent",
        "amount": "1.00",
        "received_on": "2019-12-20",
    },
    ("POST", "/api/v1/revenues/{revenue_id}/reversals"): {"reason": "试探"},
    ("POST", "/api/v1/projects/{project_id}/distributions"): {"revenue_id": 1, "method": "equal"},
    ("POST", "/api/v1/distributions/{plan_id}/approve"): {"reviewed_on": "2019-12-21", "review_note": "试探"},
    ("POST", "/api/v1/distributions/{plan_id}/disclose"): {"notice_starts_on": "2019-12-21"},
    ("POST", "/api/v1/distributions/{plan_id}/cancel"): {"reason": "试探"},
    ("POST", "/api/v1/distributions/{plan_id}/payments"): {
        "payments": [
            {"recipient": "collective", "amount": "1000.00", "paid_on": "2019-12-30", "channel": "bank"}
        ]
    },
    ("POST", "/api/v1/workshops/{workshop_id}/assessments"): {"quarter": "2019-Q1", "note": "试探"},
    ("POST", "/api/v1/placements/{placement_id}/work-records"): {"year": 2019, "months": 1, "wages": "1.00"},
    ("POST", "/api/v1/placements/{placement_id}/end"): {"ended_on": "2019-12-31"},
    ("POST", "/api/v1/offers/{offer_id}/decline"): {"reason": "试探"},
    ("POST", "/api/v1/projects/{project_id}/employment-agreements"): {
        "member_id": 1,
        "position": "试探",
        "starts_on": "2018-06-01",
        "ends_on": "2018-12-31",
        "monthly_wage": "1.00",
    },
}
# Routes that take files: sent as multipart.
MULTIPART = {
    ("POST", "/api/v1/problems/{problem_id}/attachments"): lambda: {
        "files": SimpleUploadedFile("a.png", b"\x89PNG\r\n\x1a\n0000", content_type="image/png")
    },
}


@pytest.fixture
def sima_objects(sima_officer, make_user):
    from datetime import date

    from fupin.core.enums import Role
    from fupin.registry import services as registry
    from fupin.registry.tests.conftest import make_sima_household

    token, _key = services.issue_token(sima_officer, "sima's")
    household = make_sima_household(sima_officer)
    job = household_import_job(sima_officer)
    helper = make_user("simahelper", "370828107000", roles=[Role.HELPER])
    pair = registry.pair_helper(sima_officer, household, helper, date(2025, 1, 1))
    case = registry.open_monitoring(
        sima_officer, household, type="marginal", risks=["illness"], found_on=date(2025, 1, 2)
    )
    return {
        "code": "370828107200",
        "token_id": token.pk,
        "household_id": household.pk,
        "member_id": household.head_id,
        "job_id": job.pk,
        "export_id": export_job(sima_officer).pk,
        "pair_id": pair.pk,
        "case_id": case.pk,
        **lecture_objects(make_user),
        **supervision_objects(make_user, sima_officer),
        **warning_objects(household),
    }


def warning_objects(household):
    """An open warning of 司马镇 about its household, as a scan raises it."""
    from datetime import date

    from fupin.warnings.models import Warning

    warning = Warning.objects.create(
        rule="visit_missed",
        level="yellow",
        subject_type="registry.household",
        subject_id=household.pk,
        subject_repr=household.number,
        region_code=household.region_code,
        message="未按月走访",
        raised_on=date(2025, 6, 2),
        updated_on=date(2025, 6, 2),
    )
    return {"warning_id": warning.pk}


def supervision_objects(make_user, sima_officer):
    """A problem, a campaign and a complaint of 司马镇."""
    from datetime import date

    from fupin.core.enums import Role
    from fupin.core.models import Region
    from fupin.supervision import services as supervision

    inspector = make_user("simainspector", "370828107000", roles=[Role.INSPECTOR])
    campaign = supervision.create_campaign(
        inspector,
        name="司马镇自查",
        use="projects",
        region=Region.objects.get(code="370828107000"),
        start=date(2025, 5, 1),
        end=date(2025, 5, 31),
        items=[{"aspect": "review", "text": "资料齐全"}],
    )
    problem = supervision.open_problem(
        inspector,
        use="projects",
        category="review",
        title="资料缺失",
        region_code="370828107200",
        found_on=date(2025, 5, 6),
        campaign=campaign,
    )
    complaint = supervision.receive_complaint(
        None, channel="12317", content="反映司马镇某项目收益未发放的问题", region_code="370828107200"
    )
    return {
        "problem_id": problem.pk,
        "campaign_id": campaign.pk,
        "complaint_id": complaint.pk,
        "lookup_code": complaint.code,
    }


def export_job(user):
    """A finished export of `user`'s: only its asker reads it."""
    from django.core.files.base import ContentFile

    from fupin.core.models import ExportJob

    job = ExportJob(created_by=user, region_code="370828107", kind="registry.members", status="done")
    job.file.save("walk.xlsx", ContentFile(b"PK\x03\x04"), save=True)
    return job


def household_import_job(user):
    from fupin.registry.models import ImportJob

    return ImportJob.objects.create(
        created_by=user, region_code=user.region_id, filename="x.csv", file="x.csv"
    )


def lecture_objects(make_user):
    """A lecture request filed by a 司马镇 unit, the county's lecturer it asks for, a lesson draft of
    that lecturer and a period they are unavailable."""
    from datetime import timedelta

    from django.utils import timezone

    from fupin.core.enums import Role
    from fupin.lectures import services as lectures

    admin = make_user("lectureadmin", roles=[Role.LECTURE_ADMIN])
    unit = make_user("simaunit", "370828107000", roles=[Role.REQUESTER], unit="司马镇人民政府")
    topic = lectures.create_topic(admin, title="扶贫领域正风反腐")
    lecturer = lectures.create_lecturer(admin, name="刘烨华", unit="县委党校", topics=[topic])
    start = timezone.now() + timedelta(days=7)
    request = lectures.create_request(
        unit,
        topic=topic,
        preferred_lecturer=lecturer,
        preferred_start=start,
        preferred_end=start + timedelta(hours=2),
        audience_size=100,
        audience_kind="organ",
        place="司马镇会议室",
        contact_name="李某",
        contact_phone="13800000000",
    )
    draft = lectures.submit_draft(admin, lecturer=lecturer, topic=topic, text="讲稿")
    period = lectures.add_unavailability(
        admin, lecturer, starts_at=start + timedelta(days=1), ends_at=start + timedelta(days=2)
    )
    return {
        "request_id": request.pk,
        "lecturer_id": lecturer.pk,
        "draft_id": draft.pk,
        "booking_id": period.pk,
    }


def project_objects(sima_officer, county_admin, time_machine):
    """A 司马镇 project under way, with its review, a county source, an allocation and a payment."""
    from datetime import date

    from fupin.core.enums import Role
    from fupin.funds import services as funds
    from fupin.projects import services as projects
    from fupin.projects.tests.conftest import make_pool, make_project, to_implementing

    make_pool(county_admin)
    finance = services.create_user(
        None,
        username="finance",
        password="x-long-password",
        region=county_admin.region,
        roles=[Role.FINANCE],
        unit="县财政局",
    )
    source = funds.create_source(
        finance, level="central", year=2018, document_no="财〔2018〕1号", title="中央资金", amount="2000000"
    )
    project = to_implementing(
        make_project(sima_officer), sima_officer, county_admin, finance, source, time_machine
    )
    allocation = project.allocations.get()
    payment = funds.disburse(
        finance,
        allocation=allocation,
        amount="10",
        paid_on=date(2018, 6, 1),
        payee="金乡建工",
        voucher_no="记1",
    )
    return {
        **benefit_objects(project, sima_officer),
        "project_id": project.pk,
        "review_id": project.reviews.get().pk,
        "source_id": source.pk,
        "allocation_id": allocation.pk,
        "disbursement_id": payment.pk,
        "change_id": projects.request_budget_change(
            sima_officer, project, new_budget="2000000.00", reason="试探"
        ).pk,
    }


def benefit_objects(project, sima_officer):
    """A revenue entry of the 司马镇 project and its distribution plan."""
    from datetime import date

    from fupin.benefits import dividends
    from fupin.benefits import services as benefits
    from fupin.projects.models import Project

    # Revenue is recorded only once a project is accepted or in operation: the walk's project stays
    # under way for the other objects, so it is in operation only while its revenue is recorded.
    state = project.state
    Project.objects.filter(pk=project.pk).update(state="operating")
    project.refresh_from_db()
    revenue = benefits.record_revenue(
        sima_officer, project, period="2019", kind="rent", amount="1000", received_on=date(2019, 12, 20)
    )
    Project.objects.filter(pk=project.pk).update(state=state)
    project.refresh_from_db()
    plan = dividends.create_plan(
        sima_officer, project, revenue=revenue, method="shares", collective_share="1000"
    )
    return {"revenue_id": revenue.pk, "plan_id": plan.pk, **job_objects(sima_officer)}


def job_objects(sima_officer):
    """A workshop of 司马镇 with a placement, a post and an open offer on it."""
    from datetime import date

    from fupin.benefits.tests.conftest import make_household
    from fupin.employment import jobs, matching

    workshop = jobs.create_workshop(
        sima_officer,
        name="试探车间",
        operator="试探",
        region_code="370828107200",
        opened_on=date(2018, 1, 1),
        capacity=5,
    )
    post = jobs.create_post(
        sima_officer,
        kind="welfare",
        title="保洁员",
        region_code="370828107000",
        monthly_wage="500",
        funded_by="县级财政",
        places=5,
        opened_on=date(2018, 1, 1),
    )
    placed, offered = (make_household(sima_officer, n).head for n in (5, 6))
    placement = jobs.place(
        sima_officer, member=placed, workshop=workshop, started_on=date(2018, 6, 1), monthly_wage="1500"
    )
    offer = matching.make_offer(sima_officer, member=offered, post=post)
    return {
        "workshop_id": workshop.pk,
        "post_id": post.pk,
        "placement_id": placement.pk,
        "offer_id": offer.pk,
    }


@pytest.fixture
def sima_projects(sima_objects, sima_officer, county_admin, time_machine):
    return {**sima_objects, **project_objects(sima_officer, county_admin, time_machine)}


def test_every_route_hides_other_towns_objects(api_as, jishu_officer, sima_projects):
    sima_objects = sima_projects
    client = api_as(jishu_officer)
    schema = api.get_openapi_schema(path_prefix="/api/v1")
    checked = 0
    for path, operations in schema["paths"].items():
        for method in operations:
            if (method.upper(), path) in SELF_ONLY:
                continue
            params = re.findall(r"{(\w+)}", path)
            missing = [p for p in params if p not in sima_objects]
            assert not missing, f"{method.upper()} {path}: add a 司马镇 object for {missing} to sima_objects"
            url = path.format(**sima_objects)
            if (method.upper(), path) in MULTIPART:
                response = client.post(
                    url, MULTIPART[(method.upper(), path)](), content_type=MULTIPART_CONTENT
                )
            elif method in {"post", "patch", "put"}:
                response = getattr(client, method)(url, BODIES.get((method.upper(), path), {}))
            else:
                response = getattr(client, method)(url)
            assert response.status_code in {403, 404}, (
                f"{method.upper()} {url} answered {response.status_code}: {response.content[:300]}"
            )
            checked += 1
    assert checked >= 3


def test_self_only_routes_show_only_the_caller(api_as, jishu_officer, sima_objects):
    client = api_as(jishu_officer)
    assert client.get("/api/v1/me").json()["username"] == "jishu"
    assert all(t["name"] != "sima's" for t in client.get("/api/v1/auth/tokens").json()["items"])
