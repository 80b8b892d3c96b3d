from django.urls import path

from . import views

urlpatterns = [
    path("lectures/requests/", views.request_list, name="lecture-requests"),
    path("lectures/requests/export/", views.request_export, name="lecture-requests-export"),
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
    path(
        "lectures/requests/<int:pk>/feedback/sign-in-sheet/",
        views.feedback_sheet,
        name="lecture-feedback-sheet",
    ),
    path("lectures/lecturers/", views.lecturer_list, name="lecturers"),
    path("lectures/lecturers/<int:pk>/", views.lecturer_detail, name="lecturer"),
    path(
        "lectures/lecturers/<int:pk>/unavailability/",
        views.unavailability_add,
        name="lecturer-unavailability-add",
    ),
    path(
        "lectures/lecturers/<int:pk>/unavailability/<int:booking_id>/remove/",
        views.unavailability_remove,
        name="lecturer-unavailability-remove",
    ),
    path("lectures/topics/", views.topic_list, name="lecture-topics"),
    path("lectures/drafts/", views.draft_list, name="lecture-drafts"),
    path("lectures/drafts/new/", views.draft_new, name="lecture-draft-new"),
    path("lectures/drafts/<int:pk>/", views.draft_detail, name="lecture-draft"),
    path("lectures/drafts/<int:pk>/review/", views.draft_review, name="lecture-draft-review"),
    path("lectures/drafts/<int:pk>/file/", views.draft_file, name="lecture-draft-file"),
    path("lectures/tours/", views.tour_list, name="lecture-tours"),
    path("lectures/tours/new/", views.tour_new, name="lecture-tour-new"),
    path("lectures/my-feedback/", views.my_feedback, name="lecture-my-feedback"),
    path("lectures/statistics/", views.statistics, name="lecture-statistics"),
    path("lectures/statistics/export/", views.statistics_export, name="lecture-statistics-export"),
]
