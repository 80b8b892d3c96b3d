from .services import INBOX_COUNT


def inbox(request):
    """The number of warnings to handle, as counted at login and on the inbox (no query per page)."""
    session = getattr(request, "session", None)
    user = getattr(request, "user", None)
    if session is None or user is None or not user.is_authenticated:
        return {}
    return {"inbox_count": session.get(INBOX_COUNT)}
