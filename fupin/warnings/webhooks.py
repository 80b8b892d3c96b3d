"""A county's outgoing webhook (issue 15): every warning raised, escalated or closed in the county is POSTed
as JSON to the URL the county administrator set, so that a county can bridge to its SMS platform or
政务微信/钉钉. The background worker delivers (tasks.deliver_webhooks), retrying with back-off.

What the receiver gets:

    POST <url>
    Content-Type: application/json
    X-Fupin-Event: warning.raised | warning.escalated | warning.closed | webhook.test
    X-Fupin-Delivery: <delivery id>            (the same on every retry: deduplicate by it)
    X-Fupin-Timestamp: <unix seconds of this attempt>
    X-Fupin-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>." + body)>

The receiver recomputes the signature over the timestamp and the raw body with the shared secret, compares
in constant time, and refuses a timestamp more than a few minutes old (a replayed request).
"""

import hashlib
import hmac
import json
import secrets
import urllib.error
import urllib.request
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from fupin.core import access, audit
from fupin.core.access import Action
from fupin.core.errors import DomainError
from fupin.core.models import Region

from .models import CountyWebhook, Warning, WebhookDelivery
from .queueing import deferrable, queued

RAISED, ESCALATED, CLOSED, TEST = "warning.raised", "warning.escalated", "warning.closed", "webhook.test"
MAX_ATTEMPTS = 6
TIMEOUT_SECONDS = 10
# While one worker posts a delivery, others leave it alone for this long (the claim expires if it dies).
CLAIM = timedelta(minutes=5)


def backoff(attempts: int) -> timedelta:
    """The wait after the n-th failed attempt: 1, 2, 4, 8, 16 minutes… at most 6 hours."""
    return min(timedelta(minutes=2 ** (attempts - 1)), timedelta(hours=6))


def sign(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify(secret: str, timestamp: str, body: bytes, signature: str) -> bool:
    """What a receiver does (and what the tests do): recompute and compare in constant time."""
    return hmac.compare_digest(sign(secret, timestamp, body), signature or "")


# --- Settings ----------------------------------------------------------------------------------------
def of_county(county_code: str) -> CountyWebhook | None:
    return CountyWebhook.objects.filter(county_id=county_code[:6].ljust(12, "0")).first()


def _valid_url(url: str) -> str:
    url = (url or "").strip()
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        raise DomainError(_("Webhook URL: enter a full http:// or https:// address."), field="url") from None
    return url


@transaction.atomic
def configure(actor, county: Region, *, url: str, secret: str = "", active: bool = True) -> CountyWebhook:
    """Set (or change) the county's webhook; an empty secret keeps the current one, or draws a new one."""
    access.require(actor, Action.CONFIGURE)
    url = _valid_url(url)
    secret = (secret or "").strip()
    if secret and len(secret) < 16:
        raise DomainError(_("Signing secret: at least 16 characters."), field="secret")
    existing = CountyWebhook.objects.select_for_update().filter(county=county).first()
    before = {"url": existing.url, "active": existing.active} if existing else None
    hook = existing or CountyWebhook(county=county)
    hook.url, hook.active = url, active
    if secret:
        hook.secret = secret
    elif not hook.secret:
        hook.secret = secrets.token_urlsafe(32)
    hook.save()
    # The secret itself is never written to the audit log: only whether it changed.
    audit.record(
        actor=actor,
        action="warnings.webhook",
        region_code=county.code,
        target=hook,
        before=before,
        after={"url": url, "active": active, "secret_changed": bool(secret) or existing is None},
    )
    return hook


# --- Queueing ----------------------------------------------------------------------------------------
def payload(event: str, warning: Warning | None, county_code: str) -> dict:
    data = {"event": event, "county": county_code[:6], "sent_by": "fupin"}
    if warning is not None:
        data["warning"] = {
            "id": warning.pk,
            "rule": warning.rule,
            "rule_name": warning.rule_name,
            "level": warning.level,
            "state": warning.state,
            "subject_type": warning.subject_type,
            "subject_id": warning.subject_id,
            "subject_repr": warning.subject_repr,
            "region_code": warning.region_code,
            "message": warning.message,
            "raised_on": warning.raised_on.isoformat(),
            "updated_on": warning.updated_on.isoformat(),
            "escalated_on": warning.escalated_on.isoformat() if warning.escalated_on else None,
            "close_reason": warning.close_reason,
            "path": reverse("warnings:detail", args=[warning.pk]),
        }
    return data


def queue(county_code: str, events: list[tuple[str, Warning | None]]) -> int:
    """Queue one delivery per (event, warning) for the county's active webhook, inside the caller's
    transaction; the worker is asked to deliver once it commits. Nothing when the county has none."""
    hook = of_county(county_code)
    if hook is None or not hook.active or not events:
        return 0
    now = timezone.now()
    WebhookDelivery.objects.bulk_create(
        [
            WebhookDelivery(
                webhook=hook,
                event=event,
                warning=warning,
                body=json.dumps(payload(event, warning, county_code), ensure_ascii=False, sort_keys=True),
                next_try=now,
                created_at=now,
            )
            for event, warning in events
        ],
        batch_size=1000,
    )
    transaction.on_commit(_ask_worker)
    return len(events)


def _ask_worker() -> None:
    deliver_webhooks.enqueue()


# --- Delivering --------------------------------------------------------------------------------------
def _claim(delivery: WebhookDelivery, now: datetime) -> bool:
    """Take the delivery for this worker: only one of two workers that see it due wins."""
    return bool(
        WebhookDelivery.objects.filter(
            pk=delivery.pk, status=WebhookDelivery.Status.PENDING, next_try=delivery.next_try
        ).update(next_try=now + CLAIM)
    )


def post(delivery: WebhookDelivery, now: datetime) -> None:
    """One attempt; raises on anything but a 2xx answer."""
    body = delivery.body.encode()
    timestamp = str(int(now.timestamp()))
    request = urllib.request.Request(
        delivery.webhook.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "fupin-webhook/1",
            "X-Fupin-Event": delivery.event,
            "X-Fupin-Delivery": str(delivery.pk),
            "X-Fupin-Timestamp": timestamp,
            "X-Fupin-Signature": sign(delivery.webhook.secret, timestamp, body),
        },
    )
    with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as answer:  # noqa: S310 (http(s) only)
        if not 200 <= answer.status < 300:
            raise urllib.error.HTTPError(delivery.webhook.url, answer.status, answer.reason, None, None)


