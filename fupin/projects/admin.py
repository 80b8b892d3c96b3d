"""Configuration pages of the project library. The expert pool is kept here through the services; the
projects and their records are shown read-only: they change only through the lifecycle's pages and API."""

from django import forms
from django.contrib import admin

from fupin.core.admin_base import ReadOnlyAdmin

from . import services
from .models import Acceptance, Asset, BudgetChange, Expert, Plan, Procurement, Progress, Project, Review


class ExpertForm(forms.ModelForm):
    class Meta:
        model = Expert
        fields = ["name", "unit", "field", "user", "active"]


@admin.register(Expert)
class ExpertAdmin(admin.ModelAdmin):
    form = ExpertForm
    list_display = ["name", "unit", "field", "user", "active"]
    list_filter = ["active", "unit"]
    search_fields = ["name", "unit", "field"]
    raw_id_fields = ["user"]

    def get_readonly_fields(self, request, obj=None):
        # Past draws name the expert by these fields; once in the pool only "active" changes.
        return ["name", "unit", "field", "user"] if obj else []

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            services.set_expert_active(request.user, obj, data["active"])
            return
        created = services.create_expert(
            request.user,
            name=data["name"],
            unit=data["unit"],
            field=data.get("field", ""),
            user=data.get("user"),
            active=data.get("active", True),
        )
        obj.pk, obj.region_code, obj._state = created.pk, created.region_code, created._state

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Project)
class ProjectAdmin(ReadOnlyAdmin):
    list_display = ["name", "year", "type", "region_code", "state", "budget"]
    list_filter = ["state", "type", "year"]
    search_fields = ["name", "region_code", "responsible_unit"]


@admin.register(Review)
class ReviewAdmin(ReadOnlyAdmin):
    list_display = ["project", "state", "average", "pass_mark", "conclusion", "chair", "seed", "drawn_at"]
    list_filter = ["state"]


for model in (Plan, Procurement, Progress, Acceptance, Asset, BudgetChange):
    admin.site.register(model, ReadOnlyAdmin)
