"""The agreement form of a project's employment page."""

from django import forms
from django.utils.translation import gettext_lazy as _

from fupin.core.forms import BootstrapMixin, DateInput
from fupin.core.masking import mask_id_number


class AgreementForm(BootstrapMixin, forms.Form):
    """The person comes from the list of the project's beneficiaries, or by household number and name."""

    member = forms.ChoiceField(label=_("person (beneficiary households)"), required=False)
    household_number = forms.CharField(label=_("household number"), max_length=20, required=False)
    member_name = forms.CharField(label=_("full name"), max_length=40, required=False)
    position = forms.CharField(label=_("position"), max_length=60)
    starts_on = forms.DateField(label=_("start date"), widget=DateInput())
    ends_on = forms.DateField(label=_("end date"), widget=DateInput())
    monthly_wage = forms.CharField(label=_("monthly wage (yuan)"), max_length=20)
    evidence = forms.CharField(label=_("evidence"), max_length=200, required=False)

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].choices = [("", _("— or give the household number and name —"))] + [
            (str(m.pk), f"{m.household.number} {m.name} {mask_id_number(m.id_number)}") for m in candidates
        ]
