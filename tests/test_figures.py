"""Figures are drawn with matplotlib's object API: importing sahelsat and drawing every
kind of figure it makes leaves the process as it was (backend, pyplot, numba, environment)
and yields valid, non-blank PNGs."""

import json
import os
import subprocess
import sys
import textwrap

import numpy as np
from PIL import Image

# Runs in a fresh interpreter whose chosen backend is "svg", so a switch to Agg shows.
PROBE = textwrap.dedent(
    """
    import json, os, sys
    from importlib import resources
    from pathlib import Path

    import matplotlib
    import numba
    import numpy as np
    import pandas as pd
    import xarray as xr

    # Third-party libraries that set variables of their own on import (rasterio and pyproj
    # point GDAL/PROJ at a CA bundle) are imported first: what changes after is sahelsat's.
    import pyproj  # noqa: F401
    import rasterio  # noqa: F401
    import rioxarray  # noqa: F401

    out = Path(sys.argv[1])

    def numba_state():
        c = numba.config
        return [str(c.CPU_FEATURES), str(c.CPU_NAME), c.NUMBA_NUM_THREADS, numba.get_num_threads()]

    before = {"backend": matplotlib.rcParams._get_backend_or_none(), "numba": numba_state(),
              "env": dict(os.environ)}

    import sahelsat

    after_package = {"backend": matplotlib.rcParams._get_backend_or_none(),
                     "numba": numba_state(), "env": dict(os.environ)}
    from sahelsat.comms import defaults, service
    from sahelsat.coverage_analysis import outputs as cov_out
    from sahelsat.monitor import products
    from sahelsat.scenario import run
    from sahelsat.scenario.config import parse_scenario
    from sahelsat.tasking import outputs as task_out
    from sahelsat.tasking.problem import planning_problem
    from sahelsat.tasking.scheduler import plan_acquisitions

    after_import = {"backend": matplotlib.rcParams._get_backend_or_none(),
                    "numba": numba_state(), "env": dict(os.environ)}
    pngs = []

    # Scenario report figures: passes, coverage maps, revisit histogram.
    text = resources.files("sahelsat").joinpath("data", "scenarios", "sahel.toml").read_text()
    sc = parse_scenario(text, "figures")
    t0 = np.datetime64(sc.scenario.start.replace(tzinfo=None), "ns")
    lat = np.arange(10.0, 16.0, 1.0)
    lon = np.arange(-6.0, 4.0, 1.0)
    rng = np.random.default_rng(1)
    shape = (lat.size, lon.size)
    cov = xr.Dataset(
        {
            "percent_covered": (("lat", "lon"), rng.uniform(0, 100, shape)),
            "max_gap_s": (("lat", "lon"), rng.uniform(600, 7200, shape)),
            "mean_gap_s": (("lat", "lon"), rng.uniform(300, 3600, shape)),
            "n_gaps": (("lat", "lon"), rng.integers(0, 5, shape)),
        },
        coords={"lat": lat, "lon": lon},
        attrs={"resolution_deg": 1.0, "area": "test", "n_satellites": 2,
               "start": "2026-06-01T00:00", "n_steps": 10, "step_s": 60.0},
    )
    res = run.Results(scenario=sc, out=out, stations=pd.DataFrame({"name": ["Bamako", "Niamey"]}))
    res.passes = pd.DataFrame({
        "site": ["Bamako", "Niamey", "Bamako"],
        "satellite": ["A", "B", "B"],
        "rise": [t0 + np.timedelta64(k, "h") for k in (1, 2, 5)],
        "duration_s": [600.0, 420.0, 300.0],
    })
    res.coverage = cov
    pngs += [run._pass_timeline(res, "en"), run._coverage_maps(res, "fr"),
             run._revisit_histogram(res, "en")]

    # Coverage map of the coverage command.
    pngs.append(cov_out.write_png(cov, out / "cov.png"))

    # Flood products: quick-look and impact map.
    from rasterio.transform import from_origin

    mask = np.zeros((60, 80), np.uint8)
    mask[10:30, 20:50] = 1
    mask[50:, :5] = 255
    like = xr.DataArray(mask, dims=("y", "x")).rio.write_crs("EPSG:4326")
    like = like.rio.write_transform(from_origin(2.0, 14.0, 0.001, 0.001))
    pngs.append(products.quicklook(out / "quicklook.png", mask, like, "test"))
    extent = {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {},
              "geometry": {"type": "Polygon", "coordinates": [[[2.0, 13.9], [2.1, 13.9],
              [2.1, 14.0], [2.0, 14.0], [2.0, 13.9]]]}}]}
    pngs.append(products.impact_map(
        out / "impact.png", pd.DataFrame({"code": []}),
        pd.DataFrame({"lon": [2.05], "lat": [13.95], "people": [1000.0]}), extent, "test"))

    # Settlement service maps and a broadcast footprint.
    sites = pd.DataFrame({"name": ["Bamako", "Niamey"], "latitude_deg": [12.64, 13.51],
                          "longitude_deg": [-8.0, 2.11], "population": [2.7e6, 1.3e6]})
    sats = service.designed_satellites((0.0,), defaults.KU)
    plan = service.plan_service(sites, sats, defaults.KU, availability=99.5, throughput_mbps=20)
    pngs += service.service_maps(plan, out, "en")
    fp = service.dth_footprint(sats[0], defaults.KU, 0.6, "8PSK 3/4", step_deg=3.0)
    pngs.append(service.plot_footprint(fp, out / "footprint.png", "test", 99.5))

    # Tasking: Gantt chart and strip map.
    T0 = pd.Timestamp("2026-06-01T00:00:00")
    def t(s):
        return T0 + pd.Timedelta(seconds=s)
    opps = pd.DataFrame([dict(opportunity=f"O{k}", request=f"R{k}", satellite="S1",
                              start=t(100 * k), end=t(100 * k + 10), look_angle_deg=0.0,
                              value=1, volume_gbit=1.0, energy_wh=1.0) for k in range(3)])
    satt = pd.DataFrame([dict(satellite="S1", memory_gbit=100.0, slew_rate_deg_s=1.0,
                              settle_s=5.0, orbit_period_s=6000.0, energy_per_orbit_wh=1000.0,
                              downlink_rate_mbps=100.0)])
    cont = pd.DataFrame([dict(contact="C1", satellite="S1", station="Bamako", start=t(5000),
                              end=t(5600))])
    tplan = plan_acquisitions(planning_problem(opps, satt, cont), time_limit=5,
                              method="greedy")
    from shapely.geometry import box
    strips = {f"O{k}": box(-2 + k, 12, -1.5 + k, 14) for k in range(3)}
    areas = {f"R{k}": box(-2 + k, 12.5, -1.6 + k, 13) for k in range(3)}
    pngs.append(task_out.gantt_png(tplan, out / "gantt.png", "fr"))
    pngs.append(task_out.strip_map_png(tplan, strips, areas, out / "strips.png"))

    print(json.dumps({
        "before": before, "after_package": after_package, "after_import": after_import,
        "after": {"backend": matplotlib.rcParams._get_backend_or_none(),
                  "numba": numba_state(), "env": dict(os.environ)},
        "pyplot": "matplotlib.pyplot" in sys.modules,
        "pngs": [str(p) for p in pngs],
        "n_served": len(tplan.acquisitions),
    }))
    """
)


