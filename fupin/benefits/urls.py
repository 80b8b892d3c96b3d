from django.urls import path

from . import views_dividends as dividends

app_name = "benefits"
urlpatterns = [
    path("projects/<int:project_id>/distributions/", dividends.project_plans, name="project-plans"),
    path("distributions/", dividends.plan_list, name="plans"),
    path("distributions/<int:pk>/", dividends.plan_detail, name="plan"),
    path("distributions/<int:pk>/notice/", dividends.plan_notice, name="plan-notice"),
    path(
        "households/<int:household_id>/dividends/", dividends.household_dividends, name="household-dividends"
    ),
]
