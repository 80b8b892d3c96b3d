"""The public complaint form's limit is counted in the database: per client address (behind PROXY_COUNT
proxies, the address the outermost one saw) and per phone, the same for every worker process and after a
restart; over it the API answers 429 with Retry-After and the page says so in Chinese."""

from datetime import timedelta

import pytest
from django.core.cache import caches
from django.test import Client, RequestFactory

from fupin.core import clock
from fupin.core.client import client_address
from fupin.core.models import RateWindow
from fupin.core.ratelimit import RateLimited
from fupin.supervision import services
from fupin.supervision.models import Complaint

VILLAGE = "370828107200"
CONTENT = "村里光伏分红迟迟没有发放到户"
PER_ADDRESS = services.COMPLAINTS_PER_ADDRESS.count
PER_PHONE = services.COMPLAINTS_PER_PHONE.count


def complain(ip="203.0.113.7", phone=""):
    return services.receive_complaint(
        None, channel="web", content=CONTENT, region_code=VILLAGE, phone=phone, ip=ip
    )


def another_process():
    """What a second worker (or a restarted one) has: none of this process's memory."""
    for cache in caches.all(initialized_only=True):
        cache.clear()


def test_the_limit_holds_across_processes_and_restarts(jinxiang):
    for _ in range(PER_ADDRESS - 1):
        complain()
    another_process()
    complain()  # the last one allowed, counted with the others
    another_process()
    with pytest.raises(RateLimited) as refused:
        complain()
    assert refused.value.code == "rate_limited" and refused.value.status == 429
    assert refused.value.message == "该地址提交过于频繁，请一小时后再试。"
    assert Complaint.objects.count() == PER_ADDRESS
    complain(ip="203.0.113.8")  # another address is not limited by it


def test_the_window_ends_after_an_hour_and_the_wait_is_told(jinxiang, time_machine):
    time_machine.move_to(clock.now(), tick=False)
    for _ in range(PER_ADDRESS):
        complain()
    time_machine.shift(timedelta(minutes=20))
    with pytest.raises(RateLimited) as refused:
        complain()
    assert refused.value.retry_after == 40 * 60
    time_machine.shift(timedelta(minutes=40))
    complain()
    assert RateWindow.objects.get(key="complaint-address:203.0.113.7").count == 1


def test_per_phone_whatever_the_address_and_the_spelling(jinxiang):
    for n in range(PER_PHONE):
        complain(ip=f"198.51.100.{n}", phone="138-0000-1111")
    with pytest.raises(RateLimited) as refused:
        complain(ip="198.51.100.99", phone="13800001111")
    assert refused.value.message == "该电话号码提交的投诉过多，请一小时后再试。"
    complain(ip="198.51.100.99", phone="13900001111")


def test_a_refused_complaint_is_not_counted(jinxiang):
    with pytest.raises(Exception, match="10"):
        services.receive_complaint(None, channel="web", content="太短", region_code=VILLAGE, ip="203.0.113.7")
    assert not RateWindow.objects.exists()
    # Nor is one over the phone's limit counted against its address.
    for n in range(PER_PHONE):
        complain(ip=f"198.51.100.{n}", phone="13800001111")
    with pytest.raises(RateLimited):
        complain(ip="203.0.113.7", phone="13800001111")
    assert not RateWindow.objects.filter(key="complaint-address:203.0.113.7").exists()


def test_other_channels_are_not_limited(jinxiang):
    for _ in range(PER_ADDRESS + 1):
        services.receive_complaint(
            None, channel="12317", content=CONTENT, region_code=VILLAGE, ip="203.0.113.7"
        )
    assert not RateWindow.objects.exists()


def test_the_api_answers_429_with_retry_after(jinxiang, api_as):
    anonymous = api_as()
    body = {"content": CONTENT, "region": VILLAGE, "phone": "13800001111"}
    for _ in range(PER_PHONE):
        assert anonymous.post("/api/v1/complaints", body, REMOTE_ADDR="203.0.113.7").status_code == 201
    another_process()
    refused = anonymous.post("/api/v1/complaints", body, REMOTE_ADDR="203.0.113.9")
    assert refused.status_code == 429
    assert 3500 <= int(refused["Retry-After"]) <= 3600
    assert refused.json() == {
        "code": "rate_limited",
        "message": "该电话号码提交的投诉过多，请一小时后再试。",
        "fields": {},
    }


def test_the_page_says_it_in_chinese_with_429(jinxiang):
    page = Client(REMOTE_ADDR="203.0.113.7")
    form = {"region": "370828107000", "content": CONTENT}
    for _ in range(PER_ADDRESS):
        assert page.post("/public/complaint/", form).status_code == 200
    refused = page.post("/public/complaint/", form)
    assert refused.status_code == 429 and refused["Retry-After"]
    assert "该地址提交过于频繁，请一小时后再试。" in refused.content.decode()
    assert Complaint.objects.count() == PER_ADDRESS


def test_behind_proxies_the_limit_counts_the_forwarded_client(jinxiang, settings):
    settings.PROXY_COUNT = 1
    page = Client(REMOTE_ADDR="10.0.0.1")  # the proxy: every request comes from it
    form = {"region": "370828107000", "content": CONTENT}
    for n in range(PER_ADDRESS + 1):
        response = page.post("/public/complaint/", form, HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
        assert response.status_code == 200
    assert Complaint.objects.filter(source_ip="198.51.100.0").exists()
    # A client cannot step out of its limit by writing its own X-Forwarded-For: only the last entry counts.
    for n in range(PER_ADDRESS):
        page.post("/public/complaint/", form, HTTP_X_FORWARDED_FOR=f"1.1.1.{n}, 203.0.113.7")
    refused = page.post("/public/complaint/", form, HTTP_X_FORWARDED_FOR="9.9.9.9, 203.0.113.7")
    assert refused.status_code == 429


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "198.51.100.1", "10.0.0.1"),  # no proxy: the header is the client's own word
        (1, "198.51.100.1", "198.51.100.1"),
        (1, "6.6.6.6, 198.51.100.1", "198.51.100.1"),
        (2, "6.6.6.6, 198.51.100.1, 10.0.0.2", "198.51.100.1"),
        (2, "198.51.100.1", "10.0.0.1"),  # shorter than the proxies: not believed
        (1, "not-an-address", "10.0.0.1"),
        (1, "", "10.0.0.1"),
        (1, "2001:db8::1", "2001:db8::1"),
    ],
)
def test_client_address_honours_proxy_count(settings, proxies, forwarded, expected):
    settings.PROXY_COUNT = proxies
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_address(request) == expected
