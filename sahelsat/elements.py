"""Element sets: reading and validating TLE and CCSDS OMM (XML, JSON, CSV).

Everything from outside passes through :func:`read_element_sets`, which returns one
:class:`ElementSet` per satellite and, in non-strict mode, the records it skipped with
the reason. Errors name the source, the line and the field. Angles are degrees and mean
motion revolutions per day, as in the formats; epochs are exact ``datetime64[ns]`` UTC.
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
    ``strict=False`` skips bad records and lists them in ``ReadResult.skipped``.
    """
    text, name = _read_source(source)
    stripped = text.lstrip("\ufeff \t\r\n")
    if not stripped:
        raise ElementSetError(name, None, None, "no element sets found (empty input)")
    if stripped.startswith("<"):
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


def _read_source(source) -> tuple[str, str]:
    if hasattr(source, "read"):
        data = source.read()
        name = getattr(source, "name", "<file object>")
        return (data.decode("utf-8", "replace") if isinstance(data, bytes) else data), str(name)
    if isinstance(source, bytes):
        return source.decode("utf-8", "replace"), "<bytes>"
    if isinstance(source, str) and (
        "\n" in source or not source.strip() or source.lstrip().startswith(("1 ", "<", "[", "{"))
    ):
        return source, "<text>"
    if isinstance(source, (str, Path)):
        path = Path(source)
        if not path.is_file():
            raise ElementSetError(
                str(source), None, None, "no such file; give a path, element-set text or a file"
            )
        return path.read_text(encoding="utf-8", errors="replace"), path.name
    raise ElementSetError(
        "<input>", None, None, f"cannot read element sets from a {type(source).__name__}"
    )


# --------------------------------------------------------------------------- TLE


def tle_checksum(line: str) -> int:
    """The TLE checksum of a line's first 68 characters (digits, and 1 for each '-')."""
    return sum(int(c) if c.isdigit() else (1 if c == "-" else 0) for c in line[:68]) % 10


def alpha5_to_int(text: str) -> int:
    """Catalogue number from 5 TLE characters, with Alpha-5 (``A0000`` = 100000)."""
    text = text.strip()
    if not text:
        raise ValueError("empty")
    if text[0].isalpha():
        letter = text[0].upper()
        if letter not in _ALPHA5 or len(text) != 5 or not text[1:].isdigit():
            raise ValueError(f"{text!r} is not an Alpha-5 catalogue number")
        return (10 + _ALPHA5.index(letter)) * 10000 + int(text[1:])
    if not text.isdigit():
        raise ValueError(f"{text!r} is not a catalogue number")
    return int(text)


def int_to_alpha5(number: int) -> str:
    """Five TLE characters for a catalogue number (Alpha-5 above 99,999)."""
    if not 0 <= number <= 339_999:
        raise ValueError(f"catalogue number {number} outside 0..339999 (Alpha-5 limit)")
    if number < 100_000:
        return f"{number:05d}"
    return _ALPHA5[number // 10000 - 10] + f"{number % 10000:04d}"


def _read_tle(text: str, name: str, strict: bool) -> ReadResult:
    result = ReadResult()
    lines = text.splitlines()
    i = 0
    pending_name: tuple[int, str] | None = None
    while i < len(lines):
        raw = lines[i].rstrip()
        lineno = i + 1
        if not raw.strip():
            i += 1
            continue
        if raw.startswith("1 ") and len(raw) >= 2:
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
                if strict:
                    raise
                result.skipped.append(exc.skipped())
            i += 2 if line2.startswith("2 ") else 1
            continue
        if raw.startswith("2 "):
            exc = ElementSetError(name, lineno, "line 1", "line 2 without a preceding line 1")
            if strict:
                raise exc
            result.skipped.append(exc.skipped())
            pending_name = None
        else:
            if pending_name is not None:
                exc = ElementSetError(
                    name, pending_name[0], None, f"name {pending_name[1]!r} has no element lines"
                )
                if strict:
                    raise exc
                result.skipped.append(exc.skipped())
            title = raw[2:] if raw.startswith("0 ") else raw
            pending_name = (lineno, title.strip())
        i += 1
    if pending_name is not None:
        exc = ElementSetError(
            name, pending_name[0], None, f"name {pending_name[1]!r} has no element lines"
        )
        if strict:
            raise exc
        result.skipped.append(exc.skipped())
    return result


def _field(source, lineno, line, start, stop, label, convert):
    """Convert columns [start, stop] (1-based, inclusive) of a TLE line, naming the field."""
    text = line[start - 1 : stop]
    try:
        return convert(text)
    except (ValueError, IndexError) as exc:
        raise ElementSetError(
            source, lineno, label, f"cannot read {text!r} (columns {start}-{stop}): {exc}"
        ) from None


def _implied_decimal(text: str) -> float:
    """TLE's assumed-decimal exponent notation: ' 38792-4' -> 0.38792e-4."""
    t = text.strip()
    if not t:
        return 0.0
    sign = -1.0 if t[0] == "-" else 1.0
    t = t.lstrip("+-")
    m = re.fullmatch(r"(\d+)([+-]\d)", t)
    if not m:
        raise ValueError("expected digits then a signed exponent, e.g. 38792-4")
    return sign * float("0." + m.group(1)) * 10.0 ** int(m.group(2))


def _number(text: str) -> float:
    t = text.strip()
    if not t:
        raise ValueError("blank")
    value = float(t)
    if not math.isfinite(value):
        raise ValueError("not finite")
    return value


def _tle_epoch(text: str) -> np.datetime64:
    t = text.strip()
    m = re.fullmatch(r"(\d{2})(\d{3})\.(\d+)", t.replace(" ", "0"))
    if not m:
        raise ValueError("expected YYDDD.DDDDDDDD")
    yy, day, frac = int(m.group(1)), int(m.group(2)), m.group(3)
    year = 2000 + yy if yy < 57 else 1900 + yy
    days_in_year = 366 if (year % 4 == 0 and year % 100 != 0) or year % 400 == 0 else 365
    if not 1 <= day <= days_in_year + 1:
        raise ValueError(f"day of year {day} outside 1..{days_in_year}")
    num, den = int(frac) * NS_PER_DAY, 10 ** len(frac)
    ns_in_day = (2 * num + den) // (2 * den)  # exact, rounded to the nanosecond
    start = np.datetime64(f"{year}-01-01", "ns")
    return start + np.timedelta64((day - 1) * NS_PER_DAY + ns_in_day, "ns")


def _parse_tle_pair(line1: str, line2: str, sat_name: str, source: str, lineno: int) -> ElementSet:
    for n, line in ((lineno, line1), (lineno + 1, line2)):
        if len(line) != 69:
            raise ElementSetError(
                source, n, "length", f"a TLE line has 69 characters, this one has {len(line)}"
            )
        if not line[68].isdigit():
            raise ElementSetError(source, n, "checksum", f"column 69 is {line[68]!r}, not a digit")
        expected = tle_checksum(line)
        if int(line[68]) != expected:
            raise ElementSetError(
                source, n, "checksum", f"checksum is {line[68]}, the line sums to {expected}"
            )
    l1, l2 = lineno, lineno + 1
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
        element_set_no=_field(source, l1, line1, 65, 68, "element_set_no", _int_or_zero),
        inclination=_field(source, l2, line2, 9, 16, "inclination", _number),
        raan=_field(source, l2, line2, 18, 25, "raan", _number),
        eccentricity=_field(source, l2, line2, 27, 33, "eccentricity", _decimal_point_assumed),
        arg_perigee=_field(source, l2, line2, 35, 42, "arg_perigee", _number),
        mean_anomaly=_field(source, l2, line2, 44, 51, "mean_anomaly", _number),
        mean_motion=_field(source, l2, line2, 53, 63, "mean_motion", _number),
        rev_at_epoch=_field(source, l2, line2, 64, 68, "rev_at_epoch", _int_or_zero),
        origin=f"{source}:{lineno}",
        tle_lines=(line1, line2),
    )
    check_elements(es, source, l2)
    return es


