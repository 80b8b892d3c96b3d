"""Lecture pages. Thin: read through the scope helpers, write through services, show DomainError's words."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Avg, Case, Count, Max, Min, Sum, When
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fupin.core import access, clock, files, inputs, uploads
from fupin.core.access import Action
from fupin.core.enums import Role
from fupin.core.errors import DomainError, show_error
from fupin.core.scope import get_visible_or_404

from . import exports, scoring, services, stats
from .enums import (
    BOOKED_STATES,
    DELIVERED_STATES,
    DRAFTS,
    LECTURES,
    BookingKind,
    DraftState,
    RequestState,
)
from .forms import (
    ApproveForm,
    DraftForm,
    FeedbackForm,
    RequestForm,
    RescheduleForm,
    ReviewForm,
    TourForm,
    UnavailabilityForm,
    stop_formset,
)
from .models import Booking, Feedback, Lecturer, LectureRequest, LessonDraft, Topic, Tour

PAGE_SIZE = 30
# Actions that need more than a click: they have their own forms on the detail page.
FORM_ACTIONS = {"approve", "reschedule", "feedback"}
# A step whose reason is optional but recorded (a required one is the table's: Step.reason).
NOTE_ACTIONS = {"no_show"}


def _lecture(request, pk) -> LectureRequest:
    return get_visible_or_404(LectureRequest.objects.with_related(), request.user, pk=pk)


@login_required
def request_list(request):
    lectures, state, tour = _filtered_requests(request)
    page = Paginator(lectures.with_related(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "lectures/request_list.html",
        {
            "page": page,
            "state": state,
            "tour": tour,
            "states": RequestState.choices,
            "can_request": access.may(request.user, Action.REQUEST_LECTURE),
            "query": request.GET.urlencode(),
        },
    )


def _filtered_requests(request):
    """The requests in the user's view, filtered by state and tour as the list page and its export are."""
    lectures = LectureRequest.objects.visible_to(request.user)
    state = request.GET.get("state", "")
    if state in RequestState.values:
        lectures = lectures.filter(state=state)
    tour = None
    if request.GET.get("tour", "").isdigit():
        tour = Tour.objects.visible_to(request.user).filter(pk=request.GET["tour"]).first()
        lectures = lectures.filter(tour=tour) if tour else lectures.none()
    return lectures, state, tour


@login_required
def request_new(request):
    access.require(request.user, Action.REQUEST_LECTURE)
    form = RequestForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            lecture = services.create_request(request.user, **form.cleaned_data)
            messages.success(request, _("Your request was filed. The lecture office will schedule it."))
            return redirect("lecture-request", pk=lecture.pk)
        except DomainError as exc:
            show_error(request, exc, form)
    return render(request, "lectures/request_form.html", {"form": form})


def _detail_context(request, lecture, approve_form=None, clashes=None, reschedule_form=None):
    user = request.user
    steps = LECTURES.allowed(user, lecture)
    actions = {step.action for step in steps}
    if approve_form is None and "approve" in actions:
        approve_form = ApproveForm(
            user=user,
            initial={
                "lecturer": lecture.preferred_lecturer,
                "starts_at": lecture.preferred_start,
                "ends_at": lecture.preferred_end,
            },
        )
    if clashes is None and "approve" in actions and lecture.preferred_lecturer:
        clashes = services.pending_clashes(
            lecture, lecture.preferred_lecturer, lecture.preferred_start, lecture.preferred_end
        )
    if reschedule_form is None and "reschedule" in actions:
        reschedule_form = RescheduleForm(
            initial={"preferred_start": lecture.preferred_start, "preferred_end": lecture.preferred_end}
        )
    feedback = getattr(lecture, "feedback", None)  # the reverse one-to-one raises AttributeError when absent
    return {
        "lecture": lecture,
        "approve_form": approve_form,
        "reschedule_form": reschedule_form,
        "clashes": clashes or [],
        # The steps a click takes (approve, reschedule and the feedback form have their own forms).
        "buttons": [step for step in steps if step.action not in FORM_ACTIONS],
        "note_actions": NOTE_ACTIONS,
        "feedback": feedback,
        "criteria": _criteria_rows(feedback),
        "can_file_feedback": "feedback" in actions,
    }


def _criteria_rows(feedback):
    if feedback is None:
        return []
    return [(label, getattr(feedback, field)) for field, label, _weight in scoring.CRITERIA]


