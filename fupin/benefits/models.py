"""Benefits that reach households: the revenue ledger (收益台账), distribution plans and dividends."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fupin.core import clock
from fupin.core.access import Kind
from fupin.core.scope import RegionScopedQuerySet
from fupin.projects.models import MONEY, Project

from .enums import (
    UNPAID_STATES,
    Channel,
    Method,
    PlanState,
    Recipient,
    RevenueKind,
)


class Revenue(models.Model):
    """An entry of the income ledger (收益台账): revenue a project brought in for a period, or (negative)
    the reversal of an entry. Rows are appended, never edited or deleted."""

    access_kind = Kind.BENEFITS

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="revenues")
    region_code = models.CharField(max_length=12)
    period = models.CharField(_("period"), max_length=7, help_text=_("2019, 2019-Q2 or 2019-06"))
    kind = models.CharField(_("kind of revenue"), max_length=10, choices=RevenueKind.choices)
    amount = models.DecimalField(_("amount (yuan)"), **MONEY)
    received_on = models.DateField(_("date received"))
    evidence = models.CharField(_("evidence"), max_length=200, blank=True)
    reverses = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversal"
    )
    reason = models.TextField(_("reason"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = RegionScopedQuerySet.as_manager()

    class Meta:
        ordering = ["project", "received_on", "id"]
        indexes = [models.Index(fields=["region_code", "received_on"], name="revenue_region_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(reverses__isnull=True, amount__gt=0) | Q(reverses__isnull=False, amount__lt=0),
                name="revenue_sign_matches_entry",
            ),
        ]
        verbose_name = _("revenue")
        verbose_name_plural = _("revenues")

    def __str__(self):
        return f"{self.project} · {self.period} · {self.amount}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError("The income ledger is append-only: correct an entry by a reversing entry.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("The income ledger is append-only: correct an entry by a reversing entry.")


# --- Distribution plans and dividends (分红) -------------------------------------------------------
class PlanQuerySet(RegionScopedQuerySet):
    def overdue(self, on):
        """Plans not paid in full by their deadline (发放不及时), as of `on`."""
        return self.filter(state__in=UNPAID_STATES, payment_deadline__lt=on)


class DistributionPlan(models.Model):
    """How one revenue entry is divided: among the project's beneficiary households by a method, plus
    optional fixed shares to the village collective and to public-welfare posts. Its lines add up to the
    total to the fen; it is approved by the village review, put on notice, then paid line by line."""

    access_kind = Kind.BENEFITS

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="distribution_plans")
    revenue = models.ForeignKey(Revenue, on_delete=models.PROTECT, related_name="distribution_plans")
    region_code = models.CharField(max_length=12)
    method = models.CharField(_("method"), max_length=10, choices=Method.choices)
    total = models.DecimalField(_("amount to distribute (yuan)"), **MONEY)
    collective_share = models.DecimalField(_("share of the village collective (yuan)"), **MONEY)
    welfare_share = models.DecimalField(_("share for public-welfare posts (yuan)"), **MONEY)
    state = models.CharField(_("state"), max_length=10, choices=PlanState.choices, default=PlanState.DRAFT)
    reviewed_on = models.DateField(_("date of the village review"), null=True, blank=True)
    review_note = models.TextField(_("village review"), blank=True)
    payment_deadline = models.DateField(_("pay by"), null=True, blank=True)
    notice_starts_on = models.DateField(_("notice from"), null=True, blank=True)
    notice_ends_on = models.DateField(_("notice until"), null=True, blank=True)
    paid_on = models.DateField(_("paid in full on"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = PlanQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["region_code", "state"], name="plan_region_state_idx"),
            models.Index(fields=["state", "payment_deadline"], name="plan_deadline_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(total__gt=0), name="plan_total_positive"),
            models.CheckConstraint(
                condition=Q(collective_share__gte=0, welfare_share__gte=0), name="plan_shares_not_negative"
            ),
            # One live plan per revenue entry: the same money is never distributed twice.
            models.UniqueConstraint(
                fields=["revenue"], condition=~Q(state="cancelled"), name="plan_one_live_per_revenue"
            ),
        ]
        verbose_name = _("distribution plan")
        verbose_name_plural = _("distribution plans")

    def __str__(self):
        return f"{self.project} · {self.revenue.period} · {self.total}"

    def is_overdue(self, on) -> bool:
        return (
            self.state in UNPAID_STATES and self.payment_deadline is not None and on > self.payment_deadline
        )

    @property
    def overdue_today(self) -> bool:
        return self.is_overdue(clock.today())

    @property
    def paid_late(self) -> bool:
        return (
            self.paid_on is not None
            and self.payment_deadline is not None
            and self.paid_on > self.payment_deadline
        )


class DistributionLine(models.Model):
    """What one recipient gets under a plan: a household (with its weight: 1, its living members, or
    its factor in hundredths), the village collective or the public-welfare posts."""

    access_kind = Kind.BENEFITS

    plan = models.ForeignKey(DistributionPlan, on_delete=models.CASCADE, related_name="lines")
    recipient = models.CharField(_("recipient"), max_length=10, choices=Recipient.choices)
    household = models.ForeignKey(
        "registry.Household", null=True, blank=True, on_delete=models.PROTECT, related_name="dividend_lines"
    )
    region_code = models.CharField(max_length=12)  # the household's village, else the project's site
    weight = models.PositiveIntegerField(_("weight"), default=1)
    persons = models.PositiveSmallIntegerField(_("persons"), default=0)
    amount = models.DecimalField(_("share (yuan)"), **MONEY)

    objects = RegionScopedQuerySet.as_manager()

    class Meta:
        ordering = ["plan", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "household"], condition=Q(household__isnull=False), name="line_household_once"
            ),
            models.UniqueConstraint(
                fields=["plan", "recipient"],
                condition=~Q(recipient="household"),
                name="line_share_once",
            ),
            models.CheckConstraint(
                condition=Q(recipient="household", household__isnull=False)
                | (~Q(recipient="household") & Q(household__isnull=True)),
                name="line_household_matches_recipient",
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="line_amount_not_negative"),
        ]
        verbose_name = _("distribution line")
        verbose_name_plural = _("distribution lines")

    def __str__(self):
        return f"{self.plan_id} · {self.household or self.get_recipient_display()} · {self.amount}"


class Payment(models.Model):
    """The payment of one line, once: the line's share in full, to a living member of the household."""

    access_kind = Kind.BENEFITS

    line = models.OneToOneField(DistributionLine, on_delete=models.PROTECT, related_name="payment")
    plan = models.ForeignKey(DistributionPlan, on_delete=models.PROTECT, related_name="payments")
    region_code = models.CharField(max_length=12)
    amount = models.DecimalField(_("amount paid (yuan)"), **MONEY)
    paid_on = models.DateField(_("date paid"))
    channel = models.CharField(_("channel"), max_length=6, choices=Channel.choices)
    account = models.CharField(_("account"), max_length=40, blank=True)
    voucher = models.CharField(_("voucher"), max_length=60, blank=True)
    payee = models.ForeignKey(
        "registry.Member", null=True, blank=True, on_delete=models.PROTECT, related_name="dividends_received"
    )
    payee_name = models.CharField(_("received by"), max_length=60)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = RegionScopedQuerySet.as_manager()

    class Meta:
        ordering = ["plan", "line"]
        indexes = [models.Index(fields=["region_code", "paid_on"], name="payment_region_idx")]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive")]
        verbose_name = _("dividend payment")
        verbose_name_plural = _("dividend payments")

    def __str__(self):
        return f"{self.line} · {self.paid_on}"
