from django import forms
from django.utils.translation import gettext_lazy as _

from fupin.core.forms import BootstrapMixin, DateInput

from .enums import LIVE_STATES, Channel, Method, RevenueKind
from .models import Revenue


class RevenueForm(BootstrapMixin, forms.Form):
    period = forms.CharField(label=_("period"), max_length=7, help_text=_("2019, 2019-Q2 or 2019-06"))
    kind = forms.ChoiceField(label=_("kind of revenue"), choices=RevenueKind.choices)
    amount = forms.CharField(label=_("amount (yuan)"), max_length=20)
    received_on = forms.DateField(label=_("date received"), widget=DateInput())
    evidence = forms.CharField(label=_("evidence"), max_length=200, required=False)


class ReversalForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(label=_("reason"), max_length=500)


class PlanForm(BootstrapMixin, forms.Form):
    """A distribution plan; the households and their factors come as `households` and `weight_<id>`."""

    revenue = forms.ModelChoiceField(
        label=_("revenue entry"), queryset=Revenue.objects.none(), empty_label=None
    )
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
        self.fields["revenue"].label_from_instance = lambda r: (
            f"{r.period} · {r.get_kind_display()} · {r.amount} · {r.received_on:%Y-%m-%d}"
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
