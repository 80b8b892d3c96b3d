"""Logins and logouts go into the audit chain: an inspector can see who worked when."""

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.db import transaction
from django.db.models.signals import pre_save
from django.dispatch import receiver

from . import audit
from .inputs import check_columns

# Every text column of the platform's models is checked before it is saved (control characters, length).
pre_save.connect(check_columns, dispatch_uid="fupin.core.inputs.check_columns")


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
