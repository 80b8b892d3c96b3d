from django.urls import path

from . import views

app_name = "registry"
urlpatterns = [
    path("households/", views.household_list, name="households"),
    path("households/new/", views.household_create, name="household-create"),
    path("households/export.xlsx", views.household_export, name="household-export"),
    path("households/not-visited/", views.not_visited, name="not-visited"),
    path("households/duplicates/", views.duplicates, name="duplicates"),
    path("households/notice/", views.notice, name="notice"),
    path("households/changes/", views.changes, name="changes"),
    path("households/changes/<int:change_id>/decide/", views.change_decide, name="change-decide"),
    path("households/import/", views.import_start, name="import"),
    path("households/import/template.xlsx", views.import_template, name="import-template"),
    path("imports/<int:job_id>/", views.import_job, name="import-job"),
    path("households/<int:household_id>/", views.household_detail, name="household"),
    path("households/<int:household_id>/step/", views.household_step, name="household-step"),
    path("households/<int:household_id>/visit/", views.visit_create, name="visit-create"),
    path("households/<int:household_id>/visit-photos/<int:photo_id>/", views.visit_photo, name="visit-photo"),
    path("households/<int:household_id>/helpers/", views.household_helpers, name="household-helpers"),
    path("households/<int:household_id>/change/", views.change_request, name="change-request"),
    path("households/<int:household_id>/monitoring/", views.monitoring_open, name="monitoring-open"),
    path("households/<int:household_id>/members/<int:member_id>/reveal/", views.reveal_id, name="reveal-id"),
    path("monitoring/", views.monitoring, name="monitoring"),
    path("monitoring/<int:case_id>/", views.monitoring_action, name="monitoring-action"),
]
