"""Employment pages: workshops (扶贫车间), posts (扶贫岗/公益岗位), the matching list (供需对接) and
employment compliance (by town, per town's projects, per project with its agreements). Thin over the
services in jobs.py, matching.py and services.py and the reads in queries.py and compliance.py."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from fupin.core import clock
from fupin.core.errors import DomainError
from fupin.core.forms import BootstrapMixin, DateInput
from fupin.core.masking import mask_id_number
from fupin.core.models import Region
from fupin.core.regions import region_names
from fupin.core.scope import get_visible_or_404, require_role, town_of
from fupin.projects.models import Project
from fupin.registry.enums import ABLE_TO_WORK, REGISTERED_STATUSES
from fupin.registry.models import Household, Member

from . import compliance, jobs, matching, queries, services
from .enums import MATCHERS, OFFERS, WRITERS, WorkshopStatus
from .forms import AgreementForm
from .models import Offer, Placement, Post, WorkRecord, Workshop
from .queries import narrowed, workshop_rows

MATCHING_PAGE = 30
# A service's field name → the form's field where its message shows.
FORM_FIELDS = {"member_id": "member"}


# --- Forms ----------------------------------------------------------------------------------------
class PlacementForm(BootstrapMixin, forms.Form):
    member = forms.ModelChoiceField(label=gettext_lazy("person"), queryset=Member.objects.none())
    started_on = forms.DateField(label=gettext_lazy("start date"), widget=DateInput())
    monthly_wage = forms.CharField(label=gettext_lazy("monthly wage (yuan)"), max_length=20, required=False)

    def __init__(self, *args, employer, user, **kwargs):
        super().__init__(*args, **kwargs)
        # The people of the employer's town whom the user reads (their own area's, by the access policy).
        households = Household.objects.visible_to(user).within(town_of(employer.region_code))
        self.fields["member"].queryset = (
            Member.objects.living()
            .filter(
                household__in=households,
                household__status__in=REGISTERED_STATUSES,
                labour__in=ABLE_TO_WORK,
            )
            .exclude(pk__in=employer.placements.current(clock.today()).values("member_id"))
            .select_related("household")
            .order_by("household__region_code", "name")
        )
        self.fields["member"].label_from_instance = lambda m: f"{m.name}（{mask_id_number(m.id_number)}）"


class WorkRecordForm(BootstrapMixin, forms.Form):
    placement = forms.TypedChoiceField(label=gettext_lazy("person"), coerce=int)
    year = forms.IntegerField(label=gettext_lazy("year"), min_value=2000, max_value=2100)
    months = forms.IntegerField(label=gettext_lazy("months worked"))
    wages = forms.CharField(label=gettext_lazy("wages paid (yuan)"), max_length=20)

    def __init__(self, *args, placements, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["placement"].choices = [(p.pk, p.member.name) for p in placements]


class AssessmentForm(BootstrapMixin, forms.Form):
    quarter = forms.CharField(label=gettext_lazy("quarter"), max_length=7)
    status = forms.ChoiceField(
        label=gettext_lazy("status"),
        choices=[("", gettext_lazy("As the rule suggests")), *WorkshopStatus.choices],
        required=False,
    )
    note = forms.CharField(
        label=gettext_lazy("note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


def _writer(user) -> bool:
    return user.has_role(*WRITERS)


def _matcher(user) -> bool:
    return user.has_role(*MATCHERS)


def _latest_year(user) -> int:
    """The latest year with months and wages recorded in the user's area (this year if none)."""
    latest = (
        WorkRecord.objects.filter(placement__in=Placement.objects.visible_to(user))
        .order_by("-year")
        .values_list("year", flat=True)
        .first()
    )
    return latest or clock.today().year


def _year(request) -> int:
    try:
        year = int(request.GET.get("year") or _latest_year(request.user))
    except ValueError:
        year = _latest_year(request.user)
    return min(max(year, 2000), 2100)


