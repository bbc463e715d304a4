"""The Fleet: a set of satellites' element sets, and what they give over time.

A :class:`Fleet` is a thin holder over per-satellite arrays (names, catalogue numbers,
epochs, mean elements) with methods that call the vectorised kernels: propagation to
TEME/ITRF, geodetic sub-satellite points, look angles from ground sites. Real element
sets (:func:`load_elements`, :func:`catalogue`) and designed constellations
(:mod:`sahelsat.designs`) are both Fleets and combine with ``+``.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from importlib import resources

import numpy as np
import pandas as pd

from sahelsat import frames, places, propagate, timescale, userdata
from sahelsat.elements import ElementSet, Skipped, omm_json, read_element_sets, tle_text

#: Shipped catalogues (CelesTrak groups of 2026-05-30): name -> files in sahelsat/data/tle.
CATALOGUES = {
    "resource": ["resource.txt", "resource_extra_sentinel1.txt"],
    "starlink": ["starlink.txt"],
    "oneweb": ["oneweb.txt"],
    "geo": ["geo.txt"],
    "weather": ["weather.txt"],
}
#: Age (days) of an element set beyond which propagation warns: LEO decays fast.
STALE_DAYS_LEO = 14.0
STALE_DAYS_HIGH = 30.0


class EpochWarning(UserWarning):
    """Propagation far from an element set's epoch: accuracy degrades."""


@dataclass
class Propagation:
    """States of each satellite at each time.

    ``position`` (satellite, time, 3) km, ``velocity`` (satellite, time, 3) km/s, in
    ``frame``; ``error`` (satellite, time) int8 SGP4 error code (0 fine, 1 eccentricity
    out of range, 3 perturbed eccentricity, 4 semi-latus rectum, 6 decayed); positions
    with an error are NaN.
    """

    times: np.ndarray
    position: np.ndarray
    velocity: np.ndarray
    error: np.ndarray
    frame: str
    names: np.ndarray


