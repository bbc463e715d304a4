"""Element sets: reading and validating TLE and CCSDS OMM (XML, JSON, CSV), writing them.

Everything from outside passes through :func:`read_element_sets`, which returns one
:class:`ElementSet` per satellite and, in non-strict mode, the records it skipped with
the reason. Whatever the input, the only exception it raises is :class:`ElementSetError`,
naming the source, the line and the field. TLE fields are read by column as the
reference parser (Vallado's ``twoline2rv``) reads them, with ASCII digits only; OMM
epochs must be ISO-8601 UTC inside the range of ``datetime64[ns]``. Angles are degrees
and mean motion revolutions per day, as in the formats; epochs are exact
``datetime64[ns]`` UTC.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

NS_PER_DAY = 86_400_000_000_000
_ALPHA5 = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # letters for 10..33; I and O are not used
#: Highest catalogue number a TLE can carry (Alpha-5 ``Z9999``).
TLE_MAX_CATALOG_NUMBER = 339_999
#: Highest catalogue number accepted (the 18th Space Defense Squadron's 9 digits).
MAX_CATALOG_NUMBER = 999_999_999
#: Whole years inside the range of ``datetime64[ns]`` (1677-09-21 .. 2262-04-11).
EPOCH_YEARS = (1678, 2261)


@dataclass(frozen=True)
class ElementSet:
    """One satellite's mean elements (SGP4 / TLE conventions)."""

    name: str
    catalog_number: int
    epoch: np.datetime64  # UTC, ns
    mean_motion: float  # rev/day (Kozai mean motion, as in TLE/OMM)
    eccentricity: float
    inclination: float  # deg
    raan: float  # deg, right ascension of the ascending node
    arg_perigee: float  # deg
    mean_anomaly: float  # deg
    bstar: float = 0.0  # 1/earth radii
    mean_motion_dot: float = 0.0  # rev/day^2 (the TLE's first derivative / 2)
    mean_motion_ddot: float = 0.0  # rev/day^3 (the TLE's second derivative / 6)
    intl_designator: str = ""
    classification: str = "U"
    element_set_no: int = 999
    rev_at_epoch: int = 0
    origin: str = ""  # where it came from: "file.txt:12", "design:walker", ...
    tle_lines: tuple[str, str] | None = None  # the original TLE lines, when read from TLE
    # a station-kept geostationary design: held at this longitude (deg E) whatever the date
    station_lon_deg: float | None = None


@dataclass(frozen=True)
class Skipped:
    """A record left out in non-strict mode, and why."""

    source: str
    line: int | None
    field: str | None
    reason: str

    def __str__(self) -> str:
        return _where(self.source, self.line, self.field) + self.reason


class ElementSetError(ValueError):
    """An element set that cannot be used; ``str()`` names source, line and field."""

    def __init__(self, source: str, line: int | None, field_name: str | None, reason: str):
        self.source, self.line, self.field, self.reason = source, line, field_name, reason
        super().__init__(_where(source, line, field_name) + reason)

    def skipped(self) -> Skipped:
        return Skipped(self.source, self.line, self.field, self.reason)


def _where(source: str, line: int | None, field_name: str | None) -> str:
    parts = [source]
    if line is not None:
        parts.append(f"line {line}")
    if field_name:
        parts.append(f"field {field_name!r}")
    return ", ".join(parts) + ": "


@dataclass
class ReadResult:
    element_sets: list[ElementSet] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


# --------------------------------------------------------------------------- sources


def read_element_sets(source, strict: bool = True) -> ReadResult:
    """Read element sets from a path, a text, bytes or a file object.

    The format is recognised from the content: 2- or 3-line TLE, OMM XML, OMM JSON (a
    list of objects, as CelesTrak serves it) or OMM CSV (header row of OMM keywords).
    ``strict=True`` raises :class:`ElementSetError` at the first bad record;
    ``strict=False`` skips bad records and lists them in ``ReadResult.skipped`` (an
    input that cannot be read at all, such as broken JSON, still raises). No other
    exception escapes, whatever the input.
    """
    try:
        return _read(source, strict)
    except ElementSetError:
        raise
    except (ValueError, TypeError, OverflowError, RecursionError, OSError, csv.Error) as exc:
        name = getattr(source, "name", None) or "<input>"
        raise ElementSetError(str(name), None, None, f"cannot read: {exc}") from None


