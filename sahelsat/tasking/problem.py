"""Validated tables of an acquisition-planning problem: opportunities, satellites, contacts.

Every table comes from outside (files, CLI, API), so each is checked here into a typed
:class:`PlanningProblem` with times as float seconds since ``epoch`` (UTC); a bad row is
named by table, row and column. Conventions shared by the scheduler and the checker:

- an acquisition fills the recorder with its whole ``volume_gbit`` at its start, and the
  data is freed at the end of the contact that downlinks it;
- the transition from acquisition ``a`` to ``b`` of one satellite takes
  ``settle_s + |look_b - look_a| / slew_rate_deg_s`` (agility model: a roll manoeuvre at
  constant attitude rate, then settling), so ``start_b >= end_a + transition``; at one
  look angle no manoeuvre is needed and acquisitions may overlap (one continuous strip,
  as a fixed-swath imager serves every area under its swath at once);
- energy: the acquisitions that start in one orbit (``floor((start - epoch) / period)``)
  may use at most ``energy_per_orbit_wh``;
- a contact carries at most ``downlink_rate_mbps * duration`` of data, only for data of
  acquisitions that ended before it starts, and one antenna per station tracks one
  satellite at a time (overlapping contacts at one station exclude each other);
- value: a request is served by at most one of its opportunities, worth that
  opportunity's ``value``; unless the optional ``pieces`` table lists it: its area is then
  split into pieces (the cells of the overlay of its strips), each worth its ``value``
  once any taken opportunity covers it, and several of its opportunities may be taken
  (partial strips combine; the coverage is valued by the fraction covered).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

OPPORTUNITY_COLUMNS = {
    "opportunity": "str",
    "request": "str",
    "satellite": "str",
    "start": "time",
    "end": "time",
    "look_angle_deg": "float",
    "value": "int",
    "volume_gbit": "float",
    "energy_wh": "float",
}
SATELLITE_COLUMNS = {
    "satellite": "str",
    "memory_gbit": "float",
    "slew_rate_deg_s": "float",
    "settle_s": "float",
    "orbit_period_s": "float",
    "energy_per_orbit_wh": "float",
    "downlink_rate_mbps": "float",
}
CONTACT_COLUMNS = {
    "contact": "str",
    "satellite": "str",
    "station": "str",
    "start": "time",
    "end": "time",
}
#: One row per (piece of an area, opportunity whose strip covers it); ``value`` (int) and
#: ``fraction`` (share of the request's area, optional) repeat on the rows of a piece.
PIECE_COLUMNS = {
    "piece": "str",
    "request": "str",
    "opportunity": "str",
    "value": "int",
    "fraction": "float",
}


class PlanningInputError(ValueError):
    """A planning table that cannot be used: names the table, row and column."""


def to_datetime64(values, what: str) -> np.ndarray:
    """UTC datetime64[ns] array from strings, datetimes or datetime64 (any resolution)."""
    series = pd.Series(values)
    try:
        out = pd.to_datetime(series, utc=True, format="ISO8601")
    except (ValueError, TypeError):
        for i, v in enumerate(series.tolist()):
            try:
                pd.to_datetime([v], utc=True, format="ISO8601")
            except (ValueError, TypeError):
                raise PlanningInputError(
                    f"{what}: row {i}: {v!r} is not a UTC time; use ISO-8601 such as"
                    " 2026-06-01T10:30:00Z"
                ) from None
        raise PlanningInputError(f"{what}: not UTC times") from None
    return out.dt.tz_localize(None).to_numpy(dtype="datetime64[ns]")


def seconds_since(times: np.ndarray, epoch: np.datetime64) -> np.ndarray:
    """Float seconds from ``epoch`` to each datetime64 in ``times``."""
    delta = times.astype("datetime64[ns]") - np.datetime64(epoch, "ns")
    return delta.astype("timedelta64[ns]").astype(np.int64) / 1e9


def _validate(table, columns: dict[str, str], name: str, optional=()) -> pd.DataFrame:
    if not isinstance(table, pd.DataFrame):
        try:
            table = pd.DataFrame(table)
        except (ValueError, TypeError):
            raise PlanningInputError(
                f"{name}: expected a table with columns {list(columns)}"
            ) from None
    missing = [c for c in columns if c not in table.columns and c not in optional]
    if missing:
        raise PlanningInputError(f"{name}: missing column(s) {missing}; needs {list(columns)}")
    out = pd.DataFrame(index=range(len(table)))
    for col, kind in columns.items():
        if col not in table.columns:
            continue
        raw = table[col].reset_index(drop=True)
        if kind == "str":
            if raw.isna().any():
                row = int(np.flatnonzero(raw.isna().to_numpy())[0])
                raise PlanningInputError(f"{name} row {row}: column {col!r} is empty")
            out[col] = raw.astype(str)
        elif kind == "time":
            out[col] = to_datetime64(raw, f"{name} column {col!r}")
        else:
            num = pd.to_numeric(raw, errors="coerce")
            bad = num.isna() | ~np.isfinite(num.to_numpy(dtype=float))
            if bad.any():
                row = int(np.flatnonzero(bad.to_numpy())[0])
                raise PlanningInputError(
                    f"{name} row {row}: column {col!r} is not a finite number: {raw[row]!r}"
                )
            if kind == "int":
                if (num != np.round(num)).any():
                    row = int(np.flatnonzero((num != np.round(num)).to_numpy())[0])
                    raise PlanningInputError(
                        f"{name} row {row}: column {col!r} must be a whole number: {raw[row]!r}"
                    )
                num = num.astype(np.int64)
            out[col] = num
    return out


def _require(table: pd.DataFrame, mask, name: str, message: str) -> None:
    mask = np.asarray(mask, dtype=bool)
    if mask.any():
        row = int(np.flatnonzero(mask)[0])
        raise PlanningInputError(f"{name} row {row}: {message}")


def _with_ids(table: pd.DataFrame, columns, id_column: str, name: str) -> pd.DataFrame:
    """``table`` with its columns in order and unique ids in ``id_column`` (the row
    numbers when it has none)."""
    if id_column not in table.columns:
        table[id_column] = [str(i) for i in range(len(table))]
    table = table[list(columns)]
    _require(table, table[id_column].duplicated(), name, f"repeated {id_column} id")
    return table


@dataclass
class PlanningProblem:
    """A validated planning problem. Tables keep their datetime columns; the float
    ``*_s`` arrays are seconds since ``epoch``.

    ``opportunities`` (n rows, ``OPPORTUNITY_COLUMNS``), ``satellites`` (one row per
    satellite, ``SATELLITE_COLUMNS``), ``contacts`` (``CONTACT_COLUMNS``), ``requests``:
    every request id to report on (those without an opportunity included), ``pieces``
    (``PIECE_COLUMNS``, possibly empty): the requests valued by covered fraction.
    """

    opportunities: pd.DataFrame
    satellites: pd.DataFrame
    contacts: pd.DataFrame
    requests: list[str]
    epoch: np.datetime64
    require_downlink: bool = True
    pieces: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame({c: [] for c in PIECE_COLUMNS})
    )

    @property
    def coverage_requests(self) -> set[str]:
        """Requests valued by the fraction of their area covered (listed in ``pieces``)."""
        return set(self.pieces["request"])

    @property
    def start_s(self) -> np.ndarray:
        return seconds_since(self.opportunities["start"].to_numpy(), self.epoch)

    @property
    def end_s(self) -> np.ndarray:
        return seconds_since(self.opportunities["end"].to_numpy(), self.epoch)


def planning_problem(
    opportunities,
    satellites,
    contacts=None,
    requests=None,
    require_downlink: bool = True,
    epoch=None,
    pieces=None,
) -> PlanningProblem:
    """Validate the tables of a planning problem (see the module docstring).

    ``opportunities``: columns ``OPPORTUNITY_COLUMNS`` (``opportunity`` optional, default
    the row number). ``satellites``: ``SATELLITE_COLUMNS``. ``contacts``:
    ``CONTACT_COLUMNS`` (``contact`` optional), or None for no contact. ``requests``:
    request ids to report on (default those of the opportunities). ``require_downlink``:
    an acquisition counts only if a contact in the horizon downlinks it. ``pieces``:
    ``PIECE_COLUMNS`` (``fraction`` optional), or None: every request is served once.
    """
    opp = _validate(opportunities, OPPORTUNITY_COLUMNS, "opportunities", ("opportunity",))
    opp = _with_ids(opp, OPPORTUNITY_COLUMNS, "opportunity", "opportunities")
    _require(opp, opp["end"] <= opp["start"], "opportunities", "end must be after start")
    _require(opp, opp["value"] < 0, "opportunities", "value must be >= 0")
    _require(opp, opp["volume_gbit"] < 0, "opportunities", "volume_gbit must be >= 0")
    _require(opp, opp["energy_wh"] < 0, "opportunities", "energy_wh must be >= 0")
    _require(
        opp, opp["look_angle_deg"].abs() > 90, "opportunities", "look_angle_deg outside [-90, 90]"
    )
    sat = _validate(satellites, SATELLITE_COLUMNS, "satellites")
    _require(sat, sat["satellite"].duplicated(), "satellites", "repeated satellite")
    for col in ("memory_gbit", "energy_per_orbit_wh", "settle_s", "downlink_rate_mbps"):
        _require(sat, sat[col] < 0, "satellites", f"{col} must be >= 0")
    for col in ("slew_rate_deg_s", "orbit_period_s"):
        _require(sat, sat[col] <= 0, "satellites", f"{col} must be > 0")
    known = set(sat["satellite"])
    _require(
        opp,
        ~opp["satellite"].isin(known),
        "opportunities",
        f"satellite not in the satellites table {sorted(known)}",
    )
    if contacts is None:
        contacts = pd.DataFrame({c: [] for c in CONTACT_COLUMNS})
    con = _validate(contacts, CONTACT_COLUMNS, "contacts", ("contact",))
    con = _with_ids(con, CONTACT_COLUMNS, "contact", "contacts")
    _require(con, con["end"] <= con["start"], "contacts", "end must be after start")
    _require(
        con, ~con["satellite"].isin(known), "contacts", "satellite not in the satellites table"
    )
    if requests is None:
        requests = sorted(set(opp["request"]))
    requests = [str(r) for r in requests]
    stray = sorted(set(opp["request"]) - set(requests))
    if stray:
        raise PlanningInputError(f"opportunities name requests not in the request list: {stray}")
    times = [opp["start"].to_numpy(), con["start"].to_numpy()]
    if epoch is None:
        non_empty = [t.min() for t in times if t.size]
        epoch = min(non_empty) if non_empty else np.datetime64("2000-01-01T00:00:00", "ns")
    return PlanningProblem(
        opp,
        sat,
        con,
        requests,
        np.datetime64(epoch, "ns"),
        bool(require_downlink),
        _pieces(pieces, opp),
    )


def _pieces(pieces, opp: pd.DataFrame) -> pd.DataFrame:
    """The validated pieces table (empty when None)."""
    if pieces is None:
        pieces = pd.DataFrame({c: [] for c in PIECE_COLUMNS})
    table = _validate(pieces, PIECE_COLUMNS, "pieces", ("fraction",))
    if "fraction" not in table.columns:
        table["fraction"] = np.nan
    table = table[list(PIECE_COLUMNS)]
    owner = dict(zip(opp["opportunity"], opp["request"], strict=True))
    _require(table, ~table["opportunity"].isin(owner), "pieces", "opportunity not in the table")
    _require(
        table,
        table["opportunity"].map(owner) != table["request"],
        "pieces",
        "the opportunity belongs to another request",
    )
    _require(table, table["value"] < 0, "pieces", "value must be >= 0")
    _require(table, (table["fraction"] < 0) | (table["fraction"] > 1), "pieces",
             "fraction outside [0, 1]")  # fmt: skip
    for col in ("request", "value"):
        per_piece = table.groupby("piece")[col].transform("nunique")
        _require(table, per_piece > 1, "pieces", f"one piece with several {col}s")
    _require(table, table[["piece", "opportunity"]].duplicated(), "pieces", "repeated row")
    return table.reset_index(drop=True)
