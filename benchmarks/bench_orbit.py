"""Orbital core benchmark: sahelsat beside python-sgp4 and Skyfield, in one run.

Throughput in satellite-epochs per second for SGP4 to TEME, to ITRF + geodetic, and
passes per satellite-site-day; ratios against the peers; peak memory of a
10,000-satellite day at 30 s. Prints a table and writes benchmarks/results/orbit.json.
Run: .venv/bin/python benchmarks/bench_orbit.py
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from datetime import UTC
from pathlib import Path

import numba
import numpy as np
from common import best_of
from sgp4.api import Satrec, SatrecArray
from skyfield.api import EarthSatellite, load, wgs84

from sahelsat import catalogue, passes, propagate, timescale, towns

RESULTS = Path(__file__).parent / "results"
T0 = np.datetime64("2026-05-30T00:00:00")


def bench_propagation(n_sat=1000, n_t=1440) -> dict:
    fleet = catalogue("starlink")[:n_sat]
    times = T0 + np.arange(n_t) * np.timedelta64(60, "s")
    ns = timescale.to_ns(times)
    model = fleet.model
    propagate.states(model, ns[:2], False)
    propagate.geodetic(model, ns[:2])
    array = SatrecArray([Satrec.twoline2rv(*es.tle_lines) for es in fleet])
    jd = (2440587.5 + ns // timescale.NS_PER_DAY).astype(float)
    fr = (ns % timescale.NS_PER_DAY) / timescale.NS_PER_DAY
    points = n_sat * n_t
    out = {"sgp4_satrecarray_teme": points / best_of(lambda: array.sgp4(jd, fr))}
    for threads in (1, 2):
        numba.set_num_threads(threads)
        out[f"sahelsat_teme_{threads}core"] = points / best_of(
            lambda: propagate.states(model, ns, False)
        )
        out[f"sahelsat_geodetic_{threads}core"] = points / best_of(
            lambda: propagate.geodetic(model, ns)
        )
    # Skyfield to ITRF + geodetic, on a tenth of the satellites (it is per satellite).
    ts = load.timescale()
    t = ts.from_datetimes([x.astype("datetime64[us]").item().replace(tzinfo=UTC)
                           for x in times])  # fmt: skip
    sats = [EarthSatellite(*es.tle_lines, es.name, ts) for es in fleet[: n_sat // 10]]

    def skyfield_geodetic():
        for sat in sats:
            wgs84.geographic_position_of(sat.at(t))

    out["skyfield_geodetic"] = len(sats) * n_t / best_of(skyfield_geodetic, repeat=1)
    return out


def bench_passes(n_sat=100, n_sites=50) -> dict:
    fleet = catalogue("starlink")[:n_sat]
    sites = towns().head(n_sites)[["name", "latitude_deg", "longitude_deg"]]
    start, stop = "2026-05-30T00:00:00", "2026-05-31T00:00:00"
    numba.set_num_threads(2)
    passes(fleet[:2], sites.head(2), start, stop)
    ours = best_of(lambda: passes(fleet, sites, start, stop), repeat=2)
    # Skyfield's find_events on a sample, per satellite-site-day.
    ts = load.timescale()
    t0, t1 = ts.utc(2026, 5, 30), ts.utc(2026, 5, 31)
    sample = [(es, row) for es in fleet[:5] for row in sites.head(4).itertuples()]
    start_t = time.perf_counter()
    for es, row in sample:
        sat = EarthSatellite(*es.tle_lines, es.name, ts)
        sat.find_events(wgs84.latlon(row.latitude_deg, row.longitude_deg), t0, t1, 10.0)
    sky_per = (time.perf_counter() - start_t) / len(sample)
    ours_per = ours / (n_sat * n_sites)
    return {
        "passes_case": f"{n_sat} satellites x {n_sites} sites x 1 day",
        "sahelsat_s": ours,
        "sahelsat_ms_per_sat_site_day": ours_per * 1e3,
        "skyfield_ms_per_sat_site_day": sky_per * 1e3,
        "ratio": sky_per / ours_per,
    }


def bench_memory() -> dict:
    """Peak resident memory of a full Starlink-scale day at 30 s, in a fresh process."""
    code = (
        "import numpy as np, resource, time\n"
        "from sahelsat import catalogue, timescale\n"
        "f = catalogue('starlink')[:10000]\n"
        "t = np.datetime64('2026-05-30') + np.arange(2880) * np.timedelta64(30, 's')\n"
        "s = time.perf_counter(); lat, lon, alt = f.geodetic(t); s = time.perf_counter() - s\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, s)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    peak_mb, seconds = (float(x) for x in out.stdout.split())
    return {"geodetic_10000x2880_peak_mb": peak_mb, "geodetic_10000x2880_s": seconds}


def main() -> None:
    prop = bench_propagation()
    pas = bench_passes()
    mem = bench_memory()
    ref, sky = prop["sgp4_satrecarray_teme"], prop["skyfield_geodetic"]
    rows = [
        ("SGP4 to TEME, python-sgp4 SatrecArray (1 core)", ref, 1.0),
        ("SGP4 to TEME, sahelsat 1 core", prop["sahelsat_teme_1core"], None),
        ("SGP4 to TEME, sahelsat 2 cores", prop["sahelsat_teme_2core"], None),
        ("to ITRF + geodetic, Skyfield", sky, None),
        ("to ITRF + geodetic, sahelsat 1 core", prop["sahelsat_geodetic_1core"], None),
        ("to ITRF + geodetic, sahelsat 2 cores", prop["sahelsat_geodetic_2core"], None),
    ]
    print(f"{'case (1000 Starlink x 1440 steps)':48s} {'M sat-epochs/s':>15s} {'vs sgp4':>8s} "
          f"{'vs Skyfield':>11s}")  # fmt: skip
    for name, value, _ in rows:
        print(f"{name:48s} {value / 1e6:15.2f} {value / ref:8.2f} {value / sky:11.1f}")
    print(f"\npasses, {pas['passes_case']}: sahelsat {pas['sahelsat_s']:.3f} s = "
          f"{pas['sahelsat_ms_per_sat_site_day']:.4f} ms per satellite-site-day; Skyfield "
          f"{pas['skyfield_ms_per_sat_site_day']:.2f} ms; ratio {pas['ratio']:.0f}x")  # fmt: skip
    peak, secs = mem["geodetic_10000x2880_peak_mb"], mem["geodetic_10000x2880_s"]
    print(f"memory: 10,000 satellites x 2880 steps to geodetic: peak {peak:.0f} MB in {secs:.1f} s")
    RESULTS.mkdir(exist_ok=True)
    payload = {"propagation_per_s": prop, "passes": pas, "memory": mem,
               "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}  # fmt: skip
    (RESULTS / "orbit.json").write_text(json.dumps(payload, indent=1))


if __name__ == "__main__":
    main()
