"""The coverage computation: inputs validated, time blocks propagated and counted, state
carried from block to block, figures assembled into an xarray Dataset."""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field

import numpy as np
import xarray as xr

from sahelsat import frames, propagate, sun, timescale
from sahelsat.core.constants import MEAN_EARTH_RADIUS_KM as _MEAN_RADIUS_KM
from sahelsat.core.constants import MU_KM3_S2
from sahelsat.coverage_analysis import figures
from sahelsat.coverage_analysis import kernel as K
from sahelsat.coverage_analysis.areas import AreaError, Grid, make_area

_BAND_DEG = 0.5  # latitude band of point sets
_POS_BUDGET = 6_000_000  # satellite-steps propagated at once (about 300 MB of states)


@dataclass(frozen=True)
class Sensor:
    """An imaging sensor: which ground cells a satellite can image at a step.

    Cone half-angle ``half_angle_deg`` or ground ``swath_km`` (converted per satellite
    from its altitude), widened by ``max_off_nadir_deg`` of steering (the field of
    regard), minus a near edge ``min_off_nadir_deg`` (SAR). Angles from the geocentric
    nadir. ``look``: ``"both"``, ``"left"`` or ``"right"`` of the Earth-fixed velocity
    (SAR). ``min_sun_elevation_deg``: the Sun at least this high at the cell (optical).
    """

    half_angle_deg: float | None = None
    swath_km: float | None = None
    max_off_nadir_deg: float = 0.0
    min_off_nadir_deg: float = 0.0
    look: str = "both"
    min_sun_elevation_deg: float | None = None

    def __post_init__(self):
        if self.half_angle_deg is not None and self.swath_km is not None:
            raise ValueError("sensor: give half_angle_deg or swath_km, not both")
        for name, lo, hi in (("half_angle_deg", 0.0, 90.0), ("swath_km", 0.0, 20000.0),
                             ("max_off_nadir_deg", 0.0, 90.0), ("min_off_nadir_deg", 0.0, 90.0),
                             ("min_sun_elevation_deg", -90.0, 90.0)):  # fmt: skip
            v = getattr(self, name)
            if v is not None and not (math.isfinite(float(v)) and lo <= float(v) <= hi):
                raise ValueError(f"sensor: {name}={v!r} outside [{lo}, {hi}]")
        if self.look not in ("both", "left", "right"):
            raise ValueError(f"sensor: look={self.look!r} must be 'both', 'left' or 'right'")

    @property
    def has_cone(self) -> bool:
        return self.half_angle_deg is not None or self.swath_km is not None

    def off_nadir_bounds(self, mean_motion_rev_day: np.ndarray) -> np.ndarray:
        """cos of the largest and smallest off-nadir angle per satellite, (satellite, 2)."""
        n = len(mean_motion_rev_day)
        if not self.has_cone:
            theta_max = np.full(n, math.pi)
        elif self.half_angle_deg is not None:
            theta_max = np.full(n, math.radians(self.half_angle_deg))
        else:
            nn = np.asarray(mean_motion_rev_day, float) * 2.0 * math.pi / 86400.0
            h = (MU_KM3_S2 / nn**2) ** (1.0 / 3.0) - _MEAN_RADIUS_KM
            psi = self.swath_km / (2.0 * _MEAN_RADIUS_KM)
            r = _MEAN_RADIUS_KM
            theta_max = np.arctan2(r * math.sin(psi), r + h - r * math.cos(psi))
        if self.has_cone:
            theta_max = np.minimum(theta_max + math.radians(self.max_off_nadir_deg), math.pi)
        theta_min = np.full(n, math.radians(self.min_off_nadir_deg))
        return np.ascontiguousarray(np.stack([np.cos(theta_max), np.cos(theta_min)], axis=1))

    def describe(self) -> str:
        parts = []
        if self.half_angle_deg is not None:
            parts.append(f"half-angle {self.half_angle_deg:g} deg")
        if self.swath_km is not None:
            parts.append(f"swath {self.swath_km:g} km")
        if self.max_off_nadir_deg:
            parts.append(f"steering {self.max_off_nadir_deg:g} deg")
        if self.min_off_nadir_deg:
            parts.append(f"near edge {self.min_off_nadir_deg:g} deg")
        if self.look != "both":
            parts.append(f"{self.look}-looking")
        if self.min_sun_elevation_deg is not None:
            parts.append(f"sun >= {self.min_sun_elevation_deg:g} deg")
        return ", ".join(parts) or "none"


