"""Tracking results (跟踪问效): campaigns and their checklists, the problem ledger with its timeline,
urban-management grids and duty, and complaints."""

from datetime import date

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fupin.core import clock, workdays
from fupin.core.access import Kind
from fupin.core.scope import RegionScopedQuerySet

from .enums import (
    CLOCK_STATES,
    OPEN_STATES,
    USE_KINDS,
    Action,
    Aspect,
    ComplaintChannel,
    ComplaintState,
    Escalation,
    Method,
    State,
    Use,
)


class Campaign(models.Model):
    """An inspection campaign, e.g. 问题整改季 (1–31 May) over the projects of 2016–2017."""

    access_kind_by = ("use", USE_KINDS)

    name = models.CharField(_("name"), max_length=100)
    use = models.CharField(_("use"), max_length=10, choices=Use.choices, default=Use.PROJECTS)
    region_code = models.CharField(_("area"), max_length=12)
    start = models.DateField(_("from"))
    end = models.DateField(_("until"))
    scope = models.JSONField(
        _("scope"), default=dict, blank=True, help_text=_("Which subjects: years, fund levels, types, towns.")
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = RegionScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-start"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")

    def __str__(self):
        return self.name


class ChecklistItem(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="items")
    aspect = models.CharField(_("aspect"), max_length=20)
    text = models.CharField(_("item"), max_length=200)
    method = models.CharField(_("checked through"), max_length=10, choices=Method.choices)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["campaign_id", "order", "id"]

    def __str__(self):
        return self.text

    @property
    def aspect_label(self) -> str:
        """The aspect as people read it (review → 论证评审); an aspect typed in by hand as it was typed."""
        return Aspect(self.aspect).label if self.aspect in Aspect.values else self.aspect


class Check(models.Model):
    """An inspector's check of one subject (a project, a grid …) against the campaign's checklist."""

    access_kind_by = ("campaign__use", USE_KINDS)

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="checks")
    subject_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    subject_id = models.CharField(max_length=40)
    subject = GenericForeignKey("subject_type", "subject_id")
    subject_label = models.CharField(_("subject"), max_length=200)
    region_code = models.CharField(max_length=12)
    inspector = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    checked_on = models.DateField(_("checked on"))

    objects = RegionScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-checked_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "subject_type", "subject_id"], name="one_check_per_subject"
            )
        ]

    def __str__(self):
        return f"{self.campaign} · {self.subject_label}"


class CheckResult(models.Model):
    check_record = models.ForeignKey(Check, on_delete=models.PROTECT, related_name="results")
    item = models.ForeignKey(ChecklistItem, on_delete=models.PROTECT, related_name="+")
    passed = models.BooleanField(_("passed"))
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["item__order", "item_id"]

    def __str__(self):
        return f"{self.item} {'✓' if self.passed else '✗'}"


class Grid(models.Model):
    """An urban-management grid (网格) of a town or street."""

    access_kind = Kind.URBAN

    name = models.CharField(_("name"), max_length=60)
    area = models.TextField(_("area description"), blank=True)
    region_code = models.CharField(_("town"), max_length=12)

    objects = RegionScopedQuerySet.as_manager()

    class Meta:
        ordering = ["region_code", "name"]
        verbose_name = _("grid")
        verbose_name_plural = _("grids")

    def __str__(self):
        return self.name


class Shift(models.Model):
    """A duty record carrying the five fixes: 定时 (start, end), 定员 (staff), 定岗 (grid), 定职责 (duties),
    定奖惩 (points)."""

    access_kind = Kind.URBAN

    grid = models.ForeignKey(Grid, on_delete=models.PROTECT, related_name="shifts")
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="shifts")
    start = models.DateTimeField(_("from"))
    end = models.DateTimeField(_("until"))
    duties = models.CharField(_("duties"), max_length=200)
    points = models.IntegerField(_("duty points"), default=0)
    region_code = models.CharField(max_length=12)

    objects = RegionScopedQuerySet.as_manager()

    class Meta:
        ordering = ["start"]
        indexes = [models.Index(fields=["grid", "start", "end"], name="shift_grid_time_idx")]

    def __str__(self):
        return f"{self.staff} @ {self.grid} {self.start:%Y-%m-%d %H:%M}"