@login_required
def request_detail(request, pk):
    lecture = _lecture(request, pk)
    return render(request, "lectures/request_detail.html", _detail_context(request, lecture))


@login_required
@require_POST
def request_approve(request, pk):
    """Approve with a lecturer and a time. Pending requests the approval would take are shown first."""
    lecture = _lecture(request, pk)
    form = ApproveForm(request.POST, user=request.user)
    clashes = None
    if form.is_valid():
        data = form.cleaned_data
        clashes = services.pending_clashes(lecture, data["lecturer"], data["starts_at"], data["ends_at"])
        if not clashes or request.POST.get("acknowledge"):
            try:
                services.transition(request.user, lecture, "approve", **data)
                messages.success(request, _("Approved: %(lecturer)s.") % {"lecturer": data["lecturer"]})
                return redirect("lecture-request", pk=lecture.pk)
            except DomainError as exc:
                show_error(request, exc, form)
                clashes = []
    context = _detail_context(request, lecture, approve_form=form, clashes=clashes)
    context["ask_acknowledge"] = bool(clashes) and form.is_valid() and not form.errors
    return render(request, "lectures/request_detail.html", context, status=200 if form.is_valid() else 400)


@login_required
@require_POST
def request_reschedule(request, pk):
    lecture = _lecture(request, pk)
    form = RescheduleForm(request.POST)
    if form.is_valid():
        try:
            services.transition(request.user, lecture, "reschedule", **form.cleaned_data)
            messages.success(request, _("The change was filed: the lecture waits for approval again."))
            return redirect("lecture-request", pk=lecture.pk)
        except DomainError as exc:
            show_error(request, exc, form)
    context = _detail_context(request, lecture, reschedule_form=form)
    return render(request, "lectures/request_detail.html", context, status=400)


@login_required
@require_POST
def request_act(request, pk, action):
    lecture = _lecture(request, pk)
    if action in FORM_ACTIONS:
        raise Http404
    try:
        services.transition(request.user, lecture, action, reason=request.POST.get("reason", ""))
        messages.success(request, _("Done: %(action)s.") % {"action": LECTURES.step(action).verb})
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("lecture-request", pk=lecture.pk)


@login_required
def application_print(request, pk):
    lecture = _lecture(request, pk)
    return render(request, "lectures/application_print.html", {"lecture": lecture})


@login_required
def feedback_new(request, pk):
    lecture = _lecture(request, pk)
    form = FeedbackForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.file_feedback(request.user, lecture, **form.cleaned_data)
            messages.success(request, _("Thank you: the feedback form was filed."))
            return redirect("lecture-request", pk=lecture.pk)
        except DomainError as exc:
            show_error(request, exc, form)
    return render(request, "lectures/feedback_form.html", {"lecture": lecture, "form": form})


@login_required
def feedback_print(request, pk):
    lecture = _lecture(request, pk)
    feedback = getattr(lecture, "feedback", None)  # the reverse one-to-one raises AttributeError when absent
    return render(
        request,
        "lectures/feedback_print.html",
        {
            "lecture": lecture,
            "feedback": feedback,
            "criteria": scoring.CRITERIA,
            "rows": _criteria_rows(feedback),
        },
    )


@login_required
def feedback_sheet(request, pk):
    """The sign-in sheet filed with the feedback, for those who see the lecture (outside their area: 404)."""
    feedback = getattr(_lecture(request, pk), "feedback", None)
    if feedback is None or not feedback.sign_in_sheet:
        raise Http404
    return uploads.file_response(feedback.sign_in_sheet, f"签到表-{pk}")


@login_required
def lecturer_list(request):
    lecturers = Lecturer.objects.visible_to(request.user).prefetch_related("topics")
    return render(request, "lectures/lecturer_list.html", {"lecturers": lecturers})


@login_required
def topic_list(request):
    topics = Topic.objects.visible_to(request.user).filter(is_active=True).prefetch_related("lecturers")
    return render(request, "lectures/topic_list.html", {"topics": topics})


