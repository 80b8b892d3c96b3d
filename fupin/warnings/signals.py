from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from .services import refresh_inbox_count


@receiver(user_logged_in)
def count_inbox_at_login(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        refresh_inbox_count(request, user=user)
