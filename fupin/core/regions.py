"""Region names as people read them on pages and notices."""

from .models import Region


def region_names(codes=None) -> dict:
    """Region code → the name people read on a notice: a village with its town (司马镇南徐庄村)."""
    rows = Region.objects.filter(level__in=["town", "village"])
    if codes is not None:
        codes = set(codes)
        rows = rows.filter(code__in=codes | {code[:9] + "000" for code in codes})
    names = dict(rows.values_list("code", "name"))
    return {
        code: name if code.endswith("000") else names.get(code[:9] + "000", "") + name
        for code, name in names.items()
    }
