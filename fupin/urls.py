from django.contrib import admin
from django.urls import include, path

from fupin.api import api
from fupin.core import views as core_views

admin.site.site_header = admin.site.site_title = "扶贫项目资金跟踪问效平台 · 配置管理"

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    # The workbench answers "/" before core's plain home page (which stays for a site without insights).
    path("", include("fupin.insights.urls")),
    path("", include("fupin.core.urls")),
    path("", include("fupin.registry.urls")),
    path("", include("fupin.projects.urls")),
    path("", include("fupin.funds.urls")),
    path("", include("fupin.benefits.urls")),
    path("", include("fupin.employment.urls")),
    path("", include("fupin.lectures.urls")),
    path("", include("fupin.supervision.urls")),
    path("", include("fupin.warnings.urls")),
    path("", include("fupin.field.urls")),
]
