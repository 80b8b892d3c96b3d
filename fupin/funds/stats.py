"""Execution rates (执行率): paid ÷ allocated, per project, source, town and level."""

from decimal import Decimal

from django.db.models import Count, Sum
from django.db.models.functions import Substr

from fupin.core.money import yuan

from .enums import FundLevel
from .services import rate

KEYS = {
    "project": ("project_id", "project__name"),
    "source": ("source_id", "source__document_no"),
    "town": ("town", None),
    "level": ("source__level", None),
}


def execution(allocations, dimension: str) -> list[dict]:
    key, label = KEYS[dimension]
    rows = allocations.filter(reverses__isnull=True).order_by()
    if dimension == "town":
        rows = rows.annotate(town=Substr("region_code", 1, 9))
    names = [key] + ([label] if label else [])
    data = (
        rows.values(*names)
        .annotate(allocated=Sum("net_amount"), paid=Sum("paid"), allocations=Count("id"))
        .order_by(key)
    )
    out = []
    for row in data:
        out.append(
            {
                "key": str(row[key]),
                "label": str(row[label]) if label else str(row[key]),
                "allocations": row["allocations"],
                "allocated": row["allocated"] or Decimal(0),
                "paid": row["paid"] or Decimal(0),
                "rate": rate(row["paid"] or 0, row["allocated"] or 0),
            }
        )
    if dimension == "level":  # 中央, 省, 市, 县: the order of the money's way down
        order = {level: i for i, level in enumerate(FundLevel.values)}
        out.sort(key=lambda row: order.get(row["key"], len(order)))
    return out


def plain(row: dict) -> dict:
    return {
        **row,
        "allocated": yuan(row["allocated"]),
        "paid": yuan(row["paid"]),
        "rate": str(row["rate"]) if row["rate"] is not None else None,
    }


def totals(allocations) -> dict:
    data = allocations.filter(reverses__isnull=True).aggregate(allocated=Sum("net_amount"), paid=Sum("paid"))
    allocated, paid = data["allocated"] or Decimal(0), data["paid"] or Decimal(0)
    return {"allocated": allocated, "paid": paid, "unpaid": allocated - paid, "rate": rate(paid, allocated)}
