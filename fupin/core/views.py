"""Foundation pages. Views stay thin: they read through the scope helpers and write through services."""

import math

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import access, audit, clock, exportjobs, inputs, lockout, policy, services, workdays
from .account_forms import PasswordChangeForm
from .enums import ROLE_DUTIES, CalendarDayKind, Role
from .errors import DomainError, show_error
from .models import ApiToken, AuditEvent, CalendarDay, Region
from .scope import get_visible_or_404


def healthz(request):
    """A bare view for load balancers (and the benchmark's baseline): no session, no database."""
    return HttpResponse("ok", content_type="text/plain")


def lockout_response(request, response, credentials):
    """django-axes calls this when a login is locked (a user name, or an address; see core/lockout.py)."""
    message = lockout.lockout_message(request)
    wait = lockout.retry_after(request, credentials)
    if request.path.startswith("/api/"):
        answer = JsonResponse({"code": "locked", "message": message, "fields": {}}, status=429)
    else:
        minutes = math.ceil(wait / 60)
        answer = render(
            request, "registration/locked.html", {"message": message, "minutes": minutes}, status=429
        )
    answer["Retry-After"] = str(wait)
    return answer


@login_required
def home(request):
    user = request.user
    region = user.region
    in_scope = Region.objects.visible_to(user)
    counts = dict(in_scope.values_list("level").annotate(n=Count("code")).order_by())
    duties = [(Role(code).label, ROLE_DUTIES[code]) for code in sorted(user.role_codes)]
    return render(
        request,
        "core/home.html",
        {
            "region": region,
            "ancestors": region.ancestors() if region else [],
            "counts": counts,
            "duties": duties,
        },
    )


@login_required
def region_tree(request, code: str | None = None):
    user = request.user
    if user.region is None:
        raise Http404
    root = get_visible_or_404(Region, user, code=code) if code else user.region
    children = (
        Region.objects.filter(parent=root)
        .visible_to(user)
        .annotate(child_count=Count("children"))
        .order_by("code")
    )
    template = "core/_region_children.html" if request.headers.get("HX-Request") else "core/region_tree.html"
    return render(request, template, {"root": root, "children": children, "ancestors": root.ancestors()})


AUDIT_PAGE_SIZE = 50


