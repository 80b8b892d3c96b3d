from django.urls import path

from . import views

app_name = "benefits"
urlpatterns = [
    path("benefits/ledger/", views.ledger_list, name="ledger"),
    path("benefits/projects/<int:pk>/ledger/", views.project_ledger, name="project-ledger"),
    path("benefits/revenues/<int:pk>/reverse/", views.revenue_reverse, name="revenue-reverse"),
    path("benefits/employment/", views.employment, name="employment"),
    path("benefits/employment/<str:code>/", views.employment_town, name="employment-town"),
    path("benefits/projects/<int:pk>/employment/", views.project_employment, name="project-employment"),
]
