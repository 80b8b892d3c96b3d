"""No module outside core filters on region codes by hand: the region scope lives in `core/scope.py` and the
role rule in `core/access.py`, and every app asks them (`visible_to`, `within`, `covers`, `region_param`).

The test reads the source, so that a new hand-made filter fails here the day it is written, not the day a
town sees another town's rows.
"""

import re
from pathlib import Path

import fupin

ROOT = Path(fupin.__file__).parent

# Ways of filtering by region code by hand, each with the helper that replaces it.
HAND_MADE = {
    r"scope_prefix": "scope.area_of / scope.covers / visible_to",
    r"code_range": "queryset.within / scope.within_lookup",
    r"(region_code|region__code|\bcode)__startswith": "queryset.within / scope.within_lookup",
    r"(region_code|region__code|\bcode)__range": "queryset.within / scope.within_lookup",
    r"(region_code|\.code|\bregion|\bprefix)\.startswith\(": "scope.covers / scope.code_within",
    r"\.has_role\(\s*Role\.(COUNTY_ADMIN|TOWN_OFFICER|INSPECTOR)\s*,": "access.may / access.can_read",
}
# Demo data is generated for named towns (司马镇's households go to its helper, and so on), by the loader
# with no user: it picks places, it does not decide what anybody may see.
ALLOWED = {"demo.py"}  # and every module of a demo package (benefits/demo/)


def sources():
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT)
        if relative.parts[0] == "core" or "tests" in relative.parts or "migrations" in relative.parts:
            continue
        if path.name in ALLOWED or "demo" in relative.parts[1:-1]:
            continue
        yield relative, path.read_text(encoding="utf-8")


def test_no_module_outside_core_filters_on_region_codes_by_hand():
    found = []
    for relative, text in sources():
        for number, line in enumerate(text.splitlines(), start=1):
            for pattern, instead in HAND_MADE.items():
                if re.search(pattern, line):
                    found.append(f"{relative}:{number}: {line.strip()}  → use {instead}")
    assert not found, "Region or role filtered by hand outside core:\n" + "\n".join(found)


def test_the_check_sees_a_hand_made_filter():
    """The patterns catch what they are meant to (else the test above would pass on anything)."""
    samples = [
        "Household.objects.filter(region_code__startswith=user.region_id[:9])",
        "if not region.code.startswith(actor.scope_prefix):",
        "rows.filter(region_code__range=code_range(prefix))",
        'User.objects.filter(region__code__startswith="370828")',
    ]
    for sample in samples:
        assert any(re.search(pattern, sample) for pattern in HAND_MADE), sample
