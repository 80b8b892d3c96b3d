"""The project library: projects, expert pool, reviews, plans, procurement, progress, acceptance, assets."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fupin.core import clock
from fupin.core.access import Kind
from fupin.core.models import region_code_validator
from fupin.core.scope import RegionScopedQuerySet

from .enums import (
    CRITERIA,
    PLAN_SECTIONS,
    UNFINISHED_STATES,
    AssetClass,
    BudgetChangeState,
    Conclusion,
    Linkage,
    ProjectState,
    ProjectType,
    ReviewState,
    SeatWithdrawal,
)

MONEY = {"max_digits": 14, "decimal_places": 2}


class ProjectQuerySet(RegionScopedQuerySet):
    def only_drawn(self, user):
        """An expert reads the projects of the reviews they were drawn for (core/access.py)."""
        return self.filter(pk__in=Seat.objects.filter(expert__user=user).values("review__project"))

    def behind_schedule(self, today=None):
        """Projects of an earlier year still unfinished: "当年投资、当年完成" was missed."""
        today = today or clock.today()
        return self.filter(year__lt=today.year, state__in=UNFINISHED_STATES)


class Project(models.Model):
    access_kind = Kind.PROJECTS
    region_code = models.CharField(_("site"), max_length=12, validators=[region_code_validator])
    name = models.CharField(_("project name"), max_length=120)
    year = models.PositiveSmallIntegerField(_("year"))
    type = models.CharField(_("project type"), max_length=16, choices=ProjectType.choices)
    nature = models.CharField(_("nature"), max_length=40, blank=True, help_text=_("New, extension, …"))
    starts_on = models.DateField(_("planned start"), null=True, blank=True)
    ends_on = models.DateField(_("planned completion"), null=True, blank=True)
    responsible_unit = models.CharField(_("responsible unit"), max_length=100)
    responsible_person = models.CharField(_("responsible person"), max_length=40, blank=True)
    applicant_unit = models.CharField(_("applicant unit"), max_length=100)
    tasks = models.TextField(_("construction tasks"), blank=True)
    budget = models.DecimalField(_("budget (yuan)"), **MONEY)
    funding = models.TextField(_("funding sources"), blank=True)
    planned_households = models.PositiveIntegerField(_("planned beneficiary households"), default=0)
    beneficiaries = models.ManyToManyField(
        "registry.Household", verbose_name=_("beneficiary households"), blank=True, related_name="projects"
    )
    targets = models.TextField(_("performance targets"), blank=True)
    # Performance indicators set at entry (绩效目标): [{"category": output|benefit|satisfaction,
    # "measure": what the evaluation reads, "target": a number}]; see services.INDICATOR_MEASURES.
    indicators = models.JSONField(_("performance indicators"), default=list, blank=True)
    linkage = models.CharField(_("linkage mechanism"), max_length=12, choices=Linkage.choices, blank=True)
    linkage_dividend = models.DecimalField(
        _("planned yearly dividends (yuan)"), null=True, blank=True, **MONEY
    )
    linkage_jobs = models.PositiveIntegerField(_("planned jobs"), null=True, blank=True)
    linkage_note = models.TextField(_("linkage details"), blank=True)
    state = models.CharField(
        _("state"), max_length=16, choices=ProjectState.choices, default=ProjectState.DRAFT
    )
    state_reason = models.TextField(_("reason"), blank=True)
    state_changed_at = models.DateTimeField(_("state since"), default=timezone.now)
    notice_starts_on = models.DateField(_("notice from"), null=True, blank=True)
    notice_ends_on = models.DateField(_("notice until"), null=True, blank=True)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    # Who sent it to the town review last: they may not also take that review (职责分离).
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = ProjectQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "region_code", "id"]
        indexes = [
            models.Index(fields=["region_code", "year"], name="project_region_year_idx"),
            models.Index(fields=["state", "region_code"], name="project_state_idx"),
            models.Index(fields=["year", "state"], name="project_year_state_idx"),
        ]
        verbose_name = _("project")
        verbose_name_plural = _("projects")

    def __str__(self):
        return self.name

    @property
    def town_code(self) -> str:
        return self.region_code[:9] + "000"

    def is_behind(self, today=None) -> bool:
        today = today or clock.today()
        return self.year < today.year and self.state in UNFINISHED_STATES


class ExpertQuerySet(RegionScopedQuerySet):
    def only_drawn(self, user):
        """An expert reads their own entry of the pool."""
        return self.filter(user=user)


class Expert(models.Model):
    """A member of the county's expert pool (专家库)."""

    access_kind = Kind.PROJECTS

    region_code = models.CharField(_("region code"), max_length=12)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("login"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="expert",
    )
    name = models.CharField(_("full name"), max_length=40)
    unit = models.CharField(_("work unit"), max_length=100)
    field = models.CharField(_("field of expertise"), max_length=60, blank=True)
    active = models.BooleanField(_("active"), default=True)

    objects = ExpertQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        verbose_name = _("expert")
        verbose_name_plural = _("experts")

    def __str__(self):
        return self.name


