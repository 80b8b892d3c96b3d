"""What the project library asks about a project's money, without importing the funds app.

Funds depends on projects (an allocation points at a project), so the dependency must not run back:
the funds app registers its answers here in `FundsConfig.ready()`. Without the funds app installed a
project simply has no money allocated, and the start of work stays blocked as the rules require.
"""

from decimal import Decimal


def _no_money(project) -> Decimal:
    return Decimal("0.00")


def _no_allocations(project) -> list:
    return []


_answers = {"allocated_total": _no_money, "allocations": _no_allocations}


def register(**answers) -> None:
    """Called by the funds app with `allocated_total(project)` and `allocations(project)`."""
    unknown = set(answers) - set(_answers)
    if unknown:
        raise TypeError(f"unknown funding answers: {sorted(unknown)}")
    _answers.update(answers)


def allocated_total(project) -> Decimal:
    """Net amount allocated to the project, reversals excluded."""
    return _answers["allocated_total"](project)


def allocations(project):
    """The project's allocations (reversals excluded) with their sources, for its page."""
    return _answers["allocations"](project)