@dataclass
class Problem:
    """Everything a block of time steps needs (picklable: it travels to Dask workers)."""

    mode: str  # "rows": closed-form row intervals; "cells": exact test per candidate cell
    n_cell: int
    start_ns: int
    step_ns: int
    n_steps: int
    el_min: float
    folds: np.ndarray
    cap: np.ndarray
    window_steps: int = 0
    n_windows: int = 0
    arrays: dict = field(default_factory=dict)

    def windows_of(self, a: int, b: int) -> np.ndarray:
        g = np.arange(a, b, dtype=np.int64)
        return g // self.window_steps if self.window_steps else np.full(b - a, -1, np.int64)


def _area_cap(xyz: np.ndarray) -> np.ndarray:
    unit = xyz / np.linalg.norm(xyz, axis=1, keepdims=True)
    centre = unit.sum(axis=0)
    norm = np.linalg.norm(centre)
    centre = centre / norm if norm > 1e-9 else np.array([0.0, 0.0, 1.0])
    radius = float(np.arccos(np.clip(unit @ centre, -1.0, 1.0)).max()) if norm > 1e-9 else math.pi
    return np.array([*centre, radius + math.radians(0.01)])


def build_problem(place, start_ns, step_ns, n_steps, min_elevation, sensor, fleet, n_fold,
                  window_steps) -> Problem:  # fmt: skip
    """Geometry arrays of the area and constraint parameters, validated."""
    el_min = math.radians(float(min_elevation))
    folds = np.asarray(sorted({int(k) for k in n_fold} | {1}), dtype=np.int64)
    n_windows = -(-n_steps // window_steps) if window_steps else 0
    simple = sensor is None or (
        not sensor.has_cone and sensor.look == "both" and sensor.min_sun_elevation_deg is None
        and not sensor.min_off_nadir_deg
    )  # fmt: skip
    if isinstance(place, Grid) and simple and el_min >= 0.0:
        fbox = place.box_frames()
        lat = np.radians(place.lat)
        sp, cp = np.sin(lat), np.cos(lat)
        nrad = frames.WGS84_A_KM / np.sqrt(1.0 - frames.WGS84_E2 * sp * sp)
        rows = np.ascontiguousarray(
            np.stack([sp, cp, nrad * cp, nrad * (1 - frames.WGS84_E2) * sp], 1)
        )
        cmin = np.where(place.mask.any(1), np.argmax(place.mask, 1), -1)
        cmax = np.where(
            place.mask.any(1), place.mask.shape[1] - 1 - np.argmax(place.mask[:, ::-1], 1), -1
        )
        cells_xyz = fbox[place.cell_row, place.cell_col, :3]
        arrays = dict(
            rows=rows, row_beta=np.arctan2(rows[:, 3], rows[:, 2]),
            row_cmin=cmin.astype(np.int64), row_cmax=cmax.astype(np.int64),
            lon0=math.radians(place.lon[0]), res=math.radians(place.resolution_deg), fbox=fbox,
            cell_row=place.cell_row, cell_col=place.cell_col,
        )  # fmt: skip
        mode = "rows"
    else:
        if isinstance(place, Grid):
            cf = place.box_frames()[place.cell_row, place.cell_col]
            band_of = place.cell_row
        else:
            cf = place.frames()
            beta_deg = np.degrees(np.arctan2(cf[:, 2], np.hypot(cf[:, 0], cf[:, 1])))
            band_of = np.floor((beta_deg + 90.0) / _BAND_DEG).astype(np.int64)
        cf = np.ascontiguousarray(cf)
        cells_xyz = cf[:, :3]
        beta = np.arctan2(cf[:, 2], np.hypot(cf[:, 0], cf[:, 1]))
        lon = np.arctan2(cf[:, 1], cf[:, 0])
        lon_mid = (
            math.radians(float(np.mean(place.lon[[0, -1]]))) if isinstance(place, Grid) else 0.0
        )
        lon = lon_mid + (lon - lon_mid + math.pi) % (2 * math.pi) - math.pi
        order = np.lexsort((lon, band_of))
        bands, start = np.unique(band_of[order], return_index=True)
        band_start = np.append(start, len(order)).astype(np.int64)
        b_lo = np.minimum.reduceat(beta[order], start)
        b_hi = np.maximum.reduceat(beta[order], start)
        n_sat = len(fleet)
        sens = sensor.off_nadir_bounds(fleet.mean_motion) if sensor is not None else None
        if sens is None or (not sensor.has_cone and not sensor.min_off_nadir_deg):
            sens = np.empty((0, 2))
        elif sens.shape[0] != n_sat:
            sens = np.empty((0, 2))
        side = {"both": 0, "right": 1, "left": -1}[sensor.look if sensor else "both"]
        sun_min = (
            math.radians(sensor.min_sun_elevation_deg)
            if sensor is not None and sensor.min_sun_elevation_deg is not None
            else math.nan
        )
        arrays = dict(
            band_lo=b_lo, band_hi=b_hi, band_start=band_start, order=order.astype(np.int64),
            band_lon=np.ascontiguousarray(lon[order]), lon_mid=lon_mid, cf=cf, sens_cos=sens,
            side=side, sun_min=sun_min,
        )  # fmt: skip
        mode = "cells"
    return Problem(mode, place.n_cells, int(start_ns), int(step_ns), int(n_steps), el_min, folds,
                   _area_cap(cells_xyz), int(window_steps), n_windows, arrays)  # fmt: skip


def block_counts(problem: Problem, model, t_ns: np.ndarray) -> np.ndarray:
    """Satellites meeting the constraints at each cell and step, (time, cell) uint16."""
    counts = np.zeros((len(t_ns), problem.n_cell), np.uint16)
    if model is None or len(model.epoch_ns) == 0:
        return counts
    r, v, _ = propagate.states(model, t_ns, itrf=True)
    p = [np.ascontiguousarray(r[..., k].T) for k in range(3)]
    a = problem.arrays
    if problem.mode == "rows":
        del v
        K.count_grid(*p, a["rows"], a["row_beta"], a["row_cmin"], a["row_cmax"], a["lon0"],
                     a["res"], a["fbox"], a["cell_row"], a["cell_col"], problem.cap,
                     problem.el_min, counts)  # fmt: skip
        return counts
    vel = [np.ascontiguousarray(v[..., k].T) for k in range(3)]
    del r, v
    if a["sun_min"] == a["sun_min"]:
        sun_xyz = np.ascontiguousarray(sun.sun_position_itrf(t_ns.view("datetime64[ns]")))
    else:
        sun_xyz = np.zeros((len(t_ns), 3))
    K.count_cells(*p, *vel, a["band_lo"], a["band_hi"], a["band_start"], a["order"],
                  a["band_lon"], a["lon_mid"], a["cf"], problem.cap, problem.el_min,
                  a["sens_cos"], a["side"], sun_xyz, a["sun_min"], counts)  # fmt: skip
    return counts


def empty_states(problem: Problem) -> tuple[np.ndarray, np.ndarray]:
    """Fresh per-cell state and per-window states (window, cell, field)."""
    st = K.empty_state(problem.n_cell, len(problem.folds))
    w = np.broadcast_to(st, (max(problem.n_windows, 1),) + st.shape).copy()
    return st, w


def run_block(problem, model, g_lo, g_hi, state, wstate, chunk_steps, want_gaps,
              series=None, progress=None):  # fmt: skip
    """Scan global steps [g_lo, g_hi) into ``state``/``wstate`` (in place), chunk by
    chunk; returns the gaps closed inside, as (cell, length) arrays."""
    cells, lengths = [], []
    for a in range(g_lo, g_hi, chunk_steps):
        b = min(a + chunk_steps, g_hi)
        t_ns = problem.start_ns + np.arange(a, b, dtype=np.int64) * problem.step_ns
        counts = block_counts(problem, model, t_ns)
        if want_gaps:
            c, ln = K.gap_events(counts, a, state[:, K.LAST].copy())
            cells.append(c)
            lengths.append(ln)
        K.scan(counts, a, state, problem.folds, problem.windows_of(a, b), wstate)
        if series is not None:
            series[a - g_lo : b - g_lo] = counts
        if progress is not None:
            progress((b - g_lo) / max(g_hi - g_lo, 1), f"steps {b}/{g_hi}")
    cat = lambda x: np.concatenate(x) if x else np.empty(0, np.int64)  # noqa: E731
    return cat(cells), cat(lengths)


def _times(start, stop, step_s):
    if start is None or stop is None:
        raise ValueError("start and stop are required (ISO-8601 UTC strings or datetime64)")
    t0 = int(timescale.to_ns(timescale.as_utc(start, "start"))[0])
    t1 = int(timescale.to_ns(timescale.as_utc(stop, "stop"))[0])
    try:
        step = float(step_s)
    except (TypeError, ValueError):
        raise ValueError(f"step_s must be a number of seconds, got {step_s!r}") from None
    if not (math.isfinite(step) and step > 0):
        raise ValueError(f"step_s={step_s!r} must be a positive number of seconds")
    if t1 <= t0:
        raise ValueError(f"stop ({stop}) must be after start ({start})")
    step_ns = int(round(step * timescale.NS_PER_S))
    n = -(-(t1 - t0) // step_ns)
    return t0, t1, step_ns, int(n)


def coverage(
    fleet,
    area="AES",
    resolution_deg: float = 0.1,
    start=None,
    stop=None,
    step_s: float = 30.0,
    min_elevation: float = 25.0,
    *,
    sensor: Sensor | None = None,
    n_fold=(1, 2, 3, 4),
    gap_percentiles=(50, 90),
    window_s: float | None = None,
    time_series: bool = False,
    chunk_steps: int | None = None,
    client=None,
    scheduler: str | None = None,
    max_memory_gb: float = 4.0,
    progress=None,
) -> xr.Dataset:
    """Coverage and revisit of an area by a fleet, per cell, as an xarray Dataset.

    ``fleet``: a :class:`~sahelsat.fleet.Fleet`. ``area``: ``"AES"`` (Mali, Niger,
    Burkina Faso), ``"MLI"``, ``"NER"``, ``"BFA"``, a GeoJSON polygon (path, dict or
    text), a shapely polygon, or points (``"population[:ISO3,...]"``: the populated cells
    of the population base, weighted by people; ``"towns[:ISO3,...]"`` or a table with
    ``latitude_deg, longitude_deg[, name, population]``). ``resolution_deg``: grid
    spacing. ``start``/``stop``: UTC (ISO-8601 or datetime64); samples at ``start + k *
    step_s`` before ``stop``. ``min_elevation``: degrees above the cell's ellipsoidal
    horizon. ``sensor``: imaging constraints (:class:`Sensor`). ``n_fold``: k for the
    percent of time with at least k satellites. ``gap_percentiles``: percentiles of the
    gaps. ``window_s``: also give figures per window (e.g. 86400: daily).
    ``time_series``: also return ``n_visible`` (time, lat, lon). ``client`` (a
    ``dask.distributed.Client``) or ``scheduler`` (its address): run time blocks on the
    cluster and merge them exactly (``progress``: then the share of blocks done; what it
    raises cancels the blocks).

    Returns a Dataset over (lat, lon) cell centres (or ``point``), float64, NaN outside
    the area: ``percent_covered, n_visible_mean/min/max, mean_gap_s, max_gap_s, n_gaps,
    gap_pXX_s, time_to_first_coverage_s, time_after_last_coverage_s,
    mean_response_time_s, total_access_s, n_accesses`` (see
    :mod:`sahelsat.coverage_analysis.figures` for the conventions), ``percent_nfold`` (fold, ...),
    ``cell_area_km2``; area-weighted aggregates in ``attrs`` (``mean_<figure>``).
    """
    t0, t1, step_ns, n_steps = _times(start, stop, step_s)
    step = step_ns / timescale.NS_PER_S
    if not -90.0 <= float(min_elevation) < 90.0:
        raise ValueError(f"min_elevation={min_elevation!r} must be in [-90, 90) degrees")
    if sensor is not None and not isinstance(sensor, Sensor):
        raise ValueError(f"sensor must be a Sensor, not {type(sensor).__name__}")
    if not max_memory_gb > 0:
        raise ValueError(f"max_memory_gb={max_memory_gb!r} must be positive")
    place = make_area(area, resolution_deg, max_memory_gb)
    window_steps = 0
    if window_s is not None:
        window_steps = int(round(float(window_s) / step))
        if window_steps < 1:
            raise ValueError(f"window_s={window_s!r} must be at least one step ({step:g} s)")
    n_sat = len(fleet)
    n_windows = -(-n_steps // window_steps) if window_steps else 0
    state_gb = place.n_cells * 8 * (16 + len(n_fold)) * (2 + n_windows) / 1e9
    series_gb = n_steps * place.n_cells * 10 / 1e9  # uint16 counts, then float64 values
    if state_gb + (series_gb if time_series else 0.0) > max_memory_gb:
        what = "time_series=True" if time_series else "window_s"
        raise AreaError(
            f"{what} over {place.n_cells:,} cells x {n_steps:,} steps needs about "
            f"{state_gb + series_gb * time_series:.1f} GB (max_memory_gb={max_memory_gb:g}): "
            "use fewer steps, a coarser resolution_deg or a smaller area"
        )
    if chunk_steps is None:
        chunk_steps = int(np.clip(_POS_BUDGET // max(n_sat, 1), 16, 720))
    chunk_steps = max(1, int(chunk_steps))
    if n_sat:
        fleet._warn_stale(np.array([t0, t1]).view("datetime64[ns]"))
    model = fleet.model if n_sat else None
    problem = build_problem(place, t0, step_ns, n_steps, min_elevation, sensor, fleet, n_fold,
                            window_steps)  # fmt: skip
    want_gaps = len(tuple(gap_percentiles)) > 0
    if client is not None or scheduler is not None:
        from sahelsat.coverage_analysis.distributed import run_distributed

        state, wstate, (cells, lengths), series = run_distributed(
            problem, fleet, client, scheduler, chunk_steps, want_gaps, time_series, progress
        )
    else:
        state, wstate = empty_states(problem)
        series = np.empty((n_steps, place.n_cells), np.uint16) if time_series else None
        cells, lengths = run_block(problem, model, 0, n_steps, state, wstate, chunk_steps,
                                   want_gaps, series, progress)  # fmt: skip
    ds = assemble(place, problem, state, wstate, cells, lengths, gap_percentiles, step, series)
    ds.attrs.update(
        start=str(np.datetime64(t0, "ns"))[:23] + "Z",
        stop=str(np.datetime64(t1, "ns"))[:23] + "Z",
        step_s=step,
        n_steps=n_steps,
        min_elevation_deg=float(min_elevation),
        n_satellites=n_sat,
        sensor=sensor.describe() if sensor else "none (communication: elevation only)",
        algorithm=problem.mode,
    )
    return ds


def assemble(place, problem, state, wstate, cells, lengths, percentiles, step, series=None):
    """The Dataset of figures from the final state."""
    figs = figures.finalize(state, 0, step)
    pct = figures.gap_percentiles(cells, lengths, state, percentiles, step)
    for q, row in zip(percentiles, pct, strict=True):
        figs[f"gap_p{q:g}_s".replace(".", "_")] = row
    nf = figures.nfold(state)
    if isinstance(place, Grid):
        dims, coords = ("lat", "lon"), {"lat": place.lat, "lon": place.lon}
        expand = place.expand
        weight = place.cell_area_km2
        data = {"cell_area_km2": (dims, expand(weight))}
    else:
        dims = ("point",)
        coords = {"point": np.arange(place.n_cells, dtype=np.int32), "lat": ("point", place.lat),
                  "lon": ("point", place.lon), "name": ("point", place.names)}  # fmt: skip
        expand = np.asarray
        weight = place.weight
        data = {"weight": (dims, weight.astype(float))}
    for name, values in figs.items():
        data[name] = (dims, expand(values))
    data["percent_nfold"] = (("fold",) + dims, expand(nf))
    coords["fold"] = problem.folds.astype(np.int32)
    if problem.window_steps:
        wf = [figures.finalize(wstate[w], w * problem.window_steps, step)
              for w in range(problem.n_windows)]  # fmt: skip
        for name in ("percent_covered", "n_visible_mean", "mean_gap_s", "max_gap_s",
                     "time_to_first_coverage_s"):  # fmt: skip
            data[f"window_{name}"] = (("window",) + dims, expand(np.stack([f[name] for f in wf])))
        coords["window_start_s"] = (
            "window",
            np.arange(problem.n_windows) * problem.window_steps * step,
        )
    if series is not None:
        data["n_visible"] = (("time",) + dims, expand(series.astype(np.float64)))
        coords["time_s"] = ("time", np.arange(series.shape[0]) * step)
    ds = xr.Dataset(data, coords=coords)
    for name in ("lat", "lon"):
        if name in ds.coords:
            ds[name].attrs["units"] = "degrees_north" if name == "lat" else "degrees_east"
    attrs = {
        "title": "sahelsat coverage",
        "area": str(place.name),
        "n_cells": place.n_cells,
        "gap_convention": (
            "gap = uncovered run between two covered samples; edge runs "
            "excluded (see time_to_first/after_last); inf = never covered; "
            "NaN = outside the area"
        ),
        "weighting": "cell area (km2)" if isinstance(place, Grid) else "population",
    }
    if str(place.name).lower().startswith("population"):
        from sahelsat.places import population_note

        attrs["weighting"] = "people of the population base. " + population_note("en")
    elif str(place.name).lower().startswith("towns"):
        attrs["weighting"] = "population of the GeoNames towns (about a quarter of the people)"
    if isinstance(place, Grid):
        attrs["resolution_deg"] = float(place.resolution_deg)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for name, values in figs.items():
            attrs[f"mean_{name}"] = weighted_mean(values, weight)
    ds.attrs.update(attrs)
    return ds


def weighted_mean(values: np.ndarray, weight: np.ndarray) -> float:
    """Weighted mean over cells with positive weight; inf when any such cell is inf."""
    w = np.asarray(weight, float)
    v = np.asarray(values, float)
    keep = w > 0
    if not keep.any():
        return float("nan")
    if np.isinf(v[keep]).any():
        return float("inf")
    return float(np.sum(w[keep] * v[keep]) / np.sum(w[keep]))
