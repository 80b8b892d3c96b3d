from django.db import models
from django.utils.translation import gettext_lazy as _


class FundLevel(models.TextChoices):
    CENTRAL = "central", _("Central")  # 中央
    PROVINCE = "province", _("Provincial")  # 省
    CITY = "city", _("Municipal")  # 市
    COUNTY = "county", _("County funds")  # 县


class Grade(models.TextChoices):
    EXCELLENT = "excellent", _("Excellent")  # 优 ≥ 90
    GOOD = "good", _("Good")  # 良 ≥ 80
    FAIR = "fair", _("Fair")  # 中 ≥ 60
    POOR = "poor", _("Poor")  # 差


def grade_for(score) -> str:
    if score >= 90:
        return Grade.EXCELLENT
    if score >= 80:
        return Grade.GOOD
    if score >= 60:
        return Grade.FAIR
    return Grade.POOR


AUDIT_ACTIONS = {
    "funds.source.create": _("Fund source registered"),
    "funds.allocation.create": _("Funds allocated"),
    "funds.allocation.reverse": _("Allocation reversed"),
    "funds.disbursement.create": _("Payment made"),
    "funds.disbursement.reverse": _("Payment reversed"),
    "funds.evaluation.record": _("Performance evaluation recorded"),
}
