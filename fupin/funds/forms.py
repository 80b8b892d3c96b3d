from django import forms
from django.utils.translation import gettext_lazy as _

from fupin.core.forms import BootstrapMixin, DateInput
from fupin.projects.enums import FUNDABLE_STATES
from fupin.projects.models import Project

from .enums import FundLevel
from .models import FundSource


class SourceForm(BootstrapMixin, forms.Form):
    level = forms.ChoiceField(label=_("level"), choices=FundLevel.choices)
    year = forms.IntegerField(label=_("year"), min_value=2000, max_value=2100)
    document_no = forms.CharField(label=_("document number"), max_length=80)
    title = forms.CharField(label=_("document title"), max_length=120)
    amount = forms.CharField(label=_("amount (yuan)"), max_length=20)
    received_on = forms.DateField(label=_("received on"), widget=DateInput())


class AllocationForm(BootstrapMixin, forms.Form):
    source = forms.ModelChoiceField(label=_("fund source"), queryset=FundSource.objects.none())
    project = forms.ModelChoiceField(label=_("project"), queryset=Project.objects.none())
    amount = forms.CharField(label=_("amount (yuan)"), max_length=20)
    allocated_on = forms.DateField(label=_("allocated on"), widget=DateInput())

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = FundSource.objects.visible_to(user)
        self.fields["project"].queryset = Project.objects.visible_to(user).filter(state__in=FUNDABLE_STATES)


class PaymentForm(BootstrapMixin, forms.Form):
    amount = forms.CharField(label=_("amount (yuan)"), max_length=20)
    paid_on = forms.DateField(label=_("payment date"), widget=DateInput())
    payee = forms.CharField(label=_("payee"), max_length=100)
    voucher_no = forms.CharField(label=_("voucher number"), max_length=60)
    retention = forms.BooleanField(label=_("retention money"), required=False)
