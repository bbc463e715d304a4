"""How current the data in use is: per catalogue source, fetch time and epochs, and the
default start of a command's window (now when the element sets are fresh, else the day
after their epoch)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np

from sahelsat import userdata
from sahelsat.fleet import CATALOGUES, STALE_DAYS_HIGH, STALE_DAYS_LEO, Fleet, shipped_catalogue

SHIPPED_SOURCE = "shipped snapshot (CelesTrak groups of 2026-05-30)"


@dataclass(frozen=True)
class CatalogueStatus:
    """One catalogue as commands use it: ``source`` (a URL and queries, a file, or the
    shipped snapshot), ``fetched_at`` (UTC, empty for the snapshot), ``epoch_min`` and
    ``epoch_max`` (UTC), ``version`` of the stored copy (empty for the snapshot)."""

    name: str
    satellites: int
    source: str
    fetched_at: str
    epoch_min: str
    epoch_max: str
    version: str


def catalogue_status(store: userdata.ElementStore | None = None) -> list[CatalogueStatus]:
    """Every catalogue a command can name (shipped and stored), as it is in use now."""
    store = store or userdata.ElementStore()
    out = []
    for name in list(CATALOGUES) + [n for n in store.names() if n not in CATALOGUES]:
        info = store.current(name)
        if info is not None:
            out.append(CatalogueStatus(name, info.count, info.source, info.fetched_at,
                                       info.epoch_min, info.epoch_max, info.version))  # fmt: skip
            continue
        sets = shipped_catalogue(name).element_sets
        lo, _, hi = userdata.epoch_summary(sets)
        out.append(CatalogueStatus(name, len(sets), SHIPPED_SOURCE, "", lo, hi, ""))
    return out


@dataclass(frozen=True)
class DefaultStart:
    """A window's default start and why: ``fresh`` when it is now."""

    start: np.datetime64  # UTC, ns
    fresh: bool
    note: str


def default_start(fleet: Fleet, now=None) -> DefaultStart:
    """Where a window starts when the user gives no start.

    Now (to the second) when the fleet's element sets are fresh: for at least half of
    the satellites, now is within the age beyond which propagation warns (``STALE_DAYS_LEO``
    for low orbits, ``STALE_DAYS_HIGH`` above). Otherwise the first midnight (UTC) after
    the median epoch, as the shipped snapshot's commands always started (2026-05-31), and
    the note says so and how to bring the element sets up to date. ``now``: a UTC time
    (default: the clock).
    """
    t_now = np.datetime64(
        (now or datetime.now(UTC)).astimezone(UTC).replace(tzinfo=None), "s"
    ).astype("datetime64[ns]")
    if not len(fleet):
        return DefaultStart(t_now, True, "")
    limit = np.where(fleet.mean_motion > 6.0, STALE_DAYS_LEO, STALE_DAYS_HIGH)
    age = np.abs((t_now - fleet.epochs).astype(np.int64)) / 86_400e9
    median = np.sort(fleet.epochs)[len(fleet) // 2]
    if np.median(age / limit) <= 1.0:
        return DefaultStart(t_now, True, "")
    start = (median.astype("datetime64[D]") + np.timedelta64(1, "D")).astype("datetime64[ns]")
    days = float(np.median(age))
    note = (
        f"no start given: the element sets' median epoch is {str(median)[:16]}Z, "
        f"{days:.0f} days from now, so the window starts at {str(start)[:16]}Z, the day after "
        "it; `sahelsat update elements` brings them up to date"
    )
    return DefaultStart(start, False, note)
