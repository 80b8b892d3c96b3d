"""Benefits pages: the income ledger (per project and county-wide) and employment compliance (by town, per
town's projects, per project with its agreements). Thin: reads through ledger.py and compliance.py inside
the user's scope, writes through services, and shows a DomainError's words next to its field."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fupin.core import clock, inputs, scope
from fupin.core.errors import DomainError
from fupin.core.files import xlsx_download
from fupin.core.masking import mask_id_number
from fupin.core.models import Region
from fupin.core.scope import get_visible_or_404, require_role
from fupin.projects.models import Project
from fupin.registry.models import Member

from . import compliance, ledger, services, summary
from .enums import WRITERS
from .forms import AgreementForm, RevenueForm, ReversalForm
from .models import Revenue

PAGE_SIZE = 30
# A service's field name → the form's field where its message shows.
FORM_FIELDS = {"member_id": "member"}


def _writer(user) -> bool:
    return user.has_role(*WRITERS)


def _project(request, pk) -> Project:
    return get_visible_or_404(Project.objects.all(), request.user, pk=pk)


def _marked(form):
    """The form with its invalid fields outlined in red (Bootstrap's is-invalid)."""
    if form is not None and form.is_bound:
        for name in form.errors:
            if name in form.fields:
                widget = form.fields[name].widget
                widget.attrs["class"] = widget.attrs.get("class", "") + " is-invalid"
    return form


def _show_error(request, exc: DomainError, form) -> None:
    shown = False
    for field, message in exc.fields.items():
        name = FORM_FIELDS.get(field, field)
        if name in form.fields:
            form.add_error(name, message)
            shown = True
    if not shown:
        messages.error(request, exc.message)


def _towns(user):
    return Region.objects.visible_to(user).filter(level="town").order_by("code")


# --- The income ledger ----------------------------------------------------------------------------
@login_required
def ledger_list(request):
    """Projects owing revenue, with the year's revenue against the plan; filter by town, year, below plan."""
    g = request.GET
    projects = Project.objects.visible_to(request.user)
    this_year = clock.today().year
    year = inputs.param(request, inputs.year_value, "year", _("Year")) or ledger.latest_year(
        projects, this_year
    )
    town = g.get("town", "")
    if town:
        try:
            town = scope.region_param(request.user, town)
        except DomainError:
            raise Http404 from None
    rows = ledger.county_list(projects, year, town=town, below_only=g.get("below") == "1")
    page = Paginator(rows, PAGE_SIZE).get_page(g.get("page"))
    names = dict(Region.objects.filter(level="town").values_list("code", "name"))
    page.object_list = list(page.object_list)
    for project in page.object_list:
        project.town_name = names.get(project.town_code, project.town_code)
    return render(
        request,
        "benefits/ledger_list.html",
        {
            "page": page,
            "year": year,
            "town": town,
            "f": g,
            "towns": _towns(request.user),
            "totals": ledger.totals(rows, year),
        },
    )


@login_required
def project_ledger(request, pk):
    project = _project(request, pk)
    if request.GET.get("export") == "xlsx":
        return xlsx_download(ledger.export_xlsx(project), f"收益台账-{project.pk}")
    writer = _writer(request.user)
    form = RevenueForm(request.POST or None, initial={"received_on": clock.today()})
    if request.method == "POST":
        require_role(request.user, *WRITERS)
        if form.is_valid():
            try:
                services.record_revenue(request.user, project, **form.cleaned_data)
                messages.success(request, _("The revenue was recorded."))
                return redirect("benefits:project-ledger", pk=project.pk)
            except DomainError as exc:
                _show_error(request, exc, form)
    years = ledger.by_year(project)
    return render(
        request,
        "benefits/project_ledger.html",
        {
            "project": project,
            "entries": ledger.entries(project),
            "years": years,
            "below": [row.year for row in years if row.below_plan],
            "form": _marked(form) if writer else None,
            "reversal_form": ReversalForm() if writer else None,
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def revenue_reverse(request, pk):
    revenue = get_visible_or_404(Revenue.objects.all(), request.user, pk=pk)
    try:
        services.reverse_revenue(request.user, revenue, reason=request.POST.get("reason", ""))
        messages.success(request, _("The entry was reversed."))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("benefits:project-ledger", pk=revenue.project_id)


# --- Employment compliance ------------------------------------------------------------------------
@login_required
def employment(request):
    """Compliance by town with the county total; the shortfall is highlighted."""
    result = compliance.by_town(Project.objects.visible_to(request.user))
    return render(request, "benefits/employment.html", {**result, "today": clock.today()})


@login_required
def employment_town(request, code):
    """The town's projects, each with its required, signed, active and shortfall."""
    if not code.isdigit() or len(code) != 9:
        raise Http404
    town = get_visible_or_404(Region.objects.filter(level="town"), request.user, code=code + "000")
    rows = compliance.by_project(Project.objects.visible_to(request.user).within(code))
    total = compliance.Row(name=_("Total"))
    for row in rows:
        total.add(row)
    return render(
        request,
        "benefits/employment_town.html",
        {"town": town, "rows": rows, "total": total, "today": clock.today()},
    )


@login_required
def project_employment(request, pk):
    project = _project(request, pk)
    writer = _writer(request.user)
    candidates = list(compliance.candidates(project)) if writer else []
    form = AgreementForm(request.POST or None, candidates=candidates)
    if request.method == "POST":
        require_role(request.user, *WRITERS)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            member = _member(request, data, candidates)
            fields = ("position", "starts_on", "ends_on", "monthly_wage", "evidence")
            services.sign_agreement(request.user, project, member=member, **{k: data[k] for k in fields})
            messages.success(request, _("The employment agreement was recorded."))
            return redirect("benefits:project-employment", pk=project.pk)
        except DomainError as exc:
            _show_error(request, exc, form)
    agreements = list(project.employment_agreements.select_related("member__household"))
    today = clock.today()
    for agreement in agreements:
        agreement.masked_id = mask_id_number(agreement.member.id_number)
        agreement.active = agreement.is_active_on(today)
    return render(
        request,
        "benefits/project_employment.html",
        {
            "project": project,
            "compliance": services.compliance(project),
            "agreements": agreements,
            "form": _marked(form) if writer else None,
            "today": today,
        },
        status=400 if form.errors else 200,
    )


def _member(request, data, candidates) -> Member:
    if data.get("member"):
        chosen = next((m for m in candidates if str(m.pk) == data["member"]), None)
        if chosen is None:
            raise DomainError(_("No such person in your area."), field="member")
        return chosen
    return compliance.find_member(
        request.user, household_number=data.get("household_number"), name=data.get("member_name")
    )


@login_required
def benefit_summary(request):
    """What the benefits reached in an area (the user's, or a town within it), in the seed's terms."""
    region = request.GET.get("region", "")
    year = inputs.param(request, inputs.year_value, "year", _("Year"))
    try:
        prefix = scope.region_param(request.user, region)
    except DomainError:
        raise Http404 from None
    result = summary.summary(prefix, year)
    area = Region.objects.filter(code=prefix.ljust(12, "0")).first()
    return render(
        request,
        "benefits/summary.html",
        {
            "area": area,
            "prefix": prefix,
            "year": year,
            "years": range(clock.today().year, 2015, -1),
            "total": result["total"],
            "rows": summary.named_rows(result),
            "in_words": summary.in_words(result["total"]),
            "drill": len(prefix) < 9,
        },
    )
