"""Bringing fleets' element sets up to date: from a source (:func:`update_elements`) or
from files brought by hand (:func:`import_elements`).

Each fleet is a list of source queries (the shipped catalogues' are in
:data:`SHIPPED_QUERIES`; ``--catnr``/``--intdes`` add to a fleet's list). A new copy
replaces the one in use only when every query answered, every record passed the strict
reader, and it is not suspicious: far fewer element sets than the copy it replaces, or
all older than it, is refused unless ``replace=True``. Otherwise the copy in use (stored,
or the shipped snapshot) stays and the report says why. Both functions take a
``progress(fraction, message)`` callback and a ``cancelled()`` check, so that a
service job can run them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import numpy as np

from sahelsat import userdata
from sahelsat.elements import ElementSet, ElementSetError
from sahelsat.fleet import CATALOGUES, shipped_catalogue
from sahelsat.refresh import defaults
from sahelsat.refresh.schedule import iso, not_before, record_failure, utc
from sahelsat.refresh.sources import Query, make_source, read_answer, summarize_errors

#: The source queries of the shipped catalogues (CelesTrak groups). Sentinel-1C and -1D
#: are not in CelesTrak's resource group: they are asked by catalogue number.
SHIPPED_QUERIES = {
    "resource": ("GROUP=resource", "CATNR=62261", "CATNR=66315"),
    "starlink": ("GROUP=starlink",),
    "oneweb": ("GROUP=oneweb",),
    "geo": ("GROUP=geo",),
    "weather": ("GROUP=weather",),
}
#: File names taken by ``--from`` (a folder is read file by file).
IMPORT_SUFFIXES = (".json", ".csv", ".xml", ".txt", ".tle", ".3le", ".2le", ".omm")

Progress = Callable[[float, str], None]


@dataclass
class FleetResult:
    """What happened to one fleet: ``updated``, ``unchanged`` (same content),
    ``skipped`` (asked recently: not asked again yet), ``refused`` (the answer was bad
    or suspicious: the copy in use stays), ``failed`` (no usable answer) or
    ``not asked`` (the run stopped before it)."""

    name: str
    status: str
    message: str
    info: userdata.CopyInfo | None = None
    errors: list[str] = field(default_factory=list)


@dataclass
class UpdateReport:
    """Per fleet results; ``stopped`` says why the run stopped asking the source."""

    results: list[FleetResult] = field(default_factory=list)
    stopped: str | None = None
    cancelled: bool = False

    @property
    def ok(self) -> bool:
        good = ("updated", "unchanged", "skipped")
        return not self.cancelled and all(r.status in good for r in self.results)


def definition(name: str, store: userdata.ElementStore | None = None) -> list[Query] | None:
    """The source queries of fleet ``name``: recorded ones, else the shipped catalogue's,
    else None."""
    store = store or userdata.ElementStore()
    keys = store.definition(name) or SHIPPED_QUERIES.get(userdata.fleet_name(name))
    return [Query.parse(k) for k in keys] if keys else None


def default_fleets(store: userdata.ElementStore | None = None) -> list[str]:
    """What ``sahelsat update elements`` updates when no fleet is named: every shipped
    catalogue (the scenarios' fleets are among them) and every stored fleet defined by
    source queries."""
    store = store or userdata.ElementStore()
    extra = [n for n in store.names() if n not in SHIPPED_QUERIES and store.definition(n)]
    return list(SHIPPED_QUERIES) + extra


def in_use(name: str, store: userdata.ElementStore) -> tuple[userdata.CopyInfo | None, list]:
    """The copy in use of fleet ``name``: the stored one and its description, else the
    shipped snapshot (description None), else nothing."""
    if store.current(name) is not None:
        try:
            return store.load(name)
        except (KeyError, ElementSetError, OSError, ValueError):
            pass  # unreadable: the shipped snapshot is the copy in use
    if name in CATALOGUES:
        return None, shipped_catalogue(name).element_sets
    return None, []


def check_replacement(new: list[ElementSet], old: list[ElementSet]) -> str | None:
    """Why ``new`` must not replace ``old`` (None when it may): far fewer element sets,
    or every epoch older than the median epoch of the copy in use."""
    if not new:
        return "no element sets"
    limit = defaults.MIN_KEEP_FRACTION * len(old) - defaults.MIN_KEEP_SLACK
    if len(new) < limit:
        return (
            f"only {len(new)} element sets where the copy in use has {len(old)} (fewer than "
            f"{defaults.MIN_KEEP_FRACTION:.0%} of them): a partial answer?"
        )
    if old:
        newest = max(e.epoch for e in new)
        median = np.sort(np.array([e.epoch for e in old], "datetime64[ns]"))[len(old) // 2]
        if newest < median:
            return (
                f"every element set is older than the copy in use (newest epoch "
                f"{str(newest)[:19]}Z, the copy in use's median {str(median)[:19]}Z)"
            )
    return None


def _merge(parts: dict[str, list[ElementSet]]) -> tuple[list[ElementSet], list[str]]:
    """One element set per catalogue number (the latest epoch when two parts give one)."""
    best: dict[int, ElementSet] = {}
    for sets in parts.values():
        for es in sets:
            have = best.get(es.catalog_number)
            if have is None or es.epoch > have.epoch:
                best[es.catalog_number] = es
    twice = sum(len(v) for v in parts.values()) - len(best)
    notes = [f"{twice} catalogue numbers given twice, kept once (latest epoch)"] if twice else []
    return sorted(best.values(), key=lambda e: e.catalog_number), notes


def _store_copy(store, name, sets, old, replace, source, parts, notes, now) -> FleetResult:
    why = check_replacement(sets, old)
    if why and not replace:
        return FleetResult(name, "refused", f"kept the copy in use: {why} (--replace to accept)")
    numbers = {k: [e.catalog_number for e in v] for k, v in parts.items()}
    notes = notes + ([f"accepted although {why}"] if why else [])
    try:
        info, new = store.put(name, sets, source, iso(now), numbers, notes)
    except (OSError, ElementSetError) as exc:
        why = f"cannot store the new copy ({exc}); the copy in use stays"
        return FleetResult(name, "failed", why)
    said = "".join(f"; {n}" for n in notes)
    if not new:
        return FleetResult(name, "unchanged", f"same element sets as the copy in use{said}", info)
    lo, hi = info.epoch_min[:16], info.epoch_max[:16]
    told = f"{info.count} element sets, epochs {lo} .. {hi} UTC{said}"
    return FleetResult(name, "updated", told, info)


def update_elements(
    names: Iterable[str] = (),
    catnr: Iterable[int | str] = (),
    intdes: Iterable[str] = (),
    into: str | None = None,
    source: str = "auto",
    url: str | None = None,
    fmt: str = "json",
    force: bool = False,
    replace: bool = False,
    timeout_s: float = defaults.TIMEOUT_S,
    store: userdata.ElementStore | None = None,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
    now: datetime | None = None,
    spacing_s: float | None = None,
) -> UpdateReport:
    """Fetch fleets' element sets from a source and store those that pass.

    ``names``: fleets (shipped catalogues, fleets defined earlier, or any CelesTrak group
    name, which then becomes a fleet); default :func:`default_fleets`. ``catnr`` and
    ``intdes`` add single objects or launches to fleet ``into`` (default ``objects``).
    ``source``: ``auto``, ``celestrak`` or ``spacetrack``; ``url`` its base URL; ``fmt``
    the OMM format asked from CelesTrak. ``force`` asks even a query answered less than
    the source's interval ago or in back-off after an error; ``replace`` accepts a copy
    that :func:`check_replacement` finds suspicious (the strict reading is never skipped).
    """
    store = store or userdata.ElementStore()
    src = make_source(source, url, fmt, timeout_s, spacing_s)
    plan = _plan(names, catnr, intdes, into, store)
    report = UpdateReport()
    state = store.fetch_state()
    run = _Run(src, state, force, now, progress, cancelled, sum(len(q) for _, q in plan))
    for name, queries in plan:
        if report.stopped or report.cancelled:
            why = "cancelled" if report.cancelled else "the run stopped at the error above"
            report.results.append(FleetResult(name, "not asked", why))
            continue
        info, old = in_use(name, store)
        parts, result, validators = run.fleet(name, queries, info, old, report)
        if result is None:
            sets, notes = _merge(parts)
            notes += run.notes
            described = f"{src.describe()}: {', '.join(q.key for q in queries)}"
            result = _store_copy(store, name, sets, old, replace, described, parts, notes, utc(now))
        for q in queries:  # validators only of answers now in the copy in use
            entry = state.setdefault(src.state_key(q), {})
            if result.info is not None:
                entry.update(validators.get(q.key, {}), version=result.info.version)
            elif q.key in validators:
                entry.update(etag=None, last_modified=None)
        report.results.append(result)
        store.save_fetch_state(state)
    if progress is not None:
        progress(1.0, "done")
    return report


@dataclass
class _Run:
    """One update run: the source, the shared download state and the run's progress."""

    src: object
    state: dict
    force: bool
    now: datetime | None
    progress: Progress | None
    cancelled: Callable[[], bool] | None
    total: int
    done: int = 0
    notes: list[str] = field(default_factory=list)  # of the fleet being asked

    def fleet(self, name, queries, info, old, report):
        """Ask each query of one fleet. Returns the element sets per query, a result when
        the fleet cannot be updated (else None), and the new validators per query."""
        parts: dict[str, list[ElementSet]] = {}
        validators: dict[str, dict] = {}
        waits = []
        self.notes = []
        for query in queries:
            if self.cancelled is not None and self.cancelled():
                report.cancelled = True
                return parts, FleetResult(name, "not asked", "cancelled"), validators
            entry = self.state.setdefault(self.src.state_key(query), {})
            t = utc(self.now)
            current = info is not None and query.key in info.parts
            current = current and entry.get("version") == info.version
            wait = None if self.force else not_before(entry, self.src.interval_s, t)
            if wait is not None:
                if not current:
                    return parts, FleetResult(name, "skipped", f"{query.key}: {wait}"), validators
                parts[query.key] = _part(info, old, query)
                self.done += 1
                waits.append(wait)
                continue
            if self.progress is not None:
                self.progress(self.done / max(self.total, 1), f"{name}: {query.key}")
            members = [e.catalog_number for e in old] if query.kind == "GROUP" else None
            answer = self.src.fetch(query, entry if current else {}, members)
            self.done += 1
            if answer.status == "error":
                record_failure(entry, answer.message, answer.retry_after_s, self.src.interval_s, t)
                report.stopped = (
                    f"{answer.message}; no further query was sent ({self.src.name} asks "
                    "clients to stop at the first error and have a person look)"
                )
                failed = FleetResult(name, "failed", f"{query.key}: {answer.message}")
                return parts, failed, validators
            entry.update(fetched_at=iso(t), failures=0, retry_after=None, last_error=None)
            if answer.status == "empty" and query.kind == "CATNR":
                kept = [e for e in old if e.catalog_number == int(query.value)]
                if kept:  # one object gone from the source must not block its fleet
                    parts[query.key] = kept
                    es = kept[0]
                    self.notes.append(f"{answer.message}: kept the element set in use "
                                      f"({es.name}, epoch {str(es.epoch)[:16]})")  # fmt: skip
                    continue
            refused = _refusal(name, query, answer, current)
            if refused is not None:
                return parts, refused, validators
            if answer.status == "unchanged":
                parts[query.key] = _part(info, old, query)
            else:
                parts[query.key] = answer.element_sets
                validators[query.key] = {"etag": None, "last_modified": None} | answer.validators
        if waits and len(waits) == len(queries):  # nothing asked: the copy in use is current
            return parts, FleetResult(name, "skipped", f"up to date: {waits[0]}", info), validators
        return parts, None, validators


def _part(info, old, query) -> list[ElementSet]:
    wanted = set(info.parts[query.key])
    return [e for e in old if e.catalog_number in wanted]


def _refusal(name, query, answer, current) -> FleetResult | None:
    if answer.status == "empty":
        return FleetResult(name, "refused", f"kept the copy in use: {answer.message}")
    if answer.status == "unchanged" and not current:
        return FleetResult(name, "refused", f"{query.key}: HTTP 304 to a request without "
                           "validators: kept the copy in use")  # fmt: skip
    if answer.errors:
        return FleetResult(
            name, "refused",
            f"kept the copy in use: {len(answer.errors)} records of {query.key} failed the "
            f"strict reading: {summarize_errors(answer.errors)}",
            errors=answer.errors,
        )  # fmt: skip
    return None


def _plan(names, catnr, intdes, into, store) -> list[tuple[str, list[Query]]]:
    singles = [Query("CATNR", str(n).strip()) for n in catnr]
    singles += [Query("INTDES", str(d).strip()) for d in intdes]
    plan: list[tuple[str, list[Query]]] = []
    if singles:
        target = userdata.fleet_name(into or "objects")
        queries = definition(target, store) or []
        queries += [q for q in singles if q not in queries]
        store.save_definition(target, [q.key for q in queries])
        plan.append((target, queries))
    for raw in names:
        name = userdata.fleet_name(raw)
        queries = definition(name, store)
        if queries is None:
            queries = [Query("GROUP", name)]
            store.save_definition(name, [q.key for q in queries])
        plan.append((name, queries))
    if not plan:
        plan = [(n, definition(n, store) or []) for n in default_fleets(store)]
    return plan


# --------------------------------------------------------------------------- import


def import_elements(
    path: str | Path,
    into: str | None = None,
    only: Iterable[str] = (),
    replace: bool = False,
    store: userdata.ElementStore | None = None,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
    now: datetime | None = None,
) -> UpdateReport:
    """Import element sets from a file or a folder of files (OMM JSON/CSV/XML or TLE).

    Each file becomes the fleet named by ``into``, else by the file's name (``resource.json``
    -> ``resource``; a CelesTrak download ``gp.php?GROUP=geo&FORMAT=json`` -> ``geo``);
    ``only`` keeps the files of those fleets. Files for one fleet are merged. Element sets
    that a fleet asks by catalogue number (Sentinel-1C/1D in ``resource``) and that the
    files lack are kept from the copy in use, and the report says so.
    """
    store = store or userdata.ElementStore()
    folder = Path(path)
    if folder.is_dir():
        files = sorted(p for p in folder.iterdir() if p.suffix.lower() in IMPORT_SUFFIXES)
    elif folder.is_file():
        files = [folder]
    else:
        raise FileNotFoundError(f"{path}: no such file or folder")
    wanted = {userdata.fleet_name(n) for n in only}
    groups: dict[str, list[Path]] = {}
    report = UpdateReport()
    for f in files:
        try:
            name = userdata.fleet_name(into or _name_from_file(f))
        except ValueError as exc:
            report.results.append(FleetResult(f.name, "refused", str(exc)))
            continue
        if not wanted or name in wanted:
            groups.setdefault(name, []).append(f)
    if not groups and not report.results:
        report.results.append(FleetResult(str(path), "refused", "no element-set files found"))
    for k, (name, paths) in enumerate(groups.items()):
        if cancelled is not None and cancelled():
            report.cancelled = True
            report.results.append(FleetResult(name, "not asked", "cancelled"))
            continue
        if progress is not None:
            progress(k / len(groups), f"{name}: reading {', '.join(p.name for p in paths)}")
        report.results.append(_import_one(name, paths, replace, store, utc(now)))
    if progress is not None:
        progress(1.0, "done")
    return report


def _name_from_file(path: Path) -> str:
    m = re.search(r"GROUP=([A-Za-z0-9_-]+)", path.name)
    return m.group(1) if m else path.name.split(".")[0]


def _import_one(name, paths, replace, store, now) -> FleetResult:
    parts, errors = {}, []
    for p in paths:
        try:
            body = p.read_bytes()
        except OSError as exc:
            return FleetResult(name, "failed", f"{p}: cannot read: {exc}")
        sets, bad = read_answer(body, p.name)
        parts[p.name] = sets
        errors += bad
    if errors:
        return FleetResult(
            name, "refused",
            f"kept the copy in use: {len(errors)} records failed the strict reading: "
            f"{summarize_errors(errors)}", errors=errors,
        )  # fmt: skip
    info, old = in_use(name, store)
    sets, notes = _merge(parts)
    have = {e.catalog_number for e in sets}
    kept = []
    for q in definition(name, store) or []:
        if q.kind == "CATNR" and int(q.value) not in have:
            kept += [e for e in old if e.catalog_number == int(q.value)]
    if kept:
        parts["kept from the copy in use"] = kept
        sets, _ = _merge(parts)
        notes.append(
            "kept from the copy in use (not in the files): "
            + ", ".join(f"{e.name} ({e.catalog_number})" for e in kept)
        )
    source = "imported from " + ", ".join(p.name for p in paths)
    return _store_copy(store, name, sets, old, replace, source, parts, notes, now)