def test_every_figure_kind_leaves_the_process_as_it_was(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MPL", "NUMBA_"))}
    env["MPLBACKEND"] = "svg"  # the caller's choice; drawing must not switch it to Agg
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    got = json.loads(proc.stdout.strip().splitlines()[-1])
    before = got["before"]
    assert before["backend"] == "svg"
    for stage in ("after_package", "after_import", "after"):
        assert got[stage]["backend"] == before["backend"], stage
        assert got[stage]["numba"] == before["numba"], stage
        assert got[stage]["env"] == before["env"], stage
    assert not got["pyplot"], "pyplot was imported"
    assert got["n_served"] >= 1

    names = [os.path.basename(p) for p in got["pngs"]]
    assert len(names) == len(set(names)) == 12, names
    for path in got["pngs"]:
        with open(path, "rb") as f:
            assert f.read(8) == b"\x89PNG\r\n\x1a\n", path
        with Image.open(path) as im:
            im.verify()  # structure and checksums
        with Image.open(path) as im:
            pixels = np.asarray(im.convert("RGB"))
        assert pixels.shape[0] > 100 and pixels.shape[1] > 100, path
        # Something is drawn: more than a handful of distinct colours.
        assert len(np.unique(pixels.reshape(-1, 3), axis=0)) > 8, path
