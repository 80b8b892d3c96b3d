"""What the background worker does for warnings: the daily scan that re-queues itself, and the county
webhook, posted with a signature and retried with back-off, against a real HTTP receiver on localhost."""

import json
import threading
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.management import call_command
from django.utils import timezone

from fupin.core.errors import DomainError
from fupin.core.models import AuditEvent, Region
from fupin.warnings import services, tasks, webhooks
from fupin.warnings.models import Warning, WebhookDelivery
from fupin.warnings.rules import RULES

from .conftest import COUNTY, TODAY

pytestmark = pytest.mark.django_db
DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
SECRET = "a-shared-secret-of-the-county"


def _local(day, hour=0):
    return timezone.make_aware(datetime.combine(day, datetime.min.time()) + timedelta(hours=hour))


def _queued_scans():
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(task_path=tasks.daily_scan.module_path, status="READY")


def _run_ready_tasks():
    """What `db_worker` does with each ready task (its own Worker.run_task), without the exclusive
    transaction SQLite cannot open inside a test's transaction."""
    from django_tasks_db.management.commands.db_worker import Worker
    from django_tasks_db.models import DBTaskResult

    worker = Worker(queue_names=["default"], interval=0, batch=True, backend_name="default",
                    startup_delay=False, max_tasks=None, worker_id="test")  # fmt: skip
    while (row := DBTaskResult.objects.ready().get_locked()) is not None:
        row.claim(worker.worker_id)
        worker.run_task(row)


# --- The daily scan -------------------------------------------------------------------------------------
def test_schedule_queues_one_scan_at_two_in_the_night(settings, time_machine):
    settings.TASKS = DB_TASKS
    time_machine.move_to(_local(TODAY, 9))
    assert tasks.schedule_daily_scan() == _local(TODAY + timedelta(days=1), 2)
    assert tasks.schedule_daily_scan() is None  # already queued: `make run` twice queues one
    assert _queued_scans().count() == 1
    assert tasks.next_scan_at(_local(TODAY, 1)) == _local(TODAY, 2)


def test_the_worker_runs_the_due_scan_and_queues_the_next(settings, time_machine, allocation, planned):
    settings.TASKS = DB_TASKS
    time_machine.move_to(_local(TODAY, 1))
    call_command("warnings", "schedule", stdout=open("/dev/null", "w"))  # noqa: SIM115
    time_machine.move_to(_local(TODAY, 3))  # the worker was down at 02:00: it catches up when it starts
    _run_ready_tasks()
    assert Warning.objects.filter(rule="funds_idle").count() == 1
    (queued,) = _queued_scans()
    assert queued.run_after == _local(TODAY + timedelta(days=1), 2)


def test_the_scan_task_needs_no_schedule_with_the_immediate_backend(allocation, planned, time_machine):
    time_machine.move_to(_local(TODAY, 2))
    assert tasks.schedule_daily_scan() is None
    assert tasks.daily_scan.call() == Warning.objects.count() >= 3


# --- The webhook ----------------------------------------------------------------------------------------
class Receiver:
    """A county's bridge on localhost: records each request; answers with the statuses given in turn, then
    200."""

    def __init__(self, statuses=()):
        self.statuses, self.requests = list(statuses), []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append((dict(self.headers), body))
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/fupin"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    made = []

    def start(statuses=()):
        made.append(Receiver(statuses))
        return made[-1]

    yield start
    for r in made:
        r.close()


@pytest.fixture
def county():
    return Region.objects.get(code=COUNTY.ljust(12, "0"))


def test_the_county_admin_sets_the_webhook_and_the_secret_stays_out_of_the_log(county_admin, county):
    hook = webhooks.configure(county_admin, county, url="https://sms.example.cn/hook", secret=SECRET)
    assert (hook.url, hook.secret, hook.active) == ("https://sms.example.cn/hook", SECRET, True)
    event = AuditEvent.objects.filter(action="warnings.webhook").get()
    assert SECRET not in json.dumps(event.after) and event.after["secret_changed"] is True
    again = webhooks.configure(county_admin, county, url="https://sms.example.cn/v2", secret="")
    assert again.secret == SECRET  # an empty secret keeps the one in use


