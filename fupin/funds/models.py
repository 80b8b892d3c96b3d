"""Special funds: sources by level and year, allocations to projects, disbursements, performance evaluations.

Allocations and disbursements are ledgers: rows are appended, never edited; a correction is a reversing
entry (negative amount, pointing at the entry it corrects, with a reason). The running totals kept on a
source (`allocated`) and on an allocation (`net_amount`, `paid`) are changed only under a row lock by the
services, and check constraints hold the invariants in the database as well.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fupin.core.access import Kind
from fupin.core.scope import RegionScopedQuerySet
from fupin.projects.models import MONEY, Project

from .enums import FundLevel, Grade


class FundSource(models.Model):
    access_kind = Kind.FUNDS
    region_code = models.CharField(_("region code"), max_length=12)
    level = models.CharField(_("level"), max_length=10, choices=FundLevel.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    document_no = models.CharField(_("document number"), max_length=80)
    title = models.CharField(_("title"), max_length=120)
    amount = models.DecimalField(_("amount (yuan)"), **MONEY)
    allocated = models.DecimalField(_("allocated (yuan)"), default=0, **MONEY)
    received_on = models.DateField(_("received on"))
    created_at = models.DateTimeField(default=timezone.now)

    objects = RegionScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "level", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(allocated__lte=F("amount")) & Q(allocated__gte=0), name="source_not_overallocated"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="source_amount_positive"),
        ]
        verbose_name = _("fund source")
        verbose_name_plural = _("fund sources")

    def __str__(self):
        return f"{self.document_no} {self.title}"

    @property
    def available(self):
        return self.amount - self.allocated


class Allocation(models.Model):
    """A ledger entry: money of a source assigned to a project, or (negative) the reversal of one."""

    access_kind = Kind.FUNDS

    source = models.ForeignKey(FundSource, on_delete=models.PROTECT, related_name="allocations")
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="allocations")
    region_code = models.CharField(max_length=12)
    amount = models.DecimalField(_("amount (yuan)"), **MONEY)
    net_amount = models.DecimalField(_("after reversals (yuan)"), **MONEY)
    paid = models.DecimalField(_("paid (yuan)"), default=0, **MONEY)
    allocated_on = models.DateField(_("allocated on"))
    last_paid_on = models.DateField(_("last payment"), null=True, blank=True)
    document_no = models.CharField(_("document number"), max_length=80, blank=True)
    reverses = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversals"
    )
    reason = models.TextField(_("reason"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = RegionScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-allocated_on", "-id"]
        indexes = [models.Index(fields=["region_code", "allocated_on"], name="allocation_region_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(reverses__isnull=False) | (Q(paid__lte=F("net_amount")) & Q(paid__gte=0)),
                name="allocation_not_overpaid",
            ),
        ]
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")

    def __str__(self):
        return f"{self.source.document_no} → {self.project}"

    @property
    def available(self):
        return self.net_amount - self.paid

    @property
    def execution_rate(self):
        return (self.paid / self.net_amount * 100) if self.net_amount else None


class Disbursement(models.Model):
    """A ledger entry: a payment against an allocation, or (negative) the reversal of one."""

    access_kind = Kind.FUNDS

    allocation = models.ForeignKey(Allocation, on_delete=models.PROTECT, related_name="disbursements")
    region_code = models.CharField(max_length=12)
    amount = models.DecimalField(_("amount (yuan)"), **MONEY)
    paid_on = models.DateField(_("payment date"))
    payee = models.CharField(_("payee"), max_length=100)
    voucher_no = models.CharField(_("voucher number"), max_length=60)
    # Retention money (质保金): the one payment allowed in operation, within the contract's warranty.
    retention = models.BooleanField(_("retention money"), default=False)
    reverses = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversal"
    )
    reason = models.TextField(_("reason"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = RegionScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-paid_on", "-id"]
        indexes = [models.Index(fields=["region_code", "paid_on"], name="disbursement_region_idx")]
        verbose_name = _("disbursement")
        verbose_name_plural = _("disbursements")

    def __str__(self):
        return self.voucher_no


class Evaluation(models.Model):
    """Performance evaluation of a project for one year (绩效评价)."""

    access_kind = Kind.FUNDS

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="evaluations")
    region_code = models.CharField(max_length=12)
    year = models.PositiveSmallIntegerField(_("year"))
    indicators = models.JSONField(_("indicators"), default=dict)
    # The score computed from the project's data (services.compute_evaluation), the evaluator's
    # adjustment with its reason, and the result: score = computed + adjustment, within the caps.
    computed_score = models.DecimalField(
        _("computed score"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    adjustment = models.DecimalField(_("adjustment"), max_digits=5, decimal_places=2, default=0)
    adjustment_reason = models.TextField(_("reason for the adjustment"), blank=True)
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=2)
    grade = models.CharField(_("grade"), max_length=10, choices=Grade.choices)
    comments = models.TextField(_("comments"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = RegionScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "project"]
        constraints = [models.UniqueConstraint(fields=["project", "year"], name="one_evaluation_per_year")]

    def __str__(self):
        return f"{self.project} {self.year}"
