from django.urls import path

from . import views

app_name = "field"
urlpatterns = [
    path("sw.js", views.service_worker, name="service-worker"),
    path("field/", views.app, name="app"),
    path("field/manifest.webmanifest", views.manifest, name="manifest"),
]
