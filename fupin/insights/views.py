"""Pages of insights: the workbench (home), the dashboards, a chart's .xlsx, the 大屏 and the data it polls.
Thin: the figures come from figures.py, charts.py, overview.py and workbench.py, inside the user's area."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from fupin.core import access, clock, files, scope
from fupin.core.enums import ROLE_DUTIES, Role
from fupin.core.errors import DomainError
from fupin.core.models import Region

from . import charts, figures, overview, screen, workbench


def _region(request) -> str:
    """The area a page shows: the `region` filter inside the user's area (404 outside, or malformed)."""
    try:
        return scope.region_param(request.user, request.GET.get("region"))
    except DomainError:
        raise Http404 from None


@login_required
def home(request):
    user = request.user
    chain = figures.region_chain(user)
    region = chain[-1] if chain and chain[-1].code == user.region_id else None
    today = clock.today()
    context = {
        "region": region,
        "ancestors": chain[:-1],
        "roles": [(Role(code).label, ROLE_DUTIES[code]) for code in sorted(user.role_codes)],
        "today": today,
        "dashboard": access.allows(user, "/insights/"),
    }
    if region is None:
        return render(request, "insights/workbench.html", context)
    prefix = scope.area_of(user)
    numbers = workbench.numbers(user, prefix, today)
    names = workbench.chart_names(user)
    context |= {
        "todos": workbench.todos(user, prefix, today, numbers),
        "cards": workbench.cards(user, numbers),
        "charts": [charts.CHARTS[name] for name in names],
        "chart_data": {name: charts.CHARTS[name].data(user, prefix, today) for name in names},
        "households": workbench.my_households(user, today) if user.has_role(Role.HELPER) else None,
        "seats": workbench.my_reviews(user) if access.may(user, access.Action.SCORE) else None,
    }
    return render(request, "insights/workbench.html", context)


@login_required
def dashboard(request):
    user = request.user
    prefix = _region(request)
    today = clock.today()
    readable = charts.readable_charts(user)
    sections = []
    for key, title in charts.SECTIONS:
        inside = [chart for chart in readable if chart.section == key]
        if inside:
            sections.append({"key": key, "title": title, "charts": inside})
    areas = Region.objects.visible_to(user).filter(level__in=["county", "town"]).order_by("code")
    context = {
        "sections": sections,
        "chart_data": {chart.name: chart.data(user, prefix, today) for chart in readable},
        "prefix": prefix,
        "region_code": prefix.ljust(12, "0"),
        "areas": areas,
        "area": next((a for a in areas if a.code == prefix.ljust(12, "0")), None),
    }
    return render(request, "insights/dashboard.html", context)


@login_required
def chart_xlsx(request, name: str):
    chart = charts.CHARTS.get(name)
    if chart is None:
        raise Http404
    if not chart.readable_by(request.user):
        raise PermissionDenied(_("Your role does not allow this action."))
    data = chart.data(request.user, _region(request), clock.today())
    book = files.workbook()
    sheet = files.sheet(book, str(chart.title)[:31])
    sheet.append([_("Chart category"), *[s["name"] for s in data["series"]]])
    for index, label in enumerate(data["labels"]):
        sheet.append([label, *[s["data"][index] for s in data["series"]]])
    return files.xlsx_download(files.save_workbook(book, "chart-"), str(chart.title))


@login_required
def big_screen(request):
    user = request.user
    prefix = _region(request)
    context = {
        "prefix": prefix,
        "region_code": prefix.ljust(12, "0"),
        "tiles": screen.tiles(prefix),
        "figures": screen.figures_for(user),
        "refresh": screen.REFRESH_SECONDS,
    }
    return render(request, "insights/screen.html", context)


@login_required
def screen_data(request):
    """What the 大屏 polls: the headline figures, the chosen figure per tile, two charts."""
    user = request.user
    prefix = _region(request)
    today = clock.today()
    wanted = request.GET.get("figure", "")
    offered = screen.figures_for(user)
    figure = next((f for f in offered if f.key == wanted), offered[0] if offered else None)
    return JsonResponse(
        {
            "overview": overview.overview(user, prefix, today),
            "map": screen.map_values(user, prefix, today, figure) if figure else None,
            "charts": {
                name: charts.CHARTS[name].data(user, prefix, today)
                for name in screen.SIDE_CHARTS
                if charts.CHARTS[name].readable_by(user)
            },
            "now": clock.now().strftime("%Y-%m-%d %H:%M"),
        }
    )
