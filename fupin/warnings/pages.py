"""Pages of risk warnings beyond the list and the inbox (views.py): the statistics with their charts, the
county administrator's rule settings and webhook, and the rule owner's review of false alarms. Thin: the
queries and the services decide."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from fupin.core import clock, scope
from fupin.core.errors import DomainError, show_error
from fupin.core.inputs import year_value
from fupin.core.models import Region
from fupin.core.scope import get_visible_or_404

from . import queries, reviews, thresholds, webhooks
from .enums import LEVEL_ORDER, ON_TIME_DAYS, Level, Review
from .models import Warning, WebhookDelivery
from .rules import RULES

LEVEL_LABELS = dict(Level.choices)


@login_required
def warning_stats(request):
    """Open warnings by town, by rule and level; raised and closed per month; how fast they are closed."""
    region = request.GET.get("region", "").strip() or None
    try:
        found = queries.stats(request.user, region)
    except DomainError as refused:
        messages.error(request, refused.message)
        region, found = None, queries.stats(request.user)
    towns = queries.town_names(found["by_town"])
    by_town = sorted(found["by_town"].items(), key=lambda item: -item[1])
    chart = {
        "towns": [towns.get(code, code) for code, _n in by_town],
        "town_counts": [n for _code, n in by_town],
        "rules": [str(RULES[code].name) for code in found["by_rule"]],
        "rule_counts": list(found["by_rule"].values()),
        "levels": [str(LEVEL_LABELS[level]) for level in LEVEL_ORDER],
        "level_counts": [found["by_level"][level] for level in LEVEL_ORDER],
        "months": [row["month"] for row in found["trend"]],
        "raised": [row["raised"] for row in found["trend"]],
        "closed": [row["closed"] for row in found["trend"]],
    }
    context = {
        "stats": found,
        "chart": chart,
        "region": region or "",
        "on_time_days": [(LEVEL_LABELS[level], ON_TIME_DAYS[level]) for level in reversed(LEVEL_ORDER)],
    }
    return render(request, "warnings/stats.html", context)


def _county(user) -> Region:
    return Region.objects.get(code=scope.county_of(scope.area_of(user)).ljust(12, "0"))


def _year(request) -> int:
    raw = request.GET.get("year") or request.POST.get("year")
    try:
        return year_value(raw, "year") or clock.today().year
    except DomainError as refused:
        messages.error(request, refused.message)
        return clock.today().year


@login_required
@require_http_methods(["GET", "POST"])
def rule_settings(request):
    """The county administrator's thresholds of each rule for a year, and the county's webhook."""
    county, year = _county(request.user), _year(request)
    errors = {}
    if request.method == "POST":
        try:
            changed = thresholds.set_thresholds(
                request.user, county, year, request.POST, request.POST.get("note", "")
            )
        except DomainError as refused:
            messages.error(request, refused.message)
            errors = refused.fields
        else:
            messages.success(request, _("Saved: %(n)s thresholds changed.") % {"n": changed})
            return redirect(f"{request.path}?year={year}")
    hook = webhooks.of_county(county.code)
    deliveries = WebhookDelivery.objects.filter(webhook=hook).order_by("-id")[:10] if hook else []
    context = {
        "county": county,
        "year": year,
        "rows": thresholds.table(county.code, year),
        "levels": [(level, LEVEL_LABELS[level]) for level in LEVEL_ORDER],
        "errors": errors,
        "posted": request.POST if errors else {},
        "hook": hook,
        "deliveries": deliveries,
        "fixed_rules": [rule for rule in RULES.values() if rule.defaults is None],
    }
    return render(request, "warnings/settings.html", context)


@login_required
@require_POST
def webhook_settings(request):
    county = _county(request.user)
    try:
        if request.POST.get("test"):
            webhooks.send_test(request.user, county)
            messages.success(request, _("A test notification is queued for the webhook."))
        else:
            webhooks.configure(
                request.user,
                county,
                url=request.POST.get("url", ""),
                secret=request.POST.get("secret", ""),
                active=bool(request.POST.get("active")),
            )
            messages.success(request, _("Saved."))
    except DomainError as refused:
        show_error(request, refused)
    return redirect("warnings:settings")


@login_required
def review_list(request):
    """False alarms of the rules the user owns: those to review first, then the ones reviewed."""
    waiting = queries.dismissals_to_review(request.user)
    done = Paginator(queries.reviewed_dismissals(request.user), 30).get_page(request.GET.get("page"))
    context = {
        "waiting": waiting[:200],
        "waiting_count": waiting.count(),
        "page": done,
        "decisions": Review.choices,
    }
    return render(request, "warnings/reviews.html", context)


@login_required
@require_POST
def review(request, warning_id: int):
    warning = get_visible_or_404(Warning, request.user, pk=warning_id)
    try:
        reviews.review_dismissal(
            request.user, warning, request.POST.get("decision", ""), request.POST.get("note", "")
        )
    except DomainError as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, _("Saved."))
    return redirect("warnings:reviews")
