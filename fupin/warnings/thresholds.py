"""The county administrator's rule settings: the 黄/橙/红 thresholds of each rule for the county and a year,
kept as policy settings (core/policy.py, audited there as `policy.set`). Checked as a whole before anything
is written: every number valid, and the levels in order (orange at least as severe as yellow, red as
orange)."""

from django.db import transaction
from django.utils.translation import gettext as _

from fupin.core import access, policy
from fupin.core.access import Action
from fupin.core.errors import DomainError
from fupin.core.models import Region

from .enums import LEVEL_ORDER
from .rules import RULES


def table(county_code: str, year: int) -> list[dict]:
    """Each configurable rule with its thresholds in force and whether the county (this year or an earlier
    one) set them, or they come from a wider region or the default."""
    region = county_code[:6].ljust(12, "0")
    rows = []
    for rule in RULES.values():
        if rule.defaults is None:
            continue
        levels = []
        for level in LEVEL_ORDER:
            value, source = policy.lookup(rule.policy_key(level), region, year)
            levels.append(
                {"level": level, "value": value, "own": source is not None and source.region_id == region}
            )
        rows.append({"rule": rule, "levels": levels})
    return rows


def _field(code: str, level: str) -> str:
    return f"{code}__{level}"


@transaction.atomic
def set_thresholds(actor, county: Region, year: int, raw: dict, note: str = "") -> int:
    """Set the thresholds given in `raw` ({"<rule>__<level>": text}) for the county and year; the number of
    settings changed. Nothing is written unless every rule given is valid."""
    access.require(actor, Action.CONFIGURE)
    if not 2000 <= int(year) <= 2100:
        raise DomainError(_("The year must lie between 2000 and 2100."), field="year")
    errors, wanted = {}, []
    for code, rule in RULES.items():
        if rule.defaults is None or not any(_field(code, level) in raw for level in LEVEL_ORDER):
            continue
        current = rule.thresholds(county.code, year)
        values = {}
        for level in LEVEL_ORDER:
            name = _field(code, level)
            text = str(raw.get(name, current[level])).strip()
            try:
                values[level] = policy.POLICIES[rule.policy_key(level)].parse(text)
            except ValueError as exc:
                errors[name] = f"{rule.name}：{exc}"
        if len(values) < len(LEVEL_ORDER):
            continue
        ordered = [values[level] for level in LEVEL_ORDER]
        in_order = ordered == sorted(ordered, reverse=not rule.higher_is_worse)
        if not in_order:
            message = (
                _("%(rule)s: the thresholds must not fall from yellow to orange to red.")
                if rule.higher_is_worse
                else _("%(rule)s: the thresholds must not rise from yellow to orange to red.")
            )
            errors[_field(code, LEVEL_ORDER[-1])] = message % {"rule": rule.name}
            continue
        wanted += [
            (rule.policy_key(level), values[level])
            for level in LEVEL_ORDER
            if values[level] != current[level]
        ]
    if errors:
        raise DomainError(next(iter(errors.values())), fields=errors)
    for key, value in wanted:
        policy.set_value(actor, key, county, year, value, note)
    return len(wanted)
