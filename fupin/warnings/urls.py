from django.urls import path

from . import views

app_name = "warnings"
urlpatterns = [
    path("warnings/", views.warning_list, name="list"),
    path("warnings/export.xlsx", views.warning_export, name="export"),
    path("warnings/<int:warning_id>/", views.warning_detail, name="detail"),
    path("inbox/", views.inbox, name="inbox"),
]
