"""Demo dividends: every revenue entry of the operating projects is distributed to the project's
beneficiary households through the same steps an officer takes (plan, village review, notice, payment).

So that each situation can be seen, the last entries are left at different points: one plan paid after its
deadline (发放不及时, late), one approved but still unpaid long after its deadline (overdue), one on notice
and one still a draft. Everything else is paid in full on the first working day after the notice.
"""

from datetime import timedelta

from fupin.core import clock
from fupin.core.demo import run_once
from fupin.core.models import User
from fupin.core.workdays import add_working_days
from fupin.projects.enums import ProjectState

from .. import dividends
from ..distribution import CENT
from ..enums import LIVE_STATES, Method
from ..models import Revenue

CHANNELS = ("card", "bank", "card", "cash")


def _open_revenues():
    return (
        Revenue.objects.filter(
            project__state=ProjectState.OPERATING, reverses__isnull=True, reversal__isnull=True, amount__gt=0
        )
        .exclude(distribution_plans__state__in=LIVE_STATES)
        .select_related("project")
        .order_by("received_on", "id")
    )


def _pay_all(actor, plan, paid_on, channel):
    entries = [
        {
            "household_id": line.household_id,
            "recipient": line.recipient,
            "amount": line.amount,
            "paid_on": paid_on,
            "channel": channel,
            "voucher": f"FH{plan.pk:04d}-{n:03d}",
        }
        for n, line in enumerate(plan.lines.all(), start=1)
    ]
    dividends.record_payments(actor, plan, entries)


def load_dividends(log) -> None:
    admin = User.objects.get(username="admin")
    # Separation of duties: the county office's reviewer (the funds demo's second person) records the
    # village review of the plans the admin drew up.
    reviewer = User.objects.get(username="reviewer")
    revenues = [r for r in _open_revenues() if dividends.beneficiaries(r.project)]
    # The last four entries show the other situations; the rest are paid on time.
    endings = {
        len(revenues) - k: ending for k, ending in enumerate(("draft", "notice", "overdue", "late"), 1)
    }
    plans = paid = 0
    for n, revenue in enumerate(revenues):
        ending = endings.get(n, "paid")
        method = Method.PER_CAPITA if n % 3 == 0 else Method.EQUAL
        collective = (revenue.amount / 10).quantize(CENT) if n % 4 == 1 else None
        plan = dividends.create_plan(
            admin, revenue.project, revenue=revenue, method=method, collective_share=collective
        )
        plans += 1
        if ending == "draft":
            continue
        reviewed_on = min(add_working_days(revenue.received_on, 3), clock.today() - timedelta(days=40))
        if ending == "notice":  # reviewed this week, so that its notice runs now
            reviewed_on = clock.today() - timedelta(days=3)
        reviewed_on = max(reviewed_on, revenue.received_on)
        dividends.approve(
            reviewer,
            plan,
            reviewed_on=reviewed_on,
            note=f"村民代表会议审议，应到{18 + n % 7}人，实到、同意全部通过",
        )
        if ending == "overdue":
            continue
        notice_starts_on = add_working_days(reviewed_on, 1)
        notice_starts_on = min(notice_starts_on, clock.today())
        plan = dividends.disclose(admin, plan, notice_starts_on=notice_starts_on)
        if ending == "notice":
            continue
        paid_on = add_working_days(plan.notice_ends_on, 12 if ending == "late" else 1)
        _pay_all(admin, plan, min(paid_on, clock.today()), CHANNELS[n % len(CHANNELS)])
        paid += 1
    log(f"  收益分配：{plans} 个方案，{paid} 个已发放（另有发放不及时、逾期未发、公示中、草稿各一）")


def load(log) -> None:
    run_once("benefits.dividends", load_dividends, log)
