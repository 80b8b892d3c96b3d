"""Warnings raised by the rules (rules.py) and their history."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fupin.core.access import Kind
from fupin.core.scope import RegionScopedQuerySet

from .enums import OPEN_STATES, Level, Review, State


class WarningQuerySet(RegionScopedQuerySet):
    def open(self):
        return self.filter(state__in=OPEN_STATES)


class Warning(models.Model):
    """One warning of one rule about one subject (an allocation, a project, a household…). While it is
    open there is only one per (rule, subject); the scan raises or lowers its level and clears it."""

    access_kind = Kind.WARNINGS

    rule = models.CharField(_("rule"), max_length=40)
    level = models.CharField(_("level"), max_length=8, choices=Level.choices)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)
    subject_type = models.CharField(_("subject type"), max_length=40)
    subject_id = models.BigIntegerField(_("subject id"))
    subject_repr = models.CharField(_("warning subject"), max_length=200)
    region_code = models.CharField(_("area"), max_length=12)
    message = models.CharField(_("message"), max_length=300)
    raised_on = models.DateField(_("raised on"))
    updated_on = models.DateField(_("updated on"))
    acknowledged_on = models.DateField(_("acknowledged on"), null=True, blank=True)
    escalated_on = models.DateField(_("escalated to the county on"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    close_reason = models.TextField(_("reason"), blank=True)
    # For a warning closed by a person: the day the scan found the condition gone (then a new warning may
    # be raised when it comes back).
    condition_cleared_on = models.DateField(null=True, blank=True)
    # A false alarm is reviewed by the rule's owner (rules.Rule.owner): confirmed, or rejected (then the
    # next scan raises the warning afresh while the condition lasts).
    review = models.CharField(_("review"), max_length=10, choices=Review.choices, blank=True)
    review_note = models.TextField(_("review note"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_on = models.DateField(_("reviewed on"), null=True, blank=True)

    objects = WarningQuerySet.as_manager()

    class Meta:
        ordering = ["-raised_on", "-id"]
        verbose_name = _("warning")
        verbose_name_plural = _("warnings")
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "subject_id"],
                condition=models.Q(state__in=sorted(OPEN_STATES)),
                name="warning_one_open_per_subject",
            )
        ]
        indexes = [
            models.Index(fields=["region_code", "state"], name="warning_region_state_idx"),
            models.Index(fields=["rule", "subject_id"], name="warning_rule_subject_idx"),
        ]

    def __str__(self):
        return f"{self.rule} {self.subject_repr}"

    @property
    def rule_name(self) -> str:
        from .rules import RULES

        rule = RULES.get(self.rule)
        return str(rule.name) if rule else self.rule

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES


class WarningEvent(models.Model):
    """One step in a warning's life: raised, level changed, escalated, cleared, or a person's action."""

    warning = models.ForeignKey(Warning, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("event"), max_length=12)
    from_state = models.CharField(max_length=10, blank=True)
    to_state = models.CharField(max_length=10, blank=True)
    level = models.CharField(max_length=8, blank=True)
    note = models.TextField(_("note"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.warning_id} {self.kind}"


class CountyWebhook(models.Model):
    """A county's optional outgoing webhook: every warning raised, escalated or closed in the county is
    POSTed to `url` as JSON, signed with `secret` (HMAC-SHA256), so that the county can bridge to its SMS
    platform or 政务微信/钉钉."""

    county = models.OneToOneField("core.Region", on_delete=models.PROTECT, related_name="+")
    url = models.URLField(_("webhook URL"), max_length=500)
    secret = models.CharField(_("signing secret"), max_length=200)
    active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("webhook")

    def __str__(self):
        return f"{self.county_id} → {self.url}"


class WebhookDelivery(models.Model):
    """One POST to a county's webhook, retried with back-off by the worker until it is answered 2xx or
    has failed `webhooks.MAX_ATTEMPTS` times. The body is fixed when queued: every retry sends (and
    signs) the same bytes."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        DELIVERED = "delivered", _("Delivered to the receiver")
        FAILED = "failed", _("Delivery failed")

    webhook = models.ForeignKey(CountyWebhook, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(_("event"), max_length=30)
    warning = models.ForeignKey(Warning, null=True, on_delete=models.SET_NULL, related_name="+")
    body = models.TextField()
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_try = models.DateTimeField(_("next try"), default=timezone.now)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["status", "next_try"], name="webhook_delivery_due_idx")]

    def __str__(self):
        return f"{self.event} #{self.pk}"
