"""Derive the shipped rivers/lakes subset and the exercise flood extents.

Usage: ``python tools/flood_exercise.py SHARED_WATER_DIR`` (the folder holding the
Natural Earth ``rivers.geojson`` and ``lakes.geojson``). Writes into
``sahelsat/data/water/``: ``rivers.geojson`` and ``lakes.geojson`` (cut to the three
countries and their neighbours, simplified to about 200 m, coordinates to 4 decimals)
and ``flood_exercise.geojson``: two EXERCISE extents (not observations), each the river
centre-lines within a box buffered by a fixed width, on a UTM grid.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import shapely
from pyproj import Transformer
from shapely.geometry import box, mapping, shape
from shapely.ops import unary_union

OUT = Path(__file__).resolve().parents[1] / "sahelsat" / "data" / "water"
KEEP = ("name", "featurecla", "scalerank")
LABEL = "exercise extent, not an observation"
LABEL_FR = "emprise d'exercice, pas une observation"

#: (name, French name, box lon0 lat0 lon1 lat1, rivers, lakes, buffer m, UTM EPSG)
EXERCISES = [
    ("Niger at Niamey - Tillabéri", "Niger de Niamey à Tillabéri",
     (1.40, 13.40, 2.25, 14.25), ("Niger",), (), 2500.0, 32631),
    ("Inner Niger Delta near Mopti", "Delta intérieur du Niger près de Mopti",
     (-4.60, 14.25, -3.75, 15.35), ("Niger", "Bani"),
     ("Lake Dbo",), 6000.0, 32630),
]  # fmt: skip


def _round(geom, digits: int = 4):
    return shapely.set_precision(geom, 10.0**-digits)


def _apply(fn, xy):
    import numpy as np

    x, y = fn(xy[:, 0], xy[:, 1])
    return np.column_stack([x, y])


def subset(data: dict, simplify_deg: float) -> dict:
    clip = box(-12.5, 9.0, 16.5, 25.5)
    feats = []
    for f in data["features"]:
        g = shape(f["geometry"]).intersection(clip).simplify(simplify_deg)
        if g.is_empty:
            continue
        props = {k: f["properties"].get(k) for k in KEEP}
        feats.append({"type": "Feature", "properties": props, "geometry": mapping(_round(g))})
    return {"type": "FeatureCollection", "features": feats}


def exercises(rivers: dict, lakes: dict) -> dict:
    feats = []
    for name, name_fr, bounds, river_names, lake_names, width_m, epsg in EXERCISES:
        clip = box(*bounds)
        lines = [shape(f["geometry"]) for f in rivers["features"]
                 if f["properties"]["name"] in river_names]  # fmt: skip
        waters = [shape(f["geometry"]) for f in lakes["features"]
                  if f["properties"]["name"] in lake_names]  # fmt: skip
        core = unary_union(lines + waters).intersection(clip)
        to_utm = Transformer.from_crs("EPSG:4326", f"EPSG:{epsg}", always_xy=True).transform
        to_ll = Transformer.from_crs(f"EPSG:{epsg}", "EPSG:4326", always_xy=True).transform
        utm = shapely.transform(core, lambda xy, f=to_utm: _apply(f, xy))
        zone = shapely.transform(
            utm.buffer(width_m).simplify(100.0), lambda xy, f=to_ll: _apply(f, xy)
        )
        zone = _round(zone.intersection(clip))
        props = {"name": f"{name} (exercise)", "name_fr": f"{name_fr} (exercice)",
                 "label": LABEL, "label_fr": LABEL_FR, "exercise": True,
                 "buffer_m": width_m,
                 "origin": "Natural Earth 1:10m rivers/lakes centre-lines in the box "
                           f"{bounds}, buffered {width_m:g} m"}  # fmt: skip
        feats.append({"type": "Feature", "properties": props, "geometry": mapping(zone)})
    return {"type": "FeatureCollection", "features": feats}


def main(folder: str) -> None:
    src = Path(folder)
    rivers = json.loads((src / "rivers.geojson").read_text())
    lakes = json.loads((src / "lakes.geojson").read_text())
    OUT.mkdir(parents=True, exist_ok=True)
    for name, data, tol in (("rivers", rivers, 0.002), ("lakes", lakes, 0.002)):
        (OUT / f"{name}.geojson").write_text(json.dumps(subset(data, tol)))
    (OUT / "flood_exercise.geojson").write_text(json.dumps(exercises(rivers, lakes), indent=1))


if __name__ == "__main__":
    main(sys.argv[1])
