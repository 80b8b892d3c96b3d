from django.urls import path

from . import views

urlpatterns = [
    path("lectures/requests/", views.request_list, name="lecture-requests"),
    path("lectures/requests/new/", views.request_new, name="lecture-request-new"),
    path("lectures/requests/<int:pk>/", views.request_detail, name="lecture-request"),
    path("lectures/requests/<int:pk>/approve/", views.request_approve, name="lecture-request-approve"),
    path(
        "lectures/requests/<int:pk>/reschedule/", views.request_reschedule, name="lecture-request-reschedule"
    ),
    path("lectures/requests/<int:pk>/act/<str:action>/", views.request_act, name="lecture-request-act"),
    path(
        "lectures/requests/<int:pk>/application/", views.application_print, name="lecture-application-print"
    ),
    path("lectures/requests/<int:pk>/feedback/", views.feedback_new, name="lecture-feedback"),
    path("lectures/requests/<int:pk>/feedback/print/", views.feedback_print, name="lecture-feedback-print"),
    path("lectures/lecturers/", views.lecturer_list, name="lecturers"),
    path("lectures/topics/", views.topic_list, name="lecture-topics"),
    path("lectures/statistics/", views.statistics, name="lecture-statistics"),
]
