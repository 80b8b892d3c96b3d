from django.urls import path

from . import views, views_jobs
from . import views_dividends as dividends

app_name = "benefits"
urlpatterns = [
    path("benefits/ledger/", views.ledger_list, name="ledger"),
    path("benefits/summary/", views.benefit_summary, name="summary"),
    path("benefits/projects/<int:pk>/ledger/", views.project_ledger, name="project-ledger"),
    path("benefits/revenues/<int:pk>/reverse/", views.revenue_reverse, name="revenue-reverse"),
    path("benefits/employment/", views.employment, name="employment"),
    path("benefits/employment/<str:code>/", views.employment_town, name="employment-town"),
    path("benefits/projects/<int:pk>/employment/", views.project_employment, name="project-employment"),
    path("benefits/projects/<int:project_id>/distributions/", dividends.project_plans, name="project-plans"),
    path("benefits/distributions/", dividends.plan_list, name="plans"),
    path("benefits/distributions/<int:pk>/", dividends.plan_detail, name="plan"),
    path("benefits/distributions/<int:pk>/notice/", dividends.plan_notice, name="plan-notice"),
    path(
        "benefits/households/<int:household_id>/", dividends.household_dividends, name="household-dividends"
    ),
    path("benefits/workshops/", views_jobs.workshop_list, name="workshops"),
    path("benefits/workshops/<int:pk>/", views_jobs.workshop_detail, name="workshop"),
    path("benefits/workshops/<int:pk>/assessments/", views_jobs.assessment_new, name="assessment-new"),
    path("benefits/posts/", views_jobs.post_list, name="posts"),
    path("benefits/posts/<int:pk>/", views_jobs.post_detail, name="post"),
    path("benefits/<str:kind>/<int:pk>/placements/", views_jobs.placement_new, name="placement-new"),
    path("benefits/<str:kind>/<int:pk>/work-records/", views_jobs.work_record_new, name="work-record-new"),
    path("benefits/matching/", views_jobs.matching_list, name="matching"),
    path("benefits/matching/<int:member_id>/offers/", views_jobs.offer_new, name="offer-new"),
    path("benefits/offers/<int:pk>/<str:outcome>/", views_jobs.offer_decide, name="offer-decide"),
]
