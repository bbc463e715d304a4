"""Pass-finding benchmark: the fleet-week (every shipped Starlink, OneWeb and GEO
satellite over the 286 shipped towns for 7 days, streamed to Parquet) and the cost per
satellite-site-day beside Skyfield's find_events and brahe's location_accesses,
measured in the same run.

The peers work one satellite-site pair at a time, so they run on a small sample (5
Starlink x 4 towns x 1 day); sahelsat runs that sample too (like for like, though too
small to fill its threads), 100 Starlink x 286 towns x 1 day, and the fleet-week once.
Wall time and CPU time (all threads of this process) are both given: the machine may
be shared. ``--skip-week`` leaves the fleet-week out. Prints a table and writes
benchmarks/results/passes.json.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

import numba
import numpy as np
from skyfield.api import EarthSatellite, load, wgs84

from sahelsat import access, catalogue, passes, towns

RESULTS = Path(__file__).parent / "results"
START, STOP = "2026-05-30T00:00:00", "2026-05-31T00:00:00"
WEEK_STOP = "2026-06-06T00:00:00"
N_PEER_SATS, N_PEER_SITES = 5, 4


def _timed(fn):
    """(result, wall s, CPU s of all this process's threads) of ``fn()``."""
    wall, cpu = time.perf_counter(), time.process_time()
    out = fn()
    return out, time.perf_counter() - wall, time.process_time() - cpu


def _skyfield(fleet, sites) -> float:
    """Wall seconds of Skyfield's find_events over every pair, one day."""
    ts = load.timescale()
    t0, t1 = ts.utc(2026, 5, 30), ts.utc(2026, 5, 31)
    start = time.perf_counter()
    for es in fleet:
        sat = EarthSatellite(*es.tle_lines, es.name, ts)
        for row in sites.itertuples():
            sat.find_events(wgs84.latlon(row.latitude_deg, row.longitude_deg), t0, t1, 10.0)
    return time.perf_counter() - start


def _brahe(fleet, sites) -> tuple[float | None, str]:
    """Wall seconds of brahe's access search over every pair, one day, or None and why."""
    try:
        import brahe as bh

        bh.initialize_eop()
        epoch = bh.Epoch(2026, 5, 30, 0, 0, 0.0)
        props = [bh.SGPPropagator.from_tle(*es.tle_lines) for es in fleet]
        locs = [bh.PointLocation(r.longitude_deg, r.latitude_deg, 0.0) for r in sites.itertuples()]
        constraint = bh.ElevationConstraint(10.0)
        start = time.perf_counter()
        found = bh.location_accesses(locs, props, epoch, epoch + 86400.0, constraint)
        return time.perf_counter() - start, f"ok, {len(found)} accesses"
    except Exception as exc:  # a peer that cannot run offline is reported, not fatal
        return None, f"{type(exc).__name__}: {exc}"[:200]


def main(skip_week: bool = False) -> None:
    numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
    all_towns = towns()[["name", "latitude_deg", "longitude_deg"]]
    starlink = catalogue("starlink")
    passes(starlink[:2], all_towns.head(2), START, STOP)  # compiled once, as in any session

    peer_fleet, peer_sites = starlink[:N_PEER_SATS], all_towns.head(N_PEER_SITES)
    n_pairs = N_PEER_SATS * N_PEER_SITES
    sky_per = _skyfield(peer_fleet, peer_sites) / n_pairs
    brahe_s, brahe_note = _brahe(peer_fleet, peer_sites)
    brahe_per = None if brahe_s is None else brahe_s / n_pairs
    small, small_wall, small_cpu = _timed(lambda: passes(peer_fleet, peer_sites, START, STOP))

    mid_fleet = starlink[:100]
    mid, mid_wall, mid_cpu = _timed(lambda: passes(mid_fleet, all_towns, START, STOP))
    mid_ssd = len(mid_fleet) * len(all_towns)

    fleet = starlink + catalogue("oneweb") + catalogue("geo")
    week_ssd = len(fleet) * len(all_towns) * 7
    week = {"run": False}
    if not skip_week:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "fleet_week.parquet"
            rows, wall, cpu = _timed(
                lambda: access.write_passes_parquet(path, fleet, all_towns, START, WEEK_STOP)
            )
            week = {"run": True, "rows": rows, "wall_s": wall, "cpu_s": cpu,
                    "parquet_mb": path.stat().st_size / 1e6}  # fmt: skip

    ours_per = week["wall_s"] / week_ssd if week["run"] else mid_wall / mid_ssd
    ours_label = "fleet-week" if week["run"] else "100 Starlink x 286 towns x 1 day"
    print(f"threads: {numba.get_num_threads()}; times are wall (CPU of all threads)")
    if week["run"]:
        print(f"fleet-week: {len(fleet)} satellites x {len(all_towns)} towns x 7 days = "
              f"{week_ssd:,} satellite-site-days, {week['rows']:,} passes to Parquet "
              f"({week['parquet_mb']:.0f} MB): {week['wall_s']:.1f} s wall, "
              f"{week['cpu_s']:.1f} s CPU (goal: 60 s)")  # fmt: skip
    print(f"100 Starlink x {len(all_towns)} towns x 1 day: {mid_wall:.2f} s wall "
          f"({mid_cpu:.2f} s CPU), {len(mid):,} passes")  # fmt: skip
    print(f"{'per satellite-site-day':40s} {'us':>10s} {'sahelsat faster by':>20s}")
    print(f"{'sahelsat, ' + ours_label:40s} {ours_per * 1e6:10.3f}")
    print(f"{'sahelsat, the peers sample':40s} {small_wall / n_pairs * 1e6:10.1f}")
    print(f"{'Skyfield find_events':40s} {sky_per * 1e6:10.1f} {sky_per / ours_per:19.0f}x")
    if brahe_per is not None:
        print(f"{'brahe location_accesses':40s} {brahe_per * 1e6:10.1f} "
              f"{brahe_per / ours_per:19.0f}x")  # fmt: skip
    else:
        print(f"brahe location_accesses: not measured ({brahe_note})")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "passes.json").write_text(
        json.dumps(
            {
                "fleet_week": week
                | {"satellites": len(fleet), "towns": len(all_towns), "sat_site_days": week_ssd},
                "mid_case": {
                    "case": f"100 Starlink x {len(all_towns)} towns x 1 day",
                    "wall_s": mid_wall,
                    "cpu_s": mid_cpu,
                    "passes": len(mid),
                },
                "peer_sample": f"{N_PEER_SATS} Starlink x {N_PEER_SITES} towns x 1 day",
                "sahelsat_us_per_sat_site_day": ours_per * 1e6,
                "sahelsat_us_per_sat_site_day_basis": ours_label,
                "sahelsat_peer_sample_us_per_sat_site_day": small_wall / n_pairs * 1e6,
                "skyfield_us_per_sat_site_day": sky_per * 1e6,
                "skyfield_ratio": sky_per / ours_per,
                "brahe_us_per_sat_site_day": None if brahe_per is None else brahe_per * 1e6,
                "brahe_ratio": None if brahe_per is None else brahe_per / ours_per,
                "brahe_note": brahe_note,
                "when": time.strftime("%Y-%m-%dT%H:%M:%S"),
                "threads": numba.get_num_threads(),
            },
            indent=1,
        )  # fmt: skip
    )


if __name__ == "__main__":
    np.seterr(all="ignore")
    main(skip_week="--skip-week" in sys.argv[1:])
