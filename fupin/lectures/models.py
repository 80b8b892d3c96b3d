"""Lecturers, topics, lecture requests (点课) and team tours (组团式), bookings and feedback forms."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fupin.core.access import Kind
from fupin.core.enums import Role
from fupin.core.models import User, region_code_validator
from fupin.core.scope import RegionScopedQuerySet, county_code

from .enums import AudienceKind, BookingKind, DraftState, LectureMode, LecturerStatus, RequestState
from .scoring import CRITERION_FIELDS, SCORE_MAX, SCORE_MIN


class CatalogueQuerySet(RegionScopedQuerySet):
    """The catalogue belongs to the county: everybody in the county reads it, besides what lies within
    their own area (a county user sees every town's rows anyway)."""

    def area(self, prefix):
        return self.within(prefix) | self.filter(region_code=county_code(prefix))

    def only_own(self, user):
        """Every lecture role reads the whole catalogue: it is what they choose from."""
        return self


class LecturerQuerySet(CatalogueQuerySet):
    def active(self):
        return self.filter(status=LecturerStatus.ACTIVE)


class Lecturer(models.Model):
    """A member of the lecture team (宣讲团), chosen by recommendation, lesson preparation and a trial."""

    access_kind = Kind.LECTURES

    region_code = models.CharField(_("region code"), max_length=12, validators=[region_code_validator])
    user = models.OneToOneField(
        User,
        verbose_name=_("login"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="lecturer",
    )
    name = models.CharField(_("full name"), max_length=40)
    unit = models.CharField(_("work unit"), max_length=100)
    title = models.CharField(_("title"), max_length=60, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=LecturerStatus.choices, default=LecturerStatus.ACTIVE
    )
    status_since = models.DateField(_("status since"), default=timezone.localdate)
    recommended_by = models.CharField(_("recommended by"), max_length=100, blank=True)
    trial_score = models.DecimalField(
        _("trial lecture score"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    appointed_on = models.DateField(_("appointed on"), null=True, blank=True)

    objects = LecturerQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["region_code"], name="lecturer_region_idx")]
        verbose_name = _("lecturer")
        verbose_name_plural = _("lecturers")

    def __str__(self):
        return self.name


class Topic(models.Model):
    """An entry of the lecture catalogue (宣讲目录)."""

    access_kind = Kind.LECTURES

    region_code = models.CharField(_("region code"), max_length=12, validators=[region_code_validator])
    title = models.CharField(_("title"), max_length=120)
    summary = models.TextField(_("summary"), blank=True)
    minutes = models.PositiveSmallIntegerField(_("length (minutes)"), default=90)
    audience = models.CharField(_("intended audience"), max_length=100, blank=True)
    lecturers = models.ManyToManyField(
        Lecturer, verbose_name=_("lecturers"), blank=True, related_name="topics"
    )
    is_active = models.BooleanField(_("in the catalogue"), default=True)

    objects = CatalogueQuerySet.as_manager()

    class Meta:
        ordering = ["title", "id"]
        verbose_name = _("topic")
        verbose_name_plural = _("topics")

    def __str__(self):
        return self.title


class LessonDraftQuerySet(RegionScopedQuerySet):
    def only_own(self, user):
        """A lecturer reads their own drafts (the lecture office and the overseers read all: core/access)."""
        return self.filter(lecturer__user=user)


class LessonDraft(models.Model):
    """A lecturer's lesson draft, reviewed centrally (集体备课、集中审核) and returned with comments."""

    access_kind = Kind.DRAFTS

    region_code = models.CharField(_("region code"), max_length=12)
    lecturer = models.ForeignKey(
        Lecturer, verbose_name=_("lecturer"), on_delete=models.PROTECT, related_name="drafts"
    )
    topic = models.ForeignKey(Topic, verbose_name=_("topic"), on_delete=models.PROTECT, related_name="drafts")
    text = models.TextField(_("draft"), blank=True)
    attachment = models.FileField(_("draft file"), upload_to="lectures/drafts/%Y/%m/", blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=DraftState.choices, default=DraftState.SUBMITTED
    )
    review_comment = models.TextField(_("review comment"), blank=True)
    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now)
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)

    objects = LessonDraftQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = _("lesson draft")
        verbose_name_plural = _("lesson drafts")

    def __str__(self):
        return f"{self.lecturer} · {self.topic}"


class TourQuerySet(RegionScopedQuerySet):
    def only_own(self, user):
        """The tours are the county's programme: every lecture role reads it."""
        return self


class FeedbackQuerySet(RegionScopedQuerySet):
    def only_own(self, user):
        return self.filter(lecture__in=LectureRequest.objects.visible_to(user).values("pk"))


class Tour(models.Model):
    """A team lecture (组团式): several lecturers and a round of places, each stop one lecture."""

    access_kind = Kind.LECTURES

    region_code = models.CharField(_("region code"), max_length=12)
    title = models.CharField(_("title"), max_length=120)
    topic = models.ForeignKey(Topic, verbose_name=_("topic"), on_delete=models.PROTECT, related_name="tours")
    lecturers = models.ManyToManyField(Lecturer, verbose_name=_("lecturers"), related_name="tours")
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    objects = TourQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("team lecture tour")
        verbose_name_plural = _("team lecture tours")

    def __str__(self):
        return self.title


class LectureRequestQuerySet(RegionScopedQuerySet):
    def only_own(self, user):
        """A requesting unit's own requests, and the lectures given by a lecturer (the lecture office and
        the overseers read every request of their area: core/access)."""
        own = models.Q(pk__in=[])
        if user.has_role(Role.REQUESTER):
            own |= models.Q(unit=user.unit) if user.unit else models.Q(requested_by=user)
        if user.has_role(Role.LECTURER):
            own |= models.Q(lecturer__user=user)
        return self.filter(own)

    def with_related(self):
        return self.select_related("topic", "lecturer", "preferred_lecturer", "tour", "feedback")


