from django.contrib.auth import views as auth_views
from django.urls import path, re_path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("regions/", views.region_tree, name="region-tree"),
    path("regions/<str:code>/", views.region_tree, name="region-tree-node"),
    path("audit/", views.audit_log, name="audit-log"),
    path("audit/verify/", views.audit_verify, name="audit-verify"),
    path("password/", views.password_change, name="password-change"),
    path("public/audit/", views.public_audit, name="public-audit"),
    re_path(r"^public/audit/(?P<chain>\d{6})\.jsonl$", views.public_audit_file, name="public-audit-file"),
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/<int:token_id>/revoke/", views.revoke_token, name="token-revoke"),
    path("calendar/", views.calendar, name="calendar"),
    path("policy/", views.policy_settings, name="policy"),
    path("exports/<int:export_id>/", views.export_job, name="export-job"),
    path("exports/<int:export_id>/file", views.export_file, name="export-file"),
]
