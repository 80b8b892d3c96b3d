from django.urls import path

from . import views

app_name = "supervision"
urlpatterns = [
    path("problems/", views.problem_list, name="problems"),
    path("problems/new/", views.problem_create, name="problem-create"),
    path("problems/export.xlsx", views.problem_export, name="problem-export"),
    path("problems/statistics/", views.statistics, name="statistics"),
    path("problems/<int:problem_id>/", views.problem_detail, name="problem"),
    path("problems/<int:problem_id>/action/", views.problem_action, name="problem-action"),
    path("attachments/<int:attachment_id>/", views.attachment, name="attachment"),
    path("campaigns/", views.campaign_list, name="campaigns"),
    path("campaigns/new/", views.campaign_create, name="campaign-create"),
    path("campaigns/<int:campaign_id>/", views.campaign_detail, name="campaign"),
    path("campaigns/<int:campaign_id>/check/<str:subject_id>/", views.campaign_check, name="campaign-check"),
    path("grids/", views.grid_list, name="grids"),
    path("grids/assessment/", views.assessment, name="assessment"),
    path("grids/<int:grid_id>/", views.grid_detail, name="grid"),
    path("complaints/", views.complaint_list, name="complaints"),
    path("complaints/new/", views.complaint_create, name="complaint-new"),
    path("complaints/<int:complaint_id>/decide/", views.complaint_decide, name="complaint-decide"),
    path("public/complaint/", views.public_complaint, name="public-complaint"),
    path("public/complaint/status/", views.public_status, name="public-status"),
]
