"""The registry (精准建档立卡): households, members, yearly incomes, gate procedures, helpers, visits,
change requests and monitoring (防返贫)."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fupin.core.access import Kind
from fupin.core.scope import RegionScopedQuerySet

from .enums import (
    Attribute,
    Cause,
    ChangeKind,
    ChangeState,
    Education,
    Gate,
    Health,
    Labour,
    MeasureKind,
    MonitoringSource,
    MonitoringState,
    MonitoringStep,
    MonitoringType,
    Relation,
    Schooling,
    Sex,
    Standard,
    Status,
    Step,
    Work,
)

ZERO = Decimal("0.00")


def money(**kwargs):
    return models.DecimalField(max_digits=12, decimal_places=2, default=ZERO, **kwargs)


class HouseholdQuerySet(RegionScopedQuerySet):
    def with_head(self):
        return self.select_related("head")

    def only_paired(self, user):
        """The households a helper is paired with now (a pair with no end): all a helper reads."""
        return self.filter(
            pk__in=HelperPair.objects.filter(helper=user, end__isnull=True).values("household")
        )


class Household(models.Model):
    access_kind = Kind.REGISTRY

    number = models.CharField(_("household number"), max_length=20)
    county_code = models.CharField(max_length=6, editable=False)
    region_code = models.CharField(_("village"), max_length=12)
    head = models.ForeignKey(
        "Member", verbose_name=_("head"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    attribute = models.CharField(
        _("attribute"), max_length=10, choices=Attribute.choices, default=Attribute.GENERAL
    )
    standard = models.CharField(
        _("standard"), max_length=10, choices=Standard.choices, default=Standard.NATIONAL
    )
    main_cause = models.CharField(_("main cause of poverty"), max_length=12, choices=Cause.choices)
    other_causes = models.JSONField(_("other causes"), default=list, blank=True)
    phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    identified_year = models.PositiveSmallIntegerField(_("year identified"), null=True, blank=True)
    exit_year = models.PositiveSmallIntegerField(_("year lifted out"), null=True, blank=True)
    # 两不愁三保障 and drinking water: each True when the household is secure on it.
    food_secure = models.BooleanField(_("enough to eat"), default=True)
    clothing_secure = models.BooleanField(_("enough to wear"), default=True)
    education_secure = models.BooleanField(_("compulsory education guaranteed"), default=True)
    medical_secure = models.BooleanField(_("basic medical care guaranteed"), default=True)
    housing_secure = models.BooleanField(_("safe housing"), default=True)
    water_secure = models.BooleanField(_("safe drinking water"), default=True)
    status = models.CharField(_("status"), max_length=14, choices=Status.choices, default=Status.APPLYING)
    # The latest year's figures, kept here so that lists filter and sort without a join.
    income_year = models.PositiveSmallIntegerField(_("income year"), null=True, blank=True)
    per_capita_income = models.DecimalField(
        _("per-capita net income"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    data_warnings = models.JSONField(_("data warnings"), default=list, blank=True)
    warnings_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = HouseholdQuerySet.as_manager()

    class Meta:
        ordering = ["region_code", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["county_code", "number"], name="household_number_unique_in_county"
            ),
        ]
        indexes = [
            models.Index(fields=["region_code", "number"], name="household_region_idx"),
            models.Index(fields=["status", "region_code"], name="household_status_idx"),
            models.Index(
                fields=["number"], name="household_number_prefix_idx", opclasses=["varchar_pattern_ops"]
            ),
        ]
        verbose_name = _("household")
        verbose_name_plural = _("households")

    def __str__(self):
        head = self.head.name if self.head_id and self.head else ""
        return f"{self.number} {head}".strip()

    GUARANTEE_FIELDS = [
        "food_secure",
        "clothing_secure",
        "education_secure",
        "medical_secure",
        "housing_secure",
        "water_secure",
    ]

    def failing_guarantees(self) -> list[str]:
        """Verbose names of the 两不愁三保障 and water flags that do not hold."""
        return [
            str(self._meta.get_field(f).verbose_name) for f in self.GUARANTEE_FIELDS if not getattr(self, f)
        ]

    @property
    def is_registered(self) -> bool:
        from .enums import REGISTERED_STATUSES

        return self.status in REGISTERED_STATUSES


class MemberQuerySet(models.QuerySet):
    def living(self):
        return self.filter(deceased=False, left_household=False)


class Member(models.Model):
    household = models.ForeignKey(
        Household, verbose_name=_("household"), on_delete=models.PROTECT, related_name="members"
    )
    name = models.CharField(_("full name"), max_length=40)
    name_pinyin = models.CharField(max_length=120, editable=False)
    name_initials = models.CharField(max_length=20, editable=False)
    id_number = models.CharField(_("ID number"), max_length=18)
    id_last6 = models.CharField(max_length=6, editable=False)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    birth_date = models.DateField(_("birth date"))
    relation = models.CharField(_("relation to head"), max_length=16, choices=Relation.choices)
    ethnicity = models.CharField(_("ethnicity"), max_length=12, default="汉族")
    education = models.CharField(_("education"), max_length=10, choices=Education.choices, blank=True)
    schooling = models.CharField(
        _("schooling"), max_length=10, choices=Schooling.choices, default=Schooling.NOT_IN_SCHOOL
    )
    health = models.CharField(_("health"), max_length=10, choices=Health.choices, default=Health.HEALTHY)
    labour = models.CharField(
        _("labour ability"), max_length=10, choices=Labour.choices, default=Labour.ORDINARY
    )
    work = models.CharField(_("work status"), max_length=10, choices=Work.choices, default=Work.NONE)
    months_worked = models.PositiveSmallIntegerField(_("months worked"), default=0)
    serious_illness_insurance = models.BooleanField(_("serious-illness insurance"), default=False)
    medical_insurance = models.BooleanField(_("basic medical insurance"), default=True)
    pension_insurance = models.BooleanField(_("pension insurance"), default=False)
    phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    deceased = models.BooleanField(_("deceased"), default=False)
    deceased_on = models.DateField(_("date of death"), null=True, blank=True)
    left_household = models.BooleanField(_("left the household"), default=False)
    left_on = models.DateField(_("date left"), null=True, blank=True)

    objects = MemberQuerySet.as_manager()

    class Meta:
        ordering = ["household_id", "id"]
        constraints = [
            # DESIGN.md §3: one living person is registered in one household only.
            models.UniqueConstraint(
                fields=["id_number"],
                condition=Q(deceased=False, left_household=False),
                name="member_living_id_unique",
            ),
            models.CheckConstraint(condition=Q(months_worked__lte=12), name="member_months_worked_0_12"),
        ]
        indexes = [
            models.Index(fields=["name", "birth_date"], name="member_name_birth_idx"),
            # Exact matches only: plain indexes (a db_index would add a LIKE index on PostgreSQL too).
            models.Index(fields=["id_number"], name="member_id_number_idx"),
            models.Index(fields=["id_last6"], name="member_id_last6_idx"),
            # Prefix searches (LIKE 'x%') use an index on PostgreSQL only with the pattern operator class
            # when the database collation is not "C"; on SQLite these are plain indexes.
            models.Index(fields=["name"], name="member_name_prefix_idx", opclasses=["varchar_pattern_ops"]),
            models.Index(
                fields=["name_initials"], name="member_initials_prefix_idx", opclasses=["varchar_pattern_ops"]
            ),
            models.Index(
                fields=["name_pinyin"], name="member_pinyin_prefix_idx", opclasses=["varchar_pattern_ops"]
            ),
        ]
        verbose_name = _("member")
        verbose_name_plural = _("members")

    def __str__(self):
        return self.name

    @property
    def is_living_member(self) -> bool:
        return not self.deceased and not self.left_household

    def age_on(self, day) -> int:
        return (
            day.year
            - self.birth_date.year
            - ((day.month, day.day) < (self.birth_date.month, self.birth_date.day))
        )


class Income(models.Model):
    """One year's income of a household (元/年). Net = the four incomes minus production costs."""

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="incomes")
    year = models.PositiveSmallIntegerField(_("year"))
    wage = money(verbose_name=_("wage income"))
    business = money(verbose_name=_("business income"))
    transfer = money(verbose_name=_("transfer income"))
    property = money(verbose_name=_("property income"))
    production_cost = money(verbose_name=_("production costs"))
    members = models.PositiveSmallIntegerField(_("members counted"))
    net = money(verbose_name=_("net income"))
    per_capita = money(verbose_name=_("per-capita net income"))

    class Meta:
        ordering = ["household_id", "-year"]
        constraints = [models.UniqueConstraint(fields=["household", "year"], name="income_once_per_year")]
        verbose_name = _("yearly income")
        verbose_name_plural = _("yearly incomes")

    def __str__(self):
        return f"{self.household_id} {self.year}"