class Fleet:
    """Satellites' element sets as arrays; propagates them together.

    Attributes (each (satellite,)): ``names``, ``catalog_numbers``, ``epochs``
    (datetime64[ns] UTC), ``mean_motion`` (rev/day), ``eccentricity``, ``inclination``,
    ``raan``, ``arg_perigee``, ``mean_anomaly`` (degrees), ``bstar``. ``skipped`` lists
    the records left out when it was read with ``strict=False``.
    """

    def __init__(self, element_sets: list[ElementSet], skipped: list[Skipped] | None = None):
        self.element_sets = list(element_sets)
        self.skipped = list(skipped or [])
        es = self.element_sets
        self.names = np.array([e.name for e in es], dtype=object)
        self.catalog_numbers = np.array([e.catalog_number for e in es], dtype=np.int64)
        self.epochs = np.array([e.epoch for e in es], dtype="datetime64[ns]")
        for attr in ("mean_motion", "eccentricity", "inclination", "raan", "arg_perigee",
                     "mean_anomaly", "bstar"):  # fmt: skip
            setattr(self, attr, np.array([getattr(e, attr) for e in es], dtype=float))

    # ------------------------------------------------------------------ containers
    def __len__(self) -> int:
        return len(self.element_sets)

    def __repr__(self) -> str:
        head = ", ".join(self.names[:3])
        more = f", ... ({len(self)} satellites)" if len(self) > 3 else ""
        return f"Fleet([{head}{more}])"

    def __iter__(self) -> Iterator[ElementSet]:
        return iter(self.element_sets)

    def __add__(self, other: Fleet) -> Fleet:
        joined = Fleet(self.element_sets + other.element_sets, self.skipped + other.skipped)
        if "model" in self.__dict__ and "model" in other.__dict__:  # keep both models
            joined.__dict__["model"] = propagate.concatenate([self.model, other.model])
        return joined

    def __getitem__(self, key) -> Fleet:
        """Sub-fleet by position, slice, boolean mask, index array or name(s). An SGP4
        model already built is kept (its rows taken), not initialised again."""
        rows = self._rows(key)
        sub = Fleet([self.element_sets[i] for i in rows])
        if "model" in self.__dict__:
            sub.__dict__["model"] = self.model.take(rows)
        return sub

    def _rows(self, key) -> np.ndarray:
        """Row indices selected by a :meth:`__getitem__` key."""
        if isinstance(key, str):
            key = [key]
        if isinstance(key, (int, np.integer)):
            return np.arange(len(self))[[key]]
        if isinstance(key, slice):
            return np.arange(len(self))[key]
        key = list(key)
        if key and all(isinstance(k, str) for k in key):
            lookup = {n: i for i, n in reversed(list(enumerate(self.names)))}
            missing = [k for k in key if k not in lookup]
            if missing:
                raise KeyError(f"no satellite named {missing} in this fleet")
            key = [lookup[k] for k in key]
        return np.arange(len(self))[np.asarray(key)] if key else np.array([], int)

    def select(self, pattern: str) -> Fleet:
        """Satellites whose name contains ``pattern`` (case-insensitive; regex allowed)."""
        mask = pd.Series(self.names, dtype=str).str.contains(pattern, case=False, regex=True)
        return self[mask.to_numpy()]

    def table(self) -> pd.DataFrame:
        """One row per satellite: name, catalogue number, epoch and mean elements."""
        return pd.DataFrame(
            {
                "name": self.names,
                "catalog_number": self.catalog_numbers,
                "epoch": self.epochs,
                "mean_motion": self.mean_motion,
                "eccentricity": self.eccentricity,
                "inclination": self.inclination,
                "raan": self.raan,
                "arg_perigee": self.arg_perigee,
                "mean_anomaly": self.mean_anomaly,
                "bstar": self.bstar,
                "period_min": 1440.0 / self.mean_motion,
            }
        )

    def to_tle(self) -> str:
        """The fleet as 3-line TLE text (names, then lines 1 and 2); catalogue numbers
        above 99,999 in Alpha-5. A set the format cannot hold (number above 339,999) is
        left out with a warning that names it: use :meth:`to_omm` for those."""
        text, left_out = tle_text(self.element_sets)
        if left_out:
            warnings.warn("; ".join(left_out), UserWarning, stacklevel=2)
        return text

    def to_omm(self) -> str:
        """The fleet as CCSDS OMM JSON (real catalogue numbers, epochs to the nanosecond)."""
        return omm_json(self.element_sets)

    # ------------------------------------------------------------------ propagation
    @cached_property
    def model(self) -> propagate.SGP4Model:
        """Initialised SGP4 state (built on first use)."""
        return propagate.build_model(self.element_sets)

    @property
    def period_min(self) -> np.ndarray:
        """Orbital period from the mean motion, minutes, (satellite,)."""
        return 1440.0 / self.mean_motion

    def _times(self, times) -> np.ndarray:
        t = timescale.as_utc(times)
        self._warn_stale(t)
        return t

    def _warn_stale(self, t: np.ndarray) -> None:
        if not len(self) or not len(t):
            return
        limit = np.where(self.mean_motion > 6.0, STALE_DAYS_LEO, STALE_DAYS_HIGH)
        kept = np.array([e.station_lon_deg is not None for e in self.element_sets])
        limit = np.where(kept, np.inf, limit)  # station-kept designs hold at any date
        ns = timescale.to_ns(t)
        far = np.maximum(np.abs(ns.min() - self.epochs.view(np.int64)),
                         np.abs(ns.max() - self.epochs.view(np.int64)))  # fmt: skip
        age = far / timescale.NS_PER_DAY
        stale = age > limit
        if stale.any():
            worst = int(np.argmax(age))
            warnings.warn(
                f"{int(stale.sum())} of {len(self)} element sets are used more than "
                f"{STALE_DAYS_LEO:g} days (LEO) / {STALE_DAYS_HIGH:g} days (higher orbits) "
                f"from their epoch (worst: {self.names[worst]}, {age[worst]:.1f} days); "
                "positions may be off by kilometres: load fresher element sets",
                EpochWarning,
                stacklevel=3,
            )

    def propagate(self, times, frame: str = "teme") -> Propagation:
        """Positions and velocities of every satellite at every time.

        ``times``: numpy datetime64 (UTC) or ISO-8601 strings, (time,). ``frame``:
        ``"teme"`` (SGP4's true-equator mean-equinox frame) or ``"itrf"`` (Earth-fixed,
        with UT1 and polar motion from the shipped IERS table). Returns a
        :class:`Propagation` with ``position`` (satellite, time, 3) km, ``velocity`` km/s
        and ``error`` codes; a satellite that fails is flagged there, never raised.
        """
        frame_key = str(frame).lower()
        if frame_key not in ("teme", "itrf"):
            raise ValueError(f"frame must be 'teme' or 'itrf', not {frame!r}")
        t = self._times(times)
        r, v, err = propagate.states(self.model, timescale.to_ns(t), frame_key == "itrf")
        return Propagation(t, r, v, err, frame_key, self.names)

    def geodetic(self, times) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Sub-satellite latitude, longitude (degrees) and altitude (km) on WGS-84.

        Each (satellite, time); NaN where SGP4 failed (see :meth:`propagate` for codes).
        """
        t = self._times(times)
        lat, lon, alt, _ = propagate.geodetic(self.model, timescale.to_ns(t))
        return lat, lon, alt

    def look_angles(self, sites, times) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Azimuth, elevation (degrees) and range (km) from each site to each satellite.

        ``sites``: a site table or list of ``(name, lat_deg, lon_deg[, alt_m])``.
        Each output is (site, satellite, time).
        """
        lat, lon, alt_km = places.site_arrays(sites)
        pos = self.propagate(times, frame="itrf").position
        return frames.look_angles(pos, lat, lon, alt_km)