def _read(source, strict: bool) -> ReadResult:
    text, name = _read_source(source)
    stripped = text.lstrip("\ufeff \t\r\n")
    if not stripped:
        raise ElementSetError(name, None, None, "no element sets found (empty input)")
    if _has_tle(text):  # even when a satellite's name starts like XML, JSON or CSV
        result = _read_tle(text, name, strict)
    elif stripped.startswith("<"):
        result = _read_omm_xml(stripped, name, strict)
    elif stripped.startswith(("[", "{")):
        result = _read_omm_json(stripped, name, strict)
    elif _looks_like_omm_csv(stripped):
        result = _read_omm_csv(stripped, name, strict)
    else:
        result = _read_tle(text, name, strict)
    if not result.element_sets and strict:
        raise ElementSetError(name, None, None, "no element sets found")
    return result


def _has_tle(text: str) -> bool:
    """Whether some line starts like a TLE line 1 and the next like its line 2."""
    return re.search(r"(?m)^1 .{60,}\r?\n2 ", text) is not None


def _read_source(source) -> tuple[str, str]:
    if hasattr(source, "read"):
        data = source.read()
        name = str(getattr(source, "name", "<file object>"))
        if isinstance(data, bytes):
            return data.decode("utf-8", "replace"), name
        if isinstance(data, str):
            return data, name
        raise ElementSetError(name, None, None, "the file object gave neither text nor bytes")
    if isinstance(source, bytes):
        return source.decode("utf-8", "replace"), "<bytes>"
    if isinstance(source, str) and (
        "\n" in source
        or "\x00" in source
        or not source.strip()
        or source.lstrip().startswith(("1 ", "<", "[", "{"))
    ):
        return source, "<text>"
    if isinstance(source, (str, Path)):
        path = Path(source)
        try:
            if not path.is_file():
                raise ElementSetError(
                    str(source)[:200], None, None,
                    "no such file; give a path, element-set text or a file",
                )  # fmt: skip
            return path.read_text(encoding="utf-8", errors="replace"), path.name
        except OSError as exc:
            raise ElementSetError(str(source)[:200], None, None, f"cannot read: {exc}") from None
    raise ElementSetError(
        "<input>", None, None, f"cannot read element sets from a {type(source).__name__}"
    )


# --------------------------------------------------------------------------- TLE


def tle_checksum(line: str) -> int:
    """The TLE checksum of a line's first 68 characters (digits, and 1 for each '-')."""
    return sum(ord(c) - 48 if "0" <= c <= "9" else (1 if c == "-" else 0) for c in line[:68]) % 10


_ALPHA5_RE = re.compile(r"([A-HJ-NP-Z])([0-9]{4})")


def alpha5_to_int(text: str) -> int:
    """Catalogue number from 5 TLE characters, with Alpha-5 (``A0000`` = 100000).

    Leading spaces are allowed (the field is right-justified); anything else than ASCII
    digits, or one Alpha-5 letter and four digits, raises ValueError.
    """
    body = text.lstrip(" ")
    if not body:
        raise ValueError("empty")
    m = _ALPHA5_RE.fullmatch(body.upper()) if len(body) == 5 else None
    if m:
        return (10 + _ALPHA5.index(m.group(1))) * 10000 + int(m.group(2))
    if not re.fullmatch(r"[0-9]{1,5}", body):
        raise ValueError(f"{text!r} is not a catalogue number (digits, or Alpha-5 such as A0123)")
    return int(body)


