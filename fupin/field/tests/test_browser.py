"""In Debian's chromium at phone size: a helper opens the field app once online, goes offline, records two
visits with photos (and one for a household the town unpairs meanwhile), reloads offline, comes back online
and syncs. Both visits are stored once, a replay doubles nothing, and the refusal is shown with its reason."""

import struct
import zlib
from datetime import date

import pytest
from playwright.sync_api import expect

from fupin.core.tests.test_browser import log_in
from fupin.field.models import SyncRecord
from fupin.registry import services
from fupin.registry.models import Visit
from fupin.registry.tests.conftest import make_sima_household

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def png(width: int, height: int) -> bytes:
    """A real (decodable) PNG of one colour: the phone must resize it before it is queued."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\x40\x80\x30" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    body = chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")
    return b"\x89PNG\r\n\x1a\n" + body


def jpeg_size(data: bytes) -> tuple[int, int]:
    """Width and height from a JPEG's start-of-frame marker."""
    at = 2
    while at < len(data):
        marker, length = data[at + 1], struct.unpack(">H", data[at + 2 : at + 4])[0]
        if marker in (0xC0, 0xC1, 0xC2):
            height, width = struct.unpack(">HH", data[at + 5 : at + 9])
            return width, height
        at += 2 + length
    raise AssertionError("no frame in the JPEG")


@pytest.fixture
def patient():
    """The service worker's install fetches every precached file first: on a shared, busy machine that
    takes longer than Playwright's 5 s default."""
    expect.set_options(timeout=30_000)
    yield
    expect.set_options(timeout=5_000)


def record_visit(page, findings, photo=None):
    page.get_by_label("走访情况").fill(findings)
    if photo:
        page.get_by_label("照片", exact=True).set_input_files(photo)
    page.get_by_role("button", name="保存到手机").click()


def test_visits_recorded_offline_survive_a_reload_and_sync_once(
    phone_page, paired, helper_user, sima_officer, api_as, patient
):
    other = make_sima_household(sima_officer, offset=7)
    ending = services.pair_helper(sima_officer, other, helper_user, date(2025, 1, 1))
    page, context = phone_page, phone_page.context
    page.set_default_timeout(30_000)
    photo = {"name": "院子.png", "mimeType": "image/png", "buffer": png(2400, 1200)}
    syncs = []

    def keep_sync(request):
        if request.url.endswith("/api/v1/sync"):
            syncs.append(request.post_data)

    page.on("request", keep_sync)

    log_in(page, "helper")
    page.goto("/field/")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    expect(page.get_by_test_id("households")).to_contain_text("张三")

    context.set_offline(True)
    page.reload()
    expect(page.get_by_test_id("network")).to_have_text("离线")
    page.get_by_test_id("households").get_by_role("button", name="张三").click()
    expect(page.get_by_test_id("household-title")).to_contain_text("张三")
    expect(page.get_by_test_id("members")).to_contain_text("李秀英")
    record_visit(page, "户主在蒜厂务工，收入稳定", photo)
    expect(page.get_by_test_id("pending-count")).to_have_text("待同步 1")
    record_visit(page, "女儿按时上学，补助已到位", photo)
    expect(page.get_by_test_id("pending-count")).to_have_text("待同步 2")
    page.get_by_role("button", name="全部农户").click()
    page.get_by_test_id("households").get_by_role("button", name="王五").click()
    record_visit(page, "新结对户初访")
    expect(page.get_by_test_id("pending-count")).to_have_text("待同步 3")

    page.reload()  # still offline: the queue is in IndexedDB
    expect(page.get_by_test_id("pending-count")).to_have_text("待同步 3")
    expect(page.get_by_test_id("queue")).to_contain_text("1 张照片")
    assert not Visit.objects.exists()

    services.end_pair(sima_officer, ending, date.today(), reason="调整帮扶")  # meanwhile, at the town office
    context.set_offline(False)
    page.get_by_test_id("sync").click()
    expect(page.get_by_test_id("pending-count")).to_have_text("待同步 0")
    refused = page.locator("[data-state=refused]")
    expect(refused).to_have_count(1)
    expect(refused).to_contain_text("您已不再是该户的帮扶责任人")

    visits = Visit.objects.filter(household=paired).order_by("id")
    assert [v.findings for v in visits] == ["户主在蒜厂务工，收入稳定", "女儿按时上学，补助已到位"]
    assert not Visit.objects.filter(household=other).exists()
    for visit in visits:
        (stored,) = visit.photos.all()
        assert stored.content_type == "image/jpeg"
        assert max(jpeg_size(stored.image.read())) <= 1600
    package = api_as(helper_user).get("/api/v1/field/households").json()
    found = [v["findings"] for h in package["households"] for v in h["last_visits"]]
    assert sorted(found) == ["女儿按时上学，补助已到位", "户主在蒜厂务工，收入稳定"]

    # The same request again (a lost answer, a second tab): nothing doubles.
    replay = api_as(helper_user).post("/api/v1/sync", syncs[-1], content_type="application/json")
    statuses = sorted(result["status"] for result in replay.json()["results"])
    assert statuses == ["duplicate", "duplicate", "refused"]
    assert Visit.objects.count() == 2 and SyncRecord.objects.count() == 2

    page.reload()  # the refusal is kept for the helper to read
    expect(page.locator("[data-state=refused]")).to_contain_text("结对已于")
