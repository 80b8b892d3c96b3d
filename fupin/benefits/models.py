"""Benefits that reach households: employment agreements (用工协议), the revenue ledger, dividends."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fupin.core.scope import RegionScopedQuerySet
from fupin.projects.models import MONEY, Project


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