def load_elements(source, strict: bool = True) -> Fleet:
    """Read element sets into a :class:`Fleet`.

    ``source``: a path, element-set text, bytes or an open file, holding 2- or 3-line
    TLEs (CRLF or LF, Alpha-5 catalogue numbers) or CCSDS OMM as XML, JSON or CSV.
    With ``strict=True`` the first bad record raises
    :class:`~sahelsat.elements.ElementSetError` naming the file, line and field; with
    ``strict=False`` bad records are skipped and listed in ``fleet.skipped``.
    """
    result = read_element_sets(source, strict=strict)
    return Fleet(result.element_sets, result.skipped)


def catalogue(name: str, version: str | None = None) -> Fleet:
    """A catalogue of real satellites: ``resource`` (Sentinel, Landsat, ...),
    ``starlink``, ``oneweb``, ``geo``, ``weather``, or any fleet brought up to date with
    ``sahelsat update elements``.

    The freshest copy is used: the one in the user's data directory when there is one
    (see :mod:`sahelsat.userdata`), else the snapshot shipped with sahelsat (CelesTrak,
    2026-05-30). ``version`` picks a kept earlier version of the stored copy.
    """
    stored = userdata.stored_element_sets(name.strip().lower(), version)
    if stored is not None:
        return Fleet(stored)
    return shipped_catalogue(name)


def shipped_catalogue(name: str) -> Fleet:
    """The snapshot of a catalogue shipped with sahelsat (CelesTrak, 2026-05-30)."""
    key = name.strip().lower()
    if key not in CATALOGUES:
        known = sorted(set(CATALOGUES) | set(userdata.ElementStore().names()))
        raise KeyError(f"unknown catalogue {name!r}; known: {', '.join(known)}")
    fleet = Fleet([])
    for filename in CATALOGUES[key]:
        path = resources.files("sahelsat").joinpath("data", "tle", filename)
        with path.open("rb") as f:
            fleet = fleet + load_elements(f)
    return fleet


def earth_observation_fleet(version: str | None = None) -> Fleet:
    """The Earth-observation satellites of the ``resource`` catalogue that the demo and
    the default plans use: Sentinel-1, Sentinel-2 and Landsat 8/9 (of a kept ``version``
    of the stored ``resource`` when given)."""
    return catalogue("resource", version).select(r"^(?:SENTINEL-1|SENTINEL-2|LANDSAT [89])")
