from django.urls import path

from . import views

app_name = "funds"
urlpatterns = [
    path("funds/", views.overview, name="overview"),
    path("funds/sources/new/", views.source_new, name="source-new"),
    path("funds/allocations/new/", views.allocation_new, name="allocation-new"),
    path("funds/allocations/<int:pk>/", views.allocation_detail, name="allocation"),
    path("public/funds/", views.public_funds, name="public"),
]
