"""SGP4 propagation of many satellites over many times, in TEME, ITRF or geodetic.

Near-Earth orbits run in sahelsat's compiled kernel (:mod:`sahelsat.sgp4_kernel`),
deep-space orbits (period >= 225 min: geostationary, Molniya, GNSS) in the compiled SDP4
kernel (:mod:`sahelsat.sdp4_kernel`); station-kept designs (and any deep-space set the
compiled kernel cannot take) go through the ``sgp4`` package's interface one satellite at
a time. All share the frame conversions. Time since epoch is
taken from exact integer nanoseconds, so no precision is lost to float days.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from sgp4 import api as sgp4_api
from sgp4.model import Satrec as PySatrec

from sahelsat import frames, sdp4_kernel, sgp4_kernel, stationkeeping, timescale
from sahelsat.elements import TLE_MAX_CATALOG_NUMBER, ElementSet

_DEG = math.pi / 180.0
_XPDOTP = 1440.0 / (2.0 * math.pi)  # rev/day per rad/min
_DAYS_1949_TO_1970 = 7306.0  # from 1949-12-31 00:00 UT, the epoch sgp4init counts from


@dataclass
class SGP4Model:
    """Initialised SGP4 state of a fleet: the arrays the kernels need."""

    coef: np.ndarray  # (satellite, N_COEF) near-Earth coefficients (zero rows elsewhere)
    epoch_ns: np.ndarray  # (satellite,) int64 UTC
    deep: np.ndarray  # (satellite,) bool: deep space (SDP4) or station-kept
    init_error: np.ndarray  # (satellite,) int8: SGP4 error raised at initialisation
    deep_satrecs: dict[int, sgp4_api.Satrec]
    period_min: np.ndarray  # (satellite,) anomalistic period from the mean motion
    deep_coef: np.ndarray  # (satellite, N_DEEP) SDP4 coefficients (zero rows elsewhere)
    deep_compiled: np.ndarray  # (satellite,) bool: deep, run by the compiled SDP4 kernel

    @property
    def near_index(self) -> np.ndarray:
        return np.flatnonzero(~self.deep & (self.init_error == 0))

    @property
    def sdp4_index(self) -> np.ndarray:
        """Rows propagated by the compiled SDP4 kernel."""
        return np.flatnonzero(self.deep_compiled & (self.init_error == 0))

    def one_by_one(self):
        """(row, Satrec-like) of the deep rows the compiled kernels do not take."""
        return [
            (i, sat)
            for i, sat in self.deep_satrecs.items()
            if self.init_error[i] == 0 and not self.deep_compiled[i]
        ]

    def take(self, rows) -> SGP4Model:
        """The state of satellites ``rows`` (index array), without initialising again."""
        rows = np.asarray(rows, dtype=np.int64)
        return SGP4Model(
            coef=self.coef[rows],
            epoch_ns=self.epoch_ns[rows],
            deep=self.deep[rows],
            init_error=self.init_error[rows],
            deep_satrecs={
                k: self.deep_satrecs[i] for k, i in enumerate(rows) if i in self.deep_satrecs
            },
            period_min=self.period_min[rows],
            deep_coef=self.deep_coef[rows],
            deep_compiled=self.deep_compiled[rows],
        )


def concatenate(models: list[SGP4Model]) -> SGP4Model:
    """One model holding the satellites of ``models`` in order."""
    deep, offset = {}, 0
    for m in models:
        deep.update({offset + i: sat for i, sat in m.deep_satrecs.items()})
        offset += len(m.epoch_ns)
    cat = lambda name: np.concatenate([getattr(m, name) for m in models])  # noqa: E731
    return SGP4Model(
        coef=np.concatenate([m.coef for m in models]).reshape(-1, sgp4_kernel.N_COEF),
        epoch_ns=cat("epoch_ns"),
        deep=cat("deep"),
        init_error=cat("init_error"),
        deep_satrecs=deep,
        period_min=cat("period_min"),
        deep_coef=np.concatenate([m.deep_coef for m in models]).reshape(-1, sdp4_kernel.N_DEEP),
        deep_compiled=cat("deep_compiled"),
    )


def _init_args(es: ElementSet) -> tuple:
    epoch_days = (
        es.epoch.astype("datetime64[ns]").astype(np.int64) / timescale.NS_PER_DAY
        + _DAYS_1949_TO_1970
    )
    return (
        # The sgp4 package refuses numbers beyond Alpha-5; the number is only a label there.
        es.catalog_number if es.catalog_number <= TLE_MAX_CATALOG_NUMBER else 0,
        epoch_days,
        es.bstar,
        es.mean_motion_dot / (_XPDOTP * 1440.0),
        es.mean_motion_ddot / (_XPDOTP * 1440.0 * 1440.0),
        es.eccentricity,
        es.arg_perigee * _DEG,
        es.inclination * _DEG,
        es.mean_anomaly * _DEG,
        es.mean_motion / _XPDOTP,
        es.raan * _DEG,
    )


def build_model(element_sets: list[ElementSet]) -> SGP4Model:
    """Initialise SGP4 for each element set (WGS-72, improved mode), (satellite,) arrays."""
    n = len(element_sets)
    py_sats, deep, init_error, cpp = [], np.zeros(n, bool), np.zeros(n, np.int8), {}
    for i, es in enumerate(element_sets):
        args = _init_args(es)
        sat = PySatrec()
        sat.sgp4init(sgp4_api.WGS72, "i", *args)
        py_sats.append(sat)
        init_error[i] = sat.error
        if es.station_lon_deg is not None:  # a station-kept design: at its slot, any date
            deep[i], init_error[i] = True, 0
            cpp[i] = stationkeeping.StationKept(es.station_lon_deg, es.epoch)
        elif sat.method == "d":
            deep[i] = True
            if es.tle_lines:  # the reference's own reading, epoch rounding included
                cpp[i] = sgp4_api.Satrec.twoline2rv(*es.tle_lines)
            else:
                cpp[i] = sgp4_api.Satrec()
                cpp[i].sgp4init(sgp4_api.WGS72, "i", *args)
    coef = sgp4_kernel.near_earth_coefficients(py_sats)
    coef[deep | (init_error != 0)] = 0.0
    deep_src = [_deep_source(es, sat) for es, sat in zip(element_sets, py_sats, strict=True)]
    deep_coef = sdp4_kernel.deep_space_coefficients(deep_src)
    readable = np.array([s is not None for s in deep_src], dtype=bool)
    compiled = deep & readable & (init_error == 0) & np.isfinite(deep_coef).all(axis=1)
    deep_coef[~compiled] = 0.0
    epoch_ns = np.array([es.epoch for es in element_sets], dtype="datetime64[ns]").view(np.int64)
    mean_motion = np.array([es.mean_motion for es in element_sets], dtype=float)
    return SGP4Model(
        coef, epoch_ns, deep, init_error, cpp, 1440.0 / mean_motion, deep_coef, compiled
    )


def _deep_source(es: ElementSet, sat: PySatrec) -> PySatrec | None:
    """The initialised SDP4 state the compiled kernel takes for ``es``, or None (near-Earth,
    station-kept, or not readable: those stay on the one-by-one path).

    Deep-space orbits are sensitive to the epoch's last digits (about 4 mm in Vallado's
    verification set), so TLE lines are read as the reference reads them."""
    if sat.method != "d" or es.station_lon_deg is not None:
        return None
    if not es.tle_lines:
        return sat
    try:
        deep = PySatrec.twoline2rv(*es.tle_lines, sgp4_api.WGS72)
    except (ValueError, IndexError):
        return None
    return deep if deep.method == "d" and deep.error == 0 else None


def _deep_teme(sat: sgp4_api.Satrec, tsince_min: np.ndarray):
    """Reference C++ SGP4 at minutes since its epoch: error (time,), r, v (time, 3)."""
    jd = np.full(tsince_min.shape, sat.jdsatepoch)
    fr = sat.jdsatepochF + tsince_min / 1440.0
    err, r, v = sat.sgp4_array(jd, fr)
    bad = err != 0
    r[bad] = np.nan
    v[bad] = np.nan
    return err.astype(np.int8), r, v


def states(model: SGP4Model, t_ns: np.ndarray, itrf: bool):
    """Position (km), velocity (km/s), each (satellite, time, 3), and error (satellite, time).

    TEME unless ``itrf``.
    """
    n, m = len(model.epoch_ns), len(t_ns)
    r = np.empty((3, n, m))  # component-major for the vectorised kernel; returned as views
    v = np.empty((3, n, m))
    err = np.zeros((n, m), np.int8)
    if itrf:
        rot = frames.rotation_columns(frames.earth_rotation(t_ns.view("datetime64[ns]")))
        omega = frames.EARTH_ROTATION_RAD_S
    else:
        rot, omega = frames.identity_columns(m), 0.0
    dt, t0 = sgp4_kernel.grid_offsets(t_ns)
    sgp4_kernel.propagate_grid(
        model.coef, model.epoch_ns, model.near_index, dt, t0, rot, omega,
        r[0], r[1], r[2], v[0], v[1], v[2], err,
    )  # fmt: skip
    sdp4_kernel.propagate_grid(
        model.deep_coef, model.epoch_ns, model.sdp4_index, dt, t0, rot, omega,
        r[0], r[1], r[2], v[0], v[1], v[2], err,
    )  # fmt: skip
    for i, sat in model.one_by_one():
        e, tr, tv = _deep_teme(sat, (t_ns - model.epoch_ns[i]) / 6.0e10)
        err[i] = e
        sgp4_kernel.convert_teme_row(tr, tv, rot, itrf, omega, i, r, v)
    r, v = np.moveaxis(r, 0, -1), np.moveaxis(v, 0, -1)
    _flag_init_errors(model, r, v, err=err)
    return r, v, err


def geodetic(model: SGP4Model, t_ns: np.ndarray):
    """Latitude, longitude (degrees), height (km), each (satellite, time), and error codes."""
    n, m = len(model.epoch_ns), len(t_ns)
    lat, lon, alt = np.empty((n, m)), np.empty((n, m)), np.empty((n, m))
    err = np.zeros((n, m), np.int8)
    rot = frames.rotation_columns(frames.earth_rotation(t_ns.view("datetime64[ns]")))
    dt, t0 = sgp4_kernel.grid_offsets(t_ns)
    sgp4_kernel.geodetic_grid(
        model.coef, model.epoch_ns, model.near_index, dt, t0, rot, lat, lon, alt, err
    )
    sdp4_kernel.geodetic_grid(
        model.deep_coef, model.epoch_ns, model.sdp4_index, dt, t0, rot, lat, lon, alt, err
    )
    for i, sat in model.one_by_one():
        e, tr, _ = _deep_teme(sat, (t_ns - model.epoch_ns[i]) / 6.0e10)
        err[i] = e
        sgp4_kernel.geodetic_teme_row(tr, rot, i, lat, lon, alt)
    _flag_init_errors(model, lat, lon, alt, err=err)
    return lat, lon, alt, err


def teme_at_tsince(model: SGP4Model, tsince_min: np.ndarray):
    """TEME states at minutes since each satellite's epoch, ``tsince_min`` (satellite, time)."""
    tsince_min = np.ascontiguousarray(tsince_min, dtype=float)
    n, m = tsince_min.shape
    r, v = np.empty((n, m, 3)), np.empty((n, m, 3))
    err = np.zeros((n, m), np.int8)
    near = model.near_index
    rn, vn, en = (
        np.empty((3, len(near), m)),
        np.empty((3, len(near), m)),
        np.empty((len(near), m), np.int8),
    )
    sgp4_kernel.propagate_tsince(
        model.coef, near, tsince_min[near], rn[0], rn[1], rn[2], vn[0], vn[1], vn[2], en
    )
    r[near], v[near], err[near] = np.moveaxis(rn, 0, -1), np.moveaxis(vn, 0, -1), en
    deep = model.sdp4_index
    rd, vd, ed = (
        np.empty((3, len(deep), m)),
        np.empty((3, len(deep), m)),
        np.empty((len(deep), m), np.int8),
    )
    sdp4_kernel.propagate_tsince(
        model.deep_coef, deep, tsince_min[deep], rd[0], rd[1], rd[2], vd[0], vd[1], vd[2], ed
    )
    r[deep], v[deep], err[deep] = np.moveaxis(rd, 0, -1), np.moveaxis(vd, 0, -1), ed
    for i, sat in model.one_by_one():
        err[i], r[i], v[i] = _deep_teme(sat, tsince_min[i])
    _flag_init_errors(model, r, v, err=err)
    return r, v, err