class ReviewQuerySet(RegionScopedQuerySet):
    def only_drawn(self, user):
        """An expert reads the reviews they were drawn for (core/access.py)."""
        return self.filter(pk__in=Seat.objects.filter(expert__user=user).values("review"))


class Review(models.Model):
    """The county's expert review (论证评审) of one project: a reproducible draw, then five scores each."""

    access_kind = Kind.PROJECTS

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="reviews")
    region_code = models.CharField(max_length=12)
    seed = models.BigIntegerField(_("draw seed"))
    expert_count = models.PositiveSmallIntegerField(_("experts drawn"))
    pass_mark = models.PositiveSmallIntegerField(_("pass mark"))
    candidate_ids = models.JSONField(_("candidates"), default=list)
    state = models.CharField(
        _("state"), max_length=10, choices=ReviewState.choices, default=ReviewState.SCORING
    )
    average = models.DecimalField(_("average score"), max_digits=5, decimal_places=2, null=True, blank=True)
    drawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    drawn_at = models.DateTimeField(_("drawn"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    # The committee's conclusion (评审结论), a step of its own signed by the chair: the county
    # administrator who chairs the committee's meeting and records it (services.conclude_review).
    conclusion = models.CharField(
        _("review conclusion"), max_length=16, choices=Conclusion.choices, blank=True
    )
    conclusion_note = models.TextField(_("conclusion details"), blank=True)
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("chair"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    concluded_at = models.DateTimeField(_("concluded"), null=True, blank=True)

    objects = ReviewQuerySet.as_manager()

    class Meta:
        ordering = ["-drawn_at", "-id"]
        verbose_name = _("expert review")
        verbose_name_plural = _("expert reviews")

    def __str__(self):
        return f"{self.project} · {self.drawn_at:%Y-%m-%d}"


class Seat(models.Model):
    """One drawn expert's place in a review, and the score they submit (once)."""

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="seats")
    expert = models.ForeignKey(Expert, on_delete=models.PROTECT, related_name="seats")
    order = models.PositiveSmallIntegerField()
    feasibility = models.PositiveSmallIntegerField(null=True, blank=True)
    compliance = models.PositiveSmallIntegerField(null=True, blank=True)
    soundness = models.PositiveSmallIntegerField(null=True, blank=True)
    durability = models.PositiveSmallIntegerField(null=True, blank=True)
    linkage = models.PositiveSmallIntegerField(null=True, blank=True)
    comments = models.TextField(_("comments"), blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    # An expert who declined or did not come leaves the panel; a new draw fills the place.
    withdrawn = models.CharField(_("withdrawn"), max_length=10, choices=SeatWithdrawal.choices, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    class Meta:
        ordering = ["review", "order"]
        constraints = [models.UniqueConstraint(fields=["review", "expert"], name="one_seat_per_expert")]

    def __str__(self):
        return f"{self.review_id}/{self.expert}"

    @property
    def total(self) -> int | None:
        if self.submitted_at is None:
            return None
        return sum(getattr(self, field) for field, _label in CRITERIA)


class Plan(models.Model):
    """The implementation plan (实施方案), with its required sections."""

    project = models.OneToOneField(Project, on_delete=models.PROTECT, related_name="plan")
    construction = models.TextField(_("Construction content"), blank=True)
    schedule = models.TextField(_("Schedule"), blank=True)
    budget = models.TextField(_("Budget"), blank=True)
    procurement = models.TextField(_("Procurement"), blank=True)
    beneficiaries = models.TextField(_("Beneficiaries and linkage"), blank=True)
    risks = models.TextField(_("Risk measures"), blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return str(self.project)

    def missing(self) -> list[str]:
        return [str(label) for field, label in PLAN_SECTIONS if not getattr(self, field).strip()]


class Procurement(models.Model):
    """A contract or procurement record (招标/采购/合同)."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="procurements")
    method = models.CharField(_("procurement method"), max_length=40)
    contract_no = models.CharField(_("contract number"), max_length=60)
    supplier = models.CharField(_("contractor or supplier"), max_length=100)
    amount = models.DecimalField(_("contract amount (yuan)"), **MONEY)
    signed_on = models.DateField(_("signed on"))
    # Retention money (质保金) may be paid during operation until this day.
    warranty_ends_on = models.DateField(_("warranty until"), null=True, blank=True)

    class Meta:
        ordering = ["signed_on", "id"]

    def __str__(self):
        return self.contract_no


class Progress(models.Model):
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="progress_reports")
    reported_on = models.DateField(_("report date"))
    percent = models.PositiveSmallIntegerField(_("percent complete"))
    problems = models.TextField(_("problems met"), blank=True)
    photo = models.FileField(_("photo"), upload_to="projects/progress/%Y/", blank=True)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-reported_on", "-id"]
        constraints = [models.CheckConstraint(condition=Q(percent__lte=100), name="progress_percent_max_100")]

    def __str__(self):
        return f"{self.project_id} {self.percent}%"


class Acceptance(models.Model):
    """The completion acceptance record (竣工验收)."""

    project = models.OneToOneField(Project, on_delete=models.PROTECT, related_name="acceptance")
    accepted_on = models.DateField(_("acceptance date"))
    members = models.TextField(_("acceptance members"))
    conclusion = models.TextField(_("conclusion"))
    attachment = models.FileField(_("attachment"), upload_to="projects/acceptance/%Y/", blank=True)

    def __str__(self):
        return f"{self.project} {self.accepted_on}"


class Asset(models.Model):
    """An asset the project created, handed over and registered (确权)."""

    access_kind = Kind.PROJECTS

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="assets")
    region_code = models.CharField(max_length=12)
    name = models.CharField(_("asset"), max_length=100)
    asset_class = models.CharField(_("asset class"), max_length=10, choices=AssetClass.choices)
    owner = models.CharField(_("owner of the asset"), max_length=100)
    value = models.DecimalField(_("value (yuan)"), **MONEY)
    registered_on = models.DateField(_("registration date"))

    objects = RegionScopedQuerySet.as_manager()

    class Meta:
        ordering = ["project", "id"]

    def __str__(self):
        return self.name


class BudgetChange(models.Model):
    """A change of a project's approved budget (预算调整): requested by one person, approved by another."""

    access_kind = Kind.PROJECTS

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="budget_changes")
    region_code = models.CharField(max_length=12)
    old_budget = models.DecimalField(_("budget before (yuan)"), **MONEY)
    new_budget = models.DecimalField(_("new budget (yuan)"), **MONEY)
    reason = models.TextField(_("reason"))
    state = models.CharField(
        _("state"), max_length=10, choices=BudgetChangeState.choices, default=BudgetChangeState.REQUESTED
    )
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)

    objects = RegionScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("budget change")
        verbose_name_plural = _("budget changes")

    def __str__(self):
        return f"{self.project} {self.old_budget} → {self.new_budget}"