@login_required
def statistics(request):
    lectures = LectureRequest.objects.visible_to(request.user)
    lecturer_rows, month_rows = stats.per_lecturer(lectures), stats.per_month(lectures)
    return render(
        request,
        "lectures/statistics.html",
        {
            "totals": stats.county_totals(lectures),
            "lecturer_rows": lecturer_rows,
            "topic_rows": stats.per_topic(lectures),
            "unit_rows": stats.per_unit(lectures),
            "month_rows": month_rows,
            "chart": stats.chart_data(lecturer_rows, month_rows),
            "criteria": scoring.CRITERIA,
        },
    )


def _xlsx_response(path: str, name: str) -> FileResponse:
    return files.xlsx_download(path, name)


@login_required
def request_export(request):
    """The request list as Excel, with the same scope and state filter as the page."""
    lectures, _state, _tour = _filtered_requests(request)
    return _xlsx_response(exports.requests_xlsx(lectures), "清风讲堂宣讲申请")


@login_required
def statistics_export(request):
    lectures = LectureRequest.objects.visible_to(request.user)
    return _xlsx_response(exports.statistics_xlsx(lectures), "清风讲堂统计")


# --- Lesson drafts (集体备课、集中审核) -------------------------------------------------------------
def _draft(request, pk) -> LessonDraft:
    return get_visible_or_404(LessonDraft.objects.select_related("lecturer", "topic"), request.user, pk=pk)


def _own_lecturer(user) -> Lecturer | None:
    return Lecturer.objects.filter(user=user).first() if user.has_role(Role.LECTURER) else None


@login_required
def draft_list(request):
    """The lecture office sees the drafts to review first; a lecturer sees their own and the comments."""
    drafts = LessonDraft.objects.visible_to(request.user).select_related("lecturer", "topic")
    state = request.GET.get("state", "")
    if state in DraftState.values:
        drafts = drafts.filter(state=state)
    drafts = drafts.order_by(
        Case(When(state=DraftState.SUBMITTED, then=0), default=1), "-submitted_at", "-id"
    )
    page = Paginator(drafts, PAGE_SIZE).get_page(request.GET.get("page"))
    can_submit = access.may(request.user, Action.MANAGE_LECTURES) or _own_lecturer(request.user) is not None
    return render(
        request,
        "lectures/draft_list.html",
        {"page": page, "state": state, "states": DraftState.choices, "can_submit": can_submit},
    )


@login_required
def draft_new(request):
    user = request.user
    own = None if access.may(user, Action.MANAGE_LECTURES) else _own_lecturer(user)
    if own is None:
        access.require(user, Action.MANAGE_LECTURES)
    form = DraftForm(request.POST or None, request.FILES or None, user=user, lecturer=own)
    if request.method == "POST" and form.is_valid():
        try:
            draft = services.submit_draft(user, **form.service_kwargs())
            messages.success(request, _("The draft was handed in for review."))
            return redirect("lecture-draft", pk=draft.pk)
        except DomainError as exc:
            show_error(request, exc, form)
    return render(request, "lectures/draft_form.html", {"form": form}, status=400 if form.errors else 200)


@login_required
def draft_detail(request, pk):
    draft = _draft(request, pk)
    can_review = bool(DRAFTS.allowed(request.user, draft))
    return render(
        request,
        "lectures/draft_detail.html",
        {"draft": draft, "review_form": ReviewForm() if can_review else None},
    )


@login_required
@require_POST
def draft_review(request, pk):
    draft = _draft(request, pk)
    form = ReviewForm(request.POST)
    form.is_valid()
    accept = request.POST.get("decision") == "accept"
    try:
        services.review_draft(
            request.user, draft, accept=accept, comment=form.cleaned_data.get("review_comment", "")
        )
        messages.success(request, _("Accepted.") if accept else _("Returned with your comments."))
        return redirect("lecture-draft", pk=draft.pk)
    except DomainError as exc:
        show_error(request, exc, form)
    context = {"draft": draft, "review_form": form if DRAFTS.allowed(request.user, draft) else None}
    return render(request, "lectures/draft_detail.html", context, status=400)


@login_required
def draft_file(request, pk):
    draft = _draft(request, pk)
    if not draft.attachment:
        raise Http404
    return uploads.file_response(draft.attachment, f"讲稿-{draft.pk}")


# --- A lecturer's page and calendar -----------------------------------------------------------------
def _lecturer(request, pk) -> Lecturer:
    return get_visible_or_404(Lecturer.objects.prefetch_related("topics"), request.user, pk=pk)