def _flag_init_errors(model: SGP4Model, *arrays, err) -> None:
    bad = np.flatnonzero(model.init_error)
    for i in bad:
        err[i] = model.init_error[i]
        for a in arrays:
            a[i] = np.nan


def itrf_at_pairs(model: SGP4Model, sat_index: np.ndarray, t_ns: np.ndarray):
    """ITRF position (pair, 3) km, velocity (pair, 3) km/s and error (pair,) for
    satellite ``sat_index[k]`` at instant ``t_ns[k]``."""
    sat_index = np.ascontiguousarray(sat_index, dtype=np.int64)
    t_ns = np.ascontiguousarray(t_ns, dtype=np.int64)
    k = len(sat_index)
    r, v, err = np.empty((k, 3)), np.empty((k, 3)), np.zeros(k, np.int8)
    rot = frames.earth_rotation(t_ns.view("datetime64[ns]"))
    near_mask = ~model.deep[sat_index] & (model.init_error[sat_index] == 0)
    near = np.flatnonzero(near_mask)
    if len(near):
        out, en = np.empty((6, len(near))), np.zeros(len(near), np.int8)
        sgp4_kernel.propagate_pairs(
            model.coef, model.epoch_ns, np.ascontiguousarray(sat_index[near]),
            np.ascontiguousarray(t_ns[near]), frames.rotation_columns(rot[near]),
            frames.EARTH_ROTATION_RAD_S, out, en,
        )  # fmt: skip
        r[near], v[near], err[near] = out[:3].T, out[3:].T, en
    sdp4_mask = model.deep_compiled[sat_index] & (model.init_error[sat_index] == 0)
    deep = np.flatnonzero(sdp4_mask)
    if len(deep):
        out, ed = np.empty((6, len(deep))), np.zeros(len(deep), np.int8)
        sdp4_kernel.propagate_pairs(
            model.deep_coef, model.epoch_ns, np.ascontiguousarray(sat_index[deep]),
            np.ascontiguousarray(t_ns[deep]), frames.rotation_columns(rot[deep]),
            frames.EARTH_ROTATION_RAD_S, out, ed,
        )  # fmt: skip
        r[deep], v[deep], err[deep] = out[:3].T, out[3:].T, ed
    others = np.flatnonzero(~near_mask & ~sdp4_mask)
    for i in np.unique(sat_index[others]):
        rows = others[sat_index[others] == i]
        if model.init_error[i] != 0:
            err[rows], r[rows], v[rows] = model.init_error[i], np.nan, np.nan
            continue
        e, tr, tv = _deep_teme(model.deep_satrecs[i], (t_ns[rows] - model.epoch_ns[i]) / 6.0e10)
        err[rows] = e
        r[rows], v[rows] = frames.teme_to_itrf_pairs(tr, tv, rot[rows])
    return r, v, err
