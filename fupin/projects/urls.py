from django.urls import path

from . import views

app_name = "projects"
urlpatterns = [
    path("projects/", views.project_list, name="list"),
    path("projects/new/", views.project_new, name="new"),
    path("projects/statistics/", views.statistics, name="statistics"),
    path("projects/<int:pk>/", views.project_detail, name="detail"),
    path("projects/<int:pk>/edit/", views.project_edit, name="edit"),
    path("projects/<int:pk>/act/<str:action>/", views.project_act, name="act"),
    path("projects/<int:pk>/draw/", views.project_draw, name="draw"),
    path("projects/<int:pk>/plan/", views.project_plan, name="plan"),
    path("projects/<int:pk>/procurement/", views.project_procurement, name="procurement"),
    path("projects/<int:pk>/progress/", views.project_progress, name="progress"),
    path("projects/<int:pk>/acceptance/", views.project_acceptance, name="acceptance"),
    path("projects/<int:pk>/acceptance/file/", views.acceptance_file, name="acceptance-file"),
    path("projects/<int:pk>/progress/<int:report_id>/photo/", views.progress_photo, name="progress-photo"),
    path("projects/<int:pk>/asset/", views.project_asset, name="asset"),
    path("reviews/", views.review_list, name="reviews"),
    path("projects/<int:pk>/budget/", views.project_budget_change, name="budget-change"),
    path("projects/<int:pk>/budget/<int:change_pk>/", views.budget_change_decide, name="budget-decide"),
    path("reviews/<int:pk>/", views.review_detail, name="review"),
    path("reviews/<int:pk>/replace/<int:order>/", views.review_replace, name="review-replace"),
    path("reviews/<int:pk>/conclusion/", views.review_conclude, name="review-conclude"),
    path("public/projects/", views.public_projects, name="public"),
]