def _lecturer_context(request, lecturer, form=None):
    can_manage = services.may_manage_lecturer(request.user, lecturer)
    upcoming = Booking.objects.filter(lecturer=lecturer, blocked_until__gt=clock.now())
    lectures = (
        LectureRequest.objects.visible_to(request.user)
        .filter(lecturer=lecturer, starts_at__gte=clock.now(), state__in=BOOKED_STATES)
        .select_related("topic")
        .order_by("starts_at")[:20]
    )
    return {
        "lecturer": lecturer,
        "periods": upcoming.filter(kind=BookingKind.UNAVAILABLE).order_by("starts_at"),
        "lectures": lectures,
        "can_manage": can_manage,
        "form": form if form is not None else (UnavailabilityForm() if can_manage else None),
    }


@login_required
def lecturer_detail(request, pk):
    lecturer = _lecturer(request, pk)
    return render(request, "lectures/lecturer_detail.html", _lecturer_context(request, lecturer))


@login_required
@require_POST
def unavailability_add(request, pk):
    lecturer = _lecturer(request, pk)
    form = UnavailabilityForm(request.POST)
    if form.is_valid():
        try:
            services.add_unavailability(request.user, lecturer, **form.cleaned_data)
            messages.success(request, _("The period was added to the lecturer's calendar."))
            return redirect("lecturer", pk=lecturer.pk)
        except DomainError as exc:
            show_error(request, exc, form)
    context = _lecturer_context(request, lecturer, form=form)
    return render(request, "lectures/lecturer_detail.html", context, status=400)


@login_required
@require_POST
def unavailability_remove(request, pk, booking_id):
    lecturer = _lecturer(request, pk)
    booking = get_object_or_404(Booking, pk=booking_id, lecturer=lecturer, kind=BookingKind.UNAVAILABLE)
    try:
        services.remove_unavailability(request.user, booking)
        messages.success(request, _("The period was removed."))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("lecturer", pk=lecturer.pk)


# --- Team lectures (组团式) ---------------------------------------------------------------------------
@login_required
def tour_list(request):
    tours = (
        Tour.objects.visible_to(request.user)
        .select_related("topic")
        .prefetch_related("lecturers")
        .annotate(
            stop_count=Count("stops", distinct=True),
            first_start=Min("stops__starts_at"),
            last_end=Max("stops__ends_at"),
        )
    )
    page = Paginator(tours.order_by("-created_at", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    can_create = access.may(request.user, Action.MANAGE_LECTURES)
    return render(request, "lectures/tour_list.html", {"page": page, "can_create": can_create})


@login_required
def tour_new(request):
    access.require(request.user, Action.MANAGE_LECTURES)
    user = request.user
    rows = inputs.param(request, inputs.int_value, "rows", _("Rows"), 5, low=1, high=50)
    formset_class = stop_formset(0 if request.method == "POST" else rows)
    form = TourForm(request.POST or None, user=user)
    stops = formset_class(request.POST or None, prefix="stops", form_kwargs={"user": user})
    if request.method == "POST" and form.is_valid() and stops.is_valid():
        filled = [stop.cleaned_data for stop in stops if stop.has_changed() and stop.cleaned_data]
        try:
            tour = services.create_tour(user, stops=filled, **form.cleaned_data)
            messages.success(request, _("The tour was scheduled: %(n)s stops.") % {"n": len(filled)})
            return redirect(f"{reverse('lecture-requests')}?tour={tour.pk}")
        except DomainError as exc:
            show_error(request, exc, form)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "lectures/tour_form.html", {"form": form, "stops": stops, "rows": rows}, status=status
    )


# --- What a lecturer hears back -----------------------------------------------------------------
@login_required
def my_feedback(request):
    """A lecturer's delivered lectures with the hosts' scores and comments."""
    access.require(request.user, Action.GIVE_LECTURE)
    lectures = (
        LectureRequest.objects.filter(lecturer__user=request.user, state__in=DELIVERED_STATES)
        .with_related()
        .order_by("-starts_at", "-id")
    )
    summary = Feedback.objects.filter(lecture__lecturer__user=request.user).aggregate(
        count=Count("id"), average=Avg("weighted_score"), people=Sum("attendance")
    )
    page = Paginator(lectures, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    for lecture in page.object_list:
        lecture.score_rows = _criteria_rows(getattr(lecture, "feedback", None))
    return render(request, "lectures/my_feedback.html", {"page": page, "summary": summary})
