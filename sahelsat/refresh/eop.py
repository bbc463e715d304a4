"""Earth orientation brought up to date: the IERS ``finals2000A.all`` table.

:func:`parse_finals` reads the IERS fixed-column format (``readme.finals2000A``: date,
MJD, Bulletin A polar motion x_p, y_p in arcseconds and UT1-UTC in seconds, each flagged
``I`` observed or ``P`` predicted), checking every line and listing every problem.
:func:`update_eop` fetches it (URL a setting: ``SAHELSAT_EOP_URL``) or imports a file,
and replaces the table in use atomically when it passes; :mod:`sahelsat.timescale` then
uses it (see :func:`sahelsat.userdata.eop_table_path`).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd

from sahelsat import userdata
from sahelsat.refresh import defaults
from sahelsat.refresh.http import FetchError, request
from sahelsat.refresh.schedule import iso, not_before, record_failure, utc
from sahelsat.refresh.sources import summarize_errors

COLUMNS = ["mjd_utc", "xp_arcsec", "yp_arcsec", "ut1_minus_utc_s", "predicted"]
#: Bounds no real value reaches: polar motion stays within about 0.6 arcsec and UT1-UTC
#: within 0.9 s (leap seconds keep it there).
MAX_POLAR_MOTION_ARCSEC = 2.0
MAX_UT1_MINUS_UTC_S = 1.0
#: A table shorter than this (days) is not a finals file.
MIN_ROWS = 365
_DECIMAL = re.compile(r" *-?[0-9]*\.[0-9]+")


def parse_finals(text: str, source: str = "finals2000A.all") -> tuple[pd.DataFrame, list[str]]:
    """The daily table of a ``finals2000A`` text and the problems found, line by line.

    Returns a frame with :data:`COLUMNS` (MJD, x_p and y_p in arcseconds, UT1-UTC in
    seconds, ``predicted`` 1 for IERS predictions) for the rows with Bulletin A values;
    rows without them may only follow the last valued row (the file's empty future).
    """
    rows, errors = [], []
    blank_since, after_error = None, False
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = _finals_row(line)
        except ValueError as exc:
            errors.append(f"{source}, line {n}: {exc}")
            after_error = True  # the next line is not also blamed for the gap
            continue
        if row is None:
            blank_since = blank_since or n
            continue
        if blank_since is not None:
            errors.append(f"{source}, line {n}: values after the empty line {blank_since}")
            blank_since = None
        if rows and row[0] != rows[-1][0] + 1 and not after_error:
            errors.append(f"{source}, line {n}: MJD {row[0]} does not follow {rows[-1][0]}")
        after_error = False
        if rows and rows[-1][4] and not row[4]:
            errors.append(f"{source}, line {n}: an observed value after a predicted one")
        rows.append(row)
    if len(rows) < MIN_ROWS and not errors:
        errors.append(f"{source}: only {len(rows)} days of values (a finals file has years)")
    return pd.DataFrame(rows, columns=COLUMNS), errors


def _finals_row(line: str) -> tuple | None:
    if not line.isascii():
        raise ValueError("non-ASCII characters")
    if len(line) < 68:
        line = line.ljust(68)
    yy, mm, dd, mjd_text = line[0:2], line[2:4], line[4:6], line[7:15]
    if not all(re.fullmatch(r" ?[0-9]{1,2}", f) for f in (yy, mm, dd)):
        raise ValueError("columns 1-6 must be the date YYMMDD")
    if not re.fullmatch(r" *[0-9]+\.[0-9]{2}", mjd_text) or not mjd_text.endswith(".00"):
        raise ValueError(f"columns 8-15: {mjd_text!r} is not a whole MJD")
    mjd = int(float(mjd_text))
    year = int(yy) + (1900 if mjd <= 51543 else 2000)
    try:
        date = np.datetime64(f"{year:04d}-{int(mm):02d}-{int(dd):02d}", "D")
    except ValueError:
        raise ValueError(f"no such date {year}-{mm.strip()}-{dd.strip()}") from None
    if int(date.astype(np.int64)) + 40587 != mjd:
        raise ValueError(f"MJD {mjd} is not the date {date}")
    pm_flag, xp, yp = line[16], line[18:27], line[37:46]
    ut_flag, dut1 = line[57], line[58:68]
    if not (xp.strip() and yp.strip() and dut1.strip()):
        return None
    for flag, label in ((pm_flag, "column 17"), (ut_flag, "column 58")):
        if flag not in "IP":
            raise ValueError(f"{label}: flag {flag!r}, expected I (observed) or P (predicted)")
    values = []
    for text, label, bound in (
        (xp, "x_p (columns 19-27)", MAX_POLAR_MOTION_ARCSEC),
        (yp, "y_p (columns 38-46)", MAX_POLAR_MOTION_ARCSEC),
        (dut1, "UT1-UTC (columns 59-68)", MAX_UT1_MINUS_UTC_S),
    ):
        if not _DECIMAL.fullmatch(text):
            raise ValueError(f"{label}: cannot read {text!r}")
        value = float(text)
        if abs(value) > bound:
            raise ValueError(f"{label}: {value} is beyond {bound}")
        values.append(value)
    return (mjd, *values, int(ut_flag == "P"))  # as the shipped table: UT1-UTC predicted


def table_csv(table: pd.DataFrame) -> str:
    """The table as sahelsat's CSV (the shipped ``sahelsat/data/eop/finals.csv`` format)."""
    lines = [",".join(COLUMNS)]
    lines += [
        f"{r.mjd_utc:.0f},{r.xp_arcsec:.6f},{r.yp_arcsec:.6f},{r.ut1_minus_utc_s:.7f},"
        f"{int(r.predicted)}"
        for r in table.itertuples()
    ]
    return "\n".join(lines) + "\n"


def _last_observed(table: pd.DataFrame) -> int:
    observed = table.loc[table["predicted"] == 0, "mjd_utc"]
    return int(observed.max()) if len(observed) else 0


def in_use() -> tuple[str, pd.DataFrame]:
    """Where the table in use comes from, and the table."""
    path = userdata.eop_table_path()
    stored = userdata.stored_eop()
    where = stored[1].get("source", "stored") if stored and stored[0] == path else "shipped"
    with path.open() as f:
        return where, pd.read_csv(f)


@dataclass
class EopReport:
    """``status``: updated, unchanged, skipped, refused or failed; ``errors`` the lines
    the strict reading refused; ``meta`` the table in use afterwards."""

    status: str
    message: str
    errors: list[str] = field(default_factory=list)
    meta: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status in ("updated", "unchanged", "skipped")


def update_eop(
    url: str | None = None,
    path: str | os.PathLike | None = None,
    force: bool = False,
    replace: bool = False,
    timeout_s: float = defaults.TIMEOUT_S,
    progress: Callable[[float, str], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    now: datetime | None = None,
) -> EopReport:
    """Fetch ``finals2000A.all`` (from ``url``, else ``SAHELSAT_EOP_URL``, else the IERS)
    or read it from ``path``, check it, and make it the table in use.

    Asked at most once a day (``force`` asks anyway), with ``If-None-Match`` /
    ``If-Modified-Since`` when the last answer carried them, and a back-off after an
    error. A table whose observed values end before those of the table in use is refused
    unless ``replace``.
    """
    t = utc(now)
    state_path = userdata.eop_dir() / "fetch-state.json"
    if cancelled is not None and cancelled():
        return EopReport("refused", "cancelled")
    if path is not None:
        try:
            text, source = Path(path).read_text(encoding="ascii", errors="replace"), str(path)
        except OSError as exc:
            return EopReport("failed", f"cannot read {path}: {exc}")
    else:
        base = url or os.environ.get(defaults.EOP_URL_ENV) or defaults.EOP_URL
        states = _read_json(state_path)
        entry = states.setdefault(base, {})
        wait = None if force else not_before(entry, defaults.EOP_INTERVAL_S, t)
        if wait is not None:
            return EopReport("skipped", f"up to date: {wait}", meta=_meta())
        if progress is not None:
            progress(0.0, f"asking {base}")
        current = _meta().get("source") == base
        head = {}
        if current and entry.get("etag"):
            head["If-None-Match"] = entry["etag"]
        if current and entry.get("last_modified"):
            head["If-Modified-Since"] = entry["last_modified"]
        try:
            resp = request(base, head, timeout_s=timeout_s)
        except FetchError as exc:
            resp, problem = None, str(exc)
        else:
            problem = (
                None if resp.status in (200, 304) else f"HTTP {resp.status}: " + (resp.first_line())
            )
        if problem is not None:
            retry = resp.retry_after_s() if resp is not None else None
            record_failure(entry, problem, retry, defaults.EOP_INTERVAL_S, t)
            userdata.write_json(state_path, states)
            return EopReport("failed", f"{base}: {problem}; the table in use stays", meta=_meta())
        entry.update(fetched_at=iso(t), failures=0, retry_after=None, last_error=None)
        if resp.status == 304:
            userdata.write_json(state_path, states)
            return EopReport("unchanged", "not modified since the last download", meta=_meta())
        entry.update(etag=resp.headers.get("ETag"), last_modified=resp.headers.get("Last-Modified"))
        userdata.write_json(state_path, states)
        text, source = resp.text(), base
    report = install_table(text, source, replace, t)
    if progress is not None:
        progress(1.0, "done")
    return report


def install_table(text: str, source: str, replace: bool = False, now=None) -> EopReport:
    """Check a finals text and make it the table in use (atomically)."""
    table, errors = parse_finals(text, Path(source).name or source)
    if errors:
        return EopReport(
            "refused",
            f"the table in use stays: {len(errors)} problems in {source}: "
            f"{summarize_errors(errors)}",
            errors,
            _meta(),
        )
    where, current = in_use()
    new_last, old_last = _last_observed(table), _last_observed(current)
    older = new_last < old_last
    if older and not replace:
        return EopReport(
            "refused",
            f"the table in use ({where}) has observed values to MJD {old_last}, this one only "
            f"to MJD {new_last}: kept the table in use (--replace to accept)",
            meta=_meta(),
        )
    body = table_csv(table)
    digest = hashlib.sha256(body.encode()).hexdigest()[:12]
    meta = _meta()
    if meta.get("file", "").endswith(f"{digest}.csv"):
        return EopReport("unchanged", "same values as the table in use", meta=meta)
    stamp = iso(utc(now)).replace("-", "").replace(":", "")
    name = f"finals-{stamp}-{digest}.csv"
    folder = userdata.eop_dir()
    try:
        userdata.write_atomic(folder / name, body.encode())
    except OSError as exc:
        return EopReport("failed", f"cannot write {folder / name}: {exc}", meta=_meta())
    base = np.datetime64("1858-11-17", "D")
    meta = {
        "file": name,
        "source": source,
        "fetched_at": iso(utc(now)),
        "rows": len(table),
        "first_date": str(base + int(table["mjd_utc"].iloc[0])),
        "last_date": str(base + int(table["mjd_utc"].iloc[-1])),
        "last_observed_mjd": new_last,
        "last_observed_date": str(base + new_last),
        "chosen": older,  # accepted although older: used even where the shipped is fresher
    }
    previous = _meta().get("file")
    try:
        userdata.write_json(folder / "current.json", meta)
    except OSError as exc:
        (folder / name).unlink(missing_ok=True)
        return EopReport("failed", f"cannot write {folder}: {exc}", meta=_meta())
    for old in folder.glob("finals-*.csv"):  # the previous one stays for readers under way
        if old.name not in (name, previous):
            old.unlink(missing_ok=True)
    return EopReport(
        "updated",
        f"{len(table)} days, {meta['first_date']} .. {meta['last_date']} (observed to "
        f"{meta['last_observed_date']}, then IERS predictions)",
        meta=meta,
    )


def _meta() -> dict:
    stored = userdata.stored_eop()
    return dict(stored[1]) if stored else {}


def _read_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text())
    except (FileNotFoundError, ValueError):
        return {}
