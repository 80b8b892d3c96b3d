"""Forms of the supervision pages: a complaint taken in by staff."""

from django import forms
from django.utils.translation import gettext_lazy as _

from fupin.core.forms import BootstrapMixin
from fupin.core.models import Region

from .enums import STAFF_CHANNELS


class ComplaintForm(BootstrapMixin, forms.Form):
    """Only the shape of the input; the rules (time received, phone, area) are the service's, and its
    refusals are put next to these fields."""

    # No default channel: a hotline call recorded as a letter would count its deadline wrongly unseen.
    # Plain fields with a select: a value not offered reaches the service, which names the rule (and
    # answers 404 for an area outside the user's) instead of the form's generic "not a valid choice".
    channel = forms.CharField(
        label=_("Channel"),
        required=False,
        widget=forms.Select(choices=[("", "—")] + [(c.value, c.label) for c in STAFF_CHANNELS]),
    )
    received_at = forms.CharField(
        label=_("Time received"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    region = forms.CharField(label=_("Area"), required=False, widget=forms.Select())
    name = forms.CharField(label=_("Complainant"), required=False, max_length=40)
    phone = forms.CharField(
        label=_("Contact phone"), required=False, widget=forms.TextInput(attrs={"inputmode": "tel"})
    )
    content = forms.CharField(label=_("Complaint"), required=False, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        areas = Region.objects.visible_to(user).filter(level__in=["town", "village"]).select_related("parent")
        self.fields["region"].widget.choices = [("", "—")] + [
            (a.code, f"{a.parent.name} {a.name}" if a.level == "village" else a.name) for a in areas
        ]
