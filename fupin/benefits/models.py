"""Benefits that reach households: employment agreements (用工协议), the revenue ledger, dividends."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fupin.core.scope import RegionScopedQuerySet
from fupin.projects.models import MONEY, Project

from .enums import RevenueKind


class EmploymentAgreement(models.Model):
    """An agreement between the project's enterprise and a registered member with labour ability."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="employment_agreements")
    region_code = models.CharField(max_length=12)  # the project's site, for the data scope
    member = models.ForeignKey(
        "registry.Member", on_delete=models.PROTECT, related_name="employment_agreements"
    )
    position = models.CharField(_("position"), max_length=60)
    starts_on = models.DateField(_("start date"))
    ends_on = models.DateField(_("end date"))
    monthly_wage = models.DecimalField(_("monthly wage (yuan)"), **MONEY)
    evidence = models.CharField(_("evidence"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = RegionScopedQuerySet.as_manager()

    class Meta:
        ordering = ["project", "starts_on", "id"]
        indexes = [models.Index(fields=["region_code", "project"], name="agreement_region_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="agreement_ends_after_start"
            ),
            models.CheckConstraint(condition=Q(monthly_wage__gt=0), name="agreement_wage_positive"),
        ]
        verbose_name = _("employment agreement")
        verbose_name_plural = _("employment agreements")

    def __str__(self):
        return f"{self.project} · {self.member} · {self.position}"

    def is_active_on(self, day) -> bool:
        return self.starts_on <= day <= self.ends_on


class Revenue(models.Model):
    """An entry of the income ledger (收益台账): revenue a project brought in for a period, or (negative)
    the reversal of an entry. Rows are appended, never edited or deleted."""

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
