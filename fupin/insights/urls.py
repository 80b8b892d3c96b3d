from django.urls import path

from . import views

app_name = "insights"
urlpatterns = [
    path("", views.home, name="workbench"),
    path("insights/", views.dashboard, name="dashboard"),
    path("insights/charts/<str:name>.xlsx", views.chart_xlsx, name="chart-xlsx"),
    path("insights/screen/", views.big_screen, name="screen"),
    path("insights/screen/data", views.screen_data, name="screen-data"),
]
