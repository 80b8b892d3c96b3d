"""Benefits that reach households: employment agreements (用工协议), the revenue ledger, dividends."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
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
    OfferState,
    OperatorKind,
    PlanState,
    PostKind,
    Recipient,
    RevenueKind,
    WorkshopStatus,
)


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
    def payable(self) -> bool:
        return self.state in (PlanState.DISCLOSED, PlanState.PAYING)

    @property
    def cancellable(self) -> bool:
        return self.state in (PlanState.DRAFT, PlanState.APPROVED, PlanState.DISCLOSED)

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
