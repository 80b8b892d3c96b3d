"""The warning list as a spreadsheet, written through core's safe sheet."""

from django.utils.translation import gettext as _

from fupin.core import files

from .enums import Level, State
from .rules import RULES


def warnings_xlsx(warnings) -> str:
    workbook = files.workbook()
    sheet = files.sheet(workbook, _("Warnings"))
    sheet.append(
        [
            _("Rule"),
            _("Level"),
            _("State"),
            _("Warning subject"),
            _("Area"),
            _("Message"),
            _("Raised on"),
            _("Updated on"),
        ]
    )
    levels, states = dict(Level.choices), dict(State.choices)
    fields = ("rule", "level", "state", "subject_repr", "region_code", "message", "raised_on", "updated_on")
    for row in warnings.order_by("-raised_on", "-id").values_list(*fields).iterator(chunk_size=2000):
        rule, level, state, *rest = row
        sheet.append(
            [str(RULES[rule].name) if rule in RULES else rule, str(levels[level]), str(states[state]), *rest]
        )
    return files.save_workbook(workbook, "fupin-warnings-")
