"""Employment that reaches households: agreements (用工协议), workshops (扶贫车间), posts
(扶贫岗/公益岗位), placements with their months and wages, quarterly workshop assessments and job offers.

The models came from `benefits` with their tables: each keeps its old table name (`db_table`), so moving
them changed no table (migrations `benefits.0005` and `employment.0001`)."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fupin.core.access import Kind
from fupin.core.scope import RegionScopedQuerySet
from fupin.projects.models import MONEY, Project

from .enums import OfferState, OperatorKind, PostKind, WorkshopStatus


class EmploymentAgreement(models.Model):
    """An agreement between the project's enterprise and a registered member with labour ability."""

    access_kind = Kind.EMPLOYMENT

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
        db_table = "benefits_employmentagreement"  # the table keeps the name it had in benefits
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


# --- Workshops and posts ---
class Workshop(models.Model):
    """A poverty-alleviation workshop (扶贫车间): a site where registered poor people work near home."""

    access_kind = Kind.EMPLOYMENT

    name = models.CharField(_("workshop name"), max_length=100)
    operator = models.CharField(_("operator"), max_length=100)
    operator_kind = models.CharField(
        _("kind of operator"), max_length=10, choices=OperatorKind.choices, default=OperatorKind.ENTERPRISE
    )
    region_code = models.CharField(_("workshop site"), max_length=12)  # the town or village of the site
    opened_on = models.DateField(_("opened on"))
    closed_on = models.DateField(_("date closed"), null=True, blank=True)
    capacity = models.PositiveIntegerField(_("places"))
    project = models.ForeignKey(
        Project, null=True, blank=True, on_delete=models.PROTECT, related_name="workshops"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = RegionScopedQuerySet.as_manager()

    class Meta:
        db_table = "benefits_workshop"  # the table keeps the name it had in benefits
        ordering = ["region_code", "name", "id"]
        indexes = [models.Index(fields=["region_code", "name"], name="workshop_region_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(capacity__gt=0), name="workshop_capacity_positive"),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=F("opened_on")),
                name="workshop_closes_after_opening",
            ),
        ]
        verbose_name = _("workshop")
        verbose_name_plural = _("workshops")

    def __str__(self):
        return self.name

    def is_open_on(self, day) -> bool:
        return self.opened_on <= day and (self.closed_on is None or self.closed_on >= day)


class Post(models.Model):
    """A poverty-alleviation or public-welfare post (扶贫岗/公益岗位): cleaning, forest care, patrol, care…"""

    access_kind = Kind.EMPLOYMENT

    kind = models.CharField(_("kind of post"), max_length=10, choices=PostKind.choices)
    title = models.CharField(_("post"), max_length=60)
    region_code = models.CharField(_("post location"), max_length=12)  # the town or village
    monthly_wage = models.DecimalField(_("monthly wage (yuan)"), **MONEY)
    funded_by = models.CharField(_("funded by"), max_length=100)
    places = models.PositiveIntegerField(_("places"))
    opened_on = models.DateField(_("opened on"))
    closed_on = models.DateField(_("date closed"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = RegionScopedQuerySet.as_manager()

    class Meta:
        db_table = "benefits_post"  # the table keeps the name it had in benefits
        ordering = ["region_code", "kind", "title", "id"]
        indexes = [models.Index(fields=["region_code", "kind"], name="post_region_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(places__gt=0), name="post_places_positive"),
            models.CheckConstraint(condition=Q(monthly_wage__gt=0), name="post_wage_positive"),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=F("opened_on")),
                name="post_closes_after_opening",
            ),
        ]
        verbose_name = _("post")
        verbose_name_plural = _("posts")

    def __str__(self):
        return self.title

    def is_open_on(self, day) -> bool:
        return self.opened_on <= day and (self.closed_on is None or self.closed_on >= day)


class PlacementQuerySet(RegionScopedQuerySet):
    def active_on(self, day):
        """Placements in force on `day`: started, and not ended before it."""
        return self.filter(Q(ended_on__isnull=True) | Q(ended_on__gte=day), started_on__lte=day)

    def current(self, day):
        """Placements not ended before `day`, those starting later included: the person is taken."""
        return self.filter(Q(ended_on__isnull=True) | Q(ended_on__gte=day))


class Placement(models.Model):
    """A registered member employed in a workshop or on a post (exactly one of the two)."""

    access_kind = Kind.EMPLOYMENT

    member = models.ForeignKey("registry.Member", on_delete=models.PROTECT, related_name="placements")
    region_code = models.CharField(max_length=12)  # the employer's, for the data scope
    workshop = models.ForeignKey(
        Workshop, null=True, blank=True, on_delete=models.PROTECT, related_name="placements"
    )
    post = models.ForeignKey(Post, null=True, blank=True, on_delete=models.PROTECT, related_name="placements")
    started_on = models.DateField(_("start date"))
    ended_on = models.DateField(_("end date"), null=True, blank=True)
    monthly_wage = models.DecimalField(_("monthly wage (yuan)"), **MONEY)
    end_reason = models.CharField(_("reason"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = PlacementQuerySet.as_manager()

    class Meta:
        db_table = "benefits_placement"  # the table keeps the name it had in benefits
        ordering = ["started_on", "id"]
        indexes = [
            models.Index(fields=["region_code", "started_on"], name="placement_region_idx"),
            models.Index(fields=["member", "ended_on"], name="placement_member_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(workshop__isnull=False, post__isnull=True)
                | Q(workshop__isnull=True, post__isnull=False),
                name="placement_one_employer",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                name="placement_ends_after_start",
            ),
            models.CheckConstraint(condition=Q(monthly_wage__gt=0), name="placement_wage_positive"),
        ]
        verbose_name = _("placement")
        verbose_name_plural = _("placements")

    def __str__(self):
        return f"{self.member} · {self.employer}"

    @property
    def employer(self):
        return self.workshop if self.workshop_id else self.post

    def is_active_on(self, day) -> bool:
        return self.started_on <= day and (self.ended_on is None or self.ended_on >= day)


class WorkRecord(models.Model):
    """Months worked and wages paid in one year of a placement; one per placement and year."""

    placement = models.ForeignKey(Placement, on_delete=models.CASCADE, related_name="work_records")
    year = models.PositiveSmallIntegerField(_("year"))
    months = models.PositiveSmallIntegerField(_("months worked"))
    wages = models.DecimalField(_("wages paid (yuan)"), **MONEY)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "benefits_workrecord"  # the table keeps the name it had in benefits
        ordering = ["placement", "year"]
        constraints = [
            models.UniqueConstraint(fields=["placement", "year"], name="work_record_once_per_year"),
            models.CheckConstraint(condition=Q(months__lte=12), name="work_record_months_0_12"),
            models.CheckConstraint(condition=Q(wages__gte=0), name="work_record_wages_not_negative"),
        ]
        verbose_name = _("work record")
        verbose_name_plural = _("work records")

    def __str__(self):
        return f"{self.placement} · {self.year}"


class WorkshopAssessment(models.Model):
    """The quarterly status of a workshop (正常运行/监测待处置/清理), set by an officer with a note."""

    access_kind = Kind.EMPLOYMENT

    workshop = models.ForeignKey(Workshop, on_delete=models.PROTECT, related_name="assessments")
    region_code = models.CharField(max_length=12)
    quarter = models.CharField(_("quarter"), max_length=7, help_text=_("e.g. 2019-Q2"))
    status = models.CharField(_("status"), max_length=10, choices=WorkshopStatus.choices)
    suggested = models.CharField(_("suggested status"), max_length=10, choices=WorkshopStatus.choices)
    workers = models.PositiveIntegerField(_("registered workers"))
    qualifying = models.PositiveIntegerField(_("qualifying workers"))
    note = models.TextField(_("note"), blank=True)
    assessed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assessed_at = models.DateTimeField(default=timezone.now)

    objects = RegionScopedQuerySet.as_manager()

    class Meta:
        db_table = "benefits_workshopassessment"  # the table keeps the name it had in benefits
        ordering = ["workshop", "quarter"]
        constraints = [
            models.UniqueConstraint(fields=["workshop", "quarter"], name="assessment_once_per_quarter"),
        ]
        verbose_name = _("quarterly status")
        verbose_name_plural = _("quarterly statuses")

    def __str__(self):
        return f"{self.workshop} · {self.quarter} · {self.get_status_display()}"


class Offer(models.Model):
    """A job offered to a member without work (供需精准对接): offered → accepted (a placement) or declined."""

    access_kind = Kind.EMPLOYMENT

    member = models.ForeignKey("registry.Member", on_delete=models.PROTECT, related_name="job_offers")
    region_code = models.CharField(max_length=12)  # the member's village, for the data scope
    workshop = models.ForeignKey(
        Workshop, null=True, blank=True, on_delete=models.PROTECT, related_name="offers"
    )
    post = models.ForeignKey(Post, null=True, blank=True, on_delete=models.PROTECT, related_name="offers")
    monthly_wage = models.DecimalField(_("monthly wage (yuan)"), **MONEY)
    state = models.CharField(
        _("state"), max_length=10, choices=OfferState.choices, default=OfferState.OFFERED
    )
    offered_on = models.DateField(_("offered on"))
    offered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    placement = models.OneToOneField(
        Placement, null=True, blank=True, on_delete=models.PROTECT, related_name="offer"
    )

    objects = RegionScopedQuerySet.as_manager()

    class Meta:
        db_table = "benefits_offer"  # the table keeps the name it had in benefits
        ordering = ["-offered_on", "-id"]
        indexes = [models.Index(fields=["region_code", "state"], name="offer_region_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(workshop__isnull=False, post__isnull=True)
                | Q(workshop__isnull=True, post__isnull=False),
                name="offer_one_employer",
            ),
            models.UniqueConstraint(
                fields=["member"], condition=Q(state="offered"), name="offer_one_open_per_member"
            ),
            models.CheckConstraint(condition=Q(monthly_wage__gt=0), name="offer_wage_positive"),
        ]
        verbose_name = _("job offer")
        verbose_name_plural = _("job offers")

    def __str__(self):
        return f"{self.member} · {self.employer}"

    @property
    def employer(self):
        return self.workshop if self.workshop_id else self.post