@login_required
def audit_log(request):
    access.require_read(request.user, access.Kind.AUDIT)
    events = AuditEvent.objects.in_region(request.user.scope_prefix).select_related("actor")
    filters = {
        "action": request.GET.get("action", "").strip(),
        "actor": request.GET.get("actor", "").strip(),
        "region": request.GET.get("region", "").strip(),
        "target": request.GET.get("target", "").strip(),
        "since": inputs.param(request, inputs.date_value, "since", _("From date")),
        "until": inputs.param(request, inputs.date_value, "until", _("To date")),
    }
    if filters["action"]:
        events = events.filter(action__startswith=filters["action"])
    if filters["actor"]:
        events = events.filter(actor_username=filters["actor"])
    if filters["region"].isdigit():
        events = events.in_region(filters["region"])
    if filters["target"]:
        events = events.filter(target_repr__icontains=filters["target"])
    if filters["since"]:
        events = events.filter(created_at__date__gte=filters["since"])
    if filters["until"]:
        events = events.filter(created_at__date__lte=filters["until"])
    page = Paginator(events, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    actions = (
        AuditEvent.objects.in_region(request.user.scope_prefix)
        .order_by("action")
        .values_list("action", flat=True)
        .distinct()
    )
    return render(request, "core/audit_log.html", {"page": page, "filters": filters, "actions": actions})


@login_required
def audit_verify(request):
    access.require_read(request.user, access.Kind.AUDIT)
    reports, key_error = [], ""
    if request.method == "POST":
        chain = request.user.scope_prefix[:6]
        try:
            reports = audit.verify([chain])
        except audit.AuditKeyMissing as missing:
            key_error = str(missing)
    return render(request, "core/audit_verify.html", {"reports": reports, "key_error": key_error})


def public_audit(request):
    """The published checkpoints of every county's audit chain (审计链检查点公示), without login.

    Read from the checkpoint files, not the database: whoever keeps a copy of this page can later show
    that the chain was rewritten, even by the database's administrator.
    """
    listing = audit.public_checkpoints()
    names = dict(
        Region.objects.filter(code__in=[f"{item['chain']}000000" for item in listing]).values_list(
            "code", "name"
        )
    )
    for item in listing:
        item["name"] = names.get(f"{item['chain']}000000", "")
    return render(request, "core/public_audit.html", {"listing": listing})


def public_audit_file(request, chain: str):
    """The whole checkpoint file of one chain, one JSON object a line, for anyone to keep."""
    path = audit.checkpoint_file(chain)
    if not path.is_file():
        raise Http404
    return FileResponse(path.open("rb"), content_type="text/plain; charset=utf-8", filename=path.name)


@login_required
def tokens(request):
    new_key = None
    if request.method == "POST":
        token, new_key = services.issue_token(request.user, request.POST.get("name", ""))
        messages.success(request, _("Token created. Copy it now: it is shown only once."))
    return render(
        request,
        "core/tokens.html",
        {"tokens": ApiToken.objects.filter(user=request.user), "new_key": new_key},
    )


@login_required
@require_POST
def revoke_token(request, token_id: int):
    token = ApiToken.objects.filter(user=request.user, pk=token_id).first()
    if token is None:
        raise Http404
    try:
        services.revoke_token(request.user, token)
        messages.success(request, _("Token revoked."))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("tokens")


@login_required
def password_change(request):
    """Change my own password; this session stays, every other session and every API token ends."""
    form = PasswordChangeForm(request.POST or None)
    status, retry_after = 200, None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            lockout.change_own_password(
                request,
                request.user,
                data["old_password"],
                data["new_password"],
                keep_session_key=request.session.session_key,
            )
        except lockout.LockedOut:
            form.add_error(None, lockout.lockout_message(request))
            status = 429
            retry_after = lockout.retry_after(request, {"username": request.user.get_username()})
        except DomainError as exc:
            show_error(request, exc, form)
        else:
            update_session_auth_hash(request, request.user)  # this session carries the new password's hash
            messages.success(
                request, _("Password changed. Your other sessions and all API tokens have ended.")
            )
            return redirect("home")
    response = render(request, "core/password_change.html", {"form": form}, status=status)
    if status == 429:
        response["Retry-After"] = str(retry_after)
    return response


@login_required
def calendar(request):
    year = inputs.param(request, inputs.year_value, "year", _("Year"), clock.today().year)
    if request.method == "POST":
        access.require(request.user, access.Action.CONFIGURE)
        try:
            day = inputs.date_value(request.POST.get("date"), "date", _("Date"))
            if day is None:
                raise DomainError(_("Enter a date like 2027-10-08."), field="date")
            workdays.set_day(
                request.user, day, request.POST.get("kind", ""), request.POST.get("name", "").strip()
            )
            messages.success(request, _("Saved %(day)s.") % {"day": day})
            return redirect(f"{request.path}?year={day.year}")
        except DomainError as exc:
            messages.error(request, exc.message)
    days = CalendarDay.objects.filter(date__year=year)
    return render(
        request,
        "core/calendar.html",
        {
            "year": year,
            "days": days,
            "covered_until": workdays.covered_until(),
            "kinds": CalendarDayKind.choices,
            "can_edit": access.may(request.user, access.Action.CONFIGURE),
        },
    )


@login_required
def policy_settings(request):
    region = request.user.region
    if region is None:
        raise Http404
    year = inputs.param(request, inputs.year_value, "year", _("Year"), clock.today().year)
    rows = []
    for key, definition in policy.POLICIES.items():
        value, source = policy.lookup(key, region.code, year)
        rows.append({"definition": definition, "value": value, "source": source})
    return render(request, "core/policy.html", {"rows": rows, "year": year, "region": region})


@login_required
def export_job(request, export_id: int):
    """A background export's progress (polled by htmx), then its download link."""
    job = exportjobs.job_for(request.user, export_id)
    template = "core/_export_progress.html" if request.headers.get("HX-Request") else "core/export_job.html"
    return render(request, template, {"job": job, "name": exportjobs.producer(job.kind).name})


@login_required
def export_file(request, export_id: int):
    return exportjobs.download(request.user, export_id)
