"""Separation of duties (职责分离): the person who took one step of a procedure may not approve the next.

A discipline inspector checks that no single person carried an application through two approval levels;
each app names its steps and calls this one check before it records an approval.
"""

from django.utils.translation import gettext as _

from .errors import DomainError


def ensure_different_person(actor, earlier_actor, rule_label) -> None:
    """Refuse when `actor` is the person who took the earlier step named by `rule_label`."""
    if actor is None or earlier_actor is None:
        return
    if getattr(actor, "pk", actor) == getattr(earlier_actor, "pk", earlier_actor):
        raise DomainError(
            _("Separation of duties: %(rule)s must be done by a different person.") % {"rule": rule_label},
            field="actor",
            code="separation_of_duties",
        )
