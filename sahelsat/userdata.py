"""The user's data directory: element sets and Earth orientation brought up to date.

:func:`data_dir` is ``SAHELSAT_DATA_DIR``, else ``~/.local/share/sahelsat`` (the folder of
the service's SQLite store too). Under it, an :class:`ElementStore` keeps each fleet's
element sets with their history, and ``eop/`` the Earth-orientation table in use::

    elements/<name>/current.json            the version in use and its description
    elements/<name>/versions/<v>.json       OMM JSON of one version (the history)
    elements/<name>/versions/<v>.meta.json  where it came from, when, what it holds
    elements/<name>/pins.json               versions kept for plans (never pruned)
    elements/<name>/definition.json         the source queries that make up the fleet
    elements/fetch-state.json               per source query: time fetched, validators
    eop/current.json, eop/<v>.csv           the Earth-orientation table in use

Every file is written under a temporary name, flushed to disk and renamed over the old
one, so a crash or a full disk leaves the old file or the new one, never a part of one.
The shipped data under ``sahelsat/data`` stays the fallback: a fleet with nothing stored
(or whose stored copy cannot be read, with a warning) is the shipped snapshot.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
import warnings
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from functools import cache
from importlib import resources
from pathlib import Path

import numpy as np

from sahelsat.elements import ElementSet, ElementSetError, omm_json, read_element_sets

#: Versions of a fleet kept besides the pinned ones and the one in use.
KEEP_VERSIONS = 20
_NAME = re.compile(r"[a-z0-9][a-z0-9_.-]{0,63}")


def data_dir(path: str | os.PathLike | None = None) -> Path:
    """The user's data directory: ``path``, else ``SAHELSAT_DATA_DIR``, else
    ``~/.local/share/sahelsat`` (read at each call; not created here)."""
    folder = path or os.environ.get("SAHELSAT_DATA_DIR") or "~/.local/share/sahelsat"
    return Path(folder).expanduser()


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` all at once: a temporary file in the same folder,
    flushed to disk, then renamed over ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_json(path: Path, value) -> None:
    write_atomic(path, (json.dumps(value, indent=1, sort_keys=True) + "\n").encode())


def utc_now() -> str:
    """The current UTC time as ISO-8601 to the second, with ``Z``."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def fleet_name(name: str) -> str:
    """A fleet's name in the store: lower case, letters, digits, ``-``, ``_``, ``.``."""
    key = str(name).strip().lower()
    if not _NAME.fullmatch(key):
        raise ValueError(
            f"fleet name {name!r}: use 1-64 letters, digits, '-', '_' or '.', starting with a "
            "letter or digit"
        )
    return key


# --------------------------------------------------------------------------- element sets


