"""The configuration pages add lecturers and topics through the services, and pause a lecturer."""

from fupin.core.models import AuditEvent
from fupin.lectures.models import Lecturer, Topic


def test_the_county_admin_adds_a_lecturer_and_pauses_them(client, county_admin, topic):
    client.force_login(county_admin)
    response = client.post(
        "/admin/lectures/lecturer/add/",
        {
            "name": "王杰精神宣讲员",
            "unit": "金乡县纪委监委",
            "title": "",
            "recommended_by": "",
            "status": "active",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    lecturer = Lecturer.objects.get(name="王杰精神宣讲员")
    assert lecturer.region_code == "370828000000"

    data = {"title": "讲师", "recommended_by": "", "status": "paused"}
    assert client.post(f"/admin/lectures/lecturer/{lecturer.pk}/change/", data).status_code == 302
    lecturer.refresh_from_db()
    assert lecturer.status == "paused"
    assert {"lectures.lecturer.create", "lectures.lecturer.status"} <= set(
        AuditEvent.objects.values_list("action", flat=True)
    )


def test_the_county_admin_adds_a_topic(client, county_admin, liu):
    client.force_login(county_admin)
    response = client.post(
        "/admin/lectures/topic/add/",
        {"title": "《监察法》解读", "summary": "", "minutes": "90", "audience": "", "lecturers": [liu.pk]},
    )
    assert response.status_code == 302
    assert list(Topic.objects.get(title="《监察法》解读").lecturers.all()) == [liu]
    assert client.get("/admin/lectures/topic/").status_code == 200