class Complaint(models.Model):
    """A complaint (12317 hotline, letter, visit, web form); the complainant follows it with its code."""

    access_kind = Kind.COMPLAINTS

    code = models.CharField(_("lookup code"), max_length=12, unique=True)
    channel = models.CharField(_("channel"), max_length=10, choices=ComplaintChannel.choices)
    name = models.CharField(_("complainant"), max_length=40, blank=True)
    phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    content = models.TextField(_("complaint"))
    region_code = models.CharField(_("area"), max_length=12)
    state = models.CharField(
        _("state"), max_length=10, choices=ComplaintState.choices, default=ComplaintState.RECEIVED
    )
    reason = models.TextField(_("reason"), blank=True)
    reply = models.TextField(_("reply to the complainant"), blank=True)
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    # Counted in working days from receipt, not from the day it was typed in (services/complaints.py).
    decide_by = models.DateField(_("decision due"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    source_ip = models.GenericIPAddressField(null=True, blank=True)

    objects = RegionScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at"]

    def __str__(self):
        return self.code

    def is_overdue(self, today: date | None = None) -> bool:
        """Still undecided after the working days allowed from receipt."""
        return (
            self.state == ComplaintState.RECEIVED
            and bool(self.decide_by)
            and (today or clock.today()) > self.decide_by
        )


class ProblemQuerySet(RegionScopedQuerySet):
    def open(self):
        return self.filter(state__in=OPEN_STATES)


class Problem(models.Model):
    access_kind_by = ("use", USE_KINDS)
    number = models.CharField(_("number"), max_length=20, unique=True)
    use = models.CharField(_("use"), max_length=10, choices=Use.choices)
    category = models.CharField(_("category"), max_length=20)
    title = models.CharField(_("problem"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    region_code = models.CharField(_("area"), max_length=12)
    campaign = models.ForeignKey(
        Campaign, null=True, blank=True, on_delete=models.PROTECT, related_name="problems"
    )
    check_result = models.OneToOneField(
        CheckResult, null=True, blank=True, on_delete=models.PROTECT, related_name="problem"
    )
    grid = models.ForeignKey(Grid, null=True, blank=True, on_delete=models.PROTECT, related_name="problems")
    complaint = models.OneToOneField(
        Complaint, null=True, blank=True, on_delete=models.PROTECT, related_name="problem"
    )
    subject_label = models.CharField(_("subject"), max_length=200, blank=True)
    state = models.CharField(_("state"), max_length=22, choices=State.choices, default=State.REGISTERED)
    state_before_suspension = models.CharField(max_length=22, blank=True)
    escalation = models.CharField(
        _("escalation"), max_length=14, choices=Escalation.choices, default=Escalation.NONE
    )
    responsible_unit = models.CharField(_("responsible unit"), max_length=100, blank=True)
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="problems",
    )
    found_on = models.DateField(_("found on"))
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    first_deadline = models.DateField(_("original deadline"), null=True, blank=True)
    suspended_on = models.DateField(null=True, blank=True)
    paused_days = models.PositiveIntegerField(_("working days paused"), default=0)
    requested_deadline = models.DateField(_("extension requested until"), null=True, blank=True)
    rework_count = models.PositiveSmallIntegerField(_("reworks"), default=0)
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    closed_on_time = models.BooleanField(null=True)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = ProblemQuerySet.as_manager()

    class Meta:
        ordering = ["-found_on", "-id"]
        indexes = [
            models.Index(fields=["region_code", "state"], name="problem_region_state_idx"),
            models.Index(fields=["state", "deadline"], name="problem_state_deadline_idx"),
            models.Index(fields=["campaign", "state"], name="problem_campaign_idx"),
        ]
        verbose_name = _("problem")
        verbose_name_plural = _("problems")

    def __str__(self):
        return f"{self.number} {self.title}"

    @property
    def effective_deadline(self) -> date | None:
        """The deadline moved on by the working days the clock stood still while suspended."""
        if self.deadline is None:
            return None
        return (
            workdays.add_working_days(self.deadline, self.paused_days) if self.paused_days else self.deadline
        )

    def is_overdue(self, today: date | None = None) -> bool:
        """Computed, never stored: an open problem whose clock runs past its deadline."""
        if self.state not in CLOCK_STATES or self.deadline is None:
            return False
        return (today or clock.today()) > self.effective_deadline

    def overdue_working_days(self, today: date | None = None) -> int:
        if not self.is_overdue(today):
            return 0
        return workdays.working_days_between(self.effective_deadline, today or clock.today())

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES


class ProblemEvent(models.Model):
    """One entry of a problem's timeline: who, in which role, when, what, with what evidence."""

    problem = models.ForeignKey(Problem, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    actor_role = models.CharField(_("role"), max_length=20, blank=True)
    at = models.DateTimeField(default=timezone.now)
    comment = models.TextField(_("comment"), blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.problem_id} {self.action}"


class Attachment(models.Model):
    """Evidence (image or PDF), checked by its first bytes, served only as a download of its own type."""

    event = models.ForeignKey(ProblemEvent, on_delete=models.PROTECT, related_name="attachments")
    file = models.FileField(upload_to="problems/%Y/%m/")
    name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=30)
    size = models.PositiveIntegerField()

    def __str__(self):
        return self.name
