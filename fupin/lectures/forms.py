"""Forms of the lecture pages. They only parse input; the rules live in services.py."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from fupin.core.enums import RegionLevel
from fupin.core.forms import BootstrapMixin
from fupin.core.models import Region

from .enums import AudienceKind
from .models import Lecturer, Topic
from .scoring import CRITERIA, SCORE_MAX, SCORE_MIN

LOCAL_TIME = ["%Y-%m-%dT%H:%M"]


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


def when(label):
    return forms.DateTimeField(label=label, input_formats=LOCAL_TIME, widget=LocalDateTimeInput())


class RequestForm(BootstrapMixin, forms.Form):
    """The application form (申请表)."""

    topic = forms.ModelChoiceField(label=_("topic"), queryset=Topic.objects.none())
    preferred_lecturer = forms.ModelChoiceField(
        label=_("preferred lecturer"),
        queryset=Lecturer.objects.none(),
        required=False,
        empty_label=_("Any lecturer"),
    )
    preferred_start = when(_("preferred start"))
    preferred_end = when(_("preferred end"))
    audience_size = forms.IntegerField(label=_("audience size"))
    audience_kind = forms.ChoiceField(label=_("audience kind"), choices=AudienceKind.choices)
    place = forms.CharField(label=_("place"), max_length=120)
    contact_name = forms.CharField(label=_("contact person"), max_length=40)
    contact_phone = forms.CharField(label=_("contact phone"), max_length=20)
    note = forms.CharField(label=_("note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topic"].queryset = Topic.objects.visible_to(user).filter(is_active=True)
        self.fields["preferred_lecturer"].queryset = Lecturer.objects.visible_to(user).active()


class ApproveForm(BootstrapMixin, forms.Form):
    lecturer = forms.ModelChoiceField(label=_("lecturer"), queryset=Lecturer.objects.none())
    starts_at = when(_("start"))
    ends_at = when(_("end"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lecturer"].queryset = Lecturer.objects.visible_to(user).active()


class RescheduleForm(BootstrapMixin, forms.Form):
    preferred_start = when(_("preferred start"))
    preferred_end = when(_("preferred end"))
    reason = forms.CharField(label=_("reason"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class FeedbackForm(BootstrapMixin, forms.Form):
    """The feedback form (反馈表): attendance, a 1–5 score per criterion, comments."""

    attendance = forms.IntegerField(label=_("attendance"))
    comments = forms.CharField(label=_("comments"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    suggestions = forms.CharField(
        label=_("suggestions"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    sign_in_sheet = forms.FileField(label=_("sign-in sheet or photo"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(n, str(n)) for n in range(SCORE_MAX, SCORE_MIN - 1, -1)]
        for field, label, _weight in CRITERIA:
            self.fields[field] = forms.TypedChoiceField(
                label=label, choices=choices, coerce=int, widget=forms.RadioSelect
            )

    def scores(self):
        return [self[field] for field, _label, _weight in CRITERIA]


class DraftForm(BootstrapMixin, forms.Form):
    """A lesson draft: the text, a PDF or Word file, or both. The lecture office names the lecturer."""

    lecturer = forms.ModelChoiceField(label=_("lecturer"), queryset=Lecturer.objects.none())
    topic = forms.ModelChoiceField(label=_("topic"), queryset=Topic.objects.none())
    text = forms.CharField(label=_("draft"), required=False, widget=forms.Textarea(attrs={"rows": 10}))
    attachment = forms.FileField(
        label=_("draft file"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.docx"}),
    )

    def __init__(self, *args, user, lecturer=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attachment"].help_text = _("PDF or Word (.docx), at most %(mb)s MB.") % {
            "mb": settings.UPLOAD_MAX_MB
        }
        self.fields["topic"].queryset = Topic.objects.visible_to(user).filter(is_active=True)
        if lecturer is not None:  # a lecturer hands in their own draft
            del self.fields["lecturer"]
            self.own_lecturer = lecturer
        else:
            self.fields["lecturer"].queryset = Lecturer.objects.visible_to(user).active()
            self.own_lecturer = None

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        data.setdefault("lecturer", self.own_lecturer)
        return data


class ReviewForm(BootstrapMixin, forms.Form):
    review_comment = forms.CharField(
        label=_("review comment"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )


class UnavailabilityForm(BootstrapMixin, forms.Form):
    starts_at = when(_("start"))
    ends_at = when(_("end"))
    note = forms.CharField(label=_("note"), max_length=200, required=False)


class TourForm(BootstrapMixin, forms.Form):
    """A team lecture (组团式): title, topic and the team; the stops come in a formset of StopForm."""

    title = forms.CharField(label=_("name of the tour"), max_length=120)
    topic = forms.ModelChoiceField(label=_("topic"), queryset=Topic.objects.none())
    lecturers = forms.ModelMultipleChoiceField(
        label=_("lecturers"),
        queryset=Lecturer.objects.none(),
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topic"].queryset = Topic.objects.visible_to(user).filter(is_active=True)
        self.fields["lecturers"].queryset = Lecturer.objects.visible_to(user).active()


class StopForm(BootstrapMixin, forms.Form):
    region = forms.ModelChoiceField(label=_("town"), queryset=Region.objects.none())
    place = forms.CharField(label=_("place"), max_length=120)
    lecturer = forms.ModelChoiceField(label=_("lecturer"), queryset=Lecturer.objects.none())
    starts_at = when(_("start"))
    ends_at = when(_("end"))
    audience_size = forms.IntegerField(label=_("audience size"))
    audience_kind = forms.ChoiceField(
        label=_("audience kind"), choices=AudienceKind.choices, initial=AudienceKind.RURAL
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = (
            Region.objects.visible_to(user).filter(level=RegionLevel.TOWN).order_by("code")
        )
        self.fields["lecturer"].queryset = Lecturer.objects.visible_to(user).active()

    def has_changed(self):
        # audience_kind has an initial value: a row counts as filled only when something else is.
        return any(name in self.changed_data for name in self.fields if name != "audience_kind")


MAX_STOPS = 40


def stop_formset(rows: int = 0):
    """The stops' formset class with `rows` empty rows (a tour of the 13 towns asks for 13)."""
    return forms.formset_factory(
        StopForm, extra=max(0, min(rows, MAX_STOPS)), max_num=MAX_STOPS, absolute_max=MAX_STOPS
    )
