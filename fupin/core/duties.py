"""Separation of duties (职责分离, maker-checker): who made a step may not also check the next one.

One helper for every module: the project's town review, fund allocations and their payments, budget
changes, and later the registry's gates and the dividend plans. A refusal is a DomainError whose message
names the rule, so that the person sees which duty they may not combine.
"""

from django.utils.translation import gettext as _

from .errors import DomainError


class DutiesNotSeparated(DomainError):
    code = "separation_of_duties"
    status = 400


def same_person(actor, earlier_actor) -> bool:
    """Is `actor` the person who took the earlier step? An unknown earlier actor (a historical record,
    the demo's seed) is nobody."""
    if actor is None or earlier_actor is None:
        return False
    earlier_pk = getattr(earlier_actor, "pk", earlier_actor)
    return earlier_pk is not None and earlier_pk == actor.pk


def ensure_different_person(actor, earlier_actor, rule_name, *, field: str = "state") -> None:
    """Refuse when `actor` took the earlier step; `rule_name` says which two duties are kept apart."""
    if same_person(actor, earlier_actor):
        raise DutiesNotSeparated(_("Separation of duties: %(rule)s.") % {"rule": rule_name}, field=field)
