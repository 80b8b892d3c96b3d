from django.urls import path

from . import pages, views

app_name = "warnings"
urlpatterns = [
    path("warnings/", views.warning_list, name="list"),
    path("warnings/export.xlsx", views.warning_export, name="export"),
    path("warnings/stats/", pages.warning_stats, name="stats"),
    path("warnings/settings/", pages.rule_settings, name="settings"),
    path("warnings/settings/webhook/", pages.webhook_settings, name="webhook"),
    path("warnings/reviews/", pages.review_list, name="reviews"),
    path("warnings/<int:warning_id>/review/", pages.review, name="review"),
    path("warnings/<int:warning_id>/", views.warning_detail, name="detail"),
    path("inbox/", views.inbox, name="inbox"),
]
