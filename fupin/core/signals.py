"""Logins and logouts go into the audit chain: an inspector can see who worked when."""

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.db import transaction
from django.dispatch import receiver

from . import audit


@receiver(user_logged_in)
def audit_login(sender, request, user, **kwargs):
    with transaction.atomic():
        audit.record(actor=user, action="auth.login", region_code=user.region_id or "", target=user)


@receiver(user_logged_out)
def audit_logout(sender, request, user, **kwargs):
    if user is None:
        return
    with transaction.atomic():
        audit.record(actor=user, action="auth.logout", region_code=user.region_id or "", target=user)
