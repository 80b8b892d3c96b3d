"""Warnings raised by the rules (rules.py) and their history."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fupin.core.access import Kind
from fupin.core.scope import RegionScopedQuerySet

from .enums import OPEN_STATES, Level, State


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
