"""Matching needs to resources (供需精准对接): who is listed, which openings are suggested, and the offers
(offered → accepted with a placement, or declined with a reason)."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction

from fupin.core.errors import DomainError, TransitionRefused
from fupin.core.models import AuditEvent
from fupin.employment import jobs, matching
from fupin.employment.models import Offer, Placement
from fupin.registry.enums import Status
from fupin.registry.models import Member

from .conftest import make_household
from .jobs_fixtures import TODAY, make_post, make_workshop


@pytest.fixture
def idle(sima_officer, clock):
    """Three people of 南徐庄村 without work, the head of a household of two."""
    return [make_household(sima_officer, i).head for i in range(1, 4)]


def names(people):
    return [m.name for m in people]


def test_who_is_listed(sima_officer, idle, workshop):
    heads = idle
    Member.objects.filter(pk=heads[0].pk).update(work="county")
    Member.objects.filter(pk=heads[1].pk).update(labour="lost")
    listed = names(matching.candidates(sima_officer))
    assert "户主3" in listed and "户主1" not in listed and "户主2" not in listed
    assert "成员3-1" in listed  # the daughter, ordinary labour and no work
    jobs.place(sima_officer, member=heads[2], workshop=workshop, started_on=TODAY, monthly_wage="1800")
    assert "户主3" not in names(matching.candidates(sima_officer))
    Member.objects.filter(household=heads[2].household).update(deceased=True)
    assert "成员3-1" not in names(matching.candidates(sima_officer))


def test_households_not_registered_and_other_towns_are_not_listed(sima_officer, jishu_officer, clock):
    make_household(sima_officer, 1, status=Status.APPLYING)
    make_household(sima_officer, 2)
    assert names(matching.candidates(sima_officer)) == ["户主2", "成员2-1"]
    assert names(matching.candidates(jishu_officer)) == []
    assert names(matching.candidates(sima_officer, region="370828107001")) == []
    assert len(matching.candidates(sima_officer, region="370828107200")) == 2


def test_openings_same_village_first_then_town_with_free_places(sima_officer, idle, clock):
    town_post = make_post(sima_officer, places=3)  # at the town
    village_shop = make_workshop(sima_officer, capacity=1)  # in 南徐庄村
    other_village = make_workshop(sima_officer, name="司马社区车间", region_code="370828107001")
    make_post(sima_officer, title="护林员", closed_on=date(2019, 6, 30))  # closed
    make_post(sima_officer, title="养老护理员", opened_on=date(2019, 8, 1))  # not open yet
    first = matching.attach(matching.candidates(sima_officer))[0]
    assert [(o.kind, o.name, o.same_village) for o in first.openings] == [
        ("workshop", "南徐庄扶贫车间", True),
        ("post", "保洁员", False),
        ("workshop", "司马社区车间", False),
    ]
    assert [o.free for o in first.openings] == [1, 3, 2]
    jobs.place(sima_officer, member=idle[0], workshop=village_shop, started_on=TODAY, monthly_wage="1800")
    later = matching.attach(matching.candidates(sima_officer))[0]
    assert [o.employer for o in later.openings] == [town_post, other_village]


def test_an_offer_accepted_becomes_a_placement(sima_officer, idle, post):
    offer = matching.make_offer(sima_officer, member=idle[0], post=post)
    assert offer.state == "offered" and offer.monthly_wage == post.monthly_wage
    assert offer.region_code == idle[0].household.region_code
    candidate = next(c for c in matching.attach(matching.candidates(sima_officer)) if c.member == idle[0])
    assert candidate.offer == offer
    with pytest.raises(TransitionRefused) as twice:
        matching.make_offer(sima_officer, member=idle[0], post=post)
    assert twice.value.message == "户主1已有待答复的推荐岗位，请先登记结果。"
    accepted = matching.accept_offer(sima_officer, offer)
    placement = accepted.placement
    assert (accepted.state, placement.post, placement.started_on) == ("accepted", post, TODAY)
    assert idle[0] not in list(matching.candidates(sima_officer))
    actions = list(AuditEvent.objects.order_by("seq").values_list("action", flat=True))
    assert actions[-3:] == ["benefits.offer.make", "benefits.placement.start", "benefits.offer.accept"]
    with pytest.raises(TransitionRefused) as again:
        matching.decline_offer(sima_officer, accepted, reason="x")
    assert again.value.message == "该推荐已处理（已接受）。"


def test_an_offer_declined_keeps_the_reason_and_frees_the_person(sima_officer, idle, workshop):
    with pytest.raises(DomainError) as wage:
        matching.make_offer(sima_officer, member=idle[0], workshop=workshop)
    assert "monthly_wage" in wage.value.fields
    offer = matching.make_offer(sima_officer, member=idle[0], workshop=workshop, monthly_wage="1800")
    with pytest.raises(DomainError) as why:
        matching.decline_offer(sima_officer, offer, reason=" ")
    assert why.value.fields == {"reason": "请填写谢绝的原因。"}
    declined = matching.decline_offer(sima_officer, offer, reason="需照顾老人，不便外出")
    assert (declined.state, declined.reason, declined.decided_on) == (
        "declined",
        "需照顾老人，不便外出",
        TODAY,
    )
    assert AuditEvent.objects.get(action="benefits.offer.decline").note == "需照顾老人，不便外出"
    assert matching.make_offer(sima_officer, member=idle[0], workshop=workshop, monthly_wage="1800").pk


def test_accepting_when_the_place_is_gone_leaves_the_offer_open(sima_officer, idle, clock):
    shop = make_workshop(sima_officer, capacity=1)
    offer = matching.make_offer(sima_officer, member=idle[0], workshop=shop, monthly_wage="1800")
    jobs.place(sima_officer, member=idle[1], workshop=shop, started_on=TODAY, monthly_wage="1800")
    with pytest.raises(TransitionRefused) as full:
        matching.accept_offer(sima_officer, offer)
    assert full.value.code == "no_free_place"
    offer.refresh_from_db()
    assert offer.state == "offered" and Placement.objects.filter(member=idle[0]).count() == 0
    with pytest.raises(TransitionRefused) as none_free:
        matching.make_offer(sima_officer, member=idle[2], workshop=shop, monthly_wage="1800")
    assert none_free.value.message == "南徐庄扶贫车间没有空余岗位。"


def test_offers_are_refused_for_people_already_placed_or_outside(sima_officer, jishu_officer, idle, post):
    jobs.place(sima_officer, member=idle[0], post=post, started_on=TODAY)
    with pytest.raises(TransitionRefused) as placed:
        matching.make_offer(sima_officer, member=idle[0], post=post)
    assert placed.value.message == "户主1已在扶贫车间或岗位就业。"
    with pytest.raises(DomainError) as outside:
        matching.make_offer(jishu_officer, member=idle[1], post=post)
    assert outside.value.fields == {"member_id": "您的辖区内没有此人。"}
    with pytest.raises(DomainError) as neither:
        matching.make_offer(sima_officer, member=idle[1])
    assert "workshop_id" in neither.value.fields
    assert Offer.objects.count() == 0


def test_a_village_cadre_offers_the_towns_posts_and_an_inspector_nothing(cadre, inspector, idle, post):
    offer = matching.make_offer(cadre, member=idle[0], post=post)
    assert matching.accept_offer(cadre, offer).placement.post == post
    with pytest.raises(PermissionDenied):
        matching.make_offer(inspector, member=idle[1], post=post)


def test_one_open_offer_per_person_in_the_database(sima_officer, idle, post):
    matching.make_offer(sima_officer, member=idle[0], post=post)
    with pytest.raises(IntegrityError), transaction.atomic():
        Offer.objects.create(
            member=idle[0],
            region_code=idle[0].household.region_code,
            post=post,
            monthly_wage="1.00",
            offered_on=TODAY,
            offered_by=sima_officer,
        )


def test_the_list_reads_in_a_fixed_number_of_queries(sima_officer, clock, django_assert_max_num_queries):
    for i in range(1, 9):
        make_household(sima_officer, i)
    shop = make_workshop(sima_officer, capacity=20)
    make_post(sima_officer)
    people = list(matching.candidates(sima_officer))
    matching.make_offer(sima_officer, member=people[0], workshop=shop, monthly_wage="1800")
    with django_assert_max_num_queries(4):
        listed = matching.attach(matching.candidates(sima_officer))
        assert len(listed) == 16 and all(len(c.openings) == 2 for c in listed)
        assert sum(1 for c in listed if c.offer) == 1