def _int_or_zero(text: str) -> int:
    return int(text) if text.strip() else 0


def _decimal_point_assumed(text: str) -> float:
    if not text.strip().isdigit():
        raise ValueError("expected 7 digits (decimal point assumed)")
    return float("0." + text.strip())


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
        ("catalog_number", 0 <= es.catalog_number <= 999_999_999, "must be non-negative"),
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


def _omm_record(values: dict, source: str, line: int | None, label: str) -> ElementSet:
    """Build an ElementSet from OMM keyword -> value (strings or numbers)."""
    values = {str(k).strip().upper(): v for k, v in values.items()}
    for key in _OMM_REQUIRED:
        if values.get(key) in (None, ""):
            raise ElementSetError(source, line, key, f"{label}: required OMM keyword missing")
    kwargs = {}
    for attr, key in _OMM_KEYS.items():
        if key not in values or values[key] in (None, ""):
            continue
        raw = values[key]
        try:
            if attr == "epoch":
                kwargs[attr] = _omm_epoch(str(raw))
            elif attr == "catalog_number":
                kwargs[attr] = (
                    alpha5_to_int(str(raw)) if str(raw)[:1].isalpha() else int(float(raw))
                )
            elif attr in ("element_set_no", "rev_at_epoch"):
                kwargs[attr] = int(float(raw))
            elif attr in _FLOAT_FIELDS:
                kwargs[attr] = _number(str(raw))
            else:
                kwargs[attr] = str(raw).strip()
        except (ValueError, TypeError) as exc:
            raise ElementSetError(
                source, line, key, f"{label}: cannot read {raw!r}: {exc}"
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


def _omm_epoch(text: str) -> np.datetime64:
    t = text.strip().rstrip("Z")
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?", t):
        raise ValueError("expected an ISO-8601 UTC time such as 2026-05-30T12:00:00.000000")
    return np.datetime64(t, "ns")


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
    first = text.splitlines()[0].upper()
    return "," in first and ("NORAD_CAT_ID" in first or "MEAN_MOTION" in first)


def _read_omm_csv(text: str, source: str, strict: bool) -> ReadResult:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    result = ReadResult()
    for row in reader:
        lineno = reader.line_num
        _collect(
            result,
            strict,
            lambda row=row, n=lineno: _omm_record(row, source, n, f"row at line {n}"),
        )
    return result


def _read_omm_xml(text: str, source: str, strict: bool) -> ReadResult:
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


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


# --------------------------------------------------------------------------- writing


def to_tle_lines(es: ElementSet) -> tuple[str, str]:
    """Format an element set as TLE lines 1 and 2 (with checksums)."""
    epoch = es.epoch.astype("datetime64[ns]")
    year = epoch.astype("datetime64[Y]")
    day = (epoch - year.astype("datetime64[ns]")).astype(np.int64) / NS_PER_DAY + 1.0
    yy = int(str(year)[:4]) % 100

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
    line1 = (
        f"1 {cat}{es.classification[:1] or 'U'} {es.intl_designator[:8]:<8} "
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