class Procedure(models.Model):
    """One pass of a household through the entry gate (识别) or the exit gate (退出)."""

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="procedures")
    gate = models.CharField(_("gate"), max_length=6, choices=Gate.choices)
    step = models.CharField(_("current step"), max_length=16, choices=Step.choices, default=Step.APPLIED)
    year = models.PositiveSmallIntegerField(_("year"))
    notice_start = models.DateField(_("notice from"), null=True, blank=True)
    notice_end = models.DateField(_("notice until"), null=True, blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["household", "gate"],
                condition=Q(finished_at__isnull=True),
                name="one_open_procedure_per_gate",
            )
        ]
        verbose_name = _("gate procedure")
        verbose_name_plural = _("gate procedures")

    def __str__(self):
        return f"{self.household} {self.get_gate_display()} {self.get_step_display()}"

    @property
    def is_open(self) -> bool:
        return self.finished_at is None


class ProcedureEvent(models.Model):
    """A step taken in a procedure, with what the step recorded (attendance, votes, opinions, dates)."""

    procedure = models.ForeignKey(Procedure, on_delete=models.PROTECT, related_name="events")
    step = models.CharField(_("step"), max_length=16, choices=Step.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    details = models.JSONField(default=dict, blank=True)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.procedure_id} {self.step}"


