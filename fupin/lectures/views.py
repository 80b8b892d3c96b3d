"""Lecture pages. Thin: read through the scope helpers, write through services, show DomainError's words."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fupin.core.enums import Role
from fupin.core.errors import DomainError
from fupin.core.scope import get_visible_or_404, require_role

from . import scoring, services, stats
from .api import LECTURE_ROLES
from .enums import ACTION_VERBS, RequestState
from .forms import ApproveForm, FeedbackForm, RequestForm, RescheduleForm
from .models import Lecturer, LectureRequest, Topic

PAGE_SIZE = 30
# Actions that need more than a click: they have their own forms on the detail page.
FORM_ACTIONS = {"approve", "reschedule"}
REASON_ACTIONS = {"reject", "cancel", "no_show"}


def _lecture(request, pk) -> LectureRequest:
    require_role(request.user, *LECTURE_ROLES)
    return get_visible_or_404(LectureRequest.objects.with_related(), request.user, pk=pk)


def _show_error(request, exc: DomainError, form=None) -> None:
    """Put the message next to its field when the form has it, else at the top of the page."""
    field = next(iter(exc.fields), None)
    if form is not None and field in form.fields:
        form.add_error(field, exc.message)
    else:
        messages.error(request, exc.message)


@login_required
def request_list(request):
    require_role(request.user, *LECTURE_ROLES)
    lectures = LectureRequest.objects.visible_to(request.user).with_related()
    state = request.GET.get("state", "")
    if state in RequestState.values:
        lectures = lectures.filter(state=state)
    page = Paginator(lectures, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "lectures/request_list.html",
        {
            "page": page,
            "state": state,
            "states": RequestState.choices,
            "can_request": request.user.has_role(Role.REQUESTER),
        },
    )


@login_required
def request_new(request):
    require_role(request.user, Role.REQUESTER)
    form = RequestForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            lecture = services.create_request(request.user, **form.cleaned_data)
            messages.success(request, _("Your request was filed. The lecture office will schedule it."))
            return redirect("lecture-request", pk=lecture.pk)
        except DomainError as exc:
            _show_error(request, exc, form)
    return render(request, "lectures/request_form.html", {"form": form})


def _detail_context(request, lecture, approve_form=None, clashes=None, reschedule_form=None):
    user = request.user
    actions = services.allowed_actions(user, lecture)
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
        "buttons": [(a, ACTION_VERBS[a]) for a in actions if a not in FORM_ACTIONS],
        "reason_actions": REASON_ACTIONS,
        "feedback": feedback,
        "criteria": _criteria_rows(feedback),
        "can_file_feedback": lecture.state == RequestState.DELIVERED and _may_file_feedback(user, lecture),
    }


def _criteria_rows(feedback):
    if feedback is None:
        return []
    return [(label, getattr(feedback, field)) for field, label, _weight in scoring.CRITERIA]


def _may_file_feedback(user, lecture) -> bool:
    return user.has_role(Role.LECTURE_ADMIN) or (user.has_role(Role.REQUESTER) and lecture.unit == user.unit)


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
                _show_error(request, exc, form)
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
            _show_error(request, exc, form)
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
        messages.success(request, _("Done: %(action)s.") % {"action": ACTION_VERBS.get(action, action)})
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
            _show_error(request, exc, form)
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
def lecturer_list(request):
    require_role(request.user, *LECTURE_ROLES)
    lecturers = Lecturer.objects.visible_to(request.user).prefetch_related("topics")
    return render(request, "lectures/lecturer_list.html", {"lecturers": lecturers})


@login_required
def topic_list(request):
    require_role(request.user, *LECTURE_ROLES)
    topics = Topic.objects.visible_to(request.user).filter(is_active=True).prefetch_related("lecturers")
    return render(request, "lectures/topic_list.html", {"topics": topics})


@login_required
def statistics(request):
    require_role(request.user, *LECTURE_ROLES)
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