@dataclass(frozen=True)
class CopyInfo:
    """One stored version of a fleet's element sets: what it holds and where it came from.

    ``parts`` maps each source query (``GROUP=resource``, ``CATNR=62261``, a file name)
    to the catalogue numbers it gave; ``notes`` say what was kept or left out and why.
    """

    name: str
    version: str
    source: str
    fetched_at: str  # UTC ISO-8601 of the download or import
    count: int
    epoch_min: str
    epoch_median: str
    epoch_max: str
    parts: dict[str, list[int]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @staticmethod
    def from_dict(d: dict) -> CopyInfo:
        keys = CopyInfo.__dataclass_fields__
        return CopyInfo(**{k: v for k, v in d.items() if k in keys})


def epoch_summary(element_sets: list[ElementSet]) -> tuple[str, str, str]:
    """Earliest, median and latest epoch (ISO-8601 UTC, to the second) of element sets."""
    if not element_sets:
        return "", "", ""
    ns = np.sort(np.array([e.epoch for e in element_sets], "datetime64[ns]").view(np.int64))
    pick = (ns[0], ns[len(ns) // 2], ns[-1])
    return tuple(str(np.datetime64(int(v), "ns").astype("datetime64[s]")) + "Z" for v in pick)


class ElementStore:
    """Element sets per fleet, with their history, in ``<data dir>/elements``.

    :meth:`put` adds a version and makes it the one in use (identical content is not
    stored twice); :meth:`load` reads the version in use or any kept version;
    :meth:`pin` keeps a version for good (a plan made with it can be checked again).
    """

    def __init__(self, root: str | os.PathLike | None = None):
        self.root = Path(root) if root is not None else data_dir() / "elements"

    def _dir(self, name: str) -> Path:
        return self.root / fleet_name(name)

    def names(self) -> list[str]:
        """Fleets with a version in use."""
        if not self.root.is_dir():
            return []
        return sorted(p.parent.name for p in self.root.glob("*/current.json"))

    def current(self, name: str) -> CopyInfo | None:
        """The version in use, or None when nothing is stored."""
        path = self._dir(name) / "current.json"
        try:
            return CopyInfo.from_dict(json.loads(path.read_text()))
        except FileNotFoundError:
            return None

    def versions(self, name: str) -> list[CopyInfo]:
        """Every kept version, oldest first."""
        folder = self._dir(name) / "versions"
        infos = []
        for path in sorted(folder.glob("*.meta.json")) if folder.is_dir() else []:
            try:
                infos.append(CopyInfo.from_dict(json.loads(path.read_text())))
            except (OSError, ValueError, TypeError):
                continue
        return infos

    def load(self, name: str, version: str | None = None) -> tuple[CopyInfo, list[ElementSet]]:
        """The element sets of a version (default: the one in use) and its description.

        Raises KeyError when there is no such version, :class:`ElementSetError` when its
        file cannot be read.
        """
        info = self.current(name) if version is None else self._meta(name, version)
        if info is None:
            raise KeyError(f"no stored element sets for {name!r}")
        path = self._dir(name) / "versions" / f"{info.version}.json"
        if not path.is_file():
            raise ElementSetError(str(path), None, None, "the stored version's file is missing")
        result = read_element_sets(path, strict=True)
        return info, result.element_sets

    def _meta(self, name: str, version: str) -> CopyInfo:
        if not re.fullmatch(r"[0-9TZ]{16}-[0-9a-f]{12}", str(version)):
            raise KeyError(f"{version!r} is not a version of {name!r}")
        path = self._dir(name) / "versions" / f"{version}.meta.json"
        try:
            return CopyInfo.from_dict(json.loads(path.read_text()))
        except FileNotFoundError:
            raise KeyError(f"no version {version} of {name!r} is kept") from None

    def put(
        self,
        name: str,
        element_sets: list[ElementSet],
        source: str,
        fetched_at: str | None = None,
        parts: dict[str, list[int]] | None = None,
        notes: list[str] | tuple = (),
    ) -> tuple[CopyInfo, bool]:
        """Store ``element_sets`` as the version in use of ``name``.

        Returns the version's description and whether it is new (False when the content
        equals the version in use, which then stays as it is). The element sets are
        written as OMM JSON and read back with the strict reader before they are used.
        """
        key = fleet_name(name)
        text = omm_json(element_sets)
        digest = hashlib.sha256(text.encode()).hexdigest()[:12]
        now = fetched_at or utc_now()
        current = self.current(key)
        if current is not None and current.version.endswith(digest):
            return current, False
        stamp = re.sub(r"[^0-9TZ]", "", now)[:15] + "Z"
        lo, mid, hi = epoch_summary(element_sets)
        info = CopyInfo(
            name=key,
            version=f"{stamp}-{digest}",
            source=source,
            fetched_at=now,
            count=len(element_sets),
            epoch_min=lo,
            epoch_median=mid,
            epoch_max=hi,
            parts={k: sorted(v) for k, v in (parts or {}).items()},
            notes=list(notes),
        )
        folder = self._dir(key) / "versions"
        data_path = folder / f"{info.version}.json"
        write_atomic(data_path, text.encode())
        check = read_element_sets(data_path, strict=True)  # what we wrote reads back
        if len(check.element_sets) != len(element_sets):
            raise ElementSetError(str(data_path), None, None, "the written copy reads back short")
        write_json(folder / f"{info.version}.meta.json", asdict(info))
        write_json(self._dir(key) / "current.json", asdict(info))
        self.prune(key)
        return info, True

    def use(self, name: str, version: str) -> CopyInfo:
        """Make a kept version the one in use again."""
        info = self._meta(name, version)
        write_json(self._dir(name) / "current.json", asdict(info))
        return info

    def forget(self, name: str) -> None:
        """Stop using the stored copy (the shipped snapshot, if any, is used again); the
        history stays."""
        (self._dir(name) / "current.json").unlink(missing_ok=True)

    def pins(self, name: str) -> dict[str, str]:
        """Pinned versions and why (e.g. the plan that used them)."""
        try:
            return json.loads((self._dir(name) / "pins.json").read_text())
        except FileNotFoundError:
            return {}

    def pin(self, name: str, version: str, reason: str) -> None:
        """Keep ``version`` for good, saying why."""
        self._meta(name, version)
        pins = self.pins(name)
        pins[version] = reason
        write_json(self._dir(name) / "pins.json", pins)

    def prune(self, name: str, keep: int = KEEP_VERSIONS) -> list[str]:
        """Delete the oldest versions beyond ``keep``, never a pinned one or the one in
        use; returns the versions deleted."""
        current = self.current(name)
        keepers = set(self.pins(name)) | ({current.version} if current else set())
        old = [v.version for v in self.versions(name) if v.version not in keepers]
        gone = old[: max(len(old) - keep, 0)]
        folder = self._dir(name) / "versions"
        for version in gone:
            (folder / f"{version}.json").unlink(missing_ok=True)
            (folder / f"{version}.meta.json").unlink(missing_ok=True)
        return gone

    def definition(self, name: str) -> list[str] | None:
        """The source queries that make up a fleet (``GROUP=...``, ``CATNR=...``), if any
        were recorded."""
        try:
            return list(json.loads((self._dir(name) / "definition.json").read_text()))
        except (FileNotFoundError, ValueError, TypeError):
            return None

    def save_definition(self, name: str, queries: list[str]) -> None:
        write_json(self._dir(name) / "definition.json", list(queries))

    # Per-query download state (time fetched, ETag, Last-Modified, failures), shared by
    # every fleet so that one query is asked once per interval whoever asks.
    def fetch_state(self) -> dict:
        try:
            return json.loads((self.root / "fetch-state.json").read_text())
        except (FileNotFoundError, ValueError):
            return {}

    def save_fetch_state(self, state: dict) -> None:
        write_json(self.root / "fetch-state.json", state)


def stored_element_sets(name: str, version: str | None = None) -> list[ElementSet] | None:
    """The stored element sets of fleet ``name`` in use (or of ``version``), or None
    when none is stored. A copy in use that cannot be read gives None and a warning
    (the caller falls back to the shipped snapshot); an asked-for version raises."""
    try:
        key = fleet_name(name)
    except ValueError:
        return None
    store = ElementStore()
    if version is not None:
        return store.load(key, version)[1]
    if not (store.root / key / "current.json").is_file():
        return None
    try:
        return store.load(key)[1]
    except (KeyError, ElementSetError, OSError, ValueError) as exc:
        warnings.warn(
            f"the stored element sets of {key!r} cannot be read ({exc}); using the shipped "
            "snapshot instead: run `sahelsat update elements` to fetch them again",
            stacklevel=3,
        )
        return None


# --------------------------------------------------------------------------- Earth orientation


def eop_dir() -> Path:
    return data_dir() / "eop"


def stored_eop() -> tuple[Path, dict] | None:
    """The stored Earth-orientation table and its description, or None."""
    try:
        meta = json.loads((eop_dir() / "current.json").read_text())
        path = eop_dir() / str(meta["file"])
    except (FileNotFoundError, ValueError, KeyError, TypeError):
        return None
    return (path, meta) if path.is_file() else None


@cache
def shipped_eop_last_observed() -> int:
    """Last MJD of observed (not predicted) values in the shipped table."""
    path = resources.files("sahelsat").joinpath("data", "eop", "finals.csv")
    last = 0
    with path.open() as f:
        next(f)
        for line in f:
            mjd, *_, predicted = line.strip().split(",")
            if predicted == "0":
                last = int(mjd)
    return last


def eop_table_path():
    """The Earth-orientation table to use: the stored one when its observed values reach
    at least as far as the shipped table's (or it was chosen although older), else the
    shipped one."""
    stored = stored_eop()
    if stored is not None and (
        stored[1].get("chosen")
        or int(stored[1].get("last_observed_mjd", 0)) >= shipped_eop_last_observed()
    ):
        return stored[0]
    return resources.files("sahelsat").joinpath("data", "eop", "finals.csv")
