"""The 大屏: a schematic tile map of the area's towns (or a town's villages), no map service; the figure
that colours it; the charts at its side."""

import math
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from . import charts, figures

REFRESH_SECONDS = 60
SIDE_CHARTS = ["registry_status", "supervision_rates", "funds_level"]

# Jinxiang's 13 towns and streets placed roughly where they lie (column, row on a 5 × 4 grid): the four
# streets of the county town in the middle, the towns around them. A schematic, not a survey.
TOWN_TILES = {
    "370828101": (0, 0),  # 羊山镇
    "370828110": (1, 0),  # 化雨镇
    "370828102": (2, 0),  # 胡集镇
    "370828104": (3, 0),  # 鸡黍镇
    "370828109": (0, 1),  # 马庙镇
    "370828004": (1, 1),  # 王丕街道
    "370828001": (2, 1),  # 金乡街道
    "370828002": (3, 1),  # 高河街道
    "370828111": (4, 1),  # 卜集镇
    "370828103": (0, 2),  # 霄云镇
    "370828003": (2, 2),  # 鱼山街道
    "370828112": (3, 2),  # 兴隆镇
    "370828107": (1, 3),  # 司马镇
}
TILE_W, TILE_H, GAP = 150, 150, 12


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    chart: str
    series: int  # which series of the chart colours the map; -1: the sum of the first two
    unit: str


FIGURES = [
    Figure("households", _("Registered households"), "registry_area", -1, "户"),
    Figure("poor", _("Not yet lifted out"), "registry_area", 1, "户"),
    Figure("execution", _("Fund execution rate"), "funds_area", 2, "%"),
    Figure("dividends", _("Dividends paid (10,000 yuan)"), "benefits_area", 0, "万元"),
    Figure("overdue", _("Overdue problems"), "supervision_overdue", 0, "个"),
]


def figures_for(user) -> list[Figure]:
    return [f for f in FIGURES if charts.CHARTS[f.chart].readable_by(user)]


def tiles(prefix: str) -> dict:
    """The tiles of the regions one level below `prefix`, placed on the schematic grid (known towns) or in
    rows (villages, other counties), with the SVG's size."""
    names = figures.child_names(prefix)
    placed = []
    columns = 5 if all(code in TOWN_TILES for code in names) else max(1, math.ceil(math.sqrt(len(names))))
    for index, (code, name) in enumerate(names.items()):
        column, row = TOWN_TILES.get(code) if code in TOWN_TILES else (index % columns, index // columns)
        placed.append(
            {
                "code": code.ljust(12, "0"),
                "name": name,
                "x": column * (TILE_W + GAP),
                "y": row * (TILE_H + GAP),
                "cx": column * (TILE_W + GAP) + TILE_W // 2,
            }
        )
    width = max((t["x"] for t in placed), default=0) + TILE_W
    height = max((t["y"] for t in placed), default=0) + TILE_H
    return {"items": placed, "width": width, "height": height, "w": TILE_W, "h": TILE_H}


def map_values(user, prefix: str, today, figure: Figure) -> dict:
    data = charts.CHARTS[figure.chart].data(user, prefix, today)
    if figure.series == -1:
        values = [
            sum(v or 0 for v in column)
            for column in zip(*(s["data"] for s in data["series"][:2]), strict=True)
        ]
    else:
        values = data["series"][figure.series]["data"]
    return {
        "key": figure.key,
        "label": str(figure.label),
        "unit": figure.unit,
        "codes": data["codes"],
        "values": values,
    }