def attempt(delivery: WebhookDelivery, now: datetime | None = None) -> bool:
    """Post one claimed delivery and record the outcome: delivered, retried later, or failed for good."""
    now = now or timezone.now()
    delivery.attempts += 1
    try:
        post(delivery, now)
    except Exception as error:  # noqa: BLE001 (any failure of the receiver is a failed attempt)
        delivery.last_error = f"{type(error).__name__}: {error}"[:300]
        if delivery.attempts >= MAX_ATTEMPTS:
            delivery.status = WebhookDelivery.Status.FAILED
        else:
            delivery.next_try = now + backoff(delivery.attempts)
        delivery.save(update_fields=["attempts", "last_error", "status", "next_try"])
        return False
    delivery.status, delivery.delivered_at, delivery.last_error = WebhookDelivery.Status.DELIVERED, now, ""
    delivery.save(update_fields=["attempts", "last_error", "status", "delivered_at"])
    return True


def deliver_due(now: datetime | None = None, limit: int = 500) -> tuple[int, int]:
    """Post every delivery that is due (oldest first); (delivered, failed attempts)."""
    now = now or timezone.now()
    due = WebhookDelivery.objects.filter(status=WebhookDelivery.Status.PENDING, next_try__lte=now)
    delivered = failed = 0
    for delivery in due.select_related("webhook").order_by("next_try", "id")[:limit]:
        if not delivery.webhook.active or not _claim(delivery, now):
            continue
        if attempt(delivery, now):
            delivered += 1
        else:
            failed += 1
    return delivered, failed


def next_due() -> datetime | None:
    found = (
        WebhookDelivery.objects.filter(status=WebhookDelivery.Status.PENDING, webhook__active=True)
        .order_by("next_try")
        .values_list("next_try", flat=True)
        .first()
    )
    return found


@task()
def deliver_webhooks() -> int:
    """The worker's job: post the due deliveries; while some wait for a retry, run again when the first is
    due (one run queued at a time)."""
    delivered, _failed = deliver_due()
    due = next_due()
    if due is not None and deferrable() and not queued(deliver_webhooks):
        deliver_webhooks.using(run_after=max(due, timezone.now())).enqueue()
    return delivered


@transaction.atomic
def send_test(actor, county: Region) -> WebhookDelivery:
    """Queue a test delivery (the settings page's button), so the county sees its bridge answer."""
    access.require(actor, Action.CONFIGURE)
    if not queue(county.code, [(TEST, None)]):
        raise DomainError(_("Set an active webhook first."), field="url")
    return WebhookDelivery.objects.filter(webhook__county=county).order_by("-id").first()