class Objection(models.Model):
    """An objection raised while a notice is posted; the procedure waits until it is resolved."""

    procedure = models.ForeignKey(Procedure, on_delete=models.PROTECT, related_name="objections")
    raised_by = models.CharField(_("raised by"), max_length=60)
    content = models.TextField(_("objection"))
    raised_on = models.DateField(_("raised on"))
    resolution = models.TextField(_("resolution"), blank=True)
    upheld = models.BooleanField(_("objection upheld"), null=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["raised_on", "id"]

    def __str__(self):
        return f"{self.procedure_id} {self.raised_by}"


class HelperPair(models.Model):
    """结对帮扶: a helper responsible for a household from `start` until `end`."""

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="helper_pairs")
    helper = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="helped_households"
    )
    start = models.DateField(_("from"))
    end = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        ordering = ["household_id", "-start"]
        constraints = [
            models.UniqueConstraint(
                fields=["household", "helper"], condition=Q(end__isnull=True), name="one_open_pair_per_helper"
            )
        ]

    def __str__(self):
        return f"{self.helper} → {self.household}"


class Visit(models.Model):
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="visits")
    helper = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="visits")
    visited_on = models.DateField(_("date of visit"))
    findings = models.TextField(_("what was found"))
    help_given = models.TextField(_("help given"), blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-visited_on", "-id"]
        indexes = [models.Index(fields=["household", "visited_on"], name="visit_household_date_idx")]
        verbose_name = _("visit")
        verbose_name_plural = _("visits")

    def __str__(self):
        return f"{self.household_id} {self.visited_on}"


class VisitPhoto(models.Model):
    visit = models.ForeignKey(Visit, on_delete=models.PROTECT, related_name="photos")
    image = models.FileField(upload_to="visits/%Y/%m/")
    content_type = models.CharField(max_length=20)

    def __str__(self):
        return self.image.name


class ChangeRequest(models.Model):
    """A change of the household (birth, death, marriage, move, split): made by one, approved by another."""

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="change_requests")
    kind = models.CharField(_("change"), max_length=14, choices=ChangeKind.choices)
    member = models.ForeignKey(Member, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    payload = models.JSONField(_("details"), default=dict, blank=True)
    effective_on = models.DateField(_("effective on"))
    state = models.CharField(
        _("state"), max_length=10, choices=ChangeState.choices, default=ChangeState.PENDING
    )
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        ordering = ["-requested_at"]

    def __str__(self):
        return f"{self.household_id} {self.get_kind_display()}"


class MonitoringCase(models.Model):
    """防返贫动态监测: a household found at risk, identified within a time limit, helped, then cleared."""

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="monitoring_cases")
    type = models.CharField(_("monitoring type"), max_length=10, choices=MonitoringType.choices)
    risks = models.JSONField(_("risks"), default=list)
    state = models.CharField(
        _("state"), max_length=12, choices=MonitoringState.choices, default=MonitoringState.IDENTIFYING
    )
    found_on = models.DateField(_("found on"))
    identify_by = models.DateField(_("identify by"))
    identified_on = models.DateField(_("identified on"), null=True, blank=True)
    cleared_on = models.DateField(_("risk cleared on"), null=True, blank=True)
    source = models.CharField(
        _("found through"), max_length=12, choices=MonitoringSource.choices, default=MonitoringSource.VISIT
    )
    step = models.CharField(
        _("identification step"), max_length=16, choices=MonitoringStep.choices, default=MonitoringStep.FOUND
    )
    notice_start = models.DateField(_("notice from"), null=True, blank=True)
    notice_end = models.DateField(_("notice until"), null=True, blank=True)
    # Who took each identification step and what it recorded: [{step, actor, on, ...}].
    steps = models.JSONField(default=list, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["-found_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["household"], condition=~Q(state="cleared"), name="one_open_monitoring_case"
            )
        ]

    def __str__(self):
        return f"{self.household} {self.get_type_display()}"

    @property
    def next_step(self) -> MonitoringStep | None:
        """The identification step to take next; None once the county approved."""
        steps = list(MonitoringStep)
        index = steps.index(self.step)
        return steps[index + 1] if self.state == "identifying" and index + 1 < len(steps) else None