class LectureRequest(models.Model):
    """One lecture: requested by a unit (点课) or a stop of a team tour. Its region is the requester's."""

    access_kind = Kind.LECTURES

    region_code = models.CharField(_("region code"), max_length=12, validators=[region_code_validator])
    mode = models.CharField(
        _("mode"), max_length=10, choices=LectureMode.choices, default=LectureMode.REQUESTED
    )
    tour = models.ForeignKey(
        Tour, verbose_name=_("tour"), null=True, blank=True, on_delete=models.PROTECT, related_name="stops"
    )
    requested_by = models.ForeignKey(
        User, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+"
    )
    unit = models.CharField(_("requesting unit"), max_length=100)
    topic = models.ForeignKey(
        Topic, verbose_name=_("topic"), on_delete=models.PROTECT, related_name="requests"
    )
    preferred_lecturer = models.ForeignKey(
        Lecturer,
        verbose_name=_("preferred lecturer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    preferred_start = models.DateTimeField(_("preferred start"))
    preferred_end = models.DateTimeField(_("preferred end"))
    audience_size = models.PositiveIntegerField(_("audience size"))
    audience_kind = models.CharField(_("audience kind"), max_length=12, choices=AudienceKind.choices)
    place = models.CharField(_("place"), max_length=120)
    contact_name = models.CharField(_("contact person"), max_length=40)
    contact_phone = models.CharField(_("contact phone"), max_length=20)
    note = models.TextField(_("note"), blank=True)
    state = models.CharField(
        _("state"), max_length=20, choices=RequestState.choices, default=RequestState.SUBMITTED
    )
    lecturer = models.ForeignKey(
        Lecturer,
        verbose_name=_("lecturer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="lectures",
    )
    starts_at = models.DateTimeField(_("start"), null=True, blank=True)
    ends_at = models.DateTimeField(_("end"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(_("filed"), default=timezone.now)

    objects = LectureRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["region_code", "state"], name="lecture_request_region_idx"),
            models.Index(fields=["lecturer", "starts_at"], name="lecture_request_lecturer_idx"),
        ]
        verbose_name = _("lecture request")
        verbose_name_plural = _("lecture requests")

    def __str__(self):
        return f"{self.unit} · {self.topic.title}"

    @property
    def hours(self) -> float:
        if not (self.starts_at and self.ends_at):
            return 0.0
        return (self.ends_at - self.starts_at).total_seconds() / 3600


class Booking(models.Model):
    """A span of a lecturer's calendar that no other lecture may overlap.

    A lecture blocks [start, end + travel buffer); an unavailability period blocks [start, end). Half-open
    ranges let touching spans pass. On PostgreSQL an exclusion constraint (migration 0002) holds the rule
    even against a writer that skipped the service's check.
    """

    lecturer = models.ForeignKey(
        Lecturer, verbose_name=_("lecturer"), on_delete=models.PROTECT, related_name="bookings"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=BookingKind.choices)
    lecture = models.OneToOneField(
        LectureRequest, null=True, blank=True, on_delete=models.CASCADE, related_name="booking"
    )
    starts_at = models.DateTimeField(_("start"))
    ends_at = models.DateTimeField(_("end"))
    blocked_until = models.DateTimeField(_("blocked until"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["lecturer", "starts_at"], name="booking_lecturer_start_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(blocked_until__gt=models.F("starts_at")), name="booking_not_empty"
            )
        ]
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")

    def __str__(self):
        return f"{self.lecturer} {self.starts_at:%Y-%m-%d %H:%M}"


class Feedback(models.Model):
    """The feedback form (反馈表) of one delivered lecture, filed by the host unit."""

    access_kind = Kind.LECTURES

    lecture = models.OneToOneField(
        LectureRequest, verbose_name=_("lecture"), on_delete=models.PROTECT, related_name="feedback"
    )
    region_code = models.CharField(_("region code"), max_length=12)
    attendance = models.PositiveIntegerField(_("attendance"))
    score_content = models.PositiveSmallIntegerField(_("content"))
    score_relevance = models.PositiveSmallIntegerField(_("relevance to local cases"))
    score_delivery = models.PositiveSmallIntegerField(_("delivery"))
    score_interaction = models.PositiveSmallIntegerField(_("interaction"))
    score_time_control = models.PositiveSmallIntegerField(_("time control"))
    weighted_score = models.DecimalField(_("weighted score"), max_digits=4, decimal_places=2)
    comments = models.TextField(_("comments"), blank=True)
    suggestions = models.TextField(_("suggestions"), blank=True)
    sign_in_sheet = models.FileField(
        _("sign-in sheet or photo"), upload_to="lectures/feedback/%Y/%m/", blank=True
    )
    filed_by = models.ForeignKey(User, verbose_name=_("filed by"), on_delete=models.PROTECT, related_name="+")
    filed_at = models.DateTimeField(_("filed"), default=timezone.now)

    objects = FeedbackQuerySet.as_manager()

    class Meta:
        ordering = ["-filed_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    **{f"{field}__gte": SCORE_MIN for field in CRITERION_FIELDS},
                    **{f"{field}__lte": SCORE_MAX for field in CRITERION_FIELDS},
                ),
                name="feedback_scores_in_range",
            )
        ]
        verbose_name = _("feedback form")
        verbose_name_plural = _("feedback forms")

    def __str__(self):
        return f"{self.lecture} · {self.weighted_score}"
