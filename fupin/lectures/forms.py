"""Forms of the lecture pages. They only parse input; the rules live in services.py."""

from django import forms
from django.utils.translation import gettext_lazy as _

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


class BootstrapMixin:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)


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