def _people(employer):
    return list(
        employer.placements.select_related("member", "member__household")
        .prefetch_related("work_records")
        .order_by("ended_on", "started_on", "id")
    )


def _towns(codes) -> list[tuple[str, str]]:
    return list(
        Region.objects.filter(level="town", code__in={c[:9] + "000" for c in codes}).values_list(
            "code", "name"
        )
    )


def _narrowed(queryset, request, region):
    """A page's region filter: a malformed or foreign region is not found."""
    try:
        return narrowed(queryset, request.user, region)
    except DomainError:
        raise Http404 from None


# --- Workshops ------------------------------------------------------------------------------------
@login_required
def workshop_list(request):
    year = _year(request)
    region = request.GET.get("region") or ""
    queryset = _narrowed(Workshop.objects.visible_to(request.user), request, region).select_related("project")
    rows = workshop_rows(queryset, year)
    names = region_names({w.region_code for w in rows})
    groups: dict[str, list] = {}
    for workshop in rows:
        groups.setdefault(workshop.region_code[:9] + "000", []).append(workshop)
    towns = dict(_towns(Workshop.objects.visible_to(request.user).values_list("region_code", flat=True)))
    by_town = [
        {
            "code": code,
            "name": names.get(code) or towns.get(code, code),
            "workshops": items,
            "capacity": sum(w.capacity for w in items),
            "employed": sum(w.employed for w in items),
        }
        for code, items in sorted(groups.items())
    ]
    return render(
        request,
        "employment/jobs/workshops.html",
        {
            "year": year,
            "years": range(clock.today().year, min(clock.today().year - 8, year) - 1, -1),
            "region": region,
            "towns": sorted(towns.items()),
            "by_town": by_town,
            "names": names,
            "totals": {
                "count": len(rows),
                "capacity": sum(w.capacity for w in rows),
                "employed": sum(w.employed for w in rows),
                "qualifying": sum(1 for w in rows if w.qualification["qualifies"]),
            },
        },
    )


@login_required
def workshop_detail(request, pk, placement_form=None, status=200):
    workshop = get_visible_or_404(Workshop.objects.select_related("project"), request.user, pk=pk)
    year = _year(request)
    workshop = workshop_rows(Workshop.objects.filter(pk=workshop.pk).select_related("project"), year)[0]
    people = _people(workshop)
    active = [p for p in people if p.ended_on is None or p.ended_on >= clock.today()]
    writer, matcher = _writer(request.user), _matcher(request.user)
    suggested, _result = jobs.suggest_status(workshop, jobs.current_quarter())
    return render(
        request,
        "employment/jobs/workshop.html",
        {
            "workshop": workshop,
            "year": year,
            "names": region_names({workshop.region_code} | {p.member.household.region_code for p in people}),
            "people": people,
            "assessments": list(workshop.assessments.select_related("assessed_by").order_by("-quarter")),
            "placement_form": placement_form
            or PlacementForm(employer=workshop, user=request.user, initial={"started_on": clock.today()})
            if matcher
            else None,
            "record_form": WorkRecordForm(placements=active, initial={"year": year})
            if matcher and active
            else None,
            "assessment_form": AssessmentForm(initial={"quarter": jobs.current_quarter()})
            if writer
            else None,
            "suggested": WorkshopStatus(suggested).label,
        },
        status=status,
    )


def _fail(request, exc: DomainError):
    messages.error(request, exc.message)


@login_required
@require_POST
def placement_new(request, kind, pk):
    if kind not in {"workshop", "post"}:
        raise Http404
    model = Workshop if kind == "workshop" else Post
    employer = get_visible_or_404(model.objects.all(), request.user, pk=pk)
    form = PlacementForm(request.POST, employer=employer, user=request.user)
    if form.is_valid():
        try:
            jobs.place(
                request.user,
                member=form.cleaned_data["member"],
                started_on=form.cleaned_data["started_on"],
                monthly_wage=form.cleaned_data["monthly_wage"] or None,
                **{kind: employer},
            )
        except DomainError as exc:
            _refusal_in_form(exc, form)
        else:
            messages.success(request, _("The person was placed."))
            return redirect(f"employment:{kind}", pk=employer.pk)
    # The page again with the form as it was sent and each refusal next to its field (the employer's own
    # refusals, such as no free place, above the form): nothing was written.
    page = workshop_detail if kind == "workshop" else post_detail
    return page(request, pk=employer.pk, placement_form=_marked(form), status=400)


