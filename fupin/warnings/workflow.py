"""A warning's handling (签收 → 核实 → 办结, or 误报): the one table its service enforces and its page and
API show. The role is not enough: a warning is handled by the roles its rule names (rules.RULES)."""

from django.utils.translation import gettext_lazy as _

from fupin.core.access import Action, roles_for
from fupin.core.transitions import Step, Workflow

from .enums import State, Transition
from .rules import RULES


def handles_rule(user, warning) -> bool:
    """Is the user one of the roles that handle this warning's rule?"""
    rule = RULES.get(warning.rule)
    return rule is not None and user.has_role(*rule.handlers)


HANDLERS = roles_for(Action.HANDLE_WARNING)


def _step(action: Transition, sources, target, reason_refusal=None) -> Step:
    return Step(
        action.value,
        frozenset(sources),
        target,
        HANDLERS,
        action.label,
        reason=reason_refusal is not None,
        who=handles_rule,
        reason_refusal=reason_refusal,
    )


WARNINGS = Workflow(
    "warnings.warning",
    [
        _step(Transition.ACKNOWLEDGE, {State.PENDING}, State.VERIFYING),
        _step(Transition.VERIFY, {State.VERIFYING}, State.HANDLING),
        _step(Transition.CLOSE, {State.HANDLING}, State.DONE, _("Describe how the warning was handled.")),
        _step(
            Transition.DISMISS,
            {State.PENDING, State.VERIFYING},
            State.DISMISSED,
            _("Give the reason why the warning is a false alarm."),
        ),
    ],
    refusal=_("A warning that is “%(state)s” cannot be “%(action)s”."),
    reason_field="note",
)
