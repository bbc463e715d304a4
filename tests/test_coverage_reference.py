"""Coverage against a brute-force reference (every cell x satellite x step in numpy) and
against hand-checkable cases. The reference also serves benchmarks/bench_coverage.py."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from sahelsat import catalogue, designs, propagate, sun, timescale
from sahelsat.coverage_analysis import Sensor, coverage, make_area

START, STOP = "2026-05-30T00:00:00Z", "2026-05-30T03:00:00Z"


def cell_frames(place) -> np.ndarray:
    """The frames the library uses for the cells of a grid or point set, (cell, 12)."""
    if place.kind == "grid":
        return place.box_frames()[place.cell_row, place.cell_col]
    return place.frames()


def brute_force_counts(fleet, place, start, stop, step_s, min_elevation, sensor=None):
    """Satellites meeting the constraints, (cell, time): every cell against every
    satellite at every step, vectorised in numpy (chunked over satellites)."""
    t0 = int(timescale.to_ns(timescale.as_utc(start))[0])
    t1 = int(timescale.to_ns(timescale.as_utc(stop))[0])
    step_ns = int(round(step_s * 1e9))
    t_ns = np.arange(t0, t1, step_ns, dtype=np.int64)
    cf = cell_frames(place)
    r_all, v_all, _ = propagate.states(fleet.model, t_ns, itrf=True)
    el_min = math.radians(min_elevation)
    counts = np.zeros((len(cf), len(t_ns)), np.int64)
    f = [cf[:, k, None, None] for k in range(12)]
    sun_ok = None
    if sensor is not None and sensor.min_sun_elevation_deg is not None:
        s = sun.sun_position_itrf(t_ns.view("datetime64[ns]"))
        sdx, sdy, sdz = (s[None, :, k] - cf[:, k, None] for k in range(3))
        fs = [cf[:, k, None] for k in range(12)]
        se = fs[3] * sdx + fs[4] * sdy + fs[5] * sdz
        sn = fs[6] * sdx + fs[7] * sdy + fs[8] * sdz
        su = fs[9] * sdx + fs[10] * sdy + fs[11] * sdz
        sun_ok = np.arctan2(su, np.sqrt(se * se + sn * sn)) >= math.radians(
            sensor.min_sun_elevation_deg
        )
    bounds = sensor.off_nadir_bounds(fleet.mean_motion) if sensor is not None else None
    for a in range(0, len(fleet), 64):
        r, v = r_all[a : a + 64], v_all[a : a + 64]
        x, y, z = r[None, ..., 0], r[None, ..., 1], r[None, ..., 2]
        dx, dy, dz = x - f[0], y - f[1], z - f[2]
        e = f[3] * dx + f[4] * dy + f[5] * dz
        n = f[6] * dx + f[7] * dy + f[8] * dz
        u = f[9] * dx + f[10] * dy + f[11] * dz
        with np.errstate(invalid="ignore"):
            ok = np.arctan2(u, np.sqrt(e * e + n * n)) >= el_min
            if sensor is not None and (sensor.has_cone or sensor.min_off_nadir_deg):
                rr = np.sqrt(x * x + y * y + z * z)
                cth = (x * dx + y * dy + z * dz) / (rr * np.sqrt(dx * dx + dy * dy + dz * dz))
                b = bounds[a : a + 64]
                ok &= (cth >= b[None, :, None, 0]) & (cth <= b[None, :, None, 1])
            if sensor is not None and sensor.look != "both":
                side = 1.0 if sensor.look == "right" else -1.0
                vx, vy, vz = v[None, ..., 0], v[None, ..., 1], v[None, ..., 2]
                h = (vy * z - vz * y) * dx + (vz * x - vx * z) * dy + (vx * y - vy * x) * dz
                ok &= side * h < 0.0
        if sun_ok is not None:
            ok &= sun_ok[:, None, :]
        counts += ok.sum(axis=1)
    return counts


def brute_force_figures(counts, step_s, percentiles=(50, 90)) -> dict[str, np.ndarray]:
    """Figures per cell from counts (cell, time), cell by cell in plain numpy."""
    n_cell, n_t = counts.shape
    names = ["percent_covered", "n_visible_mean", "n_visible_min", "n_visible_max",
             "mean_gap_s", "max_gap_s", "n_gaps", "time_to_first_coverage_s",
             "time_after_last_coverage_s", "mean_response_time_s", "total_access_s",
             "n_accesses"] + [f"gap_p{q}_s" for q in percentiles]  # fmt: skip
    out = {k: np.zeros(n_cell) for k in names}
    for k in range(n_cell):
        c = counts[k]
        cov = np.flatnonzero(c > 0)
        out["percent_covered"][k] = 100.0 * len(cov) / n_t
        out["n_visible_mean"][k] = c.mean()
        out["n_visible_min"][k] = c.min()
        out["n_visible_max"][k] = c.max()
        out["total_access_s"][k] = len(cov) * step_s
        if not len(cov):
            for name in names:
                if name.endswith("_s") and name != "total_access_s":
                    out[name][k] = np.inf
            continue
        gaps = np.diff(cov) - 1
        gaps = gaps[gaps > 0]
        out["n_gaps"][k] = len(gaps)
        out["n_accesses"][k] = len(gaps) + 1
        out["mean_gap_s"][k] = gaps.mean() * step_s if len(gaps) else 0.0
        out["max_gap_s"][k] = gaps.max() * step_s if len(gaps) else 0.0
        for q in percentiles:
            out[f"gap_p{q}_s"][k] = np.percentile(gaps, q) * step_s if len(gaps) else 0.0
        out["time_to_first_coverage_s"][k] = cov[0] * step_s
        out["time_after_last_coverage_s"][k] = (n_t - 1 - cov[-1]) * step_s
        waits = [cov[np.searchsorted(cov, j)] - j for j in range(cov[-1] + 1)]
        out["mean_response_time_s"][k] = np.mean(waits) * step_s
    return out


def cell_values(ds, place, name) -> np.ndarray:
    if place.kind == "grid":
        return ds[name].values[..., place.cell_row, place.cell_col]
    return ds[name].values


def assert_matches(ds, place, counts, step_s):
    ref = brute_force_figures(counts, step_s)
    for name, values in ref.items():
        got = cell_values(ds, place, name)
        if name.startswith("gap_p") or name in ("mean_gap_s", "mean_response_time_s"):
            np.testing.assert_allclose(got, values, rtol=1e-12, err_msg=name)
        else:
            np.testing.assert_array_equal(got, values, err_msg=name)
    for i, k in enumerate(ds["fold"].values):
        want = 100.0 * (counts >= k).sum(axis=1) / counts.shape[1]
        np.testing.assert_array_equal(cell_values(ds, place, "percent_nfold")[i], want)


@pytest.fixture(scope="module")
def starlink_small():
    return catalogue("starlink")[::40]  # ~260 satellites spread over the shells


def test_grid_matches_brute_force(starlink_small):
    place = make_area("BFA", 0.25)
    ds = coverage(starlink_small, "BFA", 0.25, START, STOP, 60, 25.0)
    counts = brute_force_counts(starlink_small, place, START, STOP, 60, 25.0)
    assert counts.max() > 1 and (counts == 0).any()  # a non-trivial case
    assert_matches(ds, place, counts, 60.0)
    outside = ~place.mask
    assert np.isnan(ds["percent_covered"].values[outside]).all()


@pytest.mark.parametrize("min_el", [0.0, 10.0, 40.0])
def test_row_intervals_exact_at_many_elevations(starlink_small, min_el):
    area = {"type": "Polygon", "coordinates": [[[-8, 10], [4, 10], [4, 18], [-8, 18], [-8, 10]]]}
    place = make_area(area, 0.3)
    ds = coverage(starlink_small, area, 0.3, START, "2026-05-30T01:00:00", 30, min_el)
    counts = brute_force_counts(starlink_small, place, START, "2026-05-30T01:00:00", 30, min_el)
    np.testing.assert_array_equal(
        cell_values(ds, place, "n_visible_mean"), counts.mean(axis=1), err_msg=f"el {min_el}"
    )


def test_sensor_and_points_match_brute_force():
    eo = catalogue("resource").select(r"^(?:SENTINEL-2|LANDSAT [89])")
    start, stop = "2026-05-30T00:00:00", "2026-05-31T00:00:00"
    for sensor, area in (
        (Sensor(swath_km=290.0, min_sun_elevation_deg=10.0), "BFA"),
        (Sensor(half_angle_deg=20.0, min_off_nadir_deg=5.0, look="right"), "BFA"),
        (None, "towns:BFA"),
    ):
        place = make_area(area, 0.25)
        ds = coverage(eo, area, 0.25, start, stop, 30, 0.0, sensor=sensor)
        counts = brute_force_counts(eo, place, start, stop, 30, 0.0, sensor)
        assert counts.sum() > 0
        assert_matches(ds, place, counts, 30.0)
        assert ds.attrs["algorithm"] == ("rows" if sensor is None and area == "BFA" else "cells")


def test_chunk_boundaries_merge_exactly(starlink_small):
    kw = dict(area="BFA", resolution_deg=0.3, start=START, stop=STOP, step_s=60, window_s=3600)
    one = coverage(starlink_small, chunk_steps=10_000, **kw)
    many = coverage(starlink_small, chunk_steps=7, **kw)
    for name in one.data_vars:
        np.testing.assert_array_equal(one[name].values, many[name].values, err_msg=name)
    # window figures equal a run over the window alone
    second = coverage(
        starlink_small, **(kw | {"start": "2026-05-30T01:00:00Z", "stop": "2026-05-30T02:00:00Z"})
    )
    np.testing.assert_array_equal(
        one["window_percent_covered"].values[1], second["percent_covered"].values
    )
    np.testing.assert_array_equal(one["window_max_gap_s"].values[1], second["max_gap_s"].values)


def test_geostationary_covers_fixed_cells_all_the_time():
    geo = designs.geostationary([0.0])
    stop = "2026-05-30T12:00:00Z"
    ds = coverage(geo, "AES", 0.5, START, stop, 600, 60.0)
    place = make_area("AES", 0.5)
    pct = cell_values(ds, place, "percent_covered")
    # elevation of the (nearly fixed) satellite from each cell over the window
    sites = [
        (str(k), la, lo)
        for k, (la, lo) in enumerate(zip(place.cell_lat, place.cell_lon, strict=True))
    ]
    times = timescale.time_range(START, stop, 600.0)[:-1]
    el = geo.look_angles(sites, times)[1][:, 0, :]
    always, never = el.min(axis=1) >= 60.0, el.max(axis=1) < 60.0
    assert always.sum() > 10 and never.sum() > 10
    assert (always | never).mean() > 0.97  # only a thin edge ring moves with the drift
    np.testing.assert_array_equal(pct[always], 100.0)
    np.testing.assert_array_equal(pct[never], 0.0)
    assert (cell_values(ds, place, "max_gap_s")[always] == 0.0).all()
    assert (cell_values(ds, place, "n_visible_min")[always] == 1.0).all()
    assert (cell_values(ds, place, "mean_response_time_s")[always] == 0.0).all()
    assert np.isposinf(cell_values(ds, place, "max_gap_s")[never]).all()


def test_polar_revisit_shorter_at_high_latitude():
    polar = designs.sun_synchronous(700.0, 22.5)
    bands = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": [
            [[0, lat0], [20, lat0], [20, lat0 + 4], [0, lat0 + 4], [0, lat0]]]}}
        for lat0 in (0, 70)]}  # fmt: skip
    ds = coverage(polar, json.dumps(bands), 1.0, START, "2026-06-02T00:00:00Z", 30, 10.0)
    gap = ds["mean_gap_s"]
    low = gap.sel(lat=slice(0, 4)).values
    high = gap.sel(lat=slice(70, 74)).values
    low, high = low[np.isfinite(low)], high[np.isfinite(high)]
    assert len(high) and np.median(high) < 0.5 * np.median(low[low > 0])
    pc = ds["percent_covered"]
    assert pc.sel(lat=slice(70, 74)).mean() > pc.sel(lat=slice(0, 4)).mean()


def test_cells_outside_every_footprint():
    geo = designs.geostationary([-150.0])  # the far side of the Earth
    ds = coverage(geo, "NER", 0.5, START, "2026-05-30T01:00:00Z", 300, 25.0)
    inside = np.isfinite(ds["cell_area_km2"].values)
    assert (ds["percent_covered"].values[inside] == 0.0).all()
    for name in ("max_gap_s", "mean_gap_s", "time_to_first_coverage_s", "gap_p90_s"):
        assert np.isposinf(ds[name].values[inside]).all(), name
    assert np.isnan(ds["percent_covered"].values[~inside]).all()
    assert ds.attrs["mean_percent_covered"] == 0.0


def test_netcdf3_serialisable():
    ds = coverage(designs.walker_delta(6, 2, 1, 550, 53), "BFA", 0.5, START, STOP, 60, 25,
                  window_s=3600, time_series=True)  # fmt: skip
    import io

    import xarray as xr

    blob = ds.to_netcdf()  # as the operations service does (netCDF4 here, in memory)
    back = xr.open_dataset(blob)
    np.testing.assert_array_equal(back["percent_covered"].values, ds["percent_covered"].values)
    nc3 = bytes(ds.to_netcdf(engine="scipy"))  # netCDF3: no int64, no bool attributes
    back = xr.open_dataset(io.BytesIO(nc3), engine="scipy")
    np.testing.assert_array_equal(back["max_gap_s"].values, ds["max_gap_s"].values)
    assert ds["n_visible"].shape == (180,) + ds["percent_covered"].shape


def test_bad_parameters_are_named():
    f = designs.walker_delta(6, 2, 1, 550, 53)
    with pytest.raises(ValueError, match="step_s"):
        coverage(f, "BFA", 0.5, START, STOP, 0)
    with pytest.raises(ValueError, match="stop"):
        coverage(f, "BFA", 0.5, STOP, START)
    with pytest.raises(ValueError, match="min_elevation"):
        coverage(f, "BFA", 0.5, START, STOP, 60, 95)
    with pytest.raises(ValueError, match="time_series"):
        coverage(f, "AES", 0.05, START, "2026-06-30", 1, time_series=True)
