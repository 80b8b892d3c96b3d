from django import forms
from django.utils.translation import gettext_lazy as _

from fupin.projects.forms import BootstrapMixin, DateInput

from .enums import LIVE_STATES, Channel, Method
from .models import Revenue


class PlanForm(BootstrapMixin, forms.Form):
    """A distribution plan; the households and their factors come as `households` and `weight_<id>`."""

    revenue = forms.ModelChoiceField(label=_("revenue entry"), queryset=Revenue.objects.none())
    method = forms.ChoiceField(label=_("method"), choices=Method.choices)
    total = forms.CharField(
        label=_("amount to distribute (yuan)"),
        max_length=20,
        required=False,
        help_text=_("Empty: the whole revenue entry"),
    )
    collective_share = forms.CharField(
        label=_("share of the village collective (yuan)"), max_length=20, required=False, initial="0"
    )
    welfare_share = forms.CharField(
        label=_("share for public-welfare posts (yuan)"), max_length=20, required=False, initial="0"
    )

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["revenue"].queryset = (
            project.revenues.filter(reverses__isnull=True, reversal__isnull=True)
            .exclude(distribution_plans__state__in=LIVE_STATES)
            .order_by("-received_on")
        )


class ReviewForm(BootstrapMixin, forms.Form):
    reviewed_on = forms.DateField(label=_("date of the village review"), widget=DateInput())
    review_note = forms.CharField(
        label=_("village review"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Meeting, attendance and the votes"),
    )


class NoticeForm(BootstrapMixin, forms.Form):
    notice_starts_on = forms.DateField(label=_("notice from"), widget=DateInput())


class CancelForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 2}))


class PayForm(BootstrapMixin, forms.Form):
    """Pay the ticked lines their full shares on one day through one channel (a bank batch, say)."""

    paid_on = forms.DateField(label=_("date paid"), widget=DateInput())
    channel = forms.ChoiceField(label=_("channel"), choices=Channel.choices)
    voucher = forms.CharField(label=_("voucher"), max_length=60, required=False)
