"""Pages of risk warnings: the list (filters, export), one warning (subject, history, actions) and the
to-do inbox. Thin: the queries and the services decide."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from fupin.core import access, clock, files
from fupin.core.errors import DomainError
from fupin.core.scope import get_visible_or_404

from . import exports, queries, services
from .enums import EVENT_LABELS, Level, State
from .models import Warning
from .rules import RULES

PAGE_SIZE = 30
FILTERS = ("region", "rule", "level", "state")


def _filtered(request):
    wanted = {name: request.GET.get(name, "").strip() or None for name in FILTERS}
    try:
        return queries.filtered(request.user, **wanted)
    except DomainError as refused:
        messages.error(request, refused.message)
        return queries.filtered(request.user)


@login_required
def warning_list(request):
    page = Paginator(_filtered(request), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "rules": [(code, rule.name) for code, rule in RULES.items()],
        "levels": Level.choices,
        "states": [("open", _("Open")), *State.choices],
        "may_configure": access.may(request.user, access.Action.CONFIGURE),
        "may_review": any(request.user.has_role(rule.owner) for rule in RULES.values())
        and access.may(request.user, access.Action.HANDLE_WARNING),
    }
    return render(request, "warnings/warning_list.html", context)


@login_required
def warning_export(request):
    return files.xlsx_download(exports.warnings_xlsx(_filtered(request)), "风险预警")


def subject_link(user, warning: Warning) -> str | None:
    """The subject's page, when the user may open it."""
    rule = RULES.get(warning.rule)
    try:
        url = reverse(rule.subject_url, args=[warning.subject_id]) if rule and rule.subject_url else None
    except NoReverseMatch:
        return None
    return url if url and access.allows(user, url) else None


@login_required
@require_http_methods(["GET", "POST"])
def warning_detail(request, warning_id: int):
    warning = get_visible_or_404(Warning, request.user, pk=warning_id)
    if request.method == "POST":
        try:
            services.transition(
                request.user, warning, request.POST.get("action", ""), request.POST.get("note", "")
            )
        except DomainError as refused:
            messages.error(request, refused.message)
        else:
            messages.success(request, _("Saved."))
            services.refresh_inbox_count(request)
        return redirect("warnings:detail", warning_id=warning.pk)
    events = list(warning.events.select_related("actor"))
    for event in events:
        event.label = EVENT_LABELS.get(event.kind, event.kind)
        event.state_label = dict(State.choices).get(event.to_state, "")
    actions = [(s.action, s.verb, s.reason) for s in services.allowed_transitions(request.user, warning)]
    context = {
        "warning": warning,
        "rule": RULES.get(warning.rule),
        "subject_url": subject_link(request.user, warning),
        "events": events,
        "actions": actions,
        "escalation_due": services.escalation_due(warning.raised_on)
        if warning.state == State.PENDING and warning.level == Level.RED
        else None,
    }
    return render(request, "warnings/warning_detail.html", context)


@login_required
def inbox(request):
    """What waits for the user: warnings to handle (escalated and red first), and counts of what waits
    elsewhere, each as the user's roles read it."""
    warnings = queries.most_urgent_first(queries.to_handle(request.user))
    page = Paginator(warnings, PAGE_SIZE).get_page(request.GET.get("page"))
    elsewhere = queries.waiting_elsewhere(request.user)
    services.refresh_inbox_count(request, page.paginator.count + sum(n for _label, n, _url in elsewhere))
    context = {"page": page, "elsewhere": elsewhere, "today": clock.today()}
    return render(request, "warnings/inbox.html", context)
