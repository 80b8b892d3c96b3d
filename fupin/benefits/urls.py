from django.urls import path

from . import views

app_name = "benefits"
urlpatterns = [
    path("benefits/ledger/", views.ledger_list, name="ledger"),
    path("benefits/summary/", views.benefit_summary, name="summary"),
    path("benefits/projects/<int:pk>/ledger/", views.project_ledger, name="project-ledger"),
    path("benefits/revenues/<int:pk>/reverse/", views.revenue_reverse, name="revenue-reverse"),
    path("benefits/projects/<int:project_id>/distributions/", views.project_plans, name="project-plans"),
    path("benefits/distributions/", views.plan_list, name="plans"),
    path("benefits/distributions/<int:pk>/", views.plan_detail, name="plan"),
    path("benefits/distributions/<int:pk>/notice/", views.plan_notice, name="plan-notice"),
    path("benefits/households/<int:household_id>/", views.household_dividends, name="household-dividends"),
]
