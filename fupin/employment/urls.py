"""Employment keeps the `/benefits/...` paths it had inside benefits: the access table and bookmarks hold."""

from django.urls import path

from . import views

app_name = "employment"
urlpatterns = [
    path("benefits/employment/", views.employment, name="employment"),
    path("benefits/employment/<str:code>/", views.employment_town, name="employment-town"),
    path("benefits/projects/<int:pk>/employment/", views.project_employment, name="project-employment"),
    path("benefits/workshops/", views.workshop_list, name="workshops"),
    path("benefits/workshops/<int:pk>/", views.workshop_detail, name="workshop"),
    path("benefits/workshops/<int:pk>/assessments/", views.assessment_new, name="assessment-new"),
    path("benefits/posts/", views.post_list, name="posts"),
    path("benefits/posts/<int:pk>/", views.post_detail, name="post"),
    path("benefits/<str:kind>/<int:pk>/placements/", views.placement_new, name="placement-new"),
    path("benefits/<str:kind>/<int:pk>/work-records/", views.work_record_new, name="work-record-new"),
    path("benefits/matching/", views.matching_list, name="matching"),
    path("benefits/matching/<int:member_id>/offers/", views.offer_new, name="offer-new"),
    path("benefits/offers/<int:pk>/<str:outcome>/", views.offer_decide, name="offer-decide"),
]