def int_to_alpha5(number: int) -> str:
    """Five TLE characters for a catalogue number (Alpha-5 above 99,999)."""
    if not 0 <= number <= TLE_MAX_CATALOG_NUMBER:
        raise ValueError(
            f"catalogue number {number} outside 0..{TLE_MAX_CATALOG_NUMBER} (the Alpha-5 "
            "limit of the TLE format): use OMM"
        )
    if number < 100_000:
        return f"{number:05d}"
    return _ALPHA5[number // 10000 - 10] + f"{number % 10000:04d}"


def _read_tle(text: str, name: str, strict: bool) -> ReadResult:
    result = ReadResult()
    lines = text.splitlines()

    def reject(exc: ElementSetError) -> None:
        if strict:
            raise exc
        result.skipped.append(exc.skipped())

    i = 0
    pending_name: tuple[int, str] | None = None
    while i < len(lines):
        raw = lines[i].rstrip()
        lineno = i + 1
        if not raw.strip():
            i += 1
            continue
        if raw.startswith("1 "):
            line2 = lines[i + 1].rstrip() if i + 1 < len(lines) else ""
            sat_name = pending_name[1] if pending_name else ""
            pending_name = None
            try:
                if not line2.startswith("2 "):
                    raise ElementSetError(
                        name, lineno + 1, "line 2", "expected line 2 of the element set here"
                    )
                result.element_sets.append(_parse_tle_pair(raw, line2, sat_name, name, lineno))
            except ElementSetError as exc:
                reject(exc)
            i += 2 if line2.startswith("2 ") else 1
            continue
        if raw.startswith("2 "):
            reject(ElementSetError(name, lineno, "line 1", "line 2 without a preceding line 1"))
            pending_name = None
        else:
            if pending_name is not None:
                reject(_orphan_name(name, pending_name))
            title = raw[2:] if raw.startswith("0 ") else raw
            pending_name = (lineno, title.strip())
        i += 1
    if pending_name is not None:
        reject(_orphan_name(name, pending_name))
    return result


def _orphan_name(source: str, pending: tuple[int, str]) -> ElementSetError:
    return ElementSetError(source, pending[0], None, f"name {pending[1]!r} has no element lines")


# Fixed-column formats, as the reference reads them; leading spaces pad a right-justified
# field, a space anywhere else in a field is an error.
_DECIMAL = re.compile(r" *[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)")
_INTEGER = re.compile(r" *[0-9]+")
_IMPLIED = re.compile(r"([ +-])([0-9]{5})([ +-][0-9])")  # ' 38792-4' = 0.38792e-4
_EPOCH_DAY = re.compile(r" *([0-9]{1,3})\.([0-9]+)")
# Columns (1-based) of lines 1 and 2 that hold a space between two fields, and those that
# hold a fixed decimal point (the reference checks the same columns).
_SEPARATORS = {1: (2, 9, 18, 33, 44, 53, 62, 64), 2: (2, 8, 17, 26, 34, 43, 52)}
_POINTS = {
    1: {24: "epoch", 35: "mean_motion_dot"},
    2: {12: "inclination", 21: "raan", 38: "arg_perigee", 47: "mean_anomaly", 55: "mean_motion"},
}


def _field(source, lineno, line, start, stop, label, convert):
    """Convert columns [start, stop] (1-based, inclusive) of a TLE line, naming the field."""
    text = line[start - 1 : stop]
    try:
        return convert(text)
    except (ValueError, IndexError, OverflowError) as exc:
        raise ElementSetError(
            source, lineno, label, f"cannot read {text!r} (columns {start}-{stop}): {exc}"
        ) from None


def _implied_decimal(text: str) -> float:
    """TLE's assumed-decimal exponent notation: ' 38792-4' -> 0.38792e-4."""
    m = _IMPLIED.fullmatch(text)
    if not m:
        raise ValueError("expected a sign, 5 digits and a signed exponent digit, e.g. -38792-4")
    sign = -1.0 if m.group(1) == "-" else 1.0
    return sign * float("0." + m.group(2)) * 10.0 ** int(m.group(3).replace(" ", "+"))


def _number(text: str) -> float:
    """A fixed-column decimal: leading spaces, optional sign, ASCII digits and a point."""
    if not text.strip():
        raise ValueError("blank")
    if not _DECIMAL.fullmatch(text):
        raise ValueError("expected a decimal number (ASCII digits, no space inside)")
    return float(text)


def _integer(text: str) -> int:
    """A right-justified integer field."""
    if not _INTEGER.fullmatch(text):
        raise ValueError("expected ASCII digits, right-justified")
    return int(text)


def _integer_or_blank(text: str) -> int:
    """The revolution number: the reference keeps it as text, so blank reads as 0."""
    return _integer(text) if text.strip() else 0


def _is_leap(year: int) -> bool:
    return (year % 4 == 0 and year % 100 != 0) or year % 400 == 0


def _tle_epoch(text: str) -> np.datetime64:
    """Columns 19-32: two-digit year (57-99 = 19xx, 00-56 = 20xx), then day of year with
    its fraction, converted exactly to the nanosecond."""
    if not re.fullmatch(r"[0-9]{2}", text[:2]):
        raise ValueError("the year (columns 19-20) must be two digits")
    m = _EPOCH_DAY.fullmatch(text[2:])
    if not m:
        raise ValueError("expected YYDDD.DDDDDDDD (ASCII digits, no space inside)")
    yy, day, frac = int(text[:2]), int(m.group(1)), m.group(2)
    year = 2000 + yy if yy < 57 else 1900 + yy
    days_in_year = 366 if _is_leap(year) else 365
    if not 1 <= day <= days_in_year:
        raise ValueError(f"day of year {day} outside 1..{days_in_year} for {year}")
    num, den = int(frac) * NS_PER_DAY, 10 ** len(frac)
    ns_in_day = (2 * num + den) // (2 * den)  # exact, rounded to the nanosecond
    start = np.datetime64(f"{year}-01-01", "ns")
    return start + np.timedelta64((day - 1) * NS_PER_DAY + ns_in_day, "ns")


def _check_tle_line(line: str, n: int, which: int, source: str) -> None:
    if len(line) != 69:
        raise ElementSetError(
            source, n, "length", f"a TLE line has 69 characters, this one has {len(line)}"
        )
    if not line.isascii():
        col = next(k for k, c in enumerate(line, 1) if not c.isascii())
        raise ElementSetError(source, n, "characters", f"non-ASCII character at column {col}")
    if not "0" <= line[68] <= "9":
        raise ElementSetError(source, n, "checksum", f"column 69 is {line[68]!r}, not a digit")
    expected = tle_checksum(line)
    if int(line[68]) != expected:
        raise ElementSetError(
            source, n, "checksum", f"checksum is {line[68]}, the line sums to {expected}"
        )
    for col in _SEPARATORS[which]:
        if line[col - 1] != " ":
            raise ElementSetError(
                source, n, "columns",
                f"column {col} is {line[col - 1]!r}: it separates two fields and must be a "
                "space (fields are read by column)",
            )  # fmt: skip
    for col, name in _POINTS[which].items():
        if line[col - 1] != ".":
            raise ElementSetError(
                source, n, name, f"column {col} is {line[col - 1]!r}, not the decimal point"
            )


def _parse_tle_pair(line1: str, line2: str, sat_name: str, source: str, lineno: int) -> ElementSet:
    l1, l2 = lineno, lineno + 1
    _check_tle_line(line1, l1, 1, source)
    _check_tle_line(line2, l2, 2, source)
    catnum = _field(source, l1, line1, 3, 7, "catalog_number", alpha5_to_int)
    catnum2 = _field(source, l2, line2, 3, 7, "catalog_number", alpha5_to_int)
    if catnum != catnum2:
        raise ElementSetError(
            source,
            l2,
            "catalog_number",
            f"line 2 is for satellite {catnum2}, line 1 for satellite {catnum}",
        )
    es = ElementSet(
        name=sat_name or str(catnum),
        catalog_number=catnum,
        classification=line1[7].strip() or "U",
        intl_designator=line1[9:17].strip(),
        epoch=_field(source, l1, line1, 19, 32, "epoch", _tle_epoch),
        mean_motion_dot=_field(source, l1, line1, 34, 43, "mean_motion_dot", _number),
        mean_motion_ddot=_field(source, l1, line1, 45, 52, "mean_motion_ddot", _implied_decimal),
        bstar=_field(source, l1, line1, 54, 61, "bstar", _implied_decimal),
        element_set_no=_field(source, l1, line1, 65, 68, "element_set_no", _integer),
        inclination=_field(source, l2, line2, 9, 16, "inclination", _number),
        raan=_field(source, l2, line2, 18, 25, "raan", _number),
        eccentricity=_field(source, l2, line2, 27, 33, "eccentricity", _decimal_point_assumed),
        arg_perigee=_field(source, l2, line2, 35, 42, "arg_perigee", _number),
        mean_anomaly=_field(source, l2, line2, 44, 51, "mean_anomaly", _number),
        mean_motion=_field(source, l2, line2, 53, 63, "mean_motion", _number),
        rev_at_epoch=_field(source, l2, line2, 64, 68, "rev_at_epoch", _integer_or_blank),
        origin=f"{source}:{lineno}",
        tle_lines=(line1, line2),
    )
    check_elements(es, source, l2)
    return es


def _decimal_point_assumed(text: str) -> float:
    if not re.fullmatch(r"[0-9]{7}", text):
        raise ValueError("expected 7 ASCII digits (decimal point assumed)")
    return float("0." + text)


def check_elements(es: ElementSet, source: str, line: int | None) -> None:
    """Reject physically impossible elements, naming the field."""
    checks = [
        ("eccentricity", 0.0 <= es.eccentricity < 1.0, "must be in [0, 1)"),
        ("inclination", 0.0 <= es.inclination <= 180.0, "must be in [0, 180] degrees"),
        ("raan", 0.0 <= es.raan <= 360.0, "must be in [0, 360] degrees"),
        ("arg_perigee", 0.0 <= es.arg_perigee <= 360.0, "must be in [0, 360] degrees"),
        ("mean_anomaly", 0.0 <= es.mean_anomaly <= 360.0, "must be in [0, 360] degrees"),
        (
            "mean_motion",
            0.0 < es.mean_motion < 20.0,
            "must be in (0, 20) rev/day (above 17.1 the orbit is inside the Earth)",
        ),
        ("bstar", math.isfinite(es.bstar), "must be finite"),
        ("mean_motion_dot", math.isfinite(es.mean_motion_dot), "must be finite"),
        ("mean_motion_ddot", math.isfinite(es.mean_motion_ddot), "must be finite"),
        (
            "catalog_number",
            0 <= es.catalog_number <= MAX_CATALOG_NUMBER,
            f"must be in 0..{MAX_CATALOG_NUMBER}",
        ),
    ]
    for name, ok, rule in checks:
        if not ok:
            raise ElementSetError(source, line, name, f"{getattr(es, name)!r} {rule}")


# --------------------------------------------------------------------------- OMM

_OMM_KEYS = {
    "name": "OBJECT_NAME",
    "intl_designator": "OBJECT_ID",
    "epoch": "EPOCH",
    "mean_motion": "MEAN_MOTION",
    "eccentricity": "ECCENTRICITY",
    "inclination": "INCLINATION",
    "raan": "RA_OF_ASC_NODE",
    "arg_perigee": "ARG_OF_PERICENTER",
    "mean_anomaly": "MEAN_ANOMALY",
    "catalog_number": "NORAD_CAT_ID",
    "classification": "CLASSIFICATION_TYPE",
    "element_set_no": "ELEMENT_SET_NO",
    "rev_at_epoch": "REV_AT_EPOCH",
    "bstar": "BSTAR",
    "mean_motion_dot": "MEAN_MOTION_DOT",
    "mean_motion_ddot": "MEAN_MOTION_DDOT",
}
_OMM_REQUIRED = ["EPOCH", "MEAN_MOTION", "ECCENTRICITY", "INCLINATION", "RA_OF_ASC_NODE",
                 "ARG_OF_PERICENTER", "MEAN_ANOMALY", "NORAD_CAT_ID"]  # fmt: skip
_FLOAT_FIELDS = {"mean_motion", "eccentricity", "inclination", "raan", "arg_perigee",
                 "mean_anomaly", "bstar", "mean_motion_dot", "mean_motion_ddot"}  # fmt: skip
_OMM_FLOAT = re.compile(r"\s*[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]{1,4})?\s*")
_OMM_EPOCH = re.compile(
    r"\s*([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]{1,12}))?Z?\s*"
)


def _omm_float(raw) -> float:
    if isinstance(raw, bool):
        raise ValueError("expected a number, not true/false")
    if isinstance(raw, (int, float)):
        value = float(raw)
    elif isinstance(raw, str) and _OMM_FLOAT.fullmatch(raw):
        value = float(raw)
    else:
        raise ValueError("expected a decimal number (ASCII digits)")
    if not math.isfinite(value):
        raise ValueError("not finite")
    return value


def _omm_int(raw, alpha5: bool = False) -> int:
    """An OMM integer: a JSON integer (or integral float) or ASCII digits; Alpha-5 too
    for catalogue numbers. Bounded to nine digits."""
    if isinstance(raw, bool):
        raise ValueError("expected an integer, not true/false")
    if isinstance(raw, float) and math.isfinite(raw) and raw.is_integer():
        raw = int(raw)
    if isinstance(raw, int):
        value = raw
    elif isinstance(raw, str) and re.fullmatch(r"\s*[0-9]{1,9}\s*", raw):
        value = int(raw)
    elif alpha5 and isinstance(raw, str) and _ALPHA5_RE.fullmatch(raw.strip().upper()):
        value = alpha5_to_int(raw.strip())
    else:
        raise ValueError("expected an integer of at most 9 ASCII digits")
    if not 0 <= value <= MAX_CATALOG_NUMBER:
        raise ValueError(f"outside 0..{MAX_CATALOG_NUMBER}")
    return value


def _omm_text(raw) -> str:
    if isinstance(raw, bool) or not isinstance(raw, (str, int, float)):
        raise ValueError("expected text")
    return str(raw).strip()


def _omm_epoch(raw) -> np.datetime64:
    """ISO-8601 UTC (``2026-05-30T12:00:00.123456``, optional ``Z``) to datetime64[ns],
    exact to the nanosecond; years outside the range of datetime64[ns] are rejected."""
    m = _OMM_EPOCH.fullmatch(raw) if isinstance(raw, str) else None
    if not m:
        raise ValueError("expected an ISO-8601 UTC time such as 2026-05-30T12:00:00.000000")
    year, month, day, hour, minute, second = (int(g) for g in m.groups()[:6])
    lo, hi = EPOCH_YEARS
    if not lo <= year <= hi:
        raise ValueError(f"year {year} outside {lo}..{hi} (the range of datetime64[ns])")
    mdays = [31, 29 if _is_leap(year) else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    if not (1 <= month <= 12 and 1 <= day <= mdays[month - 1]):
        raise ValueError(f"no such date {year:04d}-{month:02d}-{day:02d}")
    if hour > 23 or minute > 59 or second > 59:
        raise ValueError(f"no such time of day {hour:02d}:{minute:02d}:{second:02d}")
    frac = m.group(7) or "0"
    frac_ns = (int(frac) * 10**9 * 2 + 10 ** len(frac)) // (2 * 10 ** len(frac))
    days = int(np.datetime64(f"{year:04d}-{month:02d}-{day:02d}", "D").astype(np.int64))
    ns = days * NS_PER_DAY + ((hour * 60 + minute) * 60 + second) * 10**9 + frac_ns
    return np.datetime64(ns, "ns")


def _omm_record(values: dict, source: str, line: int | None, label: str) -> ElementSet:
    """Build an ElementSet from OMM keyword -> value (strings or numbers)."""
    values = {str(k).strip().upper(): v for k, v in values.items() if not _blank(v)}
    for key in _OMM_REQUIRED:
        if key not in values:
            raise ElementSetError(source, line, key, f"{label}: required OMM keyword missing")
    kwargs = {}
    for attr, key in _OMM_KEYS.items():
        if key not in values:
            continue
        raw = values[key]
        try:
            if attr == "epoch":
                kwargs[attr] = _omm_epoch(raw)
            elif attr == "catalog_number":
                kwargs[attr] = _omm_int(raw, alpha5=True)
            elif attr in ("element_set_no", "rev_at_epoch"):
                kwargs[attr] = _omm_int(raw)
            elif attr in _FLOAT_FIELDS:
                kwargs[attr] = _omm_float(raw)
            else:
                kwargs[attr] = _omm_text(raw)
        except (ValueError, TypeError, OverflowError) as exc:
            shown = repr(raw) if len(repr(raw)) <= 80 else repr(raw)[:77] + "..."
            raise ElementSetError(
                source, line, key, f"{label}: cannot read {shown}: {exc}"
            ) from None
    kwargs.setdefault("name", str(kwargs["catalog_number"]))
    kwargs["origin"] = f"{source}:{line}" if line else f"{source}:{label}"
    es = ElementSet(**kwargs)
    try:
        check_elements(es, source, line)
    except ElementSetError as exc:
        key = _OMM_KEYS.get(exc.field or "", exc.field)
        raise ElementSetError(source, line, key, f"{label}: {exc.reason}") from None
    return es


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _collect(result: ReadResult, strict: bool, build) -> None:
    try:
        result.element_sets.append(build())
    except ElementSetError as exc:
        if strict:
            raise
        result.skipped.append(exc.skipped())


def _read_omm_json(text: str, source: str, strict: bool) -> ReadResult:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ElementSetError(source, exc.lineno, None, f"invalid JSON: {exc.msg}") from None
    except (ValueError, RecursionError) as exc:  # huge integers, deep nesting
        raise ElementSetError(source, None, None, f"unreadable JSON: {exc}") from None
    records = data if isinstance(data, list) else [data]
    result = ReadResult()
    for k, rec in enumerate(records):
        if not isinstance(rec, dict):
            exc = ElementSetError(source, None, None, f"record {k}: expected a JSON object")
            if strict:
                raise exc
            result.skipped.append(exc.skipped())
            continue
        _collect(result, strict, lambda rec=rec, k=k: _omm_record(rec, source, None, f"record {k}"))
    return result


def _looks_like_omm_csv(text: str) -> bool:
    lines = text.splitlines()
    first = lines[0].upper() if lines else ""
    return "," in first and ("NORAD_CAT_ID" in first or "MEAN_MOTION" in first)


def _read_omm_csv(text: str, source: str, strict: bool) -> ReadResult:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    result = ReadResult()
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            bad = ElementSetError(source, reader.line_num, None, f"unreadable CSV row: {exc}")
            if strict:
                raise bad from None
            result.skipped.append(bad.skipped())
            continue
        lineno = reader.line_num
        row.pop(None, None)  # values beyond the header's columns
        _collect(
            result,
            strict,
            lambda row=row, n=lineno: _omm_record(row, source, n, f"row at line {n}"),
        )
    return result


def _read_omm_xml(text: str, source: str, strict: bool) -> ReadResult:
    if re.search(r"<!(?:DOCTYPE|ENTITY)", text[:65536], flags=re.IGNORECASE):
        raise ElementSetError(
            source, None, None, "XML with a DOCTYPE or entities is refused (OMM has none)"
        )
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        raise ElementSetError(source, exc.position[0], None, f"invalid XML: {exc}") from None
    omms = [el for el in root.iter() if _local(el.tag) == "omm"] or [root]
    result = ReadResult()
    for k, omm in enumerate(omms):
        values = {_local(el.tag).upper(): (el.text or "").strip() for el in omm.iter()}
        _collect(
            result,
            strict,
            lambda v=values, k=k: _omm_record(v, source, None, f"<omm> element {k}"),
        )
    return result


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


# --------------------------------------------------------------------------- writing


def to_tle_lines(es: ElementSet) -> tuple[str, str]:
    """Format an element set as TLE lines 1 and 2 (with checksums).

    Catalogue numbers above 99,999 are written in Alpha-5; above 339,999, or epochs
    outside 1957-2056, the TLE format cannot hold the set and ValueError says so.
    """
    epoch = es.epoch.astype("datetime64[ns]")
    year = epoch.astype("datetime64[Y]")
    year_n = int(year.astype(np.int64)) + 1970
    if not 1957 <= year_n <= 2056:
        raise ValueError(f"epoch year {year_n} outside 1957..2056, the TLE's two-digit years")
    day = (epoch - year.astype("datetime64[ns]")).astype(np.int64) / NS_PER_DAY + 1.0
    yy = year_n % 100

    def exp_field(x: float) -> str:
        if x == 0:
            return " 00000+0"
        e = math.floor(math.log10(abs(x))) + 1
        mant = round(abs(x) / 10.0**e * 1e5)
        if mant >= 100000:
            mant //= 10
            e += 1
        return f"{'-' if x < 0 else ' '}{mant:05d}{e:+d}"

    ndot = f"{es.mean_motion_dot:.8f}".replace("0.", ".", 1)
    cat = int_to_alpha5(es.catalog_number)
    # OMM's OBJECT_ID 1998-067A is the TLE's 98067A.
    m = re.fullmatch(r"[0-9]{2}([0-9]{2})-([0-9]{3}[A-Z]{0,3})", es.intl_designator)
    intl = m.group(1) + m.group(2) if m else es.intl_designator
    line1 = (
        f"1 {cat}{es.classification[:1] or 'U'} {intl[:8]:<8} "
        f"{yy:02d}{day:012.8f} {ndot:>10} {exp_field(es.mean_motion_ddot)} "
        f"{exp_field(es.bstar)} 0 {es.element_set_no % 10000:4d}"
    )
    ecc = f"{es.eccentricity:.7f}"[2:]
    line2 = (
        f"2 {cat} {es.inclination:8.4f} {es.raan % 360.0:8.4f} {ecc} "
        f"{es.arg_perigee % 360.0:8.4f} {es.mean_anomaly % 360.0:8.4f} "
        f"{es.mean_motion:11.8f}{es.rev_at_epoch % 100000:5d}"
    )
    return line1 + str(tle_checksum(line1)), line2 + str(tle_checksum(line2))


def tle_text(element_sets) -> tuple[str, list[str]]:
    """3-line TLE text of the element sets the format can hold, and one sentence for
    each it cannot (catalogue number above 339,999, epoch outside 1957-2056)."""
    out, left_out = [], []
    for es in element_sets:
        try:
            l1, l2 = to_tle_lines(es)
        except ValueError as exc:
            left_out.append(f"{es.name} ({es.catalog_number}) not written as TLE: {exc}")
            continue
        out += [es.name[:24], l1, l2]
    return ("\n".join(out) + "\n") if out else "", left_out


def to_omm(es: ElementSet) -> dict:
    """The element set as CCSDS OMM keywords (as CelesTrak's JSON): real catalogue number,
    epoch to the nanosecond, numbers as read (Python floats round-trip exactly)."""
    return {
        "OBJECT_NAME": es.name,
        "OBJECT_ID": es.intl_designator,
        "CENTER_NAME": "EARTH",
        "REF_FRAME": "TEME",
        "TIME_SYSTEM": "UTC",
        "MEAN_ELEMENT_THEORY": "SGP4",
        "EPOCH": str(es.epoch.astype("datetime64[ns]")),
        "MEAN_MOTION": es.mean_motion,
        "ECCENTRICITY": es.eccentricity,
        "INCLINATION": es.inclination,
        "RA_OF_ASC_NODE": es.raan,
        "ARG_OF_PERICENTER": es.arg_perigee,
        "MEAN_ANOMALY": es.mean_anomaly,
        "EPHEMERIS_TYPE": 0,
        "CLASSIFICATION_TYPE": es.classification,
        "NORAD_CAT_ID": es.catalog_number,
        "ELEMENT_SET_NO": es.element_set_no,
        "REV_AT_EPOCH": es.rev_at_epoch,
        "BSTAR": es.bstar,
        "MEAN_MOTION_DOT": es.mean_motion_dot,
        "MEAN_MOTION_DDOT": es.mean_motion_ddot,
    }


def omm_json(element_sets) -> str:
    """OMM JSON text (a list of objects, one per line) of the element sets."""
    return "[\n" + ",\n".join(json.dumps(to_omm(es)) for es in element_sets) + "\n]\n"