def _refusal_in_form(exc: DomainError, form) -> None:
    """Each field the refusal names next to that field; a field the form lacks above the form."""
    for field, message in exc.fields.items() or [(None, exc.message)]:
        name = FORM_FIELDS.get(field, field)
        form.add_error(name if name in form.fields else None, message)


@login_required
@require_POST
def work_record_new(request, kind, pk):
    if kind not in {"workshop", "post"}:
        raise Http404
    model = Workshop if kind == "workshop" else Post
    employer = get_visible_or_404(model.objects.all(), request.user, pk=pk)
    placements = list(employer.placements.select_related("member"))
    form = WorkRecordForm(request.POST, placements=placements)
    if form.is_valid():
        placement = next(p for p in placements if p.pk == form.cleaned_data["placement"])
        try:
            jobs.record_work(
                request.user,
                placement,
                year=form.cleaned_data["year"],
                months=form.cleaned_data["months"],
                wages=form.cleaned_data["wages"],
            )
            messages.success(request, _("The months and wages were recorded."))
        except DomainError as exc:
            _fail(request, exc)
    else:
        messages.error(request, _("Please correct the form."))
    return redirect(f"employment:{kind}", pk=employer.pk)


@login_required
@require_POST
def assessment_new(request, pk):
    workshop = get_visible_or_404(Workshop.objects.all(), request.user, pk=pk)
    form = AssessmentForm(request.POST)
    if form.is_valid():
        try:
            jobs.assess_workshop(request.user, workshop, **form.cleaned_data)
            messages.success(request, _("The quarterly status was recorded."))
        except DomainError as exc:
            _fail(request, exc)
    else:
        messages.error(request, _("Please correct the form."))
    return redirect("employment:workshop", pk=workshop.pk)


# --- Posts ----------------------------------------------------------------------------------------
@login_required
def post_list(request):
    region = request.GET.get("region") or ""
    kind = request.GET.get("kind") or ""
    queryset = _narrowed(Post.objects.visible_to(request.user), request, region)
    if kind:
        queryset = queryset.filter(kind=kind)
    posts = list(jobs.with_occupancy(queryset, clock.today()))
    names = region_names({p.region_code for p in posts})
    towns = dict(_towns(Post.objects.visible_to(request.user).values_list("region_code", flat=True)))
    return render(
        request,
        "employment/jobs/posts.html",
        {
            "posts": posts,
            "names": names,
            "region": region,
            "kind": kind,
            "towns": sorted(towns.items()),
            "totals": {
                "count": len(posts),
                "places": sum(p.places for p in posts),
                "employed": sum(p.employed for p in posts),
            },
        },
    )


@login_required
def post_detail(request, pk, placement_form=None, status=200):
    post = get_visible_or_404(jobs.with_occupancy(Post.objects.all(), clock.today()), request.user, pk=pk)
    people = _people(post)
    active = [p for p in people if p.ended_on is None or p.ended_on >= clock.today()]
    matcher = _matcher(request.user)
    return render(
        request,
        "employment/jobs/post.html",
        {
            "post": post,
            "names": region_names({post.region_code} | {p.member.household.region_code for p in people}),
            "people": people,
            "year": clock.today().year,
            "placement_form": placement_form
            or PlacementForm(employer=post, user=request.user, initial={"started_on": clock.today()})
            if matcher
            else None,
            "record_form": WorkRecordForm(placements=active, initial={"year": clock.today().year})
            if matcher and active
            else None,
        },
        status=status,
    )


