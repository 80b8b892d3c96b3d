"""Forms of the project pages. They only parse input; the rules live in services.py."""

from django import forms
from django.utils.translation import gettext_lazy as _

from fupin.core.forms import BootstrapMixin, DateInput
from fupin.core.models import Region

from .enums import CRITERIA, CRITERION_MAX, PLAN_SECTIONS, AssetClass, Conclusion, Linkage, ProjectType


def text(label, rows=2, required=False):
    return forms.CharField(label=label, required=required, widget=forms.Textarea(attrs={"rows": rows}))


class ProjectForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("project name"), max_length=120)
    year = forms.IntegerField(label=_("year"), min_value=2000, max_value=2100)
    type = forms.ChoiceField(label=_("project type"), choices=ProjectType.choices)
    nature = forms.CharField(label=_("nature"), max_length=40, required=False)
    region_code = forms.ChoiceField(label=_("site"))
    budget = forms.CharField(label=_("budget (yuan)"), max_length=20)
    responsible_unit = forms.CharField(label=_("responsible unit"), max_length=100)
    responsible_person = forms.CharField(label=_("responsible person"), max_length=40, required=False)
    # Required: the experts of the applicant unit are never drawn for the review (回避).
    applicant_unit = forms.CharField(label=_("applicant unit"), max_length=100)
    starts_on = forms.DateField(label=_("planned start"), required=False, widget=DateInput())
    ends_on = forms.DateField(label=_("planned completion"), required=False, widget=DateInput())
    tasks = text(_("construction tasks"))
    funding = text(_("funding sources"))
    planned_households = forms.IntegerField(label=_("planned beneficiary households"), min_value=0, initial=0)
    targets = text(_("performance targets"))
    linkage = forms.ChoiceField(
        label=_("linkage mechanism"), choices=[("", "—"), *Linkage.choices], required=False
    )
    linkage_dividend = forms.CharField(label=_("planned yearly dividends (yuan)"), required=False)
    linkage_jobs = forms.IntegerField(label=_("planned jobs"), min_value=0, required=False)
    linkage_note = text(_("linkage details"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        regions = Region.objects.visible_to(user).filter(level__in=["town", "village"]).order_by("code")
        self.fields["region_code"].choices = [(r.code, f"{r.code} {r.name}") for r in regions]


class ReasonForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(label=_("reason"), required=False, max_length=500)


class PlanForm(BootstrapMixin, forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field, label in PLAN_SECTIONS:
            self.fields[field] = text(label)
            self.fields[field].widget.attrs["class"] = "form-control"


class ProcurementForm(BootstrapMixin, forms.Form):
    method = forms.CharField(label=_("procurement method"), max_length=40)
    contract_no = forms.CharField(label=_("contract number"), max_length=60)
    supplier = forms.CharField(label=_("contractor or supplier"), max_length=100)
    amount = forms.CharField(label=_("contract amount (yuan)"), max_length=20)
    signed_on = forms.DateField(label=_("signed on"), widget=DateInput())
    warranty_ends_on = forms.DateField(label=_("warranty until"), required=False, widget=DateInput())


class ProgressForm(BootstrapMixin, forms.Form):
    percent = forms.IntegerField(label=_("percent complete"), min_value=0, max_value=100)
    problems = text(_("problems met"))
    photo = forms.FileField(
        label=_("photo"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )


class AcceptanceForm(BootstrapMixin, forms.Form):
    accepted_on = forms.DateField(label=_("acceptance date"), widget=DateInput())
    members = forms.CharField(label=_("acceptance members"), max_length=500)
    conclusion = text(_("conclusion"), required=True)
    attachment = forms.FileField(
        label=_("attachment"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,.pdf,.docx,.xlsx"}),
    )


class AssetForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("asset"), max_length=100)
    asset_class = forms.ChoiceField(label=_("asset class"), choices=AssetClass.choices)
    owner = forms.CharField(label=_("owner of the asset"), max_length=100)
    value = forms.CharField(label=_("value (yuan)"), max_length=20)
    registered_on = forms.DateField(label=_("registration date"), widget=DateInput())


class ScoreForm(BootstrapMixin, forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field, label in CRITERIA:
            self.fields[field] = forms.IntegerField(
                label=label,
                min_value=0,
                max_value=CRITERION_MAX,
                widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "form-control"}),
            )
        self.fields["comments"] = text(_("comments"), rows=3)
        self.fields["comments"].widget.attrs["class"] = "form-control"


class ConclusionForm(BootstrapMixin, forms.Form):
    conclusion = forms.ChoiceField(label=_("review conclusion"), choices=Conclusion.choices)
    note = text(_("conclusion details"))


class BudgetChangeForm(BootstrapMixin, forms.Form):
    new_budget = forms.CharField(label=_("new budget (yuan)"), max_length=20)
    reason = text(_("reason"), required=True)