def test_a_bad_webhook_url_or_short_secret_is_refused_by_field(county_admin, county, sima_officer):
    with pytest.raises(DomainError) as bad:
        webhooks.configure(county_admin, county, url="ftp://x", secret=SECRET)
    assert set(bad.value.fields) == {"url"}
    with pytest.raises(DomainError) as short:
        webhooks.configure(county_admin, county, url="https://x.cn/h", secret="short")
    assert set(short.value.fields) == {"secret"}
    from django.core.exceptions import PermissionDenied

    with pytest.raises((PermissionDenied, DomainError)):
        webhooks.configure(sima_officer, county, url="https://x.cn/h", secret=SECRET)
    assert (
        not WebhookDelivery.objects.exists()
        and AuditEvent.objects.filter(action="warnings.webhook").count() == 0
    )


def test_scan_events_are_posted_signed_and_a_failed_attempt_is_retried(
    county_admin, county, allocation, planned, receiver, time_machine
):
    bridge = receiver(statuses=[500])  # the bridge fails once, then answers
    webhooks.configure(county_admin, county, url=bridge.url, secret=SECRET)
    time_machine.move_to(_local(TODAY, 2), tick=False)
    result = services.scan_county(COUNTY, TODAY)
    deliveries = WebhookDelivery.objects.order_by("id")
    assert deliveries.count() == result.raised >= 3
    assert {d.event for d in deliveries} == {webhooks.RAISED}

    delivered, failed = webhooks.deliver_due()
    assert (delivered, failed) == (result.raised - 1, 1)
    first = WebhookDelivery.objects.order_by("id").first()
    assert (first.status, first.attempts) == ("pending", 1) and "500" in first.last_error
    assert first.next_try == timezone.now() + webhooks.backoff(1)
    assert webhooks.deliver_due() == (0, 0)  # not yet due

    time_machine.move_to(timezone.now() + timedelta(minutes=1, seconds=1))
    assert webhooks.deliver_due() == (1, 0)
    first.refresh_from_db()
    assert (first.status, first.attempts, first.last_error) == ("delivered", 2, "")

    assert len(bridge.requests) == result.raised + 1
    retried = [body for headers, body in bridge.requests if headers["X-Fupin-Delivery"] == str(first.pk)]
    assert len(retried) == 2 and retried[0] == retried[1]  # the same body on every try
    for headers, body in bridge.requests:
        assert webhooks.verify(SECRET, headers["X-Fupin-Timestamp"], body, headers["X-Fupin-Signature"])
        assert not webhooks.verify("another-secret-entirely", headers["X-Fupin-Timestamp"], body,
                                   headers["X-Fupin-Signature"])  # fmt: skip
        data = json.loads(body)
        assert data["event"] == headers["X-Fupin-Event"] == "warning.raised"
        assert data["county"] == COUNTY and data["warning"]["rule"] in RULES
    idle = next(json.loads(b) for _h, b in bridge.requests if b"funds_idle" in b)
    assert idle["warning"]["rule_name"] == "资金闲置" and idle["warning"]["level"] == "orange"


def test_delivery_stops_after_the_last_attempt(county_admin, county, receiver, time_machine):
    bridge = receiver(statuses=[503] * 99)
    webhooks.configure(county_admin, county, url=bridge.url, secret=SECRET)
    time_machine.move_to(_local(TODAY, 2))
    webhooks.send_test(county_admin, county)
    for _ in range(webhooks.MAX_ATTEMPTS + 2):
        webhooks.deliver_due()
        time_machine.move_to(timezone.now() + timedelta(hours=7))
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("failed", webhooks.MAX_ATTEMPTS)
    assert len(bridge.requests) == webhooks.MAX_ATTEMPTS and webhooks.next_due() is None


def test_closing_by_a_person_and_clearing_by_the_scan_are_posted(
    county_admin, county, allocation, planned, time_machine
):
    time_machine.move_to(_local(TODAY, 2))
    services.scan_county(COUNTY, TODAY)
    webhooks.configure(county_admin, county, url="http://127.0.0.1:9/none", secret=SECRET)
    warning = Warning.objects.get(rule="project_overdue")
    services.transition(county_admin, warning, "dismiss", "数据录入错误")
    closed = WebhookDelivery.objects.get()
    assert (closed.event, closed.warning_id) == (webhooks.CLOSED, warning.pk)
    assert json.loads(closed.body)["warning"]["state"] == "dismissed"


def test_the_delivery_task_posts_what_is_due(county_admin, county, receiver, time_machine):
    bridge = receiver()
    webhooks.configure(county_admin, county, url=bridge.url, secret=SECRET)
    time_machine.move_to(_local(TODAY, 2))
    webhooks.send_test(county_admin, county)
    assert tasks.deliver_webhooks.call() == 1
    assert json.loads(bridge.requests[0][1]) == {
        "event": "webhook.test",
        "county": COUNTY,
        "sent_by": "fupin",
    }