# --- Matching -------------------------------------------------------------------------------------
@login_required
def matching_list(request):
    region = request.GET.get("region") or ""
    try:
        people = matching.candidates(request.user, region)
    except DomainError:
        raise Http404 from None
    page = Paginator(people, MATCHING_PAGE).get_page(request.GET.get("page"))
    cards = _with_steps(request.user, matching.attach(page.object_list))
    villages = (
        Region.objects.visible_to(request.user)
        .filter(level__in=["town", "village"])
        .values_list("code", "name")
    )
    return render(
        request,
        "employment/jobs/matching.html",
        {
            "page": page,
            "cards": cards,
            "names": region_names({c.village_code for c in cards}),
            "region": region,
            "places": list(villages)[:600],
            "can_act": _matcher(request.user),
        },
    )


def _with_steps(user, cards):
    """Each open offer's buttons: the steps the workflow (enums.OFFERS) lets this user take."""
    for card in cards:
        if card.offer is not None:
            card.offer.steps = {step.action for step in OFFERS.allowed(user, card.offer)}
    return cards


def _card(request, member, note="", done=False):
    candidate = _with_steps(request.user, matching.attach([member]))[0]
    return render(
        request,
        "employment/jobs/_card.html",
        {
            "c": candidate,
            "names": region_names([member.household.region_code]),
            "can_act": _matcher(request.user),
            "note": note,
            "done": done,
        },
    )


def _visible_member(request, member_id):
    from fupin.registry.models import Household

    member = (
        Member.objects.filter(pk=member_id, household__in=Household.objects.visible_to(request.user))
        .select_related("household")
        .first()
    )
    if member is None:
        raise Http404
    return member


@login_required
@require_POST
def offer_new(request, member_id):
    if not _matcher(request.user):
        raise PermissionDenied
    member = _visible_member(request, member_id)
    kind, employer_id = request.POST.get("kind"), request.POST.get("employer")
    model = Workshop if kind == "workshop" else Post
    employer = jobs.reachable(model.objects.all(), request.user).filter(pk=employer_id or 0).first()
    note = ""
    if employer is None:
        note = _("No such workshop in your area.") if kind == "workshop" else _("No such post in your area.")
    else:
        try:
            matching.make_offer(
                request.user,
                member=member,
                monthly_wage=request.POST.get("monthly_wage") or None,
                **{"workshop" if kind == "workshop" else "post": employer},
            )
        except DomainError as exc:
            note = exc.message
    return _card(request, member, note)


@login_required
@require_POST
def offer_decide(request, pk, outcome):
    if outcome not in {"accept", "decline"}:
        raise Http404
    if not _matcher(request.user):
        raise PermissionDenied
    offer = get_visible_or_404(Offer.objects.select_related("member__household"), request.user, pk=pk)
    note, done = "", False
    try:
        if outcome == "accept":
            offer = matching.accept_offer(request.user, offer)
            note = _("Accepted: %(name)s starts at %(employer)s.") % {
                "name": offer.member.name,
                "employer": offer.employer,
            }
            done = True
        else:
            matching.decline_offer(request.user, offer, reason=request.POST.get("reason"))
            note = _("Declined; the person stays on the list.")
    except DomainError as exc:
        note = exc.message
    return _card(request, offer.member, note, done)


def _project(request, pk) -> Project:
    return queries.project(request.user, pk)


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


# --- Employment compliance ------------------------------------------------------------------------
@login_required
def employment(request):
    """Compliance by town with the county total; the shortfall is highlighted."""
    result = compliance.by_town(Project.objects.visible_to(request.user))
    return render(request, "employment/employment.html", {**result, "today": clock.today()})


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
        "employment/employment_town.html",
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
            return redirect("employment:project-employment", pk=project.pk)
        except DomainError as exc:
            _show_error(request, exc, form)
    agreements = list(project.employment_agreements.select_related("member__household"))
    today = clock.today()
    for agreement in agreements:
        agreement.masked_id = mask_id_number(agreement.member.id_number)
        agreement.active = agreement.is_active_on(today)
    return render(
        request,
        "employment/project_employment.html",
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
