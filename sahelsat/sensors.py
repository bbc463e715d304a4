"""Imaging instruments as they are: swaths fixed to the ground track, beams and agility.

One definition of a sensor for the whole package (tasking, scenarios, the service). A
:class:`Sensor` images through :class:`Beam` s: each beam is a swath fixed relative to
the satellite's ground track, bounded by two angles measured on the WGS-84 ellipsoid
(incidence angles for a radar, off-nadir angles for an optical imager) on one side of
the track, or centred on it. How the instrument moves between its beams is its
``pointing``: ``fixed`` (one beam, always: Sentinel-2, Landsat), ``beams`` (switches
from beam to beam between acquisitions, never in between: a SAR), ``roll`` (the platform
rolls its one centred beam anywhere within ``max_roll_deg``: an agile optical satellite).

Missions that the region does not operate acquire on their own schedule; their
``systematic_beam`` names the beam of that schedule (Sentinel-1: IW over land) and
``archive_latency_h`` the typical time from sensing to data in their public archive.
Published figures carry their source next to them; data rates and powers are planning
assumptions of this project, not published values.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

#: Sun elevation (degrees) below which an optical image is useless, when a request sets
#: none; also the daylight limit of the optical missions' systematic acquisitions.
DAYLIGHT_DEG = 5.0


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Beam(_Frozen):
    """One imaging swath, fixed relative to the ground track.

    ``angle``: what ``near_deg`` and ``far_deg`` measure: ``incidence`` (at the ground,
    from the ellipsoid normal: radar beams) or ``off-nadir`` (at the satellite, from the
    geodetic nadir: optical fields of view). ``side``: ``right`` or ``left`` of the
    track, or ``centre`` (the swath spans ``far_deg`` either side of nadir; ``near_deg``
    is then 0). A centred beam may give its ground width ``width_km`` instead of angles
    (its half-angle then follows the satellite's altitude).
    """

    name: str = Field(min_length=1, max_length=40)
    side: Literal["right", "left", "centre"]
    angle: Literal["incidence", "off-nadir"] = "off-nadir"
    near_deg: float = Field(0.0, ge=0.0, lt=80.0)
    far_deg: float | None = Field(None, gt=0.0, lt=80.0)
    width_km: float | None = Field(None, gt=0.0, le=3000.0)

    @model_validator(mode="after")
    def _bounds(self):
        if (self.far_deg is None) == (self.width_km is None):
            raise ValueError(f"beam {self.name!r}: give far_deg or width_km (one of them)")
        if self.width_km is not None and (self.side != "centre" or self.angle != "off-nadir"):
            raise ValueError(f"beam {self.name!r}: width_km is for centred off-nadir beams")
        if self.side == "centre" and self.near_deg != 0.0:
            raise ValueError(f"beam {self.name!r}: a centred beam starts at nadir (near_deg 0)")
        if self.far_deg is not None and self.side != "centre" and self.far_deg <= self.near_deg:
            raise ValueError(f"beam {self.name!r}: far_deg must exceed near_deg")
        return self

    @property
    def sign(self) -> int:
        """+1 right of the track, -1 left, 0 centred."""
        return {"right": 1, "left": -1, "centre": 0}[self.side]


class Sensor(_Frozen):
    """An imaging instrument as planning and forecasting need it (see the module text).

    ``kind``: optical or sar. ``beams``: its swaths (at least one). ``pointing``: fixed,
    beams or roll. ``max_roll_deg``: roll range either side (``roll`` only).
    ``systematic_beam``: the beam of the mission's own acquisition scenario (None: it
    images only when tasked). ``archive_latency_h``/``latency_source``: typical time from
    sensing to data in the public archive, and where that figure comes from.
    ``data_rate_mbps``: recorded rate while imaging; ``power_w``: extra power drawn;
    ``stereo``: can take a fore/aft pair on one pass.
    """

    name: str = ""
    kind: Literal["optical", "sar"]
    beams: tuple[Beam, ...] = Field(min_length=1)
    pointing: Literal["fixed", "beams", "roll"] = "fixed"
    max_roll_deg: float = Field(0.0, ge=0.0, le=60.0)
    systematic_beam: str | None = None
    archive_latency_h: float | None = Field(None, ge=0.0)
    latency_source: str = ""
    data_rate_mbps: float = Field(500.0, ge=0.0)
    power_w: float = Field(300.0, ge=0.0)
    stereo: bool = False

    @model_validator(mode="before")
    @classmethod
    def _legacy(cls, data):
        """Read the earlier flat description (``swath_km``, ``steerable``, ``min/max
        off-nadir``), as stores written by earlier versions hold it: a steerable optical
        strip becomes a rolling centred beam; any other becomes one beam over its whole
        off-nadir range on its side."""
        if not isinstance(data, dict) or "swath_km" not in data:
            return data
        d = dict(data)
        swath, steerable = float(d.pop("swath_km")), bool(d.pop("steerable", False))
        lo, hi = float(d.pop("min_off_nadir_deg", 0.0)), float(d.pop("max_off_nadir_deg", 0.0))
        side = d.pop("side", "both")
        if d.get("kind") == "optical" or side == "both":
            d["beams"] = ({"name": "strip", "side": "centre", "width_km": swath},)
            d["pointing"], d["max_roll_deg"] = ("roll", hi) if steerable else ("fixed", 0.0)
        else:
            d["beams"] = (
                {"name": "strip", "side": side, "near_deg": lo, "far_deg": max(hi, lo + 0.1)},
            )
        return d

    @model_validator(mode="after")
    def _consistent(self):
        names = [b.name for b in self.beams]
        if len(set(names)) != len(names):
            raise ValueError(f"sensor {self.name!r}: beam names repeat: {names}")
        if self.systematic_beam is not None and self.systematic_beam not in names:
            raise ValueError(
                f"sensor {self.name!r}: systematic_beam {self.systematic_beam!r} not in {names}"
            )
        if self.pointing == "roll" and (len(self.beams) != 1 or self.beams[0].side != "centre"):
            raise ValueError(f"sensor {self.name!r}: a rolling sensor has one centred beam")
        if self.pointing == "fixed" and len(self.beams) != 1:
            raise ValueError(f"sensor {self.name!r}: a fixed sensor has one beam")
        return self

    @property
    def systematic(self) -> bool:
        """True when the mission acquires on its own schedule (it can be forecast)."""
        return self.systematic_beam is not None

    def beam(self, name: str) -> Beam:
        """The beam called ``name``."""
        for b in self.beams:
            if b.name == name:
                return b
        raise KeyError(f"sensor {self.name!r} has no beam {name!r}")


# Sentinel-1 C-SAR, right-looking (ESA Sentinel-1 SAR User Guide, acquisition modes):
# IW 250 km swath, incidence 29.1-46.0 deg; EW 400 km, 18.9-47.0 deg; Stripmap 80 km in
# six beams S1-S6, whose incidence ranges (Table 2 of the Stripmap page) are given at the
# minimum and maximum orbit altitude: the values here are the mean of the two.
# Archive latency: the NRT-3h timeliness of the Level-1 products (same guide, product
# timeliness; Fast-24h products within 24 h).
SENTINEL_1 = Sensor(
    name="Sentinel-1 C-SAR",
    kind="sar",
    beams=(
        Beam(name="IW", side="right", angle="incidence", near_deg=29.1, far_deg=46.0),
        Beam(name="EW", side="right", angle="incidence", near_deg=18.9, far_deg=47.0),
        Beam(name="S1", side="right", angle="incidence", near_deg=19.16, far_deg=25.43),
        Beam(name="S2", side="right", angle="incidence", near_deg=22.62, far_deg=28.63),
        Beam(name="S3", side="right", angle="incidence", near_deg=28.49, far_deg=33.99),
        Beam(name="S4", side="right", angle="incidence", near_deg=33.86, far_deg=38.87),
        Beam(name="S5", side="right", angle="incidence", near_deg=38.76, far_deg=43.28),
        Beam(name="S6", side="right", angle="incidence", near_deg=41.66, far_deg=45.89),
    ),
    pointing="beams",
    systematic_beam="IW",  # IW is the mode of the systematic observation scenario over land
    archive_latency_h=3.0,
    latency_source="ESA Sentinel-1 SAR User Guide: NRT-3h product timeliness",
    data_rate_mbps=600.0,
    power_w=1500.0,
)
# Sentinel-2 MSI: field of view 20.6 deg (10.3 deg either side of nadir), swath 290 km,
# fixed nadir (ESA Sentinel-2 User Handbook). Archive latency: the nominal 24 h
# timeliness of the Level-1C/Level-2A products (Copernicus Sentinel-2 mission pages).
SENTINEL_2 = Sensor(
    name="Sentinel-2 MSI",
    kind="optical",
    beams=(Beam(name="MSI", side="centre", far_deg=10.3),),
    systematic_beam="MSI",
    archive_latency_h=24.0,
    latency_source="Copernicus Sentinel-2: nominal Level-1C/2A timeliness 24 h",
    data_rate_mbps=490.0,
    power_w=270.0,
)
# Landsat 8/9 OLI: field of view 15 deg (7.5 deg either side of nadir), swath 185 km,
# nadir (USGS Landsat 8 Data Users Handbook). Archive latency: Landsat 8 Real-Time tier
# scenes within 12 h of acquisition; Landsat 9 Level-1 products within 4-6 h (USGS
# Landsat Collection 2 pages).
_OLI_BEAM = (Beam(name="OLI", side="centre", far_deg=7.5),)
LANDSAT_8 = Sensor(
    name="Landsat 8 OLI",
    kind="optical",
    beams=_OLI_BEAM,
    systematic_beam="OLI",
    archive_latency_h=12.0,
    latency_source="USGS: Landsat 8 Real-Time tier within 12 h of acquisition",
    data_rate_mbps=380.0,
    power_w=300.0,
)
LANDSAT_9 = LANDSAT_8.model_copy(
    update={
        "name": "Landsat 9 OLI-2",
        "archive_latency_h": 6.0,
        "latency_source": "USGS: Landsat 9 Level-1 products within 4-6 h of acquisition",
    }
)
#: Either Landsat (the shipped tables before Landsat 9 had its own latency).
LANDSAT = LANDSAT_8
#: A small agile optical satellite of the kind the project designs (assumed figures):
#: a 20 km strip the platform rolls up to 30 degrees either side.
AGILE_OPTICAL = Sensor(
    name="agile optical imager",
    kind="optical",
    beams=(Beam(name="strip", side="centre", width_km=20.0),),
    pointing="roll",
    max_roll_deg=30.0,
    data_rate_mbps=450.0,
    power_w=120.0,
    stereo=True,
)


def designed_optical(swath_km: float, max_roll_deg: float) -> Sensor:
    """The agile optical imager of a designed satellite: :data:`AGILE_OPTICAL` with a
    centred ``swath_km`` strip rolled up to ``max_roll_deg`` either side."""
    d = AGILE_OPTICAL.model_dump()
    d.update(name="designed agile optical imager", max_roll_deg=max_roll_deg,
             beams=({"name": "strip", "side": "centre", "width_km": swath_km},))  # fmt: skip
    return Sensor.model_validate(d)


def designed_sar(beams: tuple[Beam, ...]) -> Sensor:
    """The radar of a designed satellite: right-looking ``beams`` (as Sentinel-1's, whose
    data rate and power it assumes), switched between acquisitions."""
    return Sensor(name="designed SAR", kind="sar", beams=beams, pointing="beams",
                  data_rate_mbps=SENTINEL_1.data_rate_mbps, power_w=SENTINEL_1.power_w)  # fmt: skip


#: The instruments known by name, the one table that typed inputs (``inputs.Sensor``),
#: the service and scenarios read. Designed satellites' sensors are built from their
#: design (:func:`designed_optical`, :func:`designed_sar`).
INSTRUMENTS: dict[str, Sensor] = {
    "sentinel-1": SENTINEL_1,
    "sentinel-2": SENTINEL_2,
    "landsat": LANDSAT,
    "landsat-8": LANDSAT_8,
    "landsat-9": LANDSAT_9,
    "agile-optical": AGILE_OPTICAL,
}

#: Real satellites matched by name (CelesTrak names), first match wins.
SENSORS_BY_NAME = [
    (re.compile(r"^SENTINEL-1", re.I), SENTINEL_1),
    (re.compile(r"^SENTINEL-2", re.I), SENTINEL_2),
    (re.compile(r"^LANDSAT[ -]?9", re.I), LANDSAT_9),
    (re.compile(r"^LANDSAT", re.I), LANDSAT_8),
]


def sensor_for(name: str, default: Sensor = AGILE_OPTICAL) -> Sensor:
    """The sensor of a satellite by its name (``default`` for unknown names)."""
    for pattern, sensor in SENSORS_BY_NAME:
        if pattern.search(name):
            return sensor
    return default
