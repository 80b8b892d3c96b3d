"""Configuration pages for the lecture team and the catalogue. Saves go through the services, so that
they are checked and audited like every other write; status changes keep their date."""

from django.contrib import admin

from . import services
from .models import Lecturer, Topic


@admin.register(Lecturer)
class LecturerAdmin(admin.ModelAdmin):
    list_display = ["name", "unit", "title", "status", "status_since", "trial_score"]
    list_filter = ["status", "unit"]
    search_fields = ["name", "unit"]
    fields = ["name", "unit", "title", "user", "recommended_by", "trial_score", "appointed_on", "status"]
    raw_id_fields = ["user"]

    def get_readonly_fields(self, request, obj=None):
        # The identity of a lecturer stays; what changes over time is the status (动态化管理).
        return ["name", "unit", "user"] if obj else []

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            if "status" in form.changed_data:
                services.set_lecturer_status(request.user, obj, data["status"])
            return
        created = services.create_lecturer(
            request.user,
            name=data["name"],
            unit=data["unit"],
            title=data.get("title", ""),
            user=data.get("user"),
            recommended_by=data.get("recommended_by", ""),
            trial_score=data.get("trial_score"),
            appointed_on=data.get("appointed_on"),
        )
        obj.pk, obj._state = created.pk, created._state

    def save_related(self, request, form, formsets, change):
        pass  # no related fields on this form


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["title", "minutes", "audience", "is_active"]
    search_fields = ["title"]
    fields = ["title", "summary", "minutes", "audience", "lecturers"]
    filter_horizontal = ["lecturers"]

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        created = services.create_topic(
            request.user,
            title=data["title"],
            summary=data.get("summary", ""),
            minutes=data["minutes"],
            audience=data.get("audience", ""),
            lecturers=data.get("lecturers", []),
        )
        obj.pk, obj._state = created.pk, created._state

    def save_related(self, request, form, formsets, change):
        pass  # the service set the lecturers
