"""Population base: totals against the official figures, and the time of its steps.

Prints the people per country (official figure, year, source, the base's sum), then the
time to build the base, its 0.01-degree grid, and the people inside three flood zones by
:func:`sahelsat.places.people_in` (footprint discs cut by the zone, per region), beside
the usual quick estimate as the peer: the people of the settlements whose point lies in
the zone (``shapely.covers``, no footprint), with both people counts.
Usage: ``python benchmarks/bench_population.py``
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import shapely
from shapely.geometry import box

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from common import best_of  # noqa: E402

from sahelsat import places  # noqa: E402
from sahelsat.places import population  # noqa: E402

OUT = Path(__file__).parent / "results" / "population.json"

ZONES = {
    # The Niger between Niamey and Tillabéri (exercise corridor, about 120 x 20 km).
    "Niamey-Tillaberi": shapely.Polygon(
        [(2.0, 13.45), (2.2, 13.45), (1.55, 14.25), (1.35, 14.25), (2.0, 13.45)]
    ),
    # The Inner Niger Delta around Mopti (about 110 x 110 km).
    "Inner Niger Delta": box(-4.6, 14.0, -3.6, 15.0),
    "all of Mali": places.area_geometry("MLI"),
}


def peer_points_in_zone(zone) -> int:
    """Peer: people of the settlements whose point lies in the zone."""
    t = population.allocated()
    inside = shapely.covers(zone, shapely.points(t["lon"], t["lat"]))
    return int(t.loc[inside, "population"].sum())


def main() -> None:
    totals = population.totals()
    print(f"{'country':8s} {'official':>12s} {'year':>5s} {'base':>12s}  source")
    for code, row in totals.iterrows():
        print(f"{code:8s} {row.official:12,d} {row.year:5d} {row.base:12,d}  {row.source}")
    population.allocated.cache_clear()
    t0 = time.perf_counter()
    population.allocated()
    build = time.perf_counter() - t0
    grid_s = best_of(lambda: places.population_grid(0.01), 3)
    print(f"\nbuild the base {build:.2f} s; 0.01 deg grid of the three countries {grid_s:.2f} s")
    print(f"{'zone':20s} {'ours s':>7s} {'peer s':>7s} {'ratio':>6s} {'people':>11s} {'peer':>11s}")
    rows = []
    for name, zone in ZONES.items():
        ours = best_of(lambda z=zone: places.people_in(z), 3)
        peer = best_of(lambda z=zone: peer_points_in_zone(z), 3)
        people = int(places.people_in(zone)["people"].sum())
        points = peer_points_in_zone(zone)
        print(f"{name:20s} {ours:7.3f} {peer:7.3f} {ours / peer:6.1f} {people:11,d} {points:11,d}")
        rows.append({"zone": name, "ours_s": ours, "peer_s": peer, "people": people,
                     "peer_people": points})  # fmt: skip
    print("peer: settlements whose point lies in the zone (no footprint, no regions)")
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text(
        json.dumps(
            {
                "totals": totals.reset_index(names="country").to_dict("records"),
                "build_s": build,
                "grid_0.01_s": grid_s,
                "zones": rows,
                "peer": "people of the settlements whose point lies in the zone",
            },
            indent=1,
            default=int,
        )
    )


if __name__ == "__main__":
    main()
