"""One shape for every workflow (household gates, projects, problems, lecture requests, dividend plans …).

A workflow is data: its steps say from which states an action may start, where it leads, which roles may take
it, whether a reason is required and, where the role is not enough, who else must hold (the lecturer of this
lecture, the requester's own unit). Services call `check` before they write; pages and the API ask `allowed`
and `may` for their buttons, so a button is shown exactly when the service would accept the step.

Refusals are told apart because the API answers them differently: an unknown action is a bad request (400),
a role that may not is 403, a state that does not allow the step is a conflict (409), a missing reason is a
bad field (400). Guards that read other data (a project's targets, a notice period) stay in the service, after
`check`: they are rules of the step, not of the table.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import access
from .errors import DomainError, StateConflict

REFUSAL = gettext_lazy("What is “%(state)s” cannot be given “%(action)s”.")
REASON_REFUSAL = gettext_lazy("Give the reason.")
Who = Callable[[object, object], bool]  # (user, obj) -> may this user take the step on this object?


@dataclass(frozen=True)
class Step:
    action: str
    sources: frozenset[str]
    target: str | None  # None: the service decides (e.g. a review that passes or fails)
    roles: tuple[str, ...]
    verb: str  # what the button says (lazy translation)
    reason: bool = False  # a reason is required
    who: Who | None = field(default=None, compare=False)
    # This step's own words, where the workflow's do not fit (both may use %(state)s and %(action)s).
    refusal: str | None = field(default=None, compare=False)
    reason_refusal: str | None = field(default=None, compare=False)

    def starts_from(self, state: str) -> bool:
        return state in self.sources


class Workflow:
    """The steps of one workflow, and the three questions every caller asks of them."""

    def __init__(
        self,
        name: str,
        steps: Iterable[Step],
        *,
        refusal=REFUSAL,
        reason_refusal=REASON_REFUSAL,
        reason_field: str = "reason",
        state_of: Callable[[object], str] = lambda obj: obj.state,
        state_label: Callable[[object], str] = lambda obj: obj.get_state_display(),
    ):
        self.name = name
        self.steps: dict[str, Step] = {}
        for step in steps:
            if step.action in self.steps:
                raise ValueError(f"{name}: action {step.action!r} declared twice")
            self.steps[step.action] = step
        self.refusal = refusal
        self.reason_refusal, self.reason_field = reason_refusal, reason_field
        self.state_of = state_of
        self.state_label = state_label

    def __contains__(self, action) -> bool:
        return action in self.steps

    def __iter__(self):
        return iter(self.steps.values())

    def step(self, action: str) -> Step:
        try:
            return self.steps[action]
        except (KeyError, TypeError):
            raise DomainError(
                _("Unknown action “%(action)s”.") % {"action": action}, field="action"
            ) from None

    def permits(self, user, obj, step: Step) -> bool:
        """May this user take this step on this object, whatever its state?"""
        return user.has_role(*step.roles) and (step.who is None or step.who(user, obj))

    def may(self, user, obj, action: str) -> bool:
        step = self.steps.get(action)
        return step is not None and step.starts_from(self.state_of(obj)) and self.permits(user, obj, step)

    def allowed(self, user, obj) -> list[Step]:
        """The steps this user may take on this object now, in declaration order (the buttons of its page)."""
        state = self.state_of(obj)
        return [s for s in self.steps.values() if s.starts_from(state) and self.permits(user, obj, s)]

    def check(self, actor, obj, action: str, reason: str = "") -> Step:
        """Refuse the step unless the table allows it; returns the step. Call it on the locked row."""
        step = self.step(action)
        if not self.permits(actor, obj, step):
            raise access.refused()
        words = {"state": self.state_label(obj), "action": step.verb}
        if not step.starts_from(self.state_of(obj)):
            raise StateConflict((step.refusal or self.refusal) % words, field="state")
        if step.reason and not (reason or "").strip():
            raise DomainError((step.reason_refusal or self.reason_refusal) % words, field=self.reason_field)
        return step
