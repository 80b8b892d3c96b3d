from django import forms
from django.utils.translation import gettext_lazy as _

from fupin.core import access, clock
from fupin.core.access import Kind, Read
from fupin.core.errors import DomainError
from fupin.core.models import Region

from . import search
from .enums import (
    Attribute,
    Cause,
    Education,
    Health,
    Labour,
    MonitoringType,
    Relation,
    RiskType,
    Schooling,
    Status,
    Work,
)

MEMBER_ROWS = 8


class HouseholdForm(forms.Form):
    region = forms.ChoiceField(label=_("Village"))
    attribute = forms.ChoiceField(label=_("Attribute"), choices=Attribute.choices)
    main_cause = forms.ChoiceField(label=_("Main cause of poverty"), choices=Cause.choices)
    other_causes = forms.MultipleChoiceField(
        label=_("Other causes (up to two)"),
        choices=Cause.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    phone = forms.CharField(label=_("Contact phone"), required=False, max_length=20)
    food_secure = forms.BooleanField(label=_("Enough to eat"), required=False)
    clothing_secure = forms.BooleanField(label=_("Enough to wear"), required=False)
    education_secure = forms.BooleanField(label=_("Compulsory education guaranteed"), required=False)
    medical_secure = forms.BooleanField(label=_("Basic medical care guaranteed"), required=False)
    housing_secure = forms.BooleanField(label=_("Safe housing"), required=False)
    water_secure = forms.BooleanField(label=_("Safe drinking water"), required=False)
    wage = forms.DecimalField(label=_("Wage income"), required=False, decimal_places=2, min_value=0)
    business = forms.DecimalField(label=_("Business income"), required=False, decimal_places=2, min_value=0)
    transfer = forms.DecimalField(label=_("Transfer income"), required=False, decimal_places=2, min_value=0)
    property = forms.DecimalField(label=_("Property income"), required=False, decimal_places=2, min_value=0)
    production_cost = forms.DecimalField(
        label=_("Production costs"), required=False, decimal_places=2, min_value=0
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        villages = Region.objects.visible_to(user).filter(level="village").select_related("parent")
        self.fields["region"].choices = [(v.code, f"{v.parent.name} {v.name}") for v in villages]


class MemberForm(forms.Form):
    name = forms.CharField(label=_("Full name"), max_length=40, required=False)
    id_number = forms.CharField(label=_("ID number"), max_length=18, required=False)
    # No default: a member who is not the head must not be recorded as 户主 by an untouched select (the
    # view puts 户主 on the first row only).
    relation = forms.ChoiceField(
        label=_("Relation to head"), choices=[("", "—"), *Relation.choices], required=False
    )
    health = forms.ChoiceField(label=_("Health"), choices=Health.choices)
    labour = forms.ChoiceField(label=_("Labour ability"), choices=Labour.choices)
    education = forms.ChoiceField(
        label=_("Education"), choices=[("", "—"), *Education.choices], required=False
    )
    schooling = forms.ChoiceField(label=_("Schooling"), choices=Schooling.choices)
    work = forms.ChoiceField(label=_("Work status"), choices=Work.choices)
    months_worked = forms.IntegerField(label=_("Months worked"), required=False, initial=0)

    def has_person(self) -> bool:
        return bool(self.cleaned_data.get("name") or self.cleaned_data.get("id_number"))

    def clean(self):
        data = super().clean()
        if self.has_person() and not data.get("relation"):
            self.add_error("relation", _("Choose the relation to the head."))
        return data


MemberFormSet = forms.formset_factory(MemberForm, extra=MEMBER_ROWS, max_num=MEMBER_ROWS)


class FilterForm(forms.Form):
    region = forms.ChoiceField(label=_("Area"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("All")), *Status.choices])
    cause = forms.ChoiceField(label=_("Main cause"), required=False, choices=[("", _("All")), *Cause.choices])
    q = forms.CharField(
        label=_("Search"),
        required=False,
        help_text=_("Name, pinyin initials, ID number or its last 6 digits, household number"),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if not access.can_read(user, Kind.REGISTRY, Read.PERSONAL):
            self.fields["q"].help_text = _("Name, pinyin initials, household number")  # no ID search
        areas = Region.objects.visible_to(user).filter(level__in=["town", "village"]).select_related("parent")
        self.fields["region"].choices = [("", _("All"))] + [
            (a.code, a.name if a.level == "town" else f"· {a.name}") for a in areas
        ]

    def clean_q(self):
        q = self.cleaned_data["q"]
        try:
            search.check_query(self.user, q)
        except DomainError as exc:
            raise forms.ValidationError(exc.message) from None
        return q


class VisitForm(forms.Form):
    visited_on = forms.DateField(
        label=_("Date of visit"), initial=clock.today, widget=forms.DateInput(attrs={"type": "date"})
    )
    findings = forms.CharField(label=_("What was found"), widget=forms.Textarea(attrs={"rows": 3}))
    help_given = forms.CharField(
        label=_("Help given"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    photos = forms.FileField(
        label=_("Photos"),
        required=False,
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/jpeg,image/png,image/webp", "capture": "environment"}
        ),
    )
    latitude = forms.DecimalField(required=False, widget=forms.HiddenInput, max_digits=9, decimal_places=6)
    longitude = forms.DecimalField(required=False, widget=forms.HiddenInput, max_digits=9, decimal_places=6)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("File (.xlsx or .csv)"))
    mode = forms.CharField(required=False)  # checked by the import itself (imports.check_mode)


class MonitoringForm(forms.Form):
    type = forms.ChoiceField(label=_("Monitoring type"), choices=MonitoringType.choices)
    risks = forms.MultipleChoiceField(
        label=_("Risks"), choices=RiskType.choices, widget=forms.CheckboxSelectMultiple
    )
    found_on = forms.DateField(
        label=_("Found on"), initial=clock.today, widget=forms.DateInput(attrs={"type": "date"})
    )
