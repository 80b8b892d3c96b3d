from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_save
from django.dispatch import receiver

from . import webhooks
from .enums import Transition
from .models import WarningEvent
from .services import refresh_inbox_count


@receiver(user_logged_in)
def count_inbox_at_login(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        refresh_inbox_count(request, user=user)


@receiver(post_save, sender=WarningEvent)
def tell_the_county_webhook(sender, instance, created, **kwargs):
    """A person closed or dismissed a warning: the county's webhook hears of it (the scan queues its own
    events in bulk). Hooked on the history row, so the handling workflow itself knows nothing of webhooks."""
    if created and instance.kind in (Transition.CLOSE, Transition.DISMISS):
        warning = instance.warning
        webhooks.queue(warning.region_code, [(webhooks.CLOSED, warning)])
