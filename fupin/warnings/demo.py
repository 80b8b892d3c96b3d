"""Demo of risk warnings: a scan of the demo county as of today raises warnings of several rules in several
towns; then a town officer acknowledges and handles some, finance closes an idle-fund warning, and one is
dismissed as a false alarm, so that a newcomer sees the whole life of a warning."""

from fupin.core import clock
from fupin.core.demo import COUNTY, run_once
from fupin.core.models import User

from . import services
from .enums import Level, State, Transition
from .models import Warning


def load(log) -> None:
    run_once("warnings.scan", load_warnings, log)


def _first(rule: str, **extra):
    return Warning.objects.filter(rule=rule, state=State.PENDING, **extra).order_by("id").first()


# The demo's generated incomes are low (four households in ten under the monitoring line, where a real
# county has a few in a hundred): the demo county counts a household only far under the line, so that a
# newcomer sees tens of income warnings among the others, not two thousand. Set through the rule settings
# (policy, audited) as a county administrator would.
DEMO_THRESHOLDS = {"income_below_line": {"yellow": 50, "orange": 40, "red": 30}}


def _demo_thresholds(admin) -> None:
    from fupin.core.models import Region

    from . import thresholds

    county = Region.objects.get(code=COUNTY[0])
    raw = {
        f"{code}__{level}": value
        for code, levels in DEMO_THRESHOLDS.items()
        for level, value in levels.items()
    }
    thresholds.set_thresholds(admin, county, clock.today().year, raw, "演示数据：只对远低于监测线的户预警")


def load_warnings(log) -> None:
    admin = User.objects.get(username="admin")
    _demo_thresholds(admin)
    result = services.scan_county(COUNTY[0])
    finance = User.objects.get(username="finance")
    handled = 0
    idle = _first("funds_idle")
    if idle is not None:
        services.transition(finance, idle, Transition.ACKNOWLEDGE, "已签收，联系项目单位核实支付进度")
        services.transition(finance, idle, Transition.VERIFY, "核实属实：工程款待结算")
        services.transition(finance, idle, Transition.CLOSE, "已督促项目单位完成结算并拨付")
        handled += 1
    overdue = _first("project_overdue") or _first("project_not_started")
    if overdue is not None:
        services.transition(admin, overdue, Transition.ACKNOWLEDGE, "已签收，转乡镇核实")
        services.transition(admin, overdue, Transition.VERIFY, "核实属实，约谈项目负责人")
        handled += 1
    for rule in ("visit_missed", "income_below_line", "problem_overdue"):
        warning = _first(rule, level__in=[Level.YELLOW, Level.ORANGE])
        if warning is not None:
            services.transition(admin, warning, Transition.ACKNOWLEDGE, "已签收")
            handled += 1
            break
    false_alarm = _first("income_below_line") or _first("visit_missed")
    if false_alarm is not None:
        services.transition(
            admin, false_alarm, Transition.DISMISS, "该户收入已按新核实的数据更正，不低于监测标准"
        )
    rules = ", ".join(f"{code} {n}" for code, n in result.by_rule.items() if n)
    log(f"  风险预警：新增 {result.raised} 条（{rules}），处置 {handled} 条，误报 1 条")
