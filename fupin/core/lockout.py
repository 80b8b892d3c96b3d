"""Failed logins: django-axes counts them per user name and address, and this module adds a count per address.

django-axes (AXES_LOCKOUT_PARAMETERS) compares every parameter group against one AXES_FAILURE_LIMIT, but the
two limits we need differ: five failures lock one user name tried from one address (someone guessing a
password), twenty failures from one address across any user names lock that address (password spraying: a
few common passwords tried on many accounts stays under every per-user limit). So the handler below keeps
axes' per-user count and adds the per-address one as a second check; when the address is over its limit,
every login from it counts as locked, whatever the user name. Both last AXES_COOLOFF_TIME after the latest
failure. Offices behind one NAT address share the per-address count, hence the higher limit.
"""

import math

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_client_username, get_cool_off, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.db.models import Max, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from . import services


def address_failures(request) -> int:
    """Failures from the request's address within the cool-off time, over every user name."""
    return (
        AccessAttempt.objects.filter(
            ip_address=request.axes_ip_address, attempt_time__gte=get_cool_off_threshold(request)
        ).aggregate(n=Sum("failures_since_start"))["n"]
        or 0
    )


def address_locked(request) -> bool:
    return address_failures(request) >= settings.LOGIN_FAILURES_PER_ADDRESS


class LockoutHandler(AxesDatabaseHandler):
    """axes' database handler with the per-address limit as a second check."""

    def get_failures(self, request, credentials: dict | None = None) -> int:
        failures = super().get_failures(request, credentials)
        if address_locked(request):
            return max(failures, get_failure_limit(request, credentials))
        return failures


def is_locked(request, credentials: dict) -> bool:
    return AxesProxyHandler.is_locked(request, credentials)


def retry_after(request, credentials: dict | None) -> int:
    """Seconds until the lock ends: the cool-off time after the latest failure that counts towards it."""
    AxesProxyHandler.update_request(request)
    attempts = AccessAttempt.objects.filter(ip_address=request.axes_ip_address)
    if not address_locked(request):
        attempts = attempts.filter(username=get_client_username(request, credentials))
    latest = attempts.aggregate(latest=Max("attempt_time"))["latest"]
    cool_off = get_cool_off(request)
    if latest is None or cool_off is None:
        return int(settings.AXES_COOLOFF_TIME.total_seconds())
    return max(1, math.ceil((latest + cool_off - timezone.now()).total_seconds()))


def lockout_message(request) -> str:
    AxesProxyHandler.update_request(request)
    if address_locked(request):
        return _(
            "Too many failed logins from your network address: logins from it are paused for a while. "
            "Try again later."
        )
    return _("Too many failed logins: this account is locked for a while. Try again later.")


class LockedOut(Exception):
    """Too many failures: the answer is 429 (API) or the lockout page."""


def change_own_password(request, user, old_password: str, new_password: str, keep_session_key=None) -> dict:
    """services.change_own_password behind the login lockout: a wrong current password is a failed login,
    so that a stolen session or token cannot be used to guess the password without limit."""
    credentials = {"username": user.get_username()}
    if is_locked(request, credentials):
        raise LockedOut
    try:
        return services.change_own_password(
            user, old_password, new_password, keep_session_key=keep_session_key
        )
    except services.WrongPassword:
        user_login_failed.send(sender=__name__, credentials=credentials, request=request)
        if is_locked(request, credentials):
            raise LockedOut from None
        raise