class Measure(models.Model):
    """An assistance measure for a monitored household (产业, 就业, 医疗, 教育, 兜底 …)."""

    case = models.ForeignKey(MonitoringCase, on_delete=models.PROTECT, related_name="measures")
    kind = models.CharField(_("measure"), max_length=40, choices=MeasureKind.choices)
    description = models.TextField(_("description"))
    taken_on = models.DateField(_("date"))
    until = models.DateField(_("in effect until"), null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["taken_on", "id"]

    def __str__(self):
        return self.kind


class ImportJob(models.Model):
    access_kind = Kind.REGISTRY

    """An Excel/CSV import: all rows or none. Progress is visible while it runs in the background."""

    class Mode(models.TextChoices):
        # An import is an application unless the county registers its historical households (移交建档).
        APPLICATION = "application", _("Applications (entry gate)")
        HISTORICAL = "historical", _("Historical households (county only)")

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Running")
        DONE = "done", _("Imported")
        FAILED = "failed", _("Refused: see the errors")

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    region_code = models.CharField(max_length=12)
    file = models.FileField(upload_to="imports/%Y/%m/")
    filename = models.CharField(max_length=200)
    mode = models.CharField(_("import mode"), max_length=12, choices=Mode.choices, default=Mode.APPLICATION)
    status = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    imported = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    ignored_columns = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = RegionScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.filename} ({self.get_status_display()})"
