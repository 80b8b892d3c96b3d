from django import forms
from django.utils.translation import gettext_lazy as _

from fupin.core.masking import mask_id_number
from fupin.projects.forms import BootstrapMixin, DateInput

from .enums import RevenueKind


class RevenueForm(BootstrapMixin, forms.Form):
    period = forms.CharField(label=_("period"), max_length=7, help_text=_("2019, 2019-Q2 or 2019-06"))
    kind = forms.ChoiceField(label=_("kind of revenue"), choices=RevenueKind.choices)
    amount = forms.CharField(label=_("amount (yuan)"), max_length=20)
    received_on = forms.DateField(label=_("date received"), widget=DateInput(format="%Y-%m-%d"))
    evidence = forms.CharField(label=_("evidence"), max_length=200, required=False)


class ReversalForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(label=_("reason"), max_length=500)


class AgreementForm(BootstrapMixin, forms.Form):
    """The person comes from the list of the project's beneficiaries, or by household number and name."""

    member = forms.ChoiceField(label=_("person (beneficiary households)"), required=False)
    household_number = forms.CharField(label=_("household number"), max_length=20, required=False)
    member_name = forms.CharField(label=_("full name"), max_length=40, required=False)
    position = forms.CharField(label=_("position"), max_length=60)
    starts_on = forms.DateField(label=_("start date"), widget=DateInput(format="%Y-%m-%d"))
    ends_on = forms.DateField(label=_("end date"), widget=DateInput(format="%Y-%m-%d"))
    monthly_wage = forms.CharField(label=_("monthly wage (yuan)"), max_length=20)
    evidence = forms.CharField(label=_("evidence"), max_length=200, required=False)

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].choices = [("", _("— or give the household number and name —"))] + [
            (str(m.pk), f"{m.household.number} {m.name} {mask_id_number(m.id_number)}") for m in candidates
        ]
