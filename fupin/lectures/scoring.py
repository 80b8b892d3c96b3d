"""The feedback form's criteria and their weights.

The weights are policy numbers (percent, per region and year, changed on the configuration pages) so that
the county can say, for example, that local cases count more than time control. They need not add up to
100: the weighted score divides by their sum.
"""

from decimal import Decimal

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from fupin.core import policy
from fupin.core.policy import Policy

SCORE_MIN, SCORE_MAX = 1, 5

# field name on Feedback, label, default weight in percent
CRITERIA = [
    ("score_content", _("Content"), 25),
    ("score_relevance", _("Relevance to local cases"), 25),
    ("score_delivery", _("Delivery"), 20),
    ("score_interaction", _("Interaction"), 15),
    ("score_time_control", _("Time control"), 15),
]
CRITERION_FIELDS = [field for field, _label, _weight in CRITERIA]

WEIGHT_POLICIES = [
    Policy(
        f"lecture_weight_{field.removeprefix('score_')}",
        format_lazy("{}：{}", _("Lecture feedback weight"), label),
        _("%"),
        int,
        weight,
        0,
    )
    for field, label, weight in CRITERIA
]


def weights(region_code: str, year: int | None = None) -> dict[str, int]:
    return {
        field: policy.value(f"lecture_weight_{field.removeprefix('score_')}", region_code, year)
        for field in CRITERION_FIELDS
    }


def weighted_score(scores: dict[str, int], weights_by_field: dict[str, int]) -> Decimal:
    """The weighted mean of the scores, on the same 1–5 scale, 2 decimals."""
    total_weight = sum(weights_by_field.values())
    if total_weight <= 0:  # every weight set to 0: fall back to the plain mean
        weights_by_field, total_weight = dict.fromkeys(weights_by_field, 1), len(weights_by_field)
    total = sum(Decimal(scores[field]) * weights_by_field[field] for field in CRITERION_FIELDS)
    return (total / total_weight).quantize(Decimal("0.01"))
